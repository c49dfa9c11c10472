"""Checks for the exercises of 03 · Decision trees.

Exercises 1 and 2 use the restaurant table of AIMA's Figure 18.3 (3rd edition), as
section 2 prints it. Exercises 3 and 4 compare settings, so they ask for VALIDATION
scores: forests fitted on `fit_rows` and scored on `validation` (section 7), and the
cross-validated AUCs of section 8. The test rows had their one look in section 11; a test
score given as an answer is a recognised mistake.
"""

from __future__ import annotations

from typing import Any

from . import (
    Exercise,
    Mistake,
    Unreadable,
    as_count,
    as_mapping,
    as_number,
    as_printed,
    as_text,
    as_values,
)

ATTRIBUTES = ["Patrons", "Type", "Hungry", "Raining", "Price"]


def _attribute(answer: Any) -> str:
    """An attribute name such as "Hungry", in any case."""
    text = as_text(answer)
    for name in ATTRIBUTES:
        if text.lower() == name.lower():
            return name
    raise Unreadable(f"expected one of the attributes {', '.join(ATTRIBUTES)}, got {answer!r}.")


def _gains(answer: Any) -> list[float]:
    """A dict or pandas Series attribute -> gain, as the five gains in ATTRIBUTES order."""
    by_name = as_mapping(answer, keys=_attribute, values=as_number)
    missing = [name for name in ATTRIBUTES if name not in by_name]
    if missing:
        raise Unreadable(
            f"expected one gain for each of {', '.join(ATTRIBUTES)}; missing: {', '.join(missing)}."
        )
    return [by_name[name] for name in ATTRIBUTES]


def _gains_are(targets: list[float]) -> Any:
    """The five gains, each as printed (3 decimals) or rounded to 2 decimals."""
    return lambda gains: all(as_printed(g, t, 2) for g, t in zip(gains, targets, strict=True))


# Gini gains on the book's table, in ATTRIBUTES order, printed as 0.278, 0.000, 0.129,
# 0.014, 0.103. Accepted to 2 decimals (within 0.006); each mistake below differs from
# them by more than 0.07 in at least one gain.
GINI_GAINS = [0.27778, 0.0, 0.12857, 0.01429, 0.10317]

ex1 = Exercise(
    chapter="03",
    number=1,
    answer="gini_gains",
    read=_gains,
    is_correct=_gains_are(GINI_GAINS),
    correct=(
        "Patrons 0.278, Hungry 0.129, Price 0.103, Raining 0.014 and Type 0: smaller numbers "
        "than the entropy gains (a 50/50 set has Gini impurity 0.5, not 1 bit), and the same "
        "winner. Gini even breaks the entropy tie between Hungry and Price."
    ),
    mistakes=[
        Mistake(
            "entropy gains",
            _gains_are([0.54085, 0.0, 0.19571, 0.02072, 0.19571]),
            "these are the entropy gains of section 2, *By hand* (Patrons 0.541). Use your "
            "`gini` function for the impurity of the whole table and of each group.",
            "gini_gains = pd.Series({a: information_gain(restaurant, a) for a in ATTRIBUTES})",
        ),
        Mistake(
            "groups not weighted by size",
            _gains_are([0.35185, 0.0, 0.13591, 0.01508, 0.18862]),
            "Patrons gets 0.352, too much: the groups' impurities are averaged as equals. "
            "Weight each group's Gini impurity by its share of the rows, len(group) / len(table): "
            "the two None evenings should count less than the six Full ones.",
            "gini_gains = pd.Series({\n"
            '    a: gini(restaurant["WillWait"])\n'
            '    - np.mean([gini(group["WillWait"]) for _, group in restaurant.groupby(a)])\n'
            "    for a in ATTRIBUTES\n"
            "})",
        ),
        Mistake(
            "impurity after the split",
            _gains_are([0.22222, 0.5, 0.37143, 0.48571, 0.39683]),
            "these are the weighted Gini impurities after each split (Type 0.5), where smaller "
            "is better. The gain is the impurity before the split minus that: "
            'gini(restaurant["WillWait"]) - ...',
            "gini_gains = pd.Series({\n"
            '    a: sum(len(group) / len(restaurant) * gini(group["WillWait"])\n'
            "           for _, group in restaurant.groupby(a))\n"
            "    for a in ATTRIBUTES\n"
            "})",
        ),
    ],
    nudge=(
        "give the Gini gain of each of the five attributes, as a dict or a pandas Series "
        "attribute -> gain."
    ),
    hint_text=(
        "copy `entropy` and `information_gain` from section 2, *By hand*, and replace the "
        "entropy by the Gini impurity 1 - sum of p_k squared. Keep the size weights "
        "len(group) / len(table)."
    ),
    solution_text=(
        "gini_gains = Patrons 0.278, Hungry 0.129, Price 0.103, Raining 0.014, Type 0.000 "
        "(gini_gain(restaurant, a) for each attribute a)."
    ),
    right_answers=[
        {"Patrons": 0.278, "Type": 0.0, "Hungry": 0.129, "Raining": 0.014, "Price": 0.103},
        {"Patrons": 0.28, "Type": 0, "Hungry": 0.13, "Raining": 0.01, "Price": 0.1},
        {"patrons": 0.2778, "type": 0.0, "hungry": 0.1286, "raining": 0.0143, "price": 0.1032},
    ],
)


