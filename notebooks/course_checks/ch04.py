"""Checks for the exercises of 04 · k-means clustering."""

from __future__ import annotations

from typing import Any

from . import Exercise, Mistake, Unreadable, _a, as_count, as_mapping, as_number, as_printed

MEASUREMENTS = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]


def dict_with_keys(answer: Any, needs: dict[str, str], example: str) -> dict:
    """The answer as a dict holding every key of `needs` (key: what it is, for the message)."""
    try:
        found = as_mapping(answer)
    except Unreadable:
        raise Unreadable(
            f"expected a dict such as {example}, got {_a(type(answer).__name__)}."
        ) from None
    missing = [key for key in needs if key not in found]
    if missing:
        raise Unreadable(
            f"the dict has no key {', '.join(repr(key) for key in missing)}: it needs "
            + " and ".join(f'"{key}" ({what})' for key, what in needs.items())
            + "."
        )
    return found


def as_finding(answer: Any) -> dict:
    """Exercise 1: a dict {"decides": a measurement's column name, "purity": a number}."""
    finding = dict_with_keys(
        answer,
        {"decides": "a column name", "purity": "a number"},
        '{"decides": "bill_depth_mm", "purity": 0.5}',
    )
    decides = finding["decides"]
    if not isinstance(decides, str):
        raise Unreadable(
            f'"decides" should be a column name such as "bill_depth_mm", got {decides!r}.'
        )
    return {"decides": decides.strip().lower(), "purity": as_number(finding["purity"])}


def as_costs_by_k(answer: Any) -> dict[int, float]:
    """Exercise 3: a dict (or pandas Series) {5: cost, 6: cost}: whole-number keys, number values."""
    try:
        by_k = as_mapping(answer, keys=as_count, values=as_number)
    except Unreadable as problem:
        raise Unreadable(
            f"expected a dict {{5: cost, 6: cost}} with the whole numbers k as keys; {problem}"
        ) from None
    if sorted(by_k) != [5, 6]:
        raise Unreadable(
            f"expected the keys 5 and 6 (one lowest cost for each k), got {sorted(by_k)}."
        )
    return by_k


def as_silhouette_summary(answer: Any) -> dict:
    """Exercise 4: a dict {"mean": a number, "negative": a whole number}."""
    summary = dict_with_keys(
        answer,
        {"mean": "the mean silhouette", "negative": "a count of penguins"},
        '{"mean": 0.5, "negative": 10}',
    )
    try:
        mean = as_number(summary["mean"])
    except Unreadable as problem:
        raise Unreadable(f'"mean": {problem}') from None
    try:
        negative = as_count(summary["negative"])
    except Unreadable as problem:
        raise Unreadable(f'"negative" should be a count of penguins; {problem}') from None
    return {"mean": mean, "negative": negative}


def silhouette_is(summary: dict, mean: float, negative: int) -> bool:
    """The mean as printed (three decimals) or rounded to two, and the count exactly."""
    return as_printed(summary["mean"], mean, 2) and summary["negative"] == negative


def costs_close(costs: dict[int, float], at_5: float, at_6: float) -> bool:
    """Both costs as printed (one decimal), or rounded to whole numbers."""
    return as_printed(costs[5], at_5, 0) and as_printed(costs[6], at_6, 0)


ex1 = Exercise(
    chapter="04",
    number=1,
    answer="unscaled",
    read=as_finding,
    right_answers=[
        {"decides": "body_mass_g", "purity": 0.678},
        {"decides": "body_mass_g", "purity": 0.68},
        {"purity": 232 / 342, "decides": " Body_Mass_g "},
    ],
    is_correct=lambda found: (
        found["decides"] == "body_mass_g" and as_printed(found["purity"], 232 / 342, 2)
    ),
    correct=(
        "without scaling the centres lie 1901.4 g apart in body mass but at most 30.5 mm in any "
        "other measurement, so the mass decides every distance; the purity falls from 0.915 to "
        "0.678."
    ),
    mistakes=[
        Mistake(
            "scaled model's centres",
            lambda found: found["decides"] == "flipper_length_mm",
            "those are the centres of the scaled model (`model`), in standard deviations, where "
            "every measurement has the same say. Look at the centres of the model fitted on "
            "`raw_features`, in grams and millimetres.",
            "centres_scaled = pd.DataFrame(model.clusterCenters(), columns=measurements)\n"
            "unscaled = {\n"
            '    "decides": (centres_scaled.max() - centres_scaled.min()).idxmax(),\n'
            '    "purity": purity(table_raw),\n'
            "}",
        ),
        Mistake(
            "purity of the scaled model",
            lambda found: (
                found["decides"] == "body_mass_g" and as_printed(found["purity"], 313 / 342, 2)
            ),
            "0.915 is the purity of section 8, with standardised features. Compute the purity "
            "of the cross-table of the model fitted on `raw_features`.",
            'unscaled = {"decides": "body_mass_g", "purity": purity(table_k3)}',
        ),
        Mistake(
            "purity in percent",
            lambda found: (
                found["decides"] == "body_mass_g" and as_printed(found["purity"], 67.84, 0)
            ),
            "give the purity as a share between 0 and 1, as `purity()` returns it, not in percent.",
            'unscaled = {"decides": "body_mass_g", "purity": round(100 * purity(table_raw), 1)}',
        ),
    ],
    nudge=(
        'the answer is a dict: "decides", the column name of the measurement in which the '
        'centres of the unscaled model lie furthest apart, and "purity", the purity of its '
        "cross-table with species."
    ),
    hint_text=(
        'fit KMeans(featuresCol="raw_features", k=3, seed=1, ...) on '
        "`prep.transform(complete)`, put its `clusterCenters()` in a pandas DataFrame with the "
        "columns `measurements`, and compare how far apart the centres lie in each column. "
        "Then `purity(cluster_vs_species(...))`."
    ),
    solution_text=(
        'unscaled = {"decides": "body_mass_g", "purity": 0.678}: the centres lie 1901.4 g '
        "apart in mass, at most 30.5 mm in any other measurement."
    ),
)

