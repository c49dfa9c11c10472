"""Checks for the exercises of notebook 05 (recommenders: ALS and user-user filtering)."""

from __future__ import annotations

from typing import Any

from course_checks import (
    Exercise,
    Mistake,
    Unreadable,
    as_count,
    as_mapping,
    as_number,
    as_printed,
    as_values,
)


def as_movie_ids(answer: Any) -> list[int]:
    """Exercise 2: a list of movie ids (whole numbers), in the order given (a set has none)."""
    ids = []
    for value in as_values(answer, ordered=True):
        try:
            ids.append(as_count(value))
        except Unreadable:
            raise Unreadable(
                "expected a list of movie ids (whole numbers such as [30, 74]); "
                f"found {value!r} in it."
            ) from None
    return ids


def _strategy(key: Any) -> str:
    if not isinstance(key, str):
        raise Unreadable('expected the strategy\'s name as a key, "drop" or "nan".')
    return key.strip()


def as_strategy_counts(answer: Any) -> dict[str, int]:
    """Exercise 3: a dict {"drop": count, "nan": count}; the counts are whole numbers."""
    counts = as_mapping(answer, keys=_strategy, values=as_count)
    if set(counts) != {"drop", "nan"}:
        keys = ", ".join(repr(key) for key in counts) or "none"
        raise Unreadable(f'expected a dict with the keys "drop" and "nan"; its keys: {keys}.')
    return counts


def as_two_rmses(answer: Any) -> list[float]:
    """Exercise 4: a list of two numbers, for regParam 0.1 then 0.3 (a set has no order)."""
    values = [as_number(value) for value in as_values(answer, ordered=True)]
    if len(values) != 2:
        raise Unreadable(
            "expected a list of two RMSEs, for regParam 0.1 then 0.3; "
            f"got {len(values)} value{'' if len(values) == 1 else 's'}."
        )
    return values


def _counts(drop: int, nan: int) -> Any:
    return lambda counts: counts == {"drop": drop, "nan": nan}


def _pair(at_01: float, at_03: float) -> Any:
    """Two RMSEs as printed (3 decimals), or rounded to 2."""
    return lambda rmses: as_printed(rmses[0], at_01, 2) and as_printed(rmses[1], at_03, 2)


ex1 = Exercise(
    chapter="05",
    number=1,
    answer="rmse_5",
    read=as_number,
    is_correct=lambda rmse: as_printed(rmse, 1.1008, 2),
    right_answers=[1.101, 1.10, 1.1],
    correct=(
        "1.101 on the validation ratings with five rounds, against 1.040 with ten and 1.028 "
        "with twenty: the first rounds matter most."
    ),
    mistakes=[
        Mistake(
            "twenty rounds",
            lambda rmse: as_printed(rmse, 1.0282, 2),
            "1.028 is the validation RMSE of section 4's choice, with twenty rounds. Fit again "
            "with `{als.regParam: best_reg_param, als.maxIter: 5}` as the second argument of "
            "`als.fit`, so that maxIter=5 reaches that fit.",
            "rmse_5 = rmse_of(models[best_index].transform(validation))",
        ),
        Mistake(
            "ten rounds",
            lambda rmse: as_printed(rmse, 1.0405, 2),
            "1.040 is the validation RMSE with ten rounds: Spark's default maxIter, which `als` "
            "keeps because section 4 set the rounds only in its grid. Pass "
            "`{als.regParam: best_reg_param, als.maxIter: 5}` to `als.fit`.",
            "rmse_5 = rmse_of(als.fit(fit_part, {als.regParam: best_reg_param}).transform(validation))",
        ),
        Mistake(
            "training RMSE",
            lambda rmse: as_printed(rmse, 0.3251, 2),
            "that is the RMSE on `fit_part`, the ratings the model was fitted to. "
            "Score `model_5.transform(validation)`.",
            "rmse_5 = rmse_of(model_5.transform(fit_part))",
        ),
        Mistake(
            "test RMSE",
            lambda rmse: as_printed(rmse, 1.1532, 2),
            "that is the test RMSE of a five-round model fitted on all of `train`. Comparing "
            "settings is a choice, made on validation: the test set had its one look in "
            "section 7. Fit on `fit_part` and score on `validation`.",
            "rmse_5 = rmse_of(\n"
            "    als.fit(train, {als.regParam: best_reg_param, als.maxIter: 5}).transform(test)\n"
            ")",
        ),
    ],
    nudge=(
        "the answer is the validation RMSE (a number) of ALS with regParam 0.1 and maxIter=5, "
        "fitted on `fit_part`."
    ),
    hint_text=(
        "`als.fit(fit_part, {als.regParam: best_reg_param, als.maxIter: 5})` fits with five "
        "rounds without changing `als`; score the model on `validation` with `rmse_of`."
    ),
    solution_text="rmse_5 = 1.101 (validation RMSE with five rounds); 1.040 with ten, 1.028 with twenty.",
)