def _attributes(answer: Any) -> frozenset[str]:
    """A list (or set, tuple, pandas Index) of attribute names, in any order."""
    if isinstance(answer, str):
        raise Unreadable(
            f'expected a list of attribute names such as ["Raining"], got the string {answer!r}: '
            "put the name in square brackets, even when there is only one."
        )
    names = as_values(answer, ordered=False)
    if not names:
        raise Unreadable(
            'expected a list of attribute names such as ["Raining"], got an empty one.'
        )
    return frozenset(_attribute(name) for name in names)


TIED = frozenset({"Hungry", "Price", "Type"})

ex2 = Exercise(
    chapter="03",
    number=2,
    answer="second_questions",
    read=_attributes,
    is_correct=lambda names: names == TIED,
    correct=(
        "Hungry, Price and Type tie inside the Full branch, each with a gain of 0.252 bits "
        "(Raining 0.044): each leaves two 'no' evenings in pure groups and the other four "
        "50/50. The gain cannot choose among them; the learner's tie rule does."
    ),
    mistakes=[
        Mistake(
            "Patrons asked again",
            lambda names: names == {"Patrons"},
            "Patrons is the root question. Inside the Full branch every evening has "
            "Patrons = Full, so asking it again gains nothing: compute the gains on "
            'the rows with Patrons == "Full" only, for the other four attributes.',
            "second_questions = [\n"
            "    pd.Series({a: information_gain(restaurant, a) for a in ATTRIBUTES}).idxmax()\n"
            "]",
        ),
        Mistake(
            "gains of the whole table",
            lambda names: names == {"Hungry", "Price"},
            "Hungry and Price tie at the top on the whole table (section 2, 0.196 each). "
            'Compute the gains on the six Full evenings only (restaurant["Patrons"] == "Full"): '
            "there, a third attribute joins them.",
            "gains = pd.Series({a: information_gain(restaurant, a) for a in others}).round(3)\n"
            "second_questions = list(gains[gains == gains.max()].index)",
        ),
        Mistake(
            "not every tied attribute",
            lambda names: len(names) < len(TIED) and names < TIED,
            "yes, but not alone: other attributes have exactly the same largest gain. "
            "`idxmax()` returns only the first of equal maxima; keep every attribute whose gain, "
            "rounded to 3 decimals, equals the largest.",
            "second_questions = [full_gains.idxmax()]",
        ),
        Mistake(
            "a pure branch",
            lambda names: names == {"Type", "Hungry", "Raining", "Price"},
            "all four attributes tie because every gain is 0: you kept a pure branch (Some or "
            'None), where nothing is left to learn. Keep the rows with Patrons == "Full".',
            'some = restaurant[restaurant["Patrons"] == "Some"]\n'
            "gains = pd.Series({a: information_gain(some, a) for a in others}).round(3)\n"
            "second_questions = list(gains[gains == gains.max()].index)",
        ),
    ],
    nudge=(
        "give, as a list of strings, every attribute whose information gain on the six Full "
        "evenings is the largest."
    ),
    hint_text=(
        'keep the rows with Patrons == "Full", compute `information_gain` on them for the four '
        "other attributes, round the gains to 3 decimals and keep every attribute whose gain "
        "equals the largest."
    ),
    solution_text=(
        'second_questions = ["Hungry", "Price", "Type"] (gain 0.252 each on the six Full '
        "evenings; Raining 0.044)."
    ),
    right_answers=[
        ["Hungry", "Price", "Type"],
        {"Type", "Hungry", "Price"},
        ("Price", "Type", "Hungry"),
        ["hungry", "price", "type"],
    ],
)

