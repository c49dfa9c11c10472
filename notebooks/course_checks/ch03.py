"""Checks for the exercises of 03 · Decision trees."""

from __future__ import annotations

from typing import Any

from . import Exercise, Mistake, Unreadable, as_mapping, as_number, as_text, as_values, close

ATTRIBUTES = ["Patrons", "Type", "Hungry", "Raining", "Price"]


def _gains(answer: Any) -> list[float]:
    """A dict or pandas Series attribute -> gain, as the five gains in ATTRIBUTES order."""
    mapping = as_mapping(answer)
    keys = {str(key): value for key, value in mapping.items()}
    missing = [name for name in ATTRIBUTES if name not in keys]
    if missing:
        raise Unreadable(
            f"expected one gain for each of {', '.join(ATTRIBUTES)}; missing: {', '.join(missing)}."
        )
    try:
        return [as_number(keys[name]) for name in ATTRIBUTES]
    except Unreadable as problem:
        raise Unreadable(f"a gain is not a number: {problem}") from None


def _gains_are(targets: list[float]) -> Any:
    return lambda gains: all(close(g, t, 0.001) for g, t in zip(gains, targets, strict=True))


ex1 = Exercise(
    chapter="03",
    number=1,
    answer="gini_gains",
    read=_gains,
    # Patrons 0.278, Type 0, Hungry 0.222, Raining 0.014, Price 0.103.
    is_correct=_gains_are([0.2778, 0.0, 0.2222, 0.0143, 0.1032]),
    correct=(
        "Patrons 0.278, Hungry 0.222, Price 0.103, Raining 0.014 and Type 0: smaller numbers "
        "than the entropy gains (a 50/50 set has Gini impurity 0.5, not 1 bit), same order."
    ),
    mistakes=[
        Mistake(
            "entropy gains",
            _gains_are([0.5409, 0.0, 0.3500, 0.0207, 0.1957]),
            'these are the entropy gains of the section "By hand" (Patrons 0.541). Use your `gini` '
            "function for the impurity of the whole table and of each group.",
            "gini_gains = pd.Series({a: information_gain(restaurant, a) for a in ATTRIBUTES})",
        ),
        Mistake(
            "groups not weighted by size",
            _gains_are([0.3519, 0.0, 0.2222, 0.0151, 0.1886]),
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
            _gains_are([0.2222, 0.5, 0.2778, 0.4857, 0.3968]),
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
        "copy `entropy` and `information_gain`, and replace the entropy by the Gini impurity "
        "1 - sum of p_k squared. Keep the size weights len(group) / len(table)."
    ),
    solution_text=(
        "gini_gains = Patrons 0.278, Hungry 0.222, Price 0.103, Raining 0.014, Type 0.000 "
        "(gini_gain(restaurant, a) for each attribute a)."
    ),
)


def _attribute(answer: Any) -> str:
    """An attribute name such as "Hungry" (a yes/no question such as "Hungry=Yes" is fine too)."""
    text = as_text(answer).split("=")[0].strip()
    for name in ATTRIBUTES:
        if text.lower() == name.lower():
            return name
    raise Unreadable(f"expected one of the attributes {', '.join(ATTRIBUTES)}, got {answer!r}.")


ex2 = Exercise(
    chapter="03",
    number=2,
    answer="second_question",
    read=_attribute,
    is_correct=lambda name: name == "Hungry",
    correct=(
        "Hungry has the largest gain inside the Full branch, 0.459: on the six full evenings "
        "we never waited when we were not hungry."
    ),
    mistakes=[
        Mistake(
            "Patrons asked again",
            lambda name: name == "Patrons",
            "Patrons is the root question. Inside the Full branch every evening has "
            "Patrons = Full, so asking it again gains nothing: compute the gains on "
            'the rows with Patrons == "Full" only, for the other four attributes.',
            "second_question = pd.Series({a: information_gain(restaurant, a) for a in ATTRIBUTES}).idxmax()",
        ),
        Mistake(
            "a weaker attribute",
            lambda name: name in ("Type", "Price"),
            "inside the Full branch, Type and Price tie with a gain of 0.252, but one attribute "
            "does better. If all your gains are 0, you kept a pure branch (Some or None) "
            'instead of the rows with Patrons == "Full".',
            'some = restaurant[restaurant["Patrons"] == "Some"]\n'
            "second_question = pd.Series({a: information_gain(some, a) for a in others}).idxmax()",
        ),
    ],
    nudge="give the attribute with the largest information gain on the Full evenings, as a string.",
    hint_text=(
        'keep the rows with Patrons == "Full" and compute `information_gain` on them for the '
        "four other attributes; the largest gain wins."
    ),
    solution_text=(
        'second_question = "Hungry" (gain 0.459 on the six Full evenings; Type and Price 0.252, '
        "Raining 0.044)."
    ),
)

TREE_COUNTS = [1, 5, 20]


def _by_trees(answer: Any) -> dict[int, float]:
    """A dict (or Series) number of trees -> AUC, for forests of 1, 5 and 20 trees."""
    mapping = as_mapping(answer)
    try:
        by_trees = {int(key): value for key, value in mapping.items()}
    except (TypeError, ValueError):
        raise Unreadable(
            "expected a dict number of trees -> test AUC, such as {1: 0.9, 5: ..., 20: ...}."
        ) from None
    if sorted(by_trees) != TREE_COUNTS:
        raise Unreadable(
            "expected the keys 1, 5 and 20 (numbers of trees), got "
            f"{', '.join(str(key) for key in sorted(by_trees)) or 'none'}."
        )
    try:
        return {key: as_number(value) for key, value in by_trees.items()}
    except Unreadable as problem:
        raise Unreadable(f"an AUC is not a number: {problem}") from None


def _aucs_are(targets: dict[int, float]) -> Any:
    return lambda aucs: all(close(aucs[n], targets[n], 0.002) for n in TREE_COUNTS)


ex3 = Exercise(
    chapter="03",
    number=3,
    answer="forest_aucs",
    read=_by_trees,
    is_correct=_aucs_are({1: 0.9251, 5: 0.9978, 20: 0.9945}),
    correct=(
        "test AUC 0.925 with one tree, 0.998 with 5 and 0.995 with 20: a few trees already "
        "rank the test masses almost perfectly."
    ),
    mistakes=[
        Mistake(
            "training AUC",
            _aucs_are({1: 0.9735, 5: 0.9998, 20: 0.9996}),
            "these are AUCs on the training rows, which the forests learned from (0.974 for "
            "one tree). Score each forest on `test`.",
            "forest_aucs = {n: auc.evaluate(model.transform(train)) for n, model in forests.items()}",
        ),
        Mistake(
            "accuracy",
            _aucs_are({1: 0.9053, 5: 0.9789, 20: 0.9474}),
            "these are test accuracies (the `accuracy` evaluator). The exercise asks for the "
            "test AUC: use the evaluator `auc`.",
            "forest_aucs = {n: accuracy.evaluate(model.transform(test)) for n, model in forests.items()}",
        ),
    ],
    nudge=(
        "give, for 1, 5 and 20 trees, the test AUC of a RandomForestClassifier with seed=42 "
        "fitted on `train`."
    ),
    hint_text=(
        "fit RandomForestClassifier(numTrees=n, seed=42) on `train` for n = 1 and 5 (the "
        '`forest` of the section "Many trees" already has 20 trees), and evaluate each with `auc` on '
        "`model.transform(test)`."
    ),
    solution_text="forest_aucs = {1: 0.925, 5: 0.998, 20: 0.995} (test AUC).",
)


def _three_numbers(answer: Any) -> list[float]:
    """(leaves, training AUC, test AUC): three numbers in that order."""
    values = as_values(answer)
    if len(values) != 3:
        raise Unreadable(
            f"expected three numbers (leaves, training AUC, test AUC), got {len(values)} values."
        )
    try:
        return [as_number(value) for value in values]
    except Unreadable as problem:
        raise Unreadable(f"one of the three values is not a number: {problem}") from None


def _result_is(leaves: int, train_auc: float, test_auc: float) -> Any:
    return lambda v: (
        close(v[0], leaves, 0.5) and close(v[1], train_auc, 0.002) and close(v[2], test_auc, 0.002)
    )


ex4 = Exercise(
    chapter="03",
    number=4,
    answer="coarse_result",
    read=_three_numbers,
    is_correct=_result_is(46, 0.9438, 0.9302),
    correct=(
        "46 leaves, training AUC 0.944 and test AUC 0.930: with 32 bins even a depth-20 tree "
        "hardly overfits."
    ),
    mistakes=[
        Mistake(
            "nodes counted as leaves",
            lambda v: close(v[0], 91, 0.5),
            "91 is `numNodes`, every node of the tree: the splits and the leaves. A binary tree "
            "has one more leaf than splits, so leaves = (numNodes + 1) // 2.",
            "coarse_result = (coarse.numNodes, auc.evaluate(coarse.transform(credit_train_v)),\n"
            "                 auc.evaluate(coarse.transform(credit_test_v)))",
        ),
        Mistake(
            "maxBins still 1000",
            lambda v: close(v[0], 344, 0.5),
            "344 leaves is the depth-20 tree with maxBins=1000, the one of the sweep. Leave "
            "`maxBins` out (Spark's default is 32).",
            'fine = DecisionTreeClassifier(impurity="entropy", maxDepth=20, maxBins=1000, seed=42)'
            ".fit(credit_train_v)\n"
            "coarse_result = ((fine.numNodes + 1) // 2, auc.evaluate(fine.transform(credit_train_v)),\n"
            "                 auc.evaluate(fine.transform(credit_test_v)))",
        ),
        Mistake(
            "training and test swapped",
            _result_is(46, 0.9302, 0.9438),
            "the leaves are right, but the two AUCs are swapped: the order is (leaves, "
            "training AUC, test AUC), and the tree scores higher on its own training rows.",
            "coarse_result = ((coarse.numNodes + 1) // 2, auc.evaluate(coarse.transform(credit_test_v)),\n"
            "                 auc.evaluate(coarse.transform(credit_train_v)))",
        ),
    ],
    nudge=(
        'give (leaves, training AUC, test AUC) of DecisionTreeClassifier(impurity="entropy", '
        "maxDepth=20, seed=42) fitted on credit_train_v with the default maxBins."
    ),
    hint_text=(
        "copy the tree of the depth sweep with maxDepth=20 and without maxBins=1000, fit it on "
        "credit_train_v, count its leaves as (numNodes + 1) // 2, and score it with `auc` on "
        "credit_train_v and credit_test_v."
    ),
    solution_text="coarse_result = (46, 0.944, 0.930): 46 leaves, training AUC 0.944, test AUC 0.930.",
)

EXERCISES = [ex1, ex2, ex3, ex4]
