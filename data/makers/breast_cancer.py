"""Breast Cancer Wisconsin (Diagnostic) data for decision trees (notebook 03).

Copied from ``sklearn/datasets/data/breast_cancer.csv`` inside the pinned scikit-learn
package: the file is read straight from the package folder, so nothing is downloaded.
The 30 feature values are kept exactly as written there (the same text).

Changes from the original: a stable integer ``id`` (1..569, the package's row order) is
added as the first column; the 0/1 target becomes a string column ``diagnosis``
("malignant" for 0, "benign" for 1, as scikit-learn's ``target_names`` say) placed second,
as in the UCI file; and the feature names become snake_case (``mean radius`` becomes
``mean_radius``, ``radius error`` becomes ``radius_error``), because Spark reads a dot in
a column name as a struct field and a space makes every reference need backticks.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from pathlib import Path

FILES = ["breast_cancer.csv"]

TARGET_NAMES = ["malignant", "benign"]
EXPECTED_ROWS = 569


def snake_case(name: str) -> str:
    """`mean concave points` -> `mean_concave_points`."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def source_csv() -> Path:
    """The breast_cancer.csv inside the installed scikit-learn (found without importing it)."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("scikit-learn is not installed: pip install -r requirements-dev.txt")
    return (
        Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data" / "breast_cancer.csv"
    )


def feature_names() -> list[str]:
    """scikit-learn's 30 feature names, in the CSV's column order (the CSV has no header)."""
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    if [str(name) for name in bunch.target_names] != TARGET_NAMES:
        raise RuntimeError(f"unexpected target names: {bunch.target_names}")
    return [str(name) for name in bunch.feature_names]


def make(out_dir: Path) -> None:
    names = feature_names()
    with source_csv().open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        # First line: number of rows, number of features, then the target names.
        header = next(reader)
        if header != [str(EXPECTED_ROWS), str(len(names)), *TARGET_NAMES]:
            raise RuntimeError(f"unexpected first line in {source_csv()}: {header}")
        rows = list(reader)
    if len(rows) != EXPECTED_ROWS or any(len(row) != len(names) + 1 for row in rows):
        raise RuntimeError(f"unexpected shape of {source_csv()}")
    with (out_dir / FILES[0]).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", "diagnosis", *(snake_case(name) for name in names)])
        for number, row in enumerate(rows, start=1):
            *features, target = row
            for value in features:
                float(value)  # every feature must be a plain number; fail loudly if not
            writer.writerow([number, TARGET_NAMES[int(target)], *features])