TREE_COUNTS = [1, 5, 20]


def _by_trees(answer: Any) -> dict[int, float]:
    """A dict (or Series) number of trees -> AUC, for forests of 1, 5 and 20 trees."""
    by_trees = as_mapping(answer, keys=as_count, values=as_number)
    if sorted(by_trees) != TREE_COUNTS:
        raise Unreadable(
            "expected the keys 1, 5 and 20 (numbers of trees), got "
            f"{', '.join(str(key) for key in sorted(by_trees)) or 'none'}."
        )
    return by_trees


def _aucs_are(targets: dict[int, float]) -> Any:
    """Each AUC as printed (3 decimals) or rounded to 2 decimals."""
    return lambda aucs: all(as_printed(aucs[n], targets[n], 2) for n in TREE_COUNTS)


# Validation AUCs printed as 0.895, 0.963, 0.974; accepted to 2 decimals. The nearest
# mistake differs by more than 0.02 for at least one number of trees.
FOREST_AUCS = {1: 0.89542, 5: 0.96302, 20: 0.97365}

ex3 = Exercise(
    chapter="03",
    number=3,
    answer="forest_aucs",
    read=_by_trees,
    is_correct=_aucs_are(FOREST_AUCS),
    correct=(
        "validation AUC 0.895 with one tree, 0.963 with 5 and 0.974 with 20: a handful of "
        "trees already ranks the masses far better than one."
    ),
    mistakes=[
        Mistake(
            "training AUC",
            _aucs_are({1: 0.97099, 5: 0.99974, 20: 1.0}),
            "these are AUCs on the fit rows, which the forests learned from (0.971 for one "
            "tree). Score each forest on `validation`.",
            "forest_aucs = {n: auc.evaluate(model.transform(fit_rows)) for n, model in forests.items()}",
        ),
        Mistake(
            "accuracy",
            _aucs_are({1: 0.86607, 5: 0.91071, 20: 0.92857}),
            "these are validation accuracies (the `accuracy` evaluator). The exercise asks for "
            "the AUC: use the evaluator `auc`.",
            "forest_aucs = {n: accuracy.evaluate(model.transform(validation)) for n, model in forests.items()}",
        ),
        Mistake(
            "test AUC",
            _aucs_are({1: 0.94494, 5: 0.98686, 20: 0.99702}),
            "these are AUCs on the test rows. The number of trees is a setting to choose, and "
            "settings are compared on the validation rows: the test rows had their one look "
            "in section 11. Score each forest on `validation`.",
            "forest_aucs = {n: auc.evaluate(model.transform(test)) for n, model in forests.items()}",
        ),
    ],
    nudge=(
        "give, for 1, 5 and 20 trees, the validation AUC of a RandomForestClassifier with "
        "seed=42 fitted on `fit_rows`, as a dict such as {1: 0.9, 5: ..., 20: ...}."
    ),
    hint_text=(
        "fit RandomForestClassifier(numTrees=n, seed=42) on `fit_rows` for n = 1 and 5 (the "
        "`forest` of section 7, *Many trees*, already has 20 trees), and evaluate each with "
        "`auc` on `model.transform(validation)`."
    ),
    solution_text="forest_aucs = {1: 0.895, 5: 0.963, 20: 0.974} (validation AUC).",
    right_answers=[
        {1: 0.895, 5: 0.963, 20: 0.974},
        {1: 0.9, 5: 0.96, 20: 0.97},
        {1.0: 0.8954, 5.0: 0.963, 20.0: 0.9736},
    ],
)


