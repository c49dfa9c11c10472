"""Small helpers that several notebooks share (shown and explained in notebook 00).

Everything a learner should learn stays in the notebooks; this module only holds the
plumbing that would otherwise be copied into each of them.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
# Scratch output (ignored by git); safe to delete at any time.
SCRATCH_DIR = REPO_ROOT / ".scratch"


class CourseDataError(Exception):
    """A file in data/ is not the one its data card (data/*.md) describes."""


def data_path(name: str) -> str:
    """Absolute path of a file in data/, as a string Spark can read, once it is checked.

    Absolute, because a Spark Connect server or a cluster resolves a relative path
    against its own working folder, not the notebook's. Each data card holds the SHA-256
    of its file (`make data` writes it): a file cut off, saved by a spreadsheet or edited
    stops here, before any number is computed from it. A file no card names is read as
    it is, with a note.
    """
    __tracebackhide__ = True  # IPython and pytest leave this function out of the traceback
    path = DATA_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make data` from the repository root")
    line = re.compile(rf"^SHA-256 of `data/{re.escape(name)}`: `([0-9a-f]{{64}})`", re.M)
    for card in sorted(DATA_DIR.glob("*.md")):
        found = line.search(card.read_text(encoding="utf-8"))
        if found:
            break
    else:
        print(f"note: no data card in data/ vouches for data/{name}; it is read as it is")
        return str(path)
    if data_checksum(path) != found.group(1):
        raise CourseDataError(
            f"data/{name} is not the file its card data/{card.name} describes (its SHA-256 "
            f"differs: cut off, saved by a spreadsheet or edited?); restore it with "
            f"`git checkout data/{name}`, or to use an edited copy on purpose, save it in "
            f"data/ under a new name and read that name"
        )
    return str(path)


def data_checksum(path: str | Path) -> str:
    """SHA-256 of a data file as its card states it. CRLF line endings (git may check files
    out with them on Windows) and a byte-order mark do not count: Spark reads them the same."""
    data = Path(path).read_bytes().removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n")
    return hashlib.sha256(data).hexdigest()


def scratch_path(name: str) -> str:
    """Absolute path of `name` in this kernel's own folder of the ignored scratch folder, so
    that two runs of a notebook at the same time (two tabs, two test runs) never write over
    each other's files. `make clean` empties the scratch folder."""
    folder = SCRATCH_DIR / f"kernel-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)


def hash_bucket(key: str | Column, buckets: int = 100, salt: str = "") -> Column:
    """A bucket number 0..buckets-1 from a hash of `key`: the same on every machine.

    A different `salt` gives buckets independent of the unsalted ones, so a second split
    of rows that one split already chose (training rows into fit and validation) is not
    confined to a few buckets of the first.
    """
    column = F.col(key) if isinstance(key, str) else key
    hashed = F.xxhash64(F.lit(salt), column) if salt else F.xxhash64(column)
    return F.pmod(hashed, F.lit(buckets))


def split_by_hash(
    df: DataFrame, key: str | Column, test_percent: int = 20, salt: str = ""
) -> tuple[DataFrame, DataFrame]:
    """Split rows into (kept, held out) by a hash of `key`, `test_percent` % held out.

    ``DataFrame.randomSplit`` draws its random numbers per partition, so its result can
    change with the number of partitions (and so with the number of cores) once the data
    spans several of them. A hash of a stable key gives the same split everywhere. The
    course splits twice: ``split_by_hash(df, key)`` for (train, test), then
    ``split_by_hash(train, key, 25, salt="validation")`` for (fit, validation).
    """
    bucket = hash_bucket(key, salt=salt)
    return df.where(bucket >= test_percent), df.where(bucket < test_percent)


def is_spark_connect(spark: SparkSession) -> bool:
    """True when `spark` talks to a Spark Connect server (SPARK_REMOTE=sc://...)."""
    return type(spark).__module__.startswith("pyspark.sql.connect")