ex2 = Exercise(
    chapter="04",
    number=2,
    answer="bills_purity",
    read=as_number,
    right_answers=[0.930, 0.93, 318 / 342],
    is_correct=lambda share: as_printed(share, 318 / 342, 2),
    correct=(
        "0.930, a little more than the 0.915 of all four measurements; but now Gentoo and "
        "Chinstrap penguins are confused, whose bills are alike."
    ),
    mistakes=[
        Mistake(
            "bills not scaled",
            lambda share: as_printed(share, 0.769, 2),
            "that is k-means on the raw bill measurements (`raw_features`). Length and depth "
            "have different spreads (5.46 mm against 1.97 mm): standardise them with "
            "StandardScaler, as in section 4, and cluster on `features`.",
            'bills_raw = KMeans(featuresCol="raw_features", predictionCol="cluster", k=3, seed=1,\n'
            '                   initMode="k-means||", initSteps=2, maxIter=50).fit(bills)\n'
            "bills_purity = purity(cluster_vs_species(bills_raw.transform(bills)))",
        ),
        Mistake(
            "four measurements",
            lambda share: as_printed(share, 313 / 342, 2),
            "0.915 is the purity with all four measurements (section 8). Assemble only "
            "`bill_length_mm` and `bill_depth_mm`, scale them, and fit k-means on those.",
            "bills_purity = purity(table_k3)",
        ),
        Mistake(
            "share of mismatches",
            lambda share: as_printed(share, 24 / 342, 2),
            "that is the share of penguins outside the most common species of their cluster. "
            "The purity is the share inside it: `purity(table)`.",
            "bills_purity = 1 - purity(table_bills)",
        ),
    ],
    nudge=(
        "the answer is the purity (a share between 0 and 1) of k-means with k = 3, seed 1, on "
        "the two standardised bill measurements."
    ),
    hint_text=(
        'build a Pipeline of VectorAssembler(inputCols=["bill_length_mm", "bill_depth_mm"]) '
        "and StandardScaler(withMean=True, withStd=True), fit and apply it to `complete`, fit "
        "KMeans with the settings of section 5 (k=3, seed=1) and pass the cross-table of "
        "`cluster_vs_species` to `purity`."
    ),
    solution_text=(
        "bills_purity = 0.930 (all four measurements: 0.915); 8 Chinstrap sit with 116 Gentoo."
    ),
)

ex3 = Exercise(
    chapter="04",
    number=3,
    answer="best_costs",
    read=as_costs_by_k,
    right_answers=[{5: 232.0, 6: 204.0}, {5: 232, 6: 204}, {6: 203.96, 5.0: 231.96}],
    is_correct=lambda costs: costs_close(costs, 231.96, 203.96),
    correct=(
        "232.0 at k = 5 (a random start) and 204.0 at k = 6 (section 5's k-means|| start): "
        "neither way of starting wins at both k. With 232.0 at k = 5 the drops shrink at every "
        "step: a smooth curve, with no sharper bend at a later k."
    ),
    mistakes=[
        Mistake(
            "random starts only",
            lambda costs: costs_close(costs, 231.96, 266.70),
            "at k = 6 both random starts end higher than section 5's k-means|| start "
            "(`models[6]`, 204.0). Keep the lowest cost over all three starts at each k.",
            'random_only = starts[starts["start"].str.startswith("random")]\n'
            'best_costs = random_only.groupby("k")["cost"].min().to_dict()',
        ),
        Mistake(
            "section 5's costs",
            lambda costs: costs_close(costs, 269.89, 203.96),
            "those are the costs of section 5's single k-means|| start. At k = 5 one of the "
            "random starts ends lower: keep the lowest cost over all starts.",
            "best_costs = {k: models[k].summary.trainingCost for k in [5, 6]}",
        ),
        Mistake(
            "highest cost",
            lambda costs: costs_close(costs, 298.51, 279.05),
            "that is the highest cost of the starts at each k. k-means keeps the start with "
            "the lowest cost: use min.",
            'best_costs = starts.groupby("k")["cost"].max().to_dict()',
        ),
    ],
    nudge=(
        "the answer is a dict {5: cost, 6: cost}: at each k, the lowest training cost of three "
        "starts, section 5's k-means|| start (seed 1) and random starts with seeds 1 and 2."
    ),
    hint_text=(
        'for k in [5, 6], fit KMeans(featuresCol="features", k=k, seed=seed, '
        'initMode="random", maxIter=50) on `scaled` for seeds 1 and 2, and compare '
        "`summary.trainingCost` with `models[k].summary.trainingCost`; keep the minimum."
    ),
    solution_text=(
        "best_costs = {5: 232.0, 6: 204.0}: random seed 2 wins at k = 5 (232.0 against 269.9), "
        "k-means|| wins at k = 6 (204.0 against 266.7 and 279.1)."
    ),
)


