"""Small helpers that several notebooks share (shown and explained in notebook 00).

Everything a learner should learn stays in the notebooks; this module only holds the
plumbing that would otherwise be copied into each of them.
"""

from __future__ import annotations

from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
# Scratch output (ignored by git); safe to delete at any time.
SCRATCH_DIR = REPO_ROOT / ".scratch"


def data_path(name: str) -> str:
    """Absolute path of a file in data/, as a string Spark can read.

    Absolute, because a Spark Connect server or a cluster resolves a relative path
    against its own working folder, not the notebook's.
    """
    path = DATA_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make data` from the repository root")
    return str(path)


def scratch_path(name: str) -> str:
    """Absolute path of a file or folder in the ignored scratch folder."""
    SCRATCH_DIR.mkdir(exist_ok=True)
    return str(SCRATCH_DIR / name)


def hash_bucket(key: str | Column, buckets: int = 100) -> Column:
    """A bucket number 0..buckets-1 from a hash of `key`: the same on every machine."""
    column = F.col(key) if isinstance(key, str) else key
    return F.pmod(F.xxhash64(column), F.lit(buckets))


def split_by_hash(
    df: DataFrame, key: str | Column, test_percent: int = 20
) -> tuple[DataFrame, DataFrame]:
    """Split rows into (train, test) by a hash of `key`.

    ``DataFrame.randomSplit`` draws its random numbers per partition, so its result
    changes with the number of partitions (and so with the number of cores). A hash of
    a stable key gives the same split everywhere.
    """
    bucket = hash_bucket(key)
    return df.where(bucket >= test_percent), df.where(bucket < test_percent)


def is_spark_connect(spark: SparkSession) -> bool:
    """True when `spark` talks to a Spark Connect server (SPARK_REMOTE=sc://...)."""
    return type(spark).__module__.startswith("pyspark.sql.connect")