def _three_numbers(answer: Any) -> list[float]:
    """(leaves, training AUC, validation AUC): three numbers in that order."""
    values = as_values(answer, ordered=True)
    if len(values) != 3:
        raise Unreadable(
            "expected three numbers (leaves, training AUC, validation AUC), "
            f"got {len(values)} values."
        )
    try:
        return [as_number(value) for value in values]
    except Unreadable as problem:
        raise Unreadable(f"one of the three values is not a number: {problem}") from None


def _result_is(leaves: float, train_auc: float, validation_auc: float) -> Any:
    """Leaves as printed (1 decimal) or to the whole leaf, the AUCs to 2 decimals."""
    return lambda v: (
        as_printed(v[0], leaves, 0)
        and as_printed(v[1], train_auc, 2)
        and as_printed(v[2], validation_auc, 2)
    )


# Printed as 45.3 leaves, training AUC 0.940, validation AUC 0.892. The test AUC (0.916,
# a recognised mistake) is 0.024 away from the validation AUC.
COARSE = (45.333, 0.93967, 0.89200)

ex4 = Exercise(
    chapter="03",
    number=4,
    answer="coarse_result",
    read=_three_numbers,
    is_correct=_result_is(*COARSE),
    correct=(
        "45.3 leaves, training AUC 0.940 and validation AUC 0.892: with 32 bins even a "
        "depth-20 tree hardly overfits."
    ),
    mistakes=[
        Mistake(
            "the sweep's row, maxBins 1000",
            _result_is(244.333, 1.0, 0.675),
            "these are the depth-20 trees of the sweep of section 8, with maxBins=1000 (244.3 "
            "leaves). Cross-validate a tree without `maxBins` (Spark's default is 32).",
            "coarse_result = tuple(\n"
            '    by_depth.loc[by_depth["maxDepth"] == 20, ["leaves", "train AUC", "validation AUC"]].iloc[0]\n'
            ")",
        ),
        Mistake(
            "training and validation swapped",
            _result_is(45.333, 0.89200, 0.93967),
            "the leaves are right, but the two AUCs are swapped: the order is (leaves, "
            "training AUC, validation AUC), and a tree scores higher on its own training rows.",
            'coarse_result = (coarse["leaves"], coarse["validation AUC"], coarse["train AUC"])',
        ),
        Mistake(
            "test AUC",
            _result_is(45.333, 0.93967, 0.91604),
            "the last number is a test AUC. `maxBins` is a setting, so it is judged on the "
            "validation folds (`avgMetrics`, the table's validation AUC); the test rows had "
            "their one look in section 11.",
            'coarse_result = (coarse["leaves"], coarse["train AUC"],\n'
            "                 auc.evaluate(coarse_cv.bestModel.transform(credit_test)))",
        ),
    ],
    nudge=(
        "give (leaves, training AUC, validation AUC) from the table that "
        "cross_validate(DecisionTreeClassifier(seed=42), [20]) returns."
    ),
    hint_text=(
        "call `cross_validate` of section 8, *Depth: from underfitting to overfitting*, with "
        "DecisionTreeClassifier(seed=42) (no maxBins) and [20]; its table has one row, and "
        "the answer is its leaves, train AUC and validation AUC."
    ),
    solution_text=(
        "coarse_result = (45.3, 0.940, 0.892): 45.3 leaves on average over the three folds, "
        "training AUC 0.940, validation AUC 0.892."
    ),
    right_answers=[(45.3, 0.94, 0.892), (45, 0.94, 0.89), [45.333, 0.9401, 0.8922]],
)

EXERCISES = [ex1, ex2, ex3, ex4]
