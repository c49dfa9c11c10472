"""Tests of the clustering and recommender data: data/penguins.csv and data/movielens_ratings.csv.

Each file must be exactly what its maker writes (remade into a temporary folder from the
pinned palmerpenguins and pyspark packages) and must have the rows, groups and statistics
that notebooks 04 and 05 and the data cards rely on.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import DATA_DIR as DATA
from conftest import check_plain_csv

MEASUREMENTS = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]


# --- penguins.csv (notebook 04) -------------------------------------------------------


@pytest.fixture(scope="module")
def penguins() -> pd.DataFrame:
    # Only empty fields are missing values (so a value such as "NA" would be caught).
    return pd.read_csv(DATA / "penguins.csv", keep_default_na=False, na_values=[""])


def test_penguins_layout() -> None:
    header = "id,species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year"
    lines = check_plain_csv(DATA / "penguins.csv", header, 344)
    assert "NA" not in {field for line in lines for field in line.split(",")}
    # Bills with exactly one decimal; flipper length, body mass and year as integers.
    for line in lines:
        fields = line.split(",")
        for value in fields[3:5]:
            assert value == "" or (len(value.split(".")) == 2 and len(value.split(".")[1]) == 1)
        for value in fields[5:7] + fields[8:]:
            assert value == "" or value.isdigit()


def test_penguins_rows_and_groups(penguins: pd.DataFrame) -> None:
    assert penguins["id"].tolist() == list(range(1, 345))
    assert penguins["species"].value_counts().to_dict() == {
        "Adelie": 152,
        "Gentoo": 124,
        "Chinstrap": 68,
    }
    assert penguins["island"].value_counts().to_dict() == {
        "Biscoe": 168,
        "Dream": 124,
        "Torgersen": 52,
    }
    assert penguins["sex"].value_counts().to_dict() == {"male": 168, "female": 165}
    assert penguins["sex"].isna().sum() == 11
    assert sorted(penguins["year"].unique()) == [2007, 2008, 2009]


def test_penguins_missing_measurements_are_the_two_known_rows(penguins: pd.DataFrame) -> None:
    missing = penguins[penguins[MEASUREMENTS].isna().any(axis=1)]
    assert missing["id"].tolist() == [4, 272]
    assert missing[MEASUREMENTS].isna().all(axis=None)  # nothing measured at all
    complete = penguins.dropna(subset=MEASUREMENTS)
    assert len(complete) == 342  # what notebook 04 clusters
    assert complete["species"].value_counts().to_dict() == {
        "Adelie": 151,
        "Gentoo": 123,
        "Chinstrap": 68,
    }


def test_penguins_measurement_statistics(penguins: pd.DataFrame) -> None:
    # The means the data card quotes (and notebook 04's StandardScaler prints).
    means = penguins[MEASUREMENTS].mean().round(2).to_dict()
    assert means == {
        "bill_length_mm": 43.92,
        "bill_depth_mm": 17.15,
        "flipper_length_mm": 200.92,
        "body_mass_g": 4201.75,
    }
    # Gentoo are the heaviest; Chinstrap and Adelie differ mainly in bill length.
    by_species = penguins.groupby("species")[MEASUREMENTS].mean()
    assert by_species["body_mass_g"].idxmax() == "Gentoo"
    assert (
        by_species.loc["Chinstrap", "bill_length_mm"]
        > by_species.loc["Adelie", "bill_length_mm"] + 8
    )


# --- movielens_ratings.csv (notebook 05) ----------------------------------------------


@pytest.fixture(scope="module")
def ratings() -> pd.DataFrame:
    return pd.read_csv(DATA / "movielens_ratings.csv")


def test_movielens_is_the_pyspark_sample_line_for_line() -> None:
    import pyspark

    source = (
        Path(pyspark.__file__).parent / "data" / "mllib" / "als" / "sample_movielens_ratings.txt"
    )
    original = source.read_text(encoding="utf-8").splitlines()
    lines = check_plain_csv(DATA / "movielens_ratings.csv", "userId,movieId,rating,timestamp", 1501)
    assert [line.replace(",", "::") for line in lines] == original


def test_movielens_users_movies_and_ratings(ratings: pd.DataFrame) -> None:
    assert len(ratings) == 1501
    assert sorted(ratings["userId"].unique()) == list(range(30))
    assert sorted(ratings["movieId"].unique()) == list(range(100))
    assert not ratings.duplicated(["userId", "movieId"]).any()
    assert ratings["rating"].value_counts().sort_index().to_dict() == {
        1: 941,
        2: 207,
        3: 179,
        4: 99,
        5: 75,
    }
    assert round(ratings["rating"].mean(), 3) == 1.774
    per_user = ratings.groupby("userId").size()
    per_movie = ratings.groupby("movieId").size()
    assert (per_user.min(), per_user.max()) == (44, 57)
    assert (per_movie.min(), per_movie.max()) == (7, 20)
    assert ratings["timestamp"].unique().tolist() == [1424380312]