ex2 = Exercise(
    chapter="05",
    number=2,
    answer="new_for_3",
    read=as_movie_ids,
    is_correct=lambda ids: ids == [30, 74, 75, 69, 32, 22],
    right_answers=[[30, 74, 75, 69, 32, 22], (30, 74, 75, 69, 32, 22)],
    correct=(
        "30, 74, 75, 69, 32 and 22, ALS's ranks 2, 4, 6, 8, 9 and 10 for user 3: the other "
        "four of the top ten are movies user 3 rated in training."
    ),
    mistakes=[
        Mistake(
            "whole top ten",
            lambda ids: ids == [51, 30, 80, 74, 18, 75, 7, 69, 32, 22],
            "that is user 3's whole top ten. ALS scores the movies user 3 has rated too: "
            "remove the movies of `train` with userId 3 (a left anti join on movieId).",
            'new_for_3 = flatten(final_model.recommendForUserSubset(one_user, 10), "userId", '
            '"movieId").orderBy("rank").toPandas()["movieId"].tolist()',
        ),
        Mistake(
            "right movies, wrong order",
            lambda ids: sorted(ids) == [22, 30, 32, 69, 74, 75],
            "these are the right six movies, nearly there, but not in ALS's order. A set difference "
            "loses the order; keep the rows of the top ten, drop the rated ones and sort by "
            '"rank".',
            'top_10 = flatten(final_model.recommendForUserSubset(one_user, 10), "userId", '
            '"movieId").toPandas()["movieId"]\n'
            'rated_by_3 = train.where(F.col("userId") == 3).toPandas()["movieId"]\n'
            "new_for_3 = list(set(top_10) - set(rated_by_3))",
        ),
        Mistake(
            "input user's movies removed",
            lambda ids: ids == [30, 80, 74, 18, 75, 7, 69, 32],
            "those are the top ten without the eight movies of the input user (`new_user`). "
            "The exercise removes the movies user 3 rated in `train`.",
            'top_10 = flatten(final_model.recommendForUserSubset(one_user, 10), "userId", '
            '"movieId").orderBy("rank").toPandas()["movieId"]\n'
            'new_for_3 = [movie for movie in top_10 if movie not in set(new_user["movieId"])]',
        ),
    ],
    nudge=(
        "the answer is a list of the movie ids of user 3's ALS top ten that user 3 did not "
        "rate in `train`, in ALS's rank order."
    ),
    hint_text=(
        "`final_model.recommendForUserSubset(one_user, 10)`, flattened with `flatten` of "
        "section 8, gives user 3's top ten; a left anti join with user 3's rows of `train` "
        '(on "movieId") removes the rated ones; sort by "rank".'
    ),
    solution_text="new_for_3 = [30, 74, 75, 69, 32, 22] (ALS ranks 2, 4, 6, 8, 9 and 10).",
)

