"""What runs inside the scratch environment, each in its own process.

`pytest -p upgrade_check.inside --nbval ...`: in strict nbval's one run of the notebooks,
each cell's outputs compared with the stored ones, with nbval's own sanitising, plots too
(which nbval skips) by their pixels, so a PNG with other metadata is equal; what it finds,
and each notebook's seconds (kernel start to shut down), go to $UPGRADE_CHECK_RUNS.

`python -m upgrade_check.inside OUT.json`, in a folder that SPARK_CONF_DIR names, holding
copies of spark-defaults.conf and log4j.properties (level warn): start Spark, run a job and
fit a tiny LinearRegression; record the keys Spark does not know (it ignores them silently)
or did not see as written, and Log4j's version and level.
"""

import base64
import difflib
import io
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
SITE_PACKAGES = re.compile(r"\S*[/\\]site-packages[/\\]")  # which environment's is noise
ORDER = {kind: place for place, kind in enumerate(["stdout", "stderr", "error", "text/plain"])}
RUNS: dict[str, dict] = {}


def clip(line: str, width: int = 160) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"


def by_kind(outputs: list[dict], sanitize: Callable[[str], str]) -> dict[str, list[str]]:
    """Outputs by kind (stdout, stderr, error, a MIME type), texts sanitised and streams of one
    name joined, as nbval does."""
    found: dict[str, list[str]] = {}
    for out in outputs:
        if out["output_type"] == "stream":
            joined = found.setdefault(out["name"], [""])
            joined[0] += SITE_PACKAGES.sub(".../site-packages/", ANSI.sub("", "".join(out["text"])))
        elif out["output_type"] == "error":
            found.setdefault("error", []).append(f"{out['ename']}: {ANSI.sub('', out['evalue'])}")
        for mime, value in out.get("data", {}).items():
            found.setdefault(mime, []).append("".join(value))
    return {k: v if k.startswith("image/") else [*map(sanitize, v)] for k, v in found.items()}


def describe_image(old: str, new: str) -> str | None:
    """None when two base64 images show the same pixels, else how they differ."""
    from PIL import Image  # Pillow: matplotlib's, so in the scratch environment too

    try:
        a, b = (Image.open(io.BytesIO(base64.b64decode(x))).convert("RGBA") for x in (old, new))
    except (OSError, ValueError):
        return None if old == new else "plot: the image changed (not a readable image)"
    if a.size != b.size or a.tobytes() != b.tobytes():
        return "plot changed: {}x{} -> {}x{} px".format(*a.size, *b.size)
    return None


def numbers_moved(old: str, new: str) -> str | None:
    """The old line with each changed number shown as `old→new`, when only numbers differ."""
    if NUMBER.sub("#", old) != NUMBER.sub("#", new):
        return None
    fresh = iter(NUMBER.findall(new))
    return NUMBER.sub(lambda m: m[0] if (n := next(fresh)) == m[0] else f"{m[0]}→{n}", old)


def text_changes(old: str, new: str, limit: int = 12) -> list[str]:
    """A short diff: `~` a line whose numbers moved, `-` a line gone, `+` a new one."""
    a, b, out = old.splitlines(), new.splitlines(), []
    for tag, i, j, k, m in difflib.SequenceMatcher(None, a, b, False).get_opcodes():
        gone, came = (a[i:j], b[k:m]) if tag != "equal" else ([], [])
        while tag == "replace" and gone and came and (moved := numbers_moved(gone[0], came[0])):
            out.append(f"~ {clip(moved.strip())}")
            del gone[0], came[0]
        out += [f"- {clip(line)}" for line in gone] + [f"+ {clip(line)}" for line in came]
    return out[:limit] + [f"… and {len(out) - limit} more changed lines"] * (len(out) > limit)