# Exercise 4: seed 3's clustering (k = 3) by silhouette. Values from the stored outputs:
# seed 3 mean 0.6548 with 1 penguin below 0; seed 1 (section 9) 0.6414 with 7.
SEED3_MEAN = 0.65478
SEED3_NEGATIVE = 1

ex4 = Exercise(
    chapter="04",
    number=4,
    answer="seed3_silhouette",
    read=as_silhouette_summary,
    right_answers=[
        {"mean": 0.655, "negative": 1},
        {"mean": 0.65, "negative": 1},
        {"negative": 1.0, "mean": SEED3_MEAN},
    ],
    is_correct=lambda summary: silhouette_is(summary, SEED3_MEAN, SEED3_NEGATIVE),
    correct=(
        "seed 3 has the higher silhouette, 0.655 against 0.641 for seed 1, and 1 penguin below "
        "0 against 7: the silhouette prefers the start that costs 1.7 more and matches the "
        "species better. Cost and silhouette measure different things."
    ),
    mistakes=[
        Mistake(
            "seed 1's clustering",
            lambda summary: silhouette_is(summary, 0.64141, 7),
            "those are the values of seed 1's clustering (`clustered`, `penguin_silhouettes` "
            "of section 9). Transform `scaled` with `restart_models[3]` and compute the "
            "silhouettes of its clusters.",
            "seed3_silhouette = {\n"
            '    "mean": evaluator.evaluate(clustered),\n'
            '    "negative": int((penguin_silhouettes < 0).sum()),\n'
            "}",
        ),
        Mistake(
            "count from seed 1",
            lambda summary: silhouette_is(summary, SEED3_MEAN, 7),
            "the mean is seed 3's, but 7 is the count of section 9, from seed 1's "
            "`penguin_silhouettes`. Count the penguins below 0 among the silhouettes of seed "
            "3's clusters: `ClusteringEvaluator` gives only the mean, so compute them with "
            "`silhouettes`.",
            "seed3_silhouette = {\n"
            '    "mean": evaluator.evaluate(restart_models[3].transform(scaled)),\n'
            '    "negative": int((penguin_silhouettes < 0).sum()),\n'
            "}",
        ),
        Mistake(
            "plain distances",
            lambda summary: as_printed(summary["mean"], 0.459, 2),
            "that is the textbook silhouette with plain distances (`squared=False`). "
            "ClusteringEvaluator, and the exercise, use squared distances: the default of "
            "`silhouettes`.",
            'seed3_labels = restart_models[3].transform(scaled).orderBy("id")'
            '.select("cluster").toPandas()["cluster"].to_numpy()\n'
            "seed3_values = silhouettes(X, seed3_labels, squared=False)\n"
            'seed3_silhouette = {"mean": seed3_values.mean(), "negative": int((seed3_values < 0).sum())}',
        ),
        Mistake(
            "mean of the cluster means",
            lambda summary: silhouette_is(summary, 0.6423, 1),
            "that is the mean of the three clusters' mean silhouettes, which gives a cluster of "
            "71 penguins the same say as one of 148. The silhouette of a clustering is the mean "
            "over all penguins: `values.mean()`.",
            'seed3_labels = restart_models[3].transform(scaled).orderBy("id")'
            '.select("cluster").toPandas()["cluster"].to_numpy()\n'
            "seed3_values = silhouettes(X, seed3_labels)\n"
            "by_cluster = pd.Series(seed3_values).groupby(seed3_labels).mean()\n"
            'seed3_silhouette = {"mean": by_cluster.mean(), "negative": int((seed3_values < 0).sum())}',
        ),
    ],
    nudge=(
        'the answer is a dict: "mean", the mean silhouette of the clustering of '
        '`restart_models[3]` (k = 3, seed 3), and "negative", the number of penguins whose '
        "silhouette is below 0."
    ),
    hint_text=(
        "`restart_models[3].transform(scaled)`, ordered by `id` like the rows of `X`, gives each "
        "penguin's cluster; pass them to `silhouettes(X, clusters)`, then take the mean and "
        "count the values below 0. `evaluator.evaluate(...)` gives the same mean."
    ),
    solution_text=(
        'seed3_silhouette = {"mean": 0.655, "negative": 1}: seed 1 has 0.641 and 7. The '
        "silhouette prefers seed 3."
    ),
)

EXERCISES = [ex1, ex2, ex3, ex4]
