"""How Spark's cost grows with data on one machine, against NumPy.

    python bench/scaling.py                        # 1e4..1e7 rows, ALS 1e4..1e7 ratings
    python bench/scaling.py --sizes 1e4 1e5 --als-sizes 1e4 --repeats 1   # a quick look
    python bench/scaling.py --wait-quiet 2400      # first wait (<= 40 min) for a quiet machine

Linear regression: `features` standard-normal columns and a label that is a fixed linear
combination of them plus a bias and Gaussian noise, generated on the fly (Spark: `range`
with `randn` and fixed seeds; NumPy: `default_rng` with a fixed seed). Spark's
`LinearRegression` is fitted with the "normal" and the "l-bfgs" solver on data that is
cached and counted first, so only the fit is timed. NumPy solves the normal equation; its
time covers building the design matrix (a column of ones for the bias), X^T X, X^T y and
the solve. ALS (rank 10, 5 iterations) is timed against the number of ratings; its time
covers the fit and counting the user and item factors.

Spark starts here with the course's settings: SPARK_CONF_DIR points at the repository
root (spark-defaults.conf, log4j.properties) unless already set. Because 1e7 rows do not
fit the course's 1 GiB driver, the driver gets --driver-memory (default 8g) through
PYSPARK_SUBMIT_ARGS, set before the JVM starts, unless PYSPARK_SUBMIT_ARGS is already set.

Writes bench/results/scaling_linear_regression.csv, bench/results/scaling_als.csv,
bench/results/scaling.md and the plots bench/scaling_*.png.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import psutil
from benchlib import (
    BENCH_DIR,
    REPO_ROOT,
    RESULTS_DIR,
    add_wait_quiet_option,
    machine_info,
    machine_markdown,
    wait_if_asked,
)

SEED = 7
BIAS = 4.0
NOISE = 0.5


def true_weights(features: int) -> np.ndarray:
    """0.5, -1.0, 1.5, -2.0, ...: the weights every data set is made with."""
    return np.array([(-1) ** i * 0.5 * (i + 1) for i in range(features)])


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


# ----------------------------------------------------------------------------- NumPy


def numpy_bytes_needed(rows: int, features: int) -> int:
    """Rough peak: X, the design matrix with its column of ones, y and the noise."""
    return rows * (2 * features + 1 + 2) * 8


def numpy_fit(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    design = np.column_stack([np.ones(len(X)), X])
    return np.linalg.solve(design.T @ design, design.T @ y)


def numpy_study(sizes: list[int], features: int, repeats: int) -> list[dict]:
    rows_out = []
    weights = true_weights(features)
    for rows in sizes:
        needed = numpy_bytes_needed(rows, features)
        available = psutil.virtual_memory().available
        if needed > available / 2:
            reason = (
                f"needs about {needed / 1024**3:.1f} GiB, more than half of the "
                f"{available / 1024**3:.1f} GiB available"
            )
            print(f"numpy {rows:>10,} rows: skipped ({reason})", file=sys.stderr)
            rows_out.append(
                {"engine": "numpy", "solver": "normal", "rows": rows, "skipped": reason}
            )
            continue
        rng = np.random.default_rng(SEED)
        X = rng.standard_normal((rows, features))
        y = X @ weights + BIAS + NOISE * rng.standard_normal(rows)
        for repeat in range(1, repeats + 1):
            seconds, w = timed(lambda X=X, y=y: numpy_fit(X, y))
            error = float(np.max(np.abs(np.asarray(w) - np.r_[BIAS, weights])))
            rows_out.append(
                {
                    "engine": "numpy",
                    "solver": "normal",
                    "rows": rows,
                    "repeat": repeat,
                    "seconds": seconds,
                    "iterations": "",
                    "max_abs_weight_error": error,
                }
            )
            print(f"numpy {rows:>10,} rows: {seconds:.4f} s", file=sys.stderr, flush=True)
        del X, y
        gc.collect()
    return rows_out


# ----------------------------------------------------------------------------- Spark


def start_spark(driver_memory: str):
    os.environ.setdefault("SPARK_CONF_DIR", str(REPO_ROOT))
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_SUBMIT_ARGS", f"--driver-memory {driver_memory} pyspark-shell")
    if os.environ.pop("SPARK_REMOTE", None):
        print("note: SPARK_REMOTE ignored; this study runs Spark locally", file=sys.stderr)
    from pyspark.sql import SparkSession

    return SparkSession.builder.appName("bench-scaling").getOrCreate()


def blas_report(spark) -> dict[str, str]:
    """Which BLAS/LAPACK implementations Spark's linear algebra uses (classic mode only)."""
    from py4j.protocol import Py4JJavaError

    jvm = spark.sparkContext._jvm
    netlib = jvm.dev.ludovic.netlib

    def name_of(get: Callable[[], object]) -> str:
        try:
            return get().getClass().getName()
        except Py4JJavaError as error:
            cause = error.java_exception
            return f"unavailable ({cause.getClass().getSimpleName()}: {cause.getMessage()})"

    system = jvm.java.lang.System
    report = {
        "-Ddev.ludovic.netlib.blas.allowNative": str(
            system.getProperty("dev.ludovic.netlib.blas.allowNative")
        ),
        "BLAS.getInstance()": name_of(netlib.blas.BLAS.getInstance),
        "JavaBLAS.getInstance()": name_of(netlib.blas.JavaBLAS.getInstance),
        "NativeBLAS.getInstance()": name_of(netlib.blas.NativeBLAS.getInstance),
        "LAPACK.getInstance()": name_of(netlib.lapack.LAPACK.getInstance),
    }
    # Spark ML's own BLAS object (Scala: org.apache.spark.ml.linalg.BLAS) picks between the two.
    spark_blas = getattr(getattr(jvm.org.apache.spark.ml.linalg, "BLAS$"), "MODULE$")
    report["Spark ml BLAS.javaBLAS()"] = name_of(spark_blas.javaBLAS)
    report["Spark ml BLAS.nativeBLAS()"] = name_of(spark_blas.nativeBLAS)
    return report