ex3 = Exercise(
    chapter="05",
    number=3,
    answer="validation_predictions",
    read=as_strategy_counts,
    is_correct=_counts(drop=261, nan=262),
    right_answers=[{"drop": 261, "nan": 262}, {"nan": 262.0, "drop": 261.0}],
    correct=(
        '"drop" returns 261 of the 262 validation ratings, "nan" returns all 262, with the '
        "prediction NaN for the one rating of movie 90, which the model has never seen."
    ),
    mistakes=[
        Mistake(
            "movie 90 removed from the validation ratings too",
            _counts(drop=261, nan=261),
            'with "nan" every validation rating comes back, so that count should be all 262. '
            "Either the rating of movie 90 went from `validation` too (remove it from "
            '`fit_part` only), or "nan" never reached the model: `als` has '
            'coldStartStrategy="drop", so pass `{model.coldStartStrategy: "nan"}` to '
            "`transform`.",
            'validation_without_90 = validation.where(F.col("movieId") != 90)\n'
            "validation_predictions = {\n"
            "    strategy: model_without_90.transform(\n"
            "        validation_without_90, {model_without_90.coldStartStrategy: strategy}\n"
            "    ).count()\n"
            '    for strategy in ["drop", "nan"]\n'
            "}",
        ),
        Mistake(
            "strategies swapped",
            _counts(drop=262, nan=261),
            'the two counts are swapped: "drop" removes rows (the ones ALS cannot predict), '
            '"nan" keeps every row and predicts NaN where it cannot.',
            "counts = [\n"
            "    model_without_90.transform(validation, {model_without_90.coldStartStrategy: strategy}).count()\n"
            '    for strategy in ["nan", "drop"]\n'
            "]\n"
            'validation_predictions = dict(zip(["drop", "nan"], counts))',
        ),
        Mistake(
            "movie 90 still in the fit",
            _counts(drop=262, nan=262),
            "both strategies predicted all 262 validation ratings, so the model knew movie 90. "
            "Fit a new model on the ratings of `fit_part` without movie 90: "
            '`fit_part.where(F.col("movieId") != 90)`.',
            "chosen = models[best_index]  # fitted on fit_part, movie 90 included\n"
            "validation_predictions = {\n"
            "    strategy: chosen.transform(validation, {chosen.coldStartStrategy: strategy}).count()\n"
            '    for strategy in ["drop", "nan"]\n'
            "}",
        ),
    ],
    nudge=(
        'the answer is a dict {"drop": ..., "nan": ...} with the number of rows (whole numbers) '
        "of `transform(validation)` for each strategy, from a model fitted on `fit_part` "
        "without movie 90."
    ),
    hint_text=(
        'fit `als` with `best_params` on `fit_part.where(F.col("movieId") != 90)`, then count '
        'the rows of `model.transform(validation, {model.coldStartStrategy: "drop"})` and the '
        'same with "nan": the strategy acts when predicting, so one fit serves both.'
    ),
    solution_text=(
        'validation_predictions = {"drop": 261, "nan": 262}; with "nan", the one validation '
        "rating of movie 90 is predicted NaN."
    ),
)

ex4 = Exercise(
    chapter="05",
    number=4,
    answer="rank_5_rmse",
    read=as_two_rmses,
    is_correct=_pair(1.1303, 1.0854),
    right_answers=[[1.130, 1.085], [1.13, 1.09], (1.130, 1.085)],
    correct=(
        "1.130 with regParam 0.1 and 1.085 with 0.3: on this split rank 5 does better with the "
        "stronger penalty, where rank 10 did better with 0.1 (1.028 against 1.087). One split "
        "of 262 ratings cannot say more: in the solution's bootstrap the rank-5 order holds in "
        "only 84 % of the draws."
    ),
    mistakes=[
        Mistake(
            "rank 10",
            _pair(1.0282, 1.0869),
            "those are the validation RMSEs of rank 10 from section 4. Fit with "
            "`{als.rank: 5, als.maxIter: best_max_iter, als.regParam: ...}` (or "
            "`ParamGridBuilder().baseOn({als.rank: 5, als.maxIter: best_max_iter})`).",
            "rank_5_rmse = [rank_10[0.1], rank_10[0.3]]",
        ),
        Mistake(
            "ten rounds",
            _pair(1.2475, 1.1151),
            "those models ran ten rounds: Spark's default maxIter, which `als` keeps because "
            "section 4 set the rounds only in the grid. Add `als.maxIter: best_max_iter` (20) "
            "to each parameter map.",
            "rank_5_rmse = [\n"
            "    rmse_of(als.fit(fit_part, {als.rank: 5, als.regParam: r}).transform(validation))\n"
            "    for r in [0.1, 0.3]\n"
            "]",
        ),
        Mistake(
            "training RMSE",
            _pair(0.4769, 0.7633),
            "those are the errors on `fit_part`, the ratings the models were fitted to. "
            "Score them on `validation`.",
            "rank_5_rmse = [rmse_of(m.transform(fit_part)) for m in models_5]",
        ),
        Mistake(
            "tuned on the test set",
            _pair(1.083, 1.216),
            "those are RMSEs on the test set, which had its one look in section 7. Choosing a "
            "setting by them makes the test RMSE optimistic: fit on `fit_part` and score on "
            "`validation`, the split of section 4.",
            "grid_5 = ParamGridBuilder().baseOn({als.rank: 5, als.maxIter: best_max_iter})"
            ".addGrid(als.regParam, [0.1, 0.3]).build()\n"
            "rank_5_rmse = [rmse_of(m.transform(test)) for m in als.fit(train, grid_5)]",
        ),
    ],
    nudge=(
        "the answer is a list of two validation RMSEs of ALS with rank 5 and the chosen "
        "rounds, fitted on `fit_part` and scored on `validation`, for regParam 0.1 and 0.3 in "
        "that order."
    ),
    hint_text=(
        "`als.fit(fit_part, grid)` with a list of parameter maps fits one model per map; "
        "`ParamGridBuilder().baseOn({als.rank: 5, als.maxIter: best_max_iter})"
        ".addGrid(als.regParam, [0.1, 0.3]).build()` makes the two maps. Score each model on "
        "`validation` with `rmse_of`."
    ),
    solution_text=(
        "rank_5_rmse = [1.130, 1.085]: on this split rank 5 does better with regParam 0.3, "
        "rank 10 with 0.1 (1.028, 1.087); a bootstrap of the 262 validation ratings leaves the "
        "rank-5 order open."
    ),
)


