"""Checks for the exercises of 02 · Logistic regression."""

from __future__ import annotations

from . import Exercise, Mistake, Unreadable, as_number, as_rows, close

_confusion_rows = as_rows("label", "prediction", "count")


def read_confusion_counts(answer) -> list[tuple[float, float, int]]:
    """A DataFrame of confusion counts (label, prediction, count) as sorted plain tuples."""
    rows = _confusion_rows(answer)
    try:
        return sorted(
            (float(label), float(prediction), int(count)) for label, prediction, count in rows
        )
    except (TypeError, ValueError):
        raise Unreadable(
            "the columns label, prediction and count must hold numbers (no nulls); "
            'count them with `.groupBy("label", "prediction").count()`.'
        ) from None


# (label, prediction, count) of the test rows at threshold 0.2, and at the default 0.5.
AT_02 = [(0.0, 0.0, 1796), (0.0, 1.0, 64), (1.0, 0.0, 25), (1.0, 1.0, 42)]
AT_05 = [(0.0, 0.0, 1851), (0.0, 1.0, 9), (1.0, 0.0, 43), (1.0, 1.0, 24)]
TRAIN_AT_02 = [(0.0, 0.0, 7590), (0.0, 1.0, 217), (1.0, 0.0, 105), (1.0, 1.0, 161)]

ex1 = Exercise(
    chapter="02",
    number=1,
    answer="counts_at_02",
    read=read_confusion_counts,
    is_correct=lambda rows: rows == AT_02,
    correct=(
        "at threshold 0.2, TP = 42, FP = 64 and FN = 25 (and 1796 true negatives): the 0.2 row "
        "of the threshold table, because Spark predicts 1 when p > threshold, as we did in pandas."
    ),
    mistakes=[
        Mistake(
            "threshold 0.5",
            lambda rows: rows == AT_05,
            "these are the counts at threshold 0.5 (TP = 24, FP = 9). Set "
            "`lr_model.setThreshold(0.2)` before you predict, and predict again with "
            "`model.transform(test)`: the cached `predictions` were made at 0.5 and do not change.",
            'counts_at_02 = predictions.groupBy("label", "prediction").count()',
        ),
        Mistake(
            "training rows",
            lambda rows: sum(count for _, _, count in rows) == 8073,
            "these are the 8073 training rows. Predict the 1927 test rows, `model.transform(test)`, "
            "to compare with the threshold table.",
            "lr_model.setThreshold(0.2)\n"
            'counts_at_02 = model.transform(train).groupBy("label", "prediction").count()\n'
            "lr_model.setThreshold(0.5)",
        ),
    ],
    nudge=(
        "the answer is a DataFrame with one row per (label, prediction) pair of the 1927 test "
        "rows, predicted at threshold 0.2, and the number of rows in each."
    ),
    hint_text=(
        '`lr_model.setThreshold(0.2)`, then `model.transform(test).groupBy("label", '
        '"prediction").count()`; afterwards `lr_model.setThreshold(0.5)` puts the default back.'
    ),
    solution_text=(
        'counts_at_02 = model.transform(test).groupBy("label", "prediction").count() after '
        "lr_model.setThreshold(0.2): (1.0, 1.0) 42, (0.0, 1.0) 64, (1.0, 0.0) 25, (0.0, 0.0) 1796."
    ),
)

ex2 = Exercise(
    chapter="02",
    number=2,
    answer="small_auc",
    read=as_number,
    is_correct=lambda area: close(area, 0.94714, 0.00008),
    correct=(
        "0.9471 on the test rows, against 0.9470 with income: the same to three decimals "
        "(0.947), so income adds nothing once balance and student status are known."
    ),
    mistakes=[
        Mistake(
            "income kept",
            lambda area: close(area, 0.94695, 0.00008),
            "that is the test AUC of the model with income (`auc`, 0.9470). Fit a new pipeline "
            'whose VectorAssembler takes only "balance" and "student_index".',
            "small_auc = auc",
        ),
        Mistake(
            "training AUC",
            lambda area: close(area, 0.9501, 0.0002),
            "that is the AUC on the training rows, which the model was fitted to. "
            "Evaluate `small.transform(test)`.",
            "small_auc = evaluator.evaluate(small.transform(train))",
        ),
        Mistake(
            "area under PR",
            lambda area: close(area, 0.537, 0.002),
            "that is the area under the precision-recall curve (`pr_evaluator`). The exercise "
            'asks for the ROC AUC: `evaluator`, whose metricName is "areaUnderROC".',
            "small_auc = pr_evaluator.evaluate(small.transform(test))",
        ),
    ],
    nudge="the answer is the test ROC AUC of a pipeline fitted on `train` without income.",
    hint_text=(
        'build the Pipeline of section "The pipeline" with a VectorAssembler of '
        '["balance", "student_index"], fit it on `train`, and evaluate '
        "`.transform(test)` with `evaluator`."
    ),
    solution_text="small_auc = 0.9471 (test AUC), against 0.9470 with income.",
)