def regression_data(spark, rows: int, features: int):
    from pyspark.ml.feature import VectorAssembler
    from pyspark.sql import functions as F

    columns = [F.randn(SEED + i).alias(f"x{i}") for i in range(features)]
    frame = spark.range(rows).select(*columns)
    label = F.lit(BIAS) + NOISE * F.randn(SEED + 1000)
    for i, weight in enumerate(true_weights(features)):
        label = label + float(weight) * F.col(f"x{i}")
    assembler = VectorAssembler(inputCols=[f"x{i}" for i in range(features)], outputCol="features")
    return assembler.transform(frame.withColumn("label", label)).select("features", "label")


def spark_regression_study(
    spark, sizes: list[int], features: int, repeats: int
) -> tuple[list[dict], dict[int, float]]:
    from pyspark.ml.regression import LinearRegression

    expected = np.r_[BIAS, true_weights(features)]
    rows_out, prepare_seconds = [], {}
    for rows in sizes:
        data = regression_data(spark, rows, features).cache()
        prepare_seconds[rows], count = timed(data.count)
        assert count == rows
        for solver in ["normal", "l-bfgs"]:
            estimator = LinearRegression(solver=solver, regParam=0.0, maxIter=100, tol=1e-6)
            for repeat in range(1, repeats + 1):
                seconds, model = timed(lambda est=estimator, data=data: est.fit(data))
                found = np.r_[model.intercept, model.coefficients.toArray()]
                iterations = model.summary.totalIterations if solver == "l-bfgs" else ""
                rows_out.append(
                    {
                        "engine": "spark",
                        "solver": solver,
                        "rows": rows,
                        "repeat": repeat,
                        "seconds": seconds,
                        "iterations": iterations,
                        "max_abs_weight_error": float(np.max(np.abs(found - expected))),
                    }
                )
                print(
                    f"spark {solver:7} {rows:>10,} rows: {seconds:.2f} s",
                    file=sys.stderr,
                    flush=True,
                )
        data.unpersist(blocking=True)
    return rows_out, prepare_seconds


def ratings_data(spark, ratings: int):
    from pyspark.sql import functions as F

    users, items = max(100, ratings // 20), max(100, ratings // 50)
    frame = spark.range(ratings).select(
        F.floor(F.rand(SEED) * users).cast("int").alias("user"),
        F.floor(F.rand(SEED + 1) * items).cast("int").alias("item"),
        F.least(F.lit(5.0), F.greatest(F.lit(1.0), F.round(3 + F.randn(SEED + 2)))).alias("rating"),
    )
    return frame, users, items


def spark_als_study(spark, sizes: list[int], repeats: int) -> list[dict]:
    from pyspark.ml.recommendation import ALS

    rows_out = []
    for ratings in sizes:
        frame, users, items = ratings_data(spark, ratings)
        data = frame.cache()
        data.count()
        als = ALS(rank=10, maxIter=5, regParam=0.1, seed=SEED, userCol="user", itemCol="item")
        for repeat in range(1, repeats + 1):

            def fit(als=als, data=data) -> None:
                model = als.fit(data)
                model.userFactors.count()
                model.itemFactors.count()

            seconds, _ = timed(fit)
            rows_out.append(
                {
                    "ratings": ratings,
                    "users": users,
                    "items": items,
                    "rank": 10,
                    "max_iter": 5,
                    "repeat": repeat,
                    "seconds": seconds,
                }
            )
            print(f"spark ALS {ratings:>10,} ratings: {seconds:.2f} s", file=sys.stderr, flush=True)
        data.unpersist(blocking=True)
    return rows_out


def warm_up(spark, features: int) -> None:
    """One small fit of each kind first, so class loading and JIT are not in the tables."""
    from pyspark.ml.recommendation import ALS
    from pyspark.ml.regression import LinearRegression

    data = regression_data(spark, 10_000, features).cache()
    for solver in ["normal", "l-bfgs"]:
        LinearRegression(solver=solver).fit(data)
    data.unpersist()
    frame, _, _ = ratings_data(spark, 10_000)
    ALS(rank=10, maxIter=5, seed=SEED, userCol="user", itemCol="item").fit(frame)


# ----------------------------------------------------------------------------- report


def write_csv(path: Path, rows: list[dict], fields: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()}
            )


