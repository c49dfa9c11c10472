"""Checks for the exercises of 02 · Logistic regression.

Every exercise compares settings on the validation rows (section 3 of the notebook); the
test rows have their one look in section 13 and play no part here. Exercise 5 splits the
penguins into fit and validation rows of their own.
"""

from __future__ import annotations

import pandas as pd

from . import (
    Exercise,
    Mistake,
    Unreadable,
    as_count,
    as_number,
    as_printed,
    as_rows,
)

_confusion_rows = as_rows("label", "prediction", "count")


def read_confusion_counts(answer) -> list[tuple[float, float, int]]:
    """A DataFrame of confusion counts (label, prediction, count) as sorted plain tuples."""
    rows = _confusion_rows(answer)
    try:
        return sorted(
            (as_number(label), as_number(prediction), as_count(count))
            for label, prediction, count in rows
        )
    except Unreadable as problem:
        raise Unreadable(
            f"in a row of the DataFrame, {problem} The columns label and prediction hold "
            'numbers and count whole numbers, as `.groupBy("label", "prediction").count()` '
            "gives them."
        ) from None


def _confusion_frame(rows: list[tuple[float, float, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["label", "prediction", "count"])


# (label, prediction, count) of the 1963 validation rows at threshold 0.2 and at the
# default 0.5 (the model fitted on the fit rows), and of the test rows at 0.2.
AT_02 = [(0.0, 0.0, 1851), (0.0, 1.0, 52), (1.0, 0.0, 26), (1.0, 1.0, 34)]
AT_05 = [(0.0, 0.0, 1897), (0.0, 1.0, 6), (1.0, 0.0, 44), (1.0, 1.0, 16)]
TEST_AT_02 = [(0.0, 0.0, 1797), (0.0, 1.0, 63), (1.0, 0.0, 25), (1.0, 1.0, 42)]

ex1 = Exercise(
    chapter="02",
    number=1,
    answer="counts_at_02",
    read=read_confusion_counts,
    is_correct=lambda rows: rows == AT_02,
    correct=(
        "at threshold 0.2, TP = 34, FP = 52 and FN = 26 (and 1851 true negatives): the 0.2 row "
        "of the threshold table, because Spark predicts 1 when p > threshold, as we did in "
        "pandas. The param map changed the threshold for that one call: lr_model still says 0.5."
    ),
    mistakes=[
        Mistake(
            "threshold 0.5",
            lambda rows: rows == AT_05,
            "these are the counts at threshold 0.5 (TP = 16, FP = 6). The cached `predictions` "
            "were made at 0.5 and do not change: predict again with the threshold in a param "
            "map, `model.transform(validation, {lr_model.threshold: 0.2})`.",
            'counts_at_02 = predictions.groupBy("label", "prediction").count()',
        ),
        Mistake(
            "fit rows",
            lambda rows: sum(count for _, _, count in rows) == 6110,
            "these are the 6110 fit rows, the ones the model was fitted on. The threshold "
            "table of section 9 counts the 1963 validation rows: "
            "`model.transform(validation, {...})`.",
            "counts_at_02 = model.transform(fit_rows, {lr_model.threshold: 0.2})"
            '.groupBy("label", "prediction").count()',
        ),
        Mistake(
            "test rows",
            lambda rows: sum(count for _, _, count in rows) == 1927,
            "these are the 1927 test rows. The threshold table of section 9 counts the "
            "validation rows, and the test rows had their one look in section 13: use "
            "`model.transform(validation, {...})`.",
            "counts_at_02 = model.transform(test, {lr_model.threshold: 0.2})"
            '.groupBy("label", "prediction").count()',
        ),
    ],
    nudge=(
        "the answer is a DataFrame with one row per (label, prediction) pair of the 1963 "
        "validation rows, predicted at threshold 0.2, and the number of rows in each."
    ),
    hint_text=(
        "`model.transform(validation, {lr_model.threshold: 0.2})` predicts at 0.2 without "
        'changing `lr_model`; then `.groupBy("label", "prediction").count()`. Compare with '
        "the 0.2 row of the table in section 9, *Choosing the threshold on the validation rows*."
    ),
    solution_text=(
        "counts_at_02 = model.transform(validation, {lr_model.threshold: 0.2})"
        '.groupBy("label", "prediction").count(): (1.0, 1.0) 34, (0.0, 1.0) 52, (1.0, 0.0) 26, '
        "(0.0, 0.0) 1851."
    ),
    right_answers=[_confusion_frame(AT_02), _confusion_frame(AT_02[::-1])],
)

# Validation AUCs (fit rows' models): without income 0.958390, with income 0.958364.
AUC_CHANGE = 0.0000263

ex2 = Exercise(
    chapter="02",
    number=2,
    answer="auc_change",
    read=as_number,
    is_correct=lambda change: as_printed(change, AUC_CHANGE, 5),
    correct=(
        "+0.00003: the validation AUC is 0.95839 without income and 0.95836 with it, the same "
        "to four decimals, so income adds nothing once balance and student status are known."
    ),
    mistakes=[
        Mistake(
            "no change",
            lambda change: as_printed(change, 0.0, 5),
            "0 means the two AUCs you subtracted are the same model's, or were rounded to four "
            "decimals first (both print 0.9584). Fit a pipeline whose VectorAssembler takes only "
            '"balance" and "student_index", and subtract the unrounded `val_auc` from its '
            "validation AUC.",
            "auc_change = evaluator.evaluate(model.transform(validation)) - val_auc",
        ),
        Mistake(
            "reversed",
            lambda change: as_printed(change, -AUC_CHANGE, 5),
            "the size is right but the sign is not: the exercise asks for the AUC without "
            "income minus the AUC with income (`val_auc`).",
            "auc_change = val_auc - evaluator.evaluate(small.transform(validation))",
        ),
        Mistake(
            "test rows",
            lambda change: as_printed(change, -0.0000562, 5),
            "that is the change on the test rows. Keeping or dropping a feature is a choice, "
            "made on the validation rows; the test rows had their one look in section 13.",
            "auc_change = evaluator.evaluate(small.transform(test)) - "
            "evaluator.evaluate(model.transform(test))",
        ),
        Mistake(
            "area under PR",
            lambda change: as_printed(change, 0.0001274, 5),
            "that is the change in the area under the precision-recall curve (`pr_evaluator`). "
            'The exercise asks about the ROC AUC: `evaluator`, whose metricName is "areaUnderROC".',
            "auc_change = pr_evaluator.evaluate(small.transform(validation)) - area_pr",
        ),
    ],
    nudge=(
        "the answer is a small number: the validation ROC AUC of a pipeline fitted on "
        "`fit_rows` without income, minus `val_auc`."
    ),
    hint_text=(
        "build the pipeline of section 4, *The pipeline*, with a VectorAssembler of "
        '["balance", "student_index"], fit it on `fit_rows`, evaluate `.transform(validation)` '
        "with `evaluator` and subtract `val_auc`; print it with `:+.5f`."
    ),
    solution_text=(
        "auc_change = +0.00003: validation AUC 0.95839 without income, 0.95836 with it."
    ),
    right_answers=[AUC_CHANGE, 0.00003, 3e-05, 0.95839 - 0.95836],
)

ex3 = Exercise(
    chapter="02",
    number=3,
    answer="student_weight",
    read=as_number,
    is_correct=lambda weight: as_printed(weight, 0.163357, 2),
    correct=(
        "+0.163 per standard deviation: alone, being a student raises the score, because "
        "students default more often (they also carry higher balances). With balance in the "
        "model the same feature gets -0.340."
    ),
    mistakes=[
        Mistake(
            "full model",
            lambda weight: as_printed(weight, -0.3395, 3),
            "that is the weight of student_index in the full model, beside balance and income. "
            'Fit a pipeline whose VectorAssembler takes only "student_index".',
            "student_weight = lr_model.coefficients[2]",
        ),
        Mistake(
            "intercept",
            lambda weight: as_printed(weight, -3.368434, 3),
            "that is the intercept b of the one-feature model. The weight is "
            "`coefficients[0]` of its last stage.",
            "student_weight = alone.stages[-1].intercept",
        ),
        Mistake(
            "not scaled",
            lambda weight: as_printed(weight, 0.357399, 3),
            "the sign is right, but that is the weight per unit of student_index (student or "
            "not), without the StandardScaler. Keep the scaler, so that the weight is per "
            "standard deviation like the -0.340 of the full model.",
            "unscaled = Pipeline(stages=[\n"
            "    label_indexer, student_indexer,\n"
            '    VectorAssembler(inputCols=["student_index"], outputCol="features"),\n'
            "    log_reg,\n"
            "]).fit(fit_rows)\n"
            "student_weight = unscaled.stages[-1].coefficients[0]",
        ),
        Mistake(
            "all training rows",
            lambda weight: as_printed(weight, 0.174, 3),
            "the sign is right, but that model was fitted on all 8073 training rows. The "
            "models of sections 4 to 12 are fitted on `fit_rows`: fit this one there too, to "
            "compare it with the -0.340 of the full model.",
            "alone_all = Pipeline(stages=[\n"
            "    label_model, student_model,\n"
            '    VectorAssembler(inputCols=["student_index"], outputCol="raw_features"),\n'
            "    scaler, log_reg,\n"
            "]).fit(train)\n"
            "student_weight = alone_all.stages[-1].coefficients[0]",
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
        "fitted on `fit_rows` with student_index as its only feature."
    ),
    hint_text=(
        "the pipeline of section 4, *The pipeline*, with `VectorAssembler(inputCols="
        '["student_index"], ...)`, fitted on `fit_rows`; the weight is `coefficients[0]` of '
        "its last stage."
    ),
    solution_text=(
        "student_weight = +0.163 (against -0.340 in the full model): among the fit rows, "
        "students default more often (4.2 % against 3.0 %) and carry higher balances (977 "
        "against 769 dollars)."
    ),
    right_answers=[0.163357, 0.163, 0.16],
)

ex4 = Exercise(
    chapter="02",
    number=4,
    answer="false_alarms",
    read=as_count,
    is_correct=lambda count: count == 258,
    correct=(
        "258 false alarms at the fit rows' base rate (0.034), with 57 of the 60 validation "
        "defaulters caught; the weighted model at 0.5 raises 259 and catches 55. With the "
        "threshold fixed in advance the two do the same, to a defaulter or two."
    ),
    mistakes=[
        Mistake(
            "weighted model",
            lambda count: count == 259,
            "259 is the weighted model's count at 0.5, the number to compare with. The answer "
            "is the unweighted model's count, from `scores`, at the threshold `base_rate_fit`.",
            'false_alarms = comparison.loc["equal class weights", "FP"]',
        ),
        Mistake(
            "defaulters caught",
            lambda count: count == 57,
            "57 is the number of defaulters caught at that threshold (label 1.0). False alarms "
            "are the flagged non-defaulters: label 0.0.",
            'false_alarms = int(((scores["p_default"] > base_rate_fit) & (scores["label"] == 1.0))'
            ".sum())",
        ),
        Mistake(
            "threshold 0.5",
            lambda count: count == 6,
            "6 is the unweighted model's count at the default threshold 0.5. Lower the "
            "threshold to `base_rate_fit`, the fit rows' share of defaulters.",
            'false_alarms = comparison.loc["no weights", "FP"]',
        ),
        Mistake(
            "threshold from validation labels",
            lambda count: count == 271,
            "271 is the count at 0.031, the default rate of the validation rows themselves (or "
            "the count on the test rows). A fair threshold is fixed before the rows that judge "
            "it are looked at: take `base_rate_fit`, from the fit rows, and count on the "
            "validation rows.",
            'false_alarms = int(((scores["p_default"] > scores["label"].mean()) '
            '& (scores["label"] == 0.0)).sum())',
        ),
        Mistake(
            "all flagged",
            lambda count: count == 315,
            "315 is every flagged customer, defaulters included. Count only the flagged "
            "non-defaulters (label 0.0).",
            'false_alarms = int((scores["p_default"] > base_rate_fit).sum())',
        ),
    ],
    nudge=(
        "the answer is a count of validation rows: non-defaulters (label 0.0) whose p_default "
        "from the unweighted model (`scores`) lies above `base_rate_fit`."
    ),
    hint_text=(
        '`flagged = scores["p_default"] > base_rate_fit`; count the flagged rows with label '
        "0.0, and compare with the weighted model's row of `comparison` (section 10, *Class "
        "weights: Spark's remedy for imbalance*)."
    ),
    solution_text=(
        "false_alarms = 258 at threshold 0.034 (57 defaulters caught); the weighted model at "
        "0.5 raises 259 and catches 55."
    ),
    right_answers=[258, 258.0],
)

# Exercise 5: multinomial logistic regression (regParam 0.01) on the penguins, fitted on the
# 262 fit penguins and judged on the 80 validation penguins (salted hash of id).
PENGUIN_ACCURACY = 77 / 80  # 0.9625: 39 Adelie, 8 of 11 Chinstrap, 30 Gentoo
PENGUIN_F1 = 0.960234  # the evaluator's default metric, weighted F1, on the same rows
PENGUIN_FIT_ACCURACY = 259 / 262  # 0.9885, on the rows the model was fitted on
PENGUIN_ALL_ACCURACY = 336 / 342  # 0.9825, fit and validation rows together
PENGUIN_NO_PENALTY = 76 / 80  # 0.95, regParam left at 0


def _two_decimals_only(accuracy: float) -> bool:
    """0.96: the accuracy rounded to two decimals, where the weighted F1 rounds alike."""
    return abs(accuracy - round(accuracy, 2)) < 1e-9 and as_printed(accuracy, PENGUIN_ACCURACY, 2)


ex5 = Exercise(
    chapter="02",
    number=5,
    answer="penguin_accuracy",
    read=as_number,
    is_correct=lambda accuracy: as_printed(accuracy, PENGUIN_ACCURACY, 3),
    correct=(
        "0.9625: 77 of the 80 validation penguins get their species right. Every Adelie (39) "
        "and every Gentoo (30) is right; the three errors are Chinstrap penguins predicted "
        "Adelie. One softmax model with a weight vector per species does it, and each "
        "penguin's three probabilities sum to 1."
    ),
    mistakes=[
        Mistake(
            "two decimals",
            _two_decimals_only,
            "0.96 is the accuracy rounded to two decimals, but the weighted F1 score (the "
            "evaluator's default metric) rounds to 0.96 as well. Give at least three decimals, "
            "as the task asks (print it with `:.4f`), so that the check can tell which one you "
            "computed.",
            "penguin_accuracy = round(accuracy_evaluator.evaluate(penguin_predictions), 2)",
        ),
        Mistake(
            "weighted F1",
            lambda accuracy: as_printed(accuracy, PENGUIN_F1, 3),
            "that is the weighted F1 score, the default metric of "
            "`MulticlassClassificationEvaluator()`. Ask for the accuracy: "
            '`MulticlassClassificationEvaluator(metricName="accuracy")`.',
            "penguin_accuracy = MulticlassClassificationEvaluator().evaluate(penguin_predictions)",
        ),
        Mistake(
            "fit rows",
            lambda accuracy: as_printed(accuracy, PENGUIN_FIT_ACCURACY, 3),
            "that is the accuracy on the 262 fit penguins, the rows the model was fitted on: "
            "too rosy a judge. Predict the 80 penguins it has not seen, "
            "`penguin_model.transform(penguin_validation)`, and evaluate those.",
            "penguin_accuracy = accuracy_evaluator.evaluate(penguin_model.transform(penguin_fit))",
        ),
        Mistake(
            "all penguins",
            lambda accuracy: as_printed(accuracy, PENGUIN_ALL_ACCURACY, 3),
            "that is the accuracy on all 342 penguins, the 262 the model was fitted on "
            "included. Judge it on the validation penguins only: "
            "`penguin_model.transform(penguin_validation)`.",
            "penguin_accuracy = accuracy_evaluator.evaluate(penguin_model.transform(penguins))",
        ),
        Mistake(
            "no penalty",
            lambda accuracy: as_printed(accuracy, PENGUIN_NO_PENALTY, 3),
            "that is the accuracy of the model without a penalty (regParam defaults to 0). It "
            "classifies all 262 fit penguins correctly, and its weights grow until the "
            "optimiser stops, as section 1, *From a score to a probability*, explains. Fit "
            '`LogisticRegression(family="multinomial", regParam=0.01)`, as the task asks.',
            "unpenalised = Pipeline(\n"
            "    stages=[\n"
            '        StringIndexer(inputCol="species", outputCol="label", '
            'stringOrderType="alphabetAsc"),\n'
            '        VectorAssembler(inputCols=MEASUREMENTS, outputCol="features"),\n'
            '        LogisticRegression(family="multinomial"),\n'
            "    ]\n"
            ").fit(penguin_fit)\n"
            "penguin_accuracy = accuracy_evaluator.evaluate(unpenalised.transform(penguin_validation))",
        ),
        Mistake(
            "a count",
            lambda accuracy: accuracy in (77, 3),
            "that is a count of penguins (of the 80 validation penguins, 77 are right and 3 "
            "wrong). The accuracy is the share that is right, a number between 0 and 1: "
            '`MulticlassClassificationEvaluator(metricName="accuracy")` computes it.',
            'penguin_accuracy = penguin_predictions.where("label = prediction").count()',
        ),
    ],
    nudge=(
        "the answer is a share between 0 and 1: the accuracy, on the 80 validation penguins, "
        "of a multinomial logistic regression (regParam 0.01) fitted on `penguin_fit`."
    ),
    hint_text=(
        "a pipeline like the one of section 4, *The pipeline*, with three stages: "
        '`StringIndexer(inputCol="species", outputCol="label", stringOrderType="alphabetAsc")`, '
        '`VectorAssembler(inputCols=MEASUREMENTS, outputCol="features")` and '
        '`LogisticRegression(family="multinomial", regParam=0.01)`. Fit it on `penguin_fit`, '
        'transform `penguin_validation`, count `groupBy("label", "prediction")` for the '
        "confusion matrix and evaluate with `MulticlassClassificationEvaluator(metricName="
        '"accuracy")`. `family="binomial"` is for two classes: with three species Spark '
        'refuses ("Binomial family only supports 1 or 2 outcome classes but found 3").'
    ),
    solution_text=(
        "penguin_accuracy = 0.9625 (77 of the 80 validation penguins; label order Adelie 0, "
        "Chinstrap 1, Gentoo 2): all 39 Adelie and all 30 Gentoo right, 3 of the 11 Chinstrap "
        "predicted Adelie."
    ),
    right_answers=[PENGUIN_ACCURACY, 0.9625, 0.963, 0.962],
)

EXERCISES = [ex1, ex2, ex3, ex4, ex5]