def compare(stored: list[dict], fresh: list[dict], sanitize) -> tuple[list[str], list[str]]:
    """How a cell's fresh outputs differ from its stored ones, summarised, and its new stderr
    lines (of a Python warning, the message; not the indented code that warned)."""
    old, new, lines = by_kind(stored, sanitize), by_kind(fresh, sanitize), []
    for kind in sorted(old.keys() | new.keys(), key=lambda k: (ORDER.get(k, 9), k)):
        was, now = old.get(kind, []), new.get(kind, [])
        if kind.startswith("image/") and was != now:
            if len(was) != len(now):
                lines.append(f"[{kind}] {len(was)} -> {len(now)} images")
            lines += [f"[{kind}] {d}" for d in map(describe_image, was, now) if d]
        elif diff := text_changes("\n".join(was), "\n".join(now)):
            lines += [f"[{kind}]" + ("" if was else " new output"), *diff]
    was, now = (x.get("stderr", [""])[0].splitlines() for x in (old, new))
    return lines, [clip(line, 300) for line in now if line[:1].strip() and line not in was]


def pytest_runtest_makereport(item, call) -> None:
    """nbval's run of a cell (its seconds: the first cell's set-up starts the kernel, the last
    one's teardown stops it) and how its outputs differ from the stored ones."""
    if (number := getattr(item, "cell_num", None)) is None:
        return
    run = RUNS.setdefault(item.path.name, dict(seconds=0.0, errors=[], changes=[], warnings=[]))
    run["seconds"] += call.duration
    if call.when != "call" or item.test_outputs is None:  # set-up, teardown, a skipped cell
        return
    lines, warnings = compare(item.cell.outputs, item.test_outputs, item.sanitize)
    run["warnings"].extend([number, line] for line in warnings)
    errors = by_kind(item.test_outputs, str).get("error", [])
    run["errors"] += [f"Cell {number}: {clip(error.splitlines()[0])}" for error in errors]
    if lines and item.options["check"] and item.cell.execution_count is not None:  # as nbval
        code = [s for s in map(str.strip, item.cell.source.splitlines()) if s[:1] not in "#"]
        source = clip((code or [""])[0], 80)
        run["changes"].append({"cell": number, "source": source, "lines": lines})


def pytest_sessionfinish() -> None:
    with open(os.environ["UPGRADE_CHECK_RUNS"], "w", encoding="utf-8") as out:
        json.dump(RUNS, out, indent=1)


def probe() -> dict:
    from pyspark.ml.linalg import Vectors
    from pyspark.ml.regression import LinearRegression
    from pyspark.sql import SparkSession

    from course_facts import read_spark_defaults

    settings = read_spark_defaults(Path(os.environ["SPARK_CONF_DIR"], "spark-defaults.conf"))
    spark = SparkSession.builder.getOrCreate()
    try:
        jvm, conf = spark.sparkContext._jvm, spark.sparkContext.getConf()
        find = jvm.org.apache.spark.internal.config.ConfigEntry.findEntry
        log4j = jvm.org.apache.logging.log4j.LogManager
        assert spark.range(1000).selectExpr("sum(id)").first()[0] == 499500
        rows = [(2.0 * x + 1.0, Vectors.dense([float(x)])) for x in range(10)]
        model = LinearRegression().fit(spark.createDataFrame(rows, ["label", "features"]))
        return {
            "ok": bool(abs(model.coefficients[0] - 2.0) < 1e-6),
            "error": f"LinearRegression's slope is {model.coefficients[0]}, not 2",
            "java": jvm.java.lang.System.getProperty("java.version"),
            "spark": spark.version,
            "unknown": [key for key in settings if find(key) is None],
            "unseen": [k for k, v in settings.items() if v not in str(conf.get(k))],
            "log4j": f"{log4j.getContext(False).getClass().getPackage().getImplementationVersion()}"
            f" at level {log4j.getRootLogger().getLevel()}",
        }
    finally:
        spark.stop()


if __name__ == "__main__":
    try:
        found = probe()
    except Exception as error:  # Spark did not start on this Java, and the like
        lines = [line for line in str(error).splitlines() if line.strip()] or [""]
        found = {"ok": False, "error": f"{type(error).__name__}: {lines[0][:160]}"}
    Path(sys.argv[1]).write_text(json.dumps(found, indent=1), encoding="utf-8")
