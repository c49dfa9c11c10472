"""Checks for the exercises of 00 · Setup check."""

from __future__ import annotations

from collections.abc import Mapping

from . import (
    Exercise,
    Mistake,
    Unreadable,
    _a,
    _is_dataframe,
    as_count,
    as_mapping,
    as_number,
    as_printed,
    as_values,
)

ex1 = Exercise(
    chapter="00",
    number=1,
    answer="spark_lines",
    read=as_count,
    is_correct=lambda count: count == 6,
    correct='6 of the 12 lines of spark_intro.txt contain "Spark".',
    mistakes=[
        Mistake(
            "all lines",
            lambda count: count == 12,
            '12 is the number of all the lines. Keep only those that contain "Spark" '
            'before counting: `.where(F.col("value").contains("Spark"))`.',
            "spark_lines = lines.count()",
        ),
        Mistake(
            "no line found",
            lambda count: count == 0,
            'no line matched. `contains` is case-sensitive, and the file writes "Spark" with a '
            'capital S; `like("Spark")` without `%` would find nothing either, because '
            "`like` must match the whole line.",
            'spark_lines = lines.where(F.col("value").contains("spark")).count()',
        ),
        Mistake(
            "lines that start with Spark",
            lambda count: count == 1,
            'only one line *starts* with "Spark". Count the lines that mention it anywhere: '
            "`contains`.",
            'spark_lines = lines.where(F.col("value").startswith("Spark")).count()',
        ),
    ],
    nudge='the answer is a number of lines of spark_intro.txt: those in which "Spark" appears.',
    right_answers=[6, 6.0],
    hint_text=(
        "read the file with `spark.read.text(text_file)` (one row per line, column `value`), "
        'keep the rows whose value contains "Spark" and count them.'
    ),
    solution_text=(
        'spark_lines = spark.read.text(text_file).where(F.col("value").contains("Spark"))'
        ".count(), which is 6 (of 12 lines)."
    ),
)

ex2 = Exercise(
    chapter="00",
    number=2,
    answer="distinct_words",
    read=as_count,
    is_correct=lambda count: count == 92,
    correct=(
        "92 distinct words, once the text is lower-cased, split at every non-letter and the "
        "empty string is left out."
    ),
    mistakes=[
        Mistake(
            "empty string counted",
            lambda count: count == 93,
            'one too many: the empty string is among them. Splitting "... the data." at the '
            "full stop leaves an empty piece after it; drop it with "
            '`.where(F.col("word") != "")`.',
            "distinct_words = all_words.distinct().count()",
        ),
        Mistake(
            "case-sensitive",
            lambda count: count in (95, 96),
            '"Spark" and "spark", "The" and "the" are counted as different words. '
            'Lower-case the lines first: `F.lower("value")`.',
            "distinct_words = (\n"
            '    lines.select(F.explode(F.split("value", r"[^A-Za-z]+")).alias("word"))\n'
            '    .where(F.col("word") != "")\n'
            "    .distinct()\n"
            "    .count()\n"
            ")",
        ),
        Mistake(
            "split at spaces",
            lambda count: count in (99, 102),
            'splitting at spaces keeps the punctuation: "partitions." and "partitions" '
            'count as two words. Split at every non-letter, `r"[^a-z]+"`, after lower-casing.',
            'distinct_words = lines.select(F.explode(F.split("value", " ")).alias("word")).distinct().count()',
        ),
        Mistake(
            "not distinct",
            lambda count: count == 150,
            "150 is the number of all the words, repeats included. Add `.distinct()` before "
            "`.count()`.",
            'distinct_words = all_words.where(F.col("word") != "").count()',
        ),
        Mistake(
            "only long words",
            lambda count: count == 73,
            "those are the distinct words longer than three letters: the `words` DataFrame of "
            "section 3 keeps only those. The exercise asks for words of any length.",
            "distinct_words = words.distinct().count()",
        ),
    ],
    nudge="the answer is the number of different words in spark_intro.txt, of any length.",
    right_answers=[92, 92.0],
    hint_text=(
        "start from the `words` cell of section 3 (lower-case, split at non-letters, explode), "
        "without its filter on the length; drop the empty string, then `.distinct().count()`."
    ),
    solution_text=(
        'distinct_words = 92: lower-case, split at r"[^a-z]+", explode, drop the empty '
        "string, then .distinct().count()."
    ),
)


