"""A small plain-text file for the first Spark job: count its lines (notebook 00).

The course outline's first job counts the lines of a text file with
``sc.textFile(...).count()``. This maker writes the course's own short text about
Spark, so the count is known in advance and checked.
"""

from __future__ import annotations

from pathlib import Path

FILES = ["spark_intro.txt"]

LINES = [
    "Apache Spark is an engine for processing data on one machine or on many.",
    "A Spark program is written against a driver, which plans the work.",
    "Executors run the work in tasks, one task for each partition of the data.",
    "A DataFrame is a table spread over partitions, with named and typed columns.",
    "Transformations such as select, filter and join only describe new DataFrames.",
    "Actions such as count, collect and show make Spark run the plan.",
    "The Spark UI shows every job, its stages and its tasks while a session runs.",
    "Spark ML builds models from DataFrames with estimators, transformers and pipelines.",
    "An estimator learns from data with fit and returns a model.",
    "A model is a transformer: transform adds its predictions as new columns.",
    "A pipeline chains feature steps and a model into one estimator.",
    "The same code runs on a laptop, on a cluster or through Spark Connect.",
]


def make(out_dir: Path) -> None:
    (out_dir / FILES[0]).write_text("\n".join(LINES) + "\n", encoding="utf-8")