def _sum_of_hits(list_column: str, split: str) -> str:
    """The wrong code of a mistake: the hits of one list column of a judged split, summed."""
    return (
        f"validation_hits = {split}.select(\n"
        f'    F.sum(F.size(F.array_intersect("{list_column}", "relevant")))\n'
        ").first()[0]"
    )


ex5 = Exercise(
    chapter="05",
    number=5,
    answer="validation_hits",
    read=as_count,
    is_correct=lambda hits: hits == 14,
    right_answers=[14, 14.0],
    correct=(
        "ALS's 18 validation lists hold 14 relevant movies, and 14 / (10 * 18) = 0.078 is "
        "section 5's precision@10: precision@k counts the hits, whichever users they fall to."
    ),
    mistakes=[
        Mistake(
            "users, not hits",
            lambda hits: hits == 12,
            "12 is the number of users with at least one hit. Two of them have two hits: sum "
            '`F.size(F.array_intersect("als", "relevant"))` over the users instead of '
            "counting the users.",
            "validation_hits = judged_validation.where(\n"
            '    F.size(F.array_intersect("als", "relevant")) > 0\n'
            ").count()",
        ),
        Mistake(
            "baseline list",
            lambda hits: hits == 11,
            'those are the hits of the `"most_liked"` list, the baseline. The exercise asks '
            'about ALS\'s lists, the `"als"` column.',
            _sum_of_hits("most_liked", "judged_validation"),
        ),
        Mistake(
            "test lists",
            lambda hits: hits == 21,
            "those are the hits of ALS's lists on the test set (`judged_test`, section 7's "
            "final look). The exercise asks about the validation lists of section 5, "
            "`judged_validation`.",
            _sum_of_hits("als", "judged_test"),
        ),
        Mistake(
            "every relevant movie",
            lambda hits: hits == 29,
            "29 is the number of relevant movies (the validation ratings of 4 or more), found "
            'or not. Count only those in the list: `F.array_intersect("als", "relevant")`.',
            'validation_hits = judged_validation.select(F.sum(F.size("relevant"))).first()[0]',
        ),
    ],
    nudge=(
        "the answer is a whole number: the relevant movies in ALS's validation lists "
        '(`judged_validation`, column `"als"`), summed over all judged users.'
    ),
    hint_text=(
        '`F.size(F.array_intersect("als", "relevant"))` counts the hits of each user\'s list; '
        "sum it over the rows of `judged_validation` (`F.sum` in a `select`, or `.toPandas()` "
        "and `.sum()`)."
    ),
    solution_text=(
        "validation_hits = 14: 14 / (10 * 18) = 0.078, the precision@10 of ALS on the "
        "validation ratings (section 5)."
    ),
)

EXERCISES = [ex1, ex2, ex3, ex4, ex5]