def _textfile_tasks_here() -> int | None:
    """The tasks of `sc.textFile(small file).count()` in the running classic session:
    one per partition, min(2, default parallelism). None through Spark Connect or without a
    session (nothing is asked of Spark through Connect; only the classic driver knows)."""
    try:
        from pyspark.sql import SparkSession

        session = SparkSession.getActiveSession()
        if session is None or type(session).__module__.startswith("pyspark.sql.connect"):
            return None
        return min(2, session.sparkContext.defaultParallelism)
    except Exception:  # no classic session to ask: assume 2 or more cores
        return None


def _textfile_tasks_ok(tasks: int) -> bool:
    # 2 on any Spark with 2 or more cores; 1 as well on a classic session with one core.
    return tasks == 2 or (tasks == 1 and _textfile_tasks_here() == 1)


def read_ui_counts(answer) -> dict[str, tuple[int, int, int]]:
    """{"textFile": (jobs, stages, tasks), "DataFrame": (jobs, stages, tasks)}: a dict whose
    two values are three whole numbers each, in that order (so a set, which has no order,
    is refused)."""
    shape = (
        'expected a dict {"textFile": (jobs, stages, tasks), "DataFrame": (jobs, stages, tasks)} '
        "of whole numbers"
    )
    if not isinstance(answer, Mapping):
        raise Unreadable(f"{shape}, got {_a(type(answer).__name__)}.")
    by_key = {str(key).strip().lower(): value for key, value in answer.items()}
    counts = {}
    for name in ["textFile", "DataFrame"]:
        value = by_key.get(name.lower())
        if value is None:
            raise Unreadable(f'{shape}; the key "{name}" is missing.')
        try:
            numbers = tuple(as_count(number) for number in as_values(value, ordered=True))
        except Unreadable as problem:
            raise Unreadable(f'"{name}": {problem} Write it as (jobs, stages, tasks).') from None
        if len(numbers) != 3:
            raise Unreadable(
                f'"{name}" holds {len(numbers)} numbers; write three: (jobs, stages, tasks).'
            )
        counts[name] = numbers
    return counts


def _ui_correct(counts) -> bool:
    jobs, stages, tasks = counts["textFile"]
    return (
        (jobs, stages) == (1, 1) and _textfile_tasks_ok(tasks) and counts["DataFrame"] == (2, 2, 2)
    )


