"""Start Spark once and record what it made of the course's configuration: run by the check
in each environment and with each JDK as `python probe.py OUT.json KEY...`, in a folder that
SPARK_CONF_DIR names, with a copy of spark-defaults.conf and log4j.properties (level warn).

OUT.json: for each KEY, the value Spark saw and whether Spark knows the key (it ignores an
unknown one silently); Log4j's version and root level; whether a job and a tiny
LinearRegression ran. It imports nothing of the course, so it runs in any environment.
"""

import json
import sys
from typing import Any


def probe(keys: list[str]) -> dict[str, Any]:
    from pyspark.ml.linalg import Vectors
    from pyspark.ml.regression import LinearRegression
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    try:
        jvm, conf = spark.sparkContext._jvm, spark.sparkContext.getConf()
        find = jvm.org.apache.spark.internal.config.ConfigEntry.findEntry
        log4j = jvm.org.apache.logging.log4j.LogManager
        result: dict[str, Any] = {
            "spark_version": spark.version,
            "java_version": jvm.java.lang.System.getProperty("java.version"),
            "keys": [{"key": k, "seen": conf.get(k), "known": find(k) is not None} for k in keys],
            "log4j_level": log4j.getRootLogger().getLevel().toString(),
            "log4j_version": log4j.getContext(False)
            .getClass()
            .getPackage()
            # the version of the jar the class came from
            .getImplementationVersion(),
        }
        assert spark.range(1000).selectExpr("sum(id)").first()[0] == 499500
        rows = [(2.0 * x + 1.0, Vectors.dense([float(x)])) for x in range(10)]
        model = LinearRegression().fit(spark.createDataFrame(rows, ["label", "features"]))
        result["ok"] = bool(abs(model.coefficients[0] - 2.0) < 1e-6)
        result["error"] = "" if result["ok"] else f"slope {model.coefficients[0]}, not 2"
        return result
    finally:
        spark.stop()


if __name__ == "__main__":
    try:
        found = probe(sys.argv[2:])
    except Exception as error:  # Spark did not start on this Java, and the like
        lines = [line for line in str(error).splitlines() if line.strip()] or [""]
        found = {"ok": False, "error": f"{type(error).__name__}: {lines[0][:160]}"}
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(found, out, indent=1)
