"""MovieLens-format sample ratings for the recommenders notebook (05).

Apache Spark ships a small synthetic ratings file in the MovieLens format with its
examples: ``data/mllib/als/sample_movielens_ratings.txt`` inside the installed pyspark
package (``userId::movieId::rating::timestamp``, 1501 lines, 30 users, 100 movies).
This maker reads it from the package folder (nothing is downloaded) and writes it as
a CSV with a header, so the notebook can read it with an explicit schema. The values
and their order are unchanged.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

FILES = ["movielens_ratings.csv"]
HEADER = "userId,movieId,rating,timestamp"


def source_file() -> Path:
    """sample_movielens_ratings.txt inside the installed pyspark (found without importing it)."""
    spec = importlib.util.find_spec("pyspark")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pyspark is not installed: pip install -r requirements.txt")
    package = Path(list(spec.submodule_search_locations)[0])
    return package / "data" / "mllib" / "als" / "sample_movielens_ratings.txt"


def make(out_dir: Path) -> None:
    lines = source_file().read_text(encoding="utf-8").splitlines()
    rows = []
    for number, line in enumerate(lines, start=1):
        fields = line.split("::")
        if len(fields) != 4 or not all(field.isdigit() for field in fields):
            raise RuntimeError(f"line {number} is not user::movie::rating::timestamp: {line!r}")
        rows.append(",".join(str(int(field)) for field in fields))
    if len(rows) != 1501:
        raise RuntimeError(f"expected 1501 ratings, found {len(rows)}")
    (out_dir / FILES[0]).write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