ex3 = Exercise(
    chapter="00",
    number=3,
    answer="ui_counts",
    read=read_ui_counts,
    is_correct=_ui_correct,
    correct=(
        "sc.textFile(...).count() is 1 job of 1 stage, with one task per partition: 2 (textFile "
        "cuts the file into min(2, cores) partitions, so 1 only on a one-core Spark). The "
        "DataFrame count is 2 jobs: the stage before the shuffle, then the final count, whose "
        "first stage is skipped because the first job already ran it; 2 stages and 2 tasks ran."
    ),
    mistakes=[
        Mistake(
            "DataFrame jobs read as textFile's",
            lambda counts: counts["textFile"][0] == 2,
            "sc.textFile(text_file).count() runs one job, named `count at` and your cell's line. "
            "The two jobs named `$anonfun$withThreadLocalCaptured$1 at CompletableFuture.java` "
            "belong to the DataFrame count.",
            'ui_counts = {"textFile": (2, 2, 2), "DataFrame": (2, 2, 2)}',
        ),
        Mistake(
            "one task",
            lambda counts: counts["textFile"][2] == 1 and not _textfile_tasks_ok(1),
            "the textFile stage runs 2 tasks: textFile cuts even this small file into 2 "
            "partitions (its minimum when Spark has 2 or more cores), and a stage runs one task "
            "per partition. Look at the job's Tasks column (Succeeded/Total).",
            'ui_counts = {"textFile": (1, 1, 1), "DataFrame": (2, 2, 2)}',
        ),
        Mistake(
            "skipped stage counted",
            lambda counts: counts["DataFrame"][0] == 2 and 3 in counts["DataFrame"][1:],
            "the DataFrame count's second job lists a stage as skipped: the first job already "
            "ran it and left its output at the shuffle. Count only the stages and tasks that ran.",
            'ui_counts = {"textFile": (1, 1, 2), "DataFrame": (2, 3, 3)}',
        ),
        Mistake(
            "one DataFrame job",
            lambda counts: counts["DataFrame"][0] == 1,
            "the DataFrame count runs two jobs, both named `$anonfun$withThreadLocalCaptured$1`: "
            "with AQE, Spark runs the stage before the shuffle as a job of its own. The SQL / "
            "DataFrame tab shows the query as one line that links to both.",
            'ui_counts = {"textFile": (1, 1, 2), "DataFrame": (1, 1, 1)}',
        ),
    ],
    nudge=(
        "under Jobs, find the job of sc.textFile(text_file).count() and the jobs of the "
        "DataFrame count, and read how many stages and tasks ran (skipped ones left out)."
    ),
    right_answers=[
        {"textFile": (1, 1, 2), "DataFrame": (2, 2, 2)},
        {"textFile": [1, 1, 2], "DataFrame": [2, 2, 2]},
        {"textfile": (1, 1, 2), "dataframe": (2, 2, 2)},
    ],
    hint_text=(
        "the Jobs page lists each job with its Stages and Tasks as Succeeded/Total, and "
        '"(n skipped)" for work taken from an earlier job. The textFile job is named '
        "`count at ...`; the DataFrame count's jobs `$anonfun$withThreadLocalCaptured$1 at ...`."
    ),
    solution_text=(
        'ui_counts = {"textFile": (1, 1, 2), "DataFrame": (2, 2, 2)} on 2 or more cores '
        "(the textFile count has 1 task on a one-core Spark)."
    ),
)


# The mean body mass (g) of the Adelie penguins of each island, missing masses left out.
ADELIE_MASS = {
    "Biscoe": 3709.659090909091,
    "Dream": 3688.3928571428573,
    "Torgersen": 3706.372549019608,
}
ISLANDS = sorted(ADELIE_MASS)


def _island(key) -> str:
    if not isinstance(key, str):
        raise Unreadable(
            f"expected an island's name ({', '.join(ISLANDS)}) as key, got {_a(type(key).__name__)}."
        )
    return key.strip().capitalize()


def read_island_means(answer) -> dict[str, float]:
    """{island: mean mass in grams}: a dict (or pandas Series) of island names to numbers."""
    if _is_dataframe(answer) and not hasattr(answer, "to_dict"):
        raise Unreadable(
            "expected a dict {island: mean}, got a Spark DataFrame. Collect its rows into a "
            'dict: `{row["island"]: row["mean_mass_g"] for row in df.collect()}`.'
        )
    return as_mapping(answer, keys=_island, values=as_number)


def _means_are(means, targets: dict[str, float]) -> bool:
    """The same islands, each mean as the notebook prints it or rounded to whole grams."""
    return set(means) == set(targets) and all(
        as_printed(means[island], target, 0) for island, target in targets.items()
    )


def _torgersen_filled_in(means) -> bool:
    """Biscoe and Dream right, Torgersen pulled up by a fill for penguin 4: 3715.9 with the
    Imputer's mean of all penguins (4201), 3713.0 with their median (4050)."""
    others = {island: ADELIE_MASS[island] for island in ("Biscoe", "Dream")}
    return (
        set(means) == set(ISLANDS)
        and _means_are({island: means[island] for island in others}, others)
        and 3710 <= means["Torgersen"] <= 3720
    )