ex3 = Exercise(
    chapter="02",
    number=3,
    answer="student_weight",
    read=as_number,
    is_correct=lambda weight: close(weight, 0.174, 0.002),
    correct=(
        "+0.174 per standard deviation: alone, being a student raises the score, because "
        "students default more often (they also carry higher balances). With balance in the "
        "model the same feature gets -0.262."
    ),
    mistakes=[
        Mistake(
            "full model",
            lambda weight: close(weight, -0.262, 0.002),
            "that is the weight of student_index in the full model, beside balance and income. "
            'Fit a pipeline whose VectorAssembler takes only "student_index".',
            "student_weight = lr_model.coefficients[2]",
        ),
        Mistake(
            "intercept",
            lambda weight: close(weight, -3.394, 0.005),
            "that is the intercept b of the one-feature model. The weight is "
            "`coefficients[0]` of its last stage.",
            "student_weight = alone.stages[-1].intercept",
        ),
        Mistake(
            "not scaled",
            lambda weight: close(weight, 0.382, 0.003),
            "the sign is right, but that is the weight per unit of student_index (student or "
            "not), without the StandardScaler. Keep the scaler, so that the weight is per "
            "standard deviation like the -0.262 of the full model.",
            "unscaled = Pipeline(stages=[\n"
            "    label_indexer, student_indexer,\n"
            '    VectorAssembler(inputCols=["student_index"], outputCol="features"),\n'
            "    log_reg,\n"
            "]).fit(train)\n"
            "student_weight = unscaled.stages[-1].coefficients[0]",
        ),
        Mistake(
            "balance in the model",
            lambda weight: weight < 0,
            "a negative weight is what student_index gets when balance is in the model too: "
            "of two customers with the same balance, the student is the safer one. Alone, with "
            "no balance to hold fixed, compare the default rates of students and non-students.",
            "student_weight = small.stages[-1].coefficients[1]",
        ),
    ],
    nudge=(
        "the answer is the weight (per standard deviation) of student_index in a pipeline "
        "fitted on `train` with student_index as its only feature."
    ),
    hint_text=(
        'the pipeline of section "The pipeline" with `VectorAssembler(inputCols='
        '["student_index"], ...)`; the weight is `coefficients[0]` of its last stage.'
    ),
    solution_text=(
        "student_weight = +0.174 (against -0.262 in the full model): students default more "
        "often (4.3 % against 2.9 %) and carry higher balances (988 against 772 dollars)."
    ),
)

ex4 = Exercise(
    chapter="02",
    number=4,
    answer="false_alarms",
    read=as_number,
    is_correct=lambda count: close(count, 255, 0.5),
    correct=(
        "255 false alarms at threshold 0.035, the first that catches 61 defaulters: 10 fewer "
        "than the 265 of the weighted model, which catches the same 61."
    ),
    mistakes=[
        Mistake(
            "base-rate threshold",
            lambda count: close(count, 264, 0.5),
            "that is the count at 0.033, the training base rate, which catches 61 too, but it "
            "is not the first threshold of the list that does: 0.035 already catches 61.",
            'false_alarms = int(((scores["p_default"] > 0.033) & (scores["label"] == 0.0)).sum())',
        ),
        Mistake(
            "threshold 0.04",
            lambda count: close(count, 229, 0.5),
            "at 0.04 the model raises 229 false alarms but catches only 59 defaulters, two "
            "short of 61. Go on to the next threshold.",
            'false_alarms = int(((scores["p_default"] > 0.04) & (scores["label"] == 0.0)).sum())',
        ),
        Mistake(
            "lowest threshold",
            lambda count: close(count, 281, 0.5),
            "that is the count at 0.03, the last threshold of the list. The exercise asks for "
            "the first (highest) threshold that catches 61 defaulters.",
            'false_alarms = int(((scores["p_default"] > 0.03) & (scores["label"] == 0.0)).sum())',
        ),
        Mistake(
            "weighted model",
            lambda count: close(count, 265, 0.5),
            "265 is the weighted model's count at 0.5, the number to compare with. The answer is "
            "the unweighted model's count, from `scores`, at a lower threshold.",
            'false_alarms = comparison.loc["equal class weights", "FP"]',
        ),
    ],
    nudge=(
        "the answer is a count of test rows: non-defaulters whose p_default (unweighted "
        "model) lies above the first threshold of the list that catches 61 defaulters."
    ),
    hint_text=(
        'for each threshold, `flagged = scores["p_default"] > threshold`; count the flagged '
        "defaulters (label 1.0) and the flagged non-defaulters (label 0.0), and stop at the "
        "first threshold with 61 defaulters."
    ),
    solution_text=(
        "false_alarms = 255, at threshold 0.035 (0.04 catches only 59); the weighted model "
        "raises 265 for the same 61 defaulters."
    ),
)

EXERCISES = [ex1, ex2, ex3, ex4]
