"""Tests of data/ecommerce_customers.csv: reproducible bytes and the original's statistics."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from conftest import DATA_DIR

CSV = DATA_DIR / "ecommerce_customers.csv"
HEADER = (
    "Email,Address,Avatar,Avg Session Length,Time on App,Time on Website,"
    "Length of Membership,Yearly Amount Spent"
)
FEATURES = ["Avg Session Length", "Time on App", "Time on Website", "Length of Membership"]
TARGET = "Yearly Amount Spent"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return pd.read_csv(CSV)


def test_one_record_per_line_and_exact_header() -> None:
    raw = CSV.read_bytes()
    assert b"\r" not in raw
    lines = raw.decode("utf-8").split("\n")
    assert lines[0] == HEADER
    assert lines[-1] == ""  # the file ends with one newline
    assert len(lines) == 1 + 500 + 1
    # Every physical line is one whole record (no line break inside a quoted field).
    for row in csv.reader(lines[1:-1]):
        assert len(row) == 8


def test_columns_and_identities(table: pd.DataFrame) -> None:
    assert list(table.columns) == HEADER.split(",")
    assert len(table) == 500
    assert table.notna().all().all()
    assert table["Email"].is_unique
    # Clearly fake: only the reserved example domains (RFC 2606).
    domains = set(table["Email"].str.split("@").str[1])
    assert domains <= {"example.com", "example.org", "example.net"}
    assert table["Address"].str.contains(", ").all()
    assert table["Avatar"].str.fullmatch(r"[A-Za-z]+").all()
    assert table["Avatar"].nunique() > 50
    for name in [*FEATURES, TARGET]:
        assert table[name].dtype == np.float64


def test_feature_statistics(table: pd.DataFrame) -> None:
    expected_means = {
        "Avg Session Length": 33.05,
        "Time on App": 12.05,
        "Time on Website": 37.06,
        "Length of Membership": 3.53,
    }
    for name, mean in expected_means.items():
        assert table[name].mean() == pytest.approx(mean, abs=0.1), name
        assert table[name].std() == pytest.approx(1.0, abs=0.05), name
    assert table["Length of Membership"].min() > 0


def test_target_statistics(table: pd.DataFrame) -> None:
    y = table[TARGET]
    assert y.mean() == pytest.approx(499, abs=3)
    assert y.std() == pytest.approx(79, abs=3)
    assert y.min() == pytest.approx(257, abs=20)
    assert y.max() == pytest.approx(766, abs=20)


def test_least_squares_fit_matches_the_original(table: pd.DataFrame) -> None:
    # The original's fit on all rows (not the 25.98 / 38.59 / 0.19 / 61.28 that courses
    # print: that is scikit-learn on a 70/30 split; see the data card).
    X = np.column_stack([np.ones(len(table)), table[FEATURES].to_numpy()])
    y = table[TARGET].to_numpy()
    w, *_ = np.linalg.lstsq(X, y, rcond=None)
    residuals = y - X @ w
    r2 = 1 - (residuals**2).sum() / ((y - y.mean()) ** 2).sum()
    residual_sd = np.sqrt((residuals**2).sum() / (len(y) - X.shape[1]))
    for got, want in zip(w[1:], [25.73, 38.71, 0.44, 61.58], strict=True):
        assert got == pytest.approx(want, abs=1.5)
    assert w[0] == pytest.approx(-1051.6, abs=40)
    assert 0.97 <= r2 <= 0.99
    assert residual_sd == pytest.approx(10, abs=0.75)
