"""Tests of the classification data: data/default_credit.csv and data/breast_cancer.csv.

Each file must be exactly what its maker writes (remade into a temporary folder) and must
have the rows, classes and statistics that the notebooks 02 and 03 and the data cards rely on.
Remaking default_credit.csv downloads the pinned ISLP wheel from PyPI.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from conftest import DATA_DIR as DATA
from conftest import check_plain_csv

PROPERTIES = [
    "radius",
    "texture",
    "perimeter",
    "area",
    "smoothness",
    "compactness",
    "concavity",
    "concave_points",
    "symmetry",
    "fractal_dimension",
]
CANCER_FEATURES = (
    [f"mean_{p}" for p in PROPERTIES]
    + [f"{p}_error" for p in PROPERTIES]
    + [f"worst_{p}" for p in PROPERTIES]
)


# --- default_credit.csv (notebook 02) -------------------------------------------------


@pytest.fixture(scope="module")
def credit() -> pd.DataFrame:
    return pd.read_csv(DATA / "default_credit.csv")


def test_default_credit_layout() -> None:
    check_plain_csv(DATA / "default_credit.csv", "id,default,student,balance,income", 10_000)
    # Money with exactly two decimals.
    lines = (DATA / "default_credit.csv").read_text(encoding="utf-8").splitlines()[1:]
    money = re.compile(r"\d+\.\d\d")
    assert all(money.fullmatch(field) for line in lines for field in line.split(",")[3:])


def test_default_credit_classes(credit: pd.DataFrame) -> None:
    assert credit["id"].tolist() == list(range(1, 10_001))
    assert credit.notna().all().all()
    assert credit["default"].value_counts().to_dict() == {"No": 9667, "Yes": 333}
    assert credit["student"].value_counts().to_dict() == {"No": 7056, "Yes": 2944}
    table = pd.crosstab(credit["default"], credit["student"])
    assert table.loc["Yes"].to_dict() == {"No": 206, "Yes": 127}


def test_default_credit_statistics(credit: pd.DataFrame) -> None:
    assert credit["balance"].mean() == pytest.approx(835.37, abs=0.01)
    assert credit["income"].mean() == pytest.approx(33516.98, abs=0.01)
    assert credit["balance"].min() == 0.0 and (credit["balance"] == 0).sum() == 499
    assert credit["balance"].max() == pytest.approx(2654.32, abs=0.001)
    assert credit["income"].min() == pytest.approx(771.97, abs=0.001)
    # What notebook 02 teaches: defaulters carry about twice the balance, similar income.
    means = credit.groupby("default")[["balance", "income"]].mean()
    assert means.loc["Yes", "balance"] > 2 * means.loc["No", "balance"]
    assert means.loc["Yes", "income"] == pytest.approx(means.loc["No", "income"], rel=0.1)


# --- breast_cancer.csv (notebook 03) --------------------------------------------------


@pytest.fixture(scope="module")
def cancer() -> pd.DataFrame:
    return pd.read_csv(DATA / "breast_cancer.csv")


def test_breast_cancer_layout() -> None:
    header = ",".join(["id", "diagnosis", *CANCER_FEATURES])
    check_plain_csv(DATA / "breast_cancer.csv", header, 569)
    # Names Spark reads without backticks: lower-case letters, digits and underscores.
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", name) for name in header.split(","))


def test_breast_cancer_classes_and_values(cancer: pd.DataFrame) -> None:
    assert cancer["id"].tolist() == list(range(1, 570))
    assert cancer["diagnosis"].value_counts().to_dict() == {"benign": 357, "malignant": 212}
    features = cancer[CANCER_FEATURES]
    assert (features.dtypes == np.float64).all()
    assert features.notna().all().all() and (features >= 0).all().all()
    # Spot checks against scikit-learn's published summary (first row and min/max).
    first = cancer.iloc[0]
    assert (first["diagnosis"], first["mean_radius"], first["worst_area"]) == (
        "malignant",
        17.99,
        2019.0,
    )
    assert features["mean_radius"].agg(["min", "max"]).tolist() == [6.981, 28.11]
    assert features["worst_area"].agg(["min", "max"]).tolist() == [185.2, 4254.0]


def test_breast_cancer_matches_scikit_learn(cancer: pd.DataFrame) -> None:
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    expected = bunch.data.set_axis(CANCER_FEATURES, axis=1)
    pd.testing.assert_frame_equal(cancer[CANCER_FEATURES], expected, check_exact=True)
    names = np.asarray(bunch.target_names)[bunch.target.to_numpy()]
    assert cancer["diagnosis"].tolist() == names.tolist()
    # What notebook 03 shows: malignant masses are larger.
    by_class = cancer.groupby("diagnosis")["worst_perimeter"].mean()
    assert by_class["malignant"] > 1.3 * by_class["benign"]