ex4 = Exercise(
    chapter="00",
    number=4,
    answer="adelie_mass",
    read=read_island_means,
    is_correct=lambda means: _means_are(means, ADELIE_MASS),
    correct=(
        "the Adelie penguins weigh 3709.7 g on Biscoe, 3688.4 g on Dream and 3706.4 g on "
        "Torgersen on average: nearly the same on the three islands. `avg` left out the "
        "missing mass of penguin 4 (Torgersen)."
    ),
    mistakes=[
        Mistake(
            "all species",
            lambda means: _means_are(
                means,
                {
                    "Biscoe": 4716.017964071856,
                    "Dream": 3712.9032258064517,
                    "Torgersen": 3706.372549019608,
                },
            ),
            "these are the means of all the penguins of each island: Biscoe's Gentoo and "
            "Dream's Chinstrap penguins are in them. Keep the Adelie penguins first, "
            '`.where(F.col("species") == "Adelie")`, then group by island.',
            'adelie_mass = {row["island"]: row["avg(body_mass_g)"] for row in penguins.groupBy("island").avg("body_mass_g").collect()}',
        ),
        Mistake(
            "missing mass as 0",
            lambda means: _means_are(means, ADELIE_MASS | {"Torgersen": 3635.096153846154}),
            "Torgersen's mean is too low: the missing mass of penguin 4 was filled with 0, so "
            "it counts as a penguin of 0 g. A missing mass must not count, and `F.avg` "
            "already leaves nulls out: do not fill them.",
            'adelie_mass = {row["island"]: row["avg(body_mass_g)"] for row in penguins.fillna(0).where(F.col("species") == "Adelie").groupBy("island").avg("body_mass_g").collect()}',
        ),
        Mistake(
            "missing mass imputed",
            _torgersen_filled_in,
            "Torgersen's mean is too high: the missing mass of penguin 4 was filled in, with "
            "a statistic of all the penguins (Gentoos included, so well above an Adelie's "
            "mass). A missing mass must not count, and `F.avg` already leaves nulls out.",
            'adelie_mass = {row["island"]: row["avg(body_mass_filled)"] for row in imputer_model.transform(penguins).where(F.col("species") == "Adelie").groupBy("island").avg("body_mass_filled").collect()}',
        ),
        Mistake(
            "counts",
            lambda means: all(means[island] in (44, 56, 52, 51) for island in ISLANDS),
            "those are numbers of penguins (section 9's pivot table counts them), not masses. "
            'Aggregate the mass: `.agg(F.avg("body_mass_g"))`.',
            'adelie_mass = {row["island"]: row["count"] for row in penguins.where(F.col("species") == "Adelie").groupBy("island").count().collect()}',
        ),
    ],
    nudge=(
        "the answer is a dict with the three islands (Biscoe, Dream, Torgersen) as keys and, "
        "for each, the mean body mass in grams of its Adelie penguins, leaving out the "
        "penguins whose mass is missing."
    ),
    right_answers=[
        ADELIE_MASS,
        {"Biscoe": 3709.7, "Dream": 3688.4, "Torgersen": 3706.4},
        {"Biscoe": 3710, "Dream": 3688, "Torgersen": 3706},
        {"biscoe": 3709.66, "dream": 3688.39, "torgersen": 3706.37},
    ],
    hint_text=(
        'keep the Adelie penguins (`where(F.col("species") == "Adelie")`), group them by '
        'island with `.groupBy("island").agg(F.avg("body_mass_g"))` (it leaves nulls out), '
        'and collect the rows into a dict: `{row["island"]: row[...] for row in ....collect()}`.'
    ),
    solution_text=(
        'adelie_mass = {"Biscoe": 3709.7, "Dream": 3688.4, "Torgersen": 3706.4} (grams): '
        'penguins.where(F.col("species") == "Adelie").groupBy("island").agg(F.avg('
        '"body_mass_g")), collected into a dict; avg leaves out the missing mass of penguin 4.'
    ),
)

EXERCISES = [ex1, ex2, ex3, ex4]