def medians(rows: list[dict], key: Callable[[dict], tuple]) -> dict[tuple, float]:
    grouped: dict[tuple, list[float]] = {}
    for row in rows:
        if "seconds" in row:
            grouped.setdefault(key(row), []).append(row["seconds"])
    return {k: statistics.median(v) for k, v in grouped.items()}


METHODS = [("spark", "normal"), ("spark", "l-bfgs"), ("numpy", "normal")]
LABELS = {
    ("spark", "normal"): "Spark, normal solver",
    ("spark", "l-bfgs"): "Spark, l-bfgs",
    ("numpy", "normal"): "NumPy normal equation",
}


def regression_table(rows: list[dict], sizes: list[int], prepare: dict[int, float]) -> str:
    median = medians(rows, lambda r: (r["engine"], r["solver"], r["rows"]))
    iterations = {
        r["rows"]: r["iterations"] for r in rows if r.get("solver") == "l-bfgs" and "seconds" in r
    }
    skipped = {r["rows"]: r["skipped"] for r in rows if "skipped" in r}
    header = (
        "| rows | Spark generate + cache s | Spark normal s | Spark l-bfgs s (iterations) "
        "| NumPy s | Spark normal µs/row | Spark l-bfgs µs/row | NumPy µs/row |"
    )
    lines = [header, "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n in sizes:
        sn, sl, npy = (median.get((e, s, n)) for e, s in METHODS)

        def cell(value: float | None, digits: int = 3) -> str:
            return "-" if value is None else f"{value:.{digits}g}"

        def per_row(value: float | None, n: int = n) -> str:
            return "-" if value is None else f"{value / n * 1e6:.3g}"

        lbfgs = cell(sl) + (f" ({iterations[n]})" if n in iterations else "")
        numpy_cell = "skipped" if n in skipped else cell(npy)
        lines.append(
            f"| {n:.0e} | {cell(prepare.get(n))} | {cell(sn)} | {lbfgs} | {numpy_cell} "
            f"| {per_row(sn)} | {per_row(sl)} | {per_row(npy)} |"
        )
    return "\n".join(lines)


def als_table(rows: list[dict]) -> str:
    median = medians(rows, lambda r: (r["ratings"], r["users"], r["items"]))
    lines = ["| ratings | users | items | ALS fit s | µs/rating |", "|---:|---:|---:|---:|---:|"]
    for (ratings, users, items), seconds in sorted(median.items()):
        lines.append(
            f"| {ratings:.0e} | {users:,} | {items:,} | {seconds:.3g} "
            f"| {seconds / ratings * 1e6:.3g} |"
        )
    return "\n".join(lines)


def plot(
    path: Path,
    title: str,
    xlabel: str,
    ylabel: str,
    series: dict[str, tuple[list, list]],
    linear_guide: str = "",
) -> None:
    """A log-log plot; `linear_guide` labels a dotted line of slope 1 through the first
    series' largest point (what purely linear growth would look like)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogFormatter

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label, (xs, ys) in series.items():
        if xs:
            ax.plot(xs, ys, marker="o", label=label)
    first = next((xy for xy in series.values() if xy[0]), None)
    if linear_guide and first:
        xs, ys = first
        ax.plot(xs, [ys[-1] * x / xs[-1] for x in xs], ":", color="grey", label=linear_guide)
    ax.set_xscale("log")
    ax.set_yscale("log")
    # Plain numbers on the time axis (also on the minor ticks when the range is narrow).
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(LogFormatter(minor_thresholds=(2, 0.5)))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    if len(series) > 1 or linear_guide:
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plots(regression: list[dict], als: list[dict], cores: int, features: int) -> list[Path]:
    median = medians(regression, lambda r: (r["engine"], r["solver"], r["rows"]))
    where = f"one machine, {cores} cores"
    seconds, per_row = {}, {}
    for method in METHODS:
        ns = sorted(n for (e, s, n) in median if (e, s) == method)
        seconds[LABELS[method]] = (ns, [median[(*method, n)] for n in ns])
        per_row[LABELS[method]] = (ns, [median[(*method, n)] / n * 1e6 for n in ns])
    paths = [
        BENCH_DIR / "scaling_linear_regression.png",
        BENCH_DIR / "scaling_time_per_row.png",
        BENCH_DIR / "scaling_als.png",
    ]
    plot(
        paths[0],
        f"Linear regression fit time against data size ({where})",
        f"rows ({features} features)",
        "fit time (s)",
        seconds,
        linear_guide="proportional to rows",
    )
    plot(
        paths[1],
        f"Linear regression time per row ({where})",
        "rows",
        "fit time per row (µs)",
        per_row,
    )
    als_median = medians(als, lambda r: (r["ratings"],))
    ns = sorted(k[0] for k in als_median)
    plot(
        paths[2],
        f"Spark ALS (rank 10, 5 iterations) fit time ({where})",
        "ratings",
        "fit time (s)",
        {"Spark ALS": (ns, [als_median[(n,)] for n in ns])},
        linear_guide="proportional to ratings",
    )
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Spark vs NumPy as data grows.")
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e4, 1e5, 1e6, 1e7])
    parser.add_argument("--als-sizes", nargs="+", type=float, default=[1e4, 1e5, 1e6, 1e7])
    parser.add_argument("--features", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3, help="fits per size (median)")
    parser.add_argument("--driver-memory", default="8g")
    add_wait_quiet_option(parser)
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.sizes]
    als_sizes = [int(n) for n in args.als_sizes]

    quiet_note = wait_if_asked(args.wait_quiet)
    info = machine_info()
    started = time.perf_counter()

    numpy_blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    regression = numpy_study(sizes, args.features, args.repeats)

    spark = start_spark(args.driver_memory)
    blas = blas_report(spark)
    for key, value in blas.items():
        print(f"{key}: {value}", file=sys.stderr)
    driver_memory = spark.conf.get("spark.driver.memory")
    warm_up(spark, args.features)
    spark_rows, prepare = spark_regression_study(spark, sizes, args.features, args.repeats)
    regression = spark_rows + regression
    als = spark_als_study(spark, als_sizes, args.repeats)
    spark.stop()
    total = time.perf_counter() - started

    write_csv(
        RESULTS_DIR / "scaling_linear_regression.csv",
        [r for r in regression if "seconds" in r],
        ["engine", "solver", "rows", "repeat", "seconds", "iterations", "max_abs_weight_error"],
    )
    write_csv(
        RESULTS_DIR / "scaling_als.csv",
        als,
        ["ratings", "users", "items", "rank", "max_iter", "repeat", "seconds"],
    )
    paths = plots(regression, als, os.cpu_count() or 0, args.features)

    errors = [r["max_abs_weight_error"] for r in regression if "seconds" in r]
    skipped = [f"{r['rows']:.0e}: {r['skipped']}" for r in regression if "skipped" in r]
    report = "\n".join(
        [
            f"Median of {args.repeats} fit(s) per cell, {args.features} features, "
            f"measured {info['date']}; whole script {total:.0f} s.",
            "",
            regression_table(regression, sizes, prepare),
            "",
            als_table(als),
            "",
            f"- Spark driver memory: {driver_memory} "
            f"(PYSPARK_SUBMIT_ARGS={os.environ.get('PYSPARK_SUBMIT_ARGS')!r}); "
            "SPARK_CONF_DIR: "
            + (
                "the repository root."
                if os.environ.get("SPARK_CONF_DIR") == str(REPO_ROOT)
                else f"{os.environ.get('SPARK_CONF_DIR')}."
            ),
            f"- Largest |fitted - true| over all weights and the bias: {max(errors):.2g}.",
            "- NumPy sizes skipped: " + ("; ".join(skipped) if skipped else "none."),
            f"- NumPy BLAS: {numpy_blas.get('name')} {numpy_blas.get('version')}.",
            *(f"- JVM {key}: `{value}`" for key, value in blas.items()),
            *([f"- {quiet_note}"] if quiet_note else []),
            "",
            "Machine:",
            "",
            machine_markdown(info),
            "",
            "Plots: " + ", ".join(str(p.relative_to(REPO_ROOT)) for p in paths),
            "",
        ]
    )
    (RESULTS_DIR / "scaling.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
