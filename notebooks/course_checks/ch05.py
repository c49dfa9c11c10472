"""Checks for the exercises of notebook 05 (recommenders: ALS and user-user filtering)."""

from __future__ import annotations

from typing import Any

from course_checks import (
    Exercise,
    Mistake,
    Unreadable,
    as_mapping,
    as_number,
    as_values,
    close,
    close_all,
)


def as_movie_ids(answer: Any) -> list[int]:
    """A list of movie ids (whole numbers), in the order given."""
    values = as_values(answer)
    ids = []
    for value in values:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not float(value).is_integer()
        ):
            raise Unreadable(
                f"expected a list of movie ids (whole numbers), found {value!r} in it."
            )
        ids.append(int(value))
    return ids


def as_strategy_counts(answer: Any) -> dict[str, float]:
    """A dict with the keys "drop" and "nan", each holding a number of test predictions."""
    mapping = as_mapping(answer)
    if set(mapping) != {"drop", "nan"}:
        keys = ", ".join(repr(key) for key in mapping) or "none"
        raise Unreadable(f'expected a dict with the keys "drop" and "nan"; its keys: {keys}.')
    return {key: as_number(value) for key, value in mapping.items()}


def _counts(drop: int, nan: int) -> Any:
    return lambda counts: close(counts["drop"], drop, 0.5) and close(counts["nan"], nan, 0.5)


ex1 = Exercise(
    chapter="05",
    number=1,
    answer="rmse_5",
    read=as_number,
    is_correct=lambda rmse: close(rmse, 1.153, 0.002),
    correct=(
        "1.153 on the test ratings with five rounds, against 1.132 with ten: stopping the "
        "alternation early costs about 0.02 rating points here."
    ),
    mistakes=[
        Mistake(
            "ten rounds",
            lambda rmse: close(rmse, 1.132, 0.002),
            "1.132 is the test RMSE of the final model, fitted with ten rounds. Fit again with "
            "`{als.regParam: best_reg_param, als.maxIter: 5}` as the second argument of "
            "`als.fit`, and check that maxIter=5 reached that fit.",
            "rmse_5 = rmse_of(final_model.transform(test))",
        ),
        Mistake(
            "training RMSE",
            lambda rmse: close(rmse, 0.375, 0.002),
            "that is the RMSE on the training ratings, which the model was fitted to. "
            "Score `model_5.transform(test)`.",
            "rmse_5 = rmse_of(model_5.transform(train))",
        ),
    ],
    nudge="the answer is the test RMSE of ALS with regParam 0.1 and maxIter=5, fitted on `train`.",
    hint_text=(
        "`als.fit(train, {als.regParam: best_reg_param, als.maxIter: 5})` fits with five "
        "rounds without changing `als`; score the model on `test` with `rmse_of`."
    ),
    solution_text="rmse_5 = 1.153 (test RMSE with five rounds), against 1.132 with ten.",
)

ex2 = Exercise(
    chapter="05",
    number=2,
    answer="new_for_3",
    read=as_movie_ids,
    is_correct=lambda ids: ids == [30, 74, 32, 75, 69, 22],
    correct=(
        "30, 74, 32, 75, 69 and 22, ALS's ranks 2, 4, 6, 8, 9 and 10 for user 3: the other "
        "four of the top ten are movies user 3 rated in training."
    ),
    mistakes=[
        Mistake(
            "whole top ten",
            lambda ids: ids == [51, 30, 80, 74, 18, 32, 7, 75, 69, 22],
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
            lambda ids: ids == [30, 80, 74, 18, 32, 7, 75, 69],
            "those are the top ten without the eight movies of the input user (`new_user`). "
            "The exercise removes the movies user 3 rated in `train`.",
            'top_10 = flatten(final_model.recommendForUserSubset(one_user, 10), "userId", '
            '"movieId").orderBy("rank").toPandas()["movieId"]\n'
            'new_for_3 = [movie for movie in top_10 if movie not in set(new_user["movieId"])]',
        ),
    ],
    nudge=(
        "the answer is the movie ids of user 3's ALS top ten that user 3 did not rate in "
        "`train`, in ALS's rank order."
    ),
    hint_text=(
        "`final_model.recommendForUserSubset(one_user, 10)`, flattened with `flatten` of "
        "section 6, gives user 3's top ten; a left anti join with user 3's rows of `train` "
        '(on "movieId") removes the rated ones; sort by "rank".'
    ),
    solution_text="new_for_3 = [30, 74, 32, 75, 69, 22] (ALS ranks 2, 4, 6, 8, 9 and 10).",
)

ex3 = Exercise(
    chapter="05",
    number=3,
    answer="test_predictions",
    read=as_strategy_counts,
    is_correct=_counts(drop=293, nan=296),
    correct=(
        '"drop" returns 293 of the 296 test ratings, "nan" returns all 296, with the '
        "prediction NaN for the 3 ratings of movie 90, which the model has never seen."
    ),
    mistakes=[
        Mistake(
            "movie 90 removed from the test set too",
            _counts(drop=293, nan=293),
            'with "nan" every test rating comes back, so that count should be all 296. Either '
            "the ratings of movie 90 went from the test set too (remove them from `train` "
            'only), or "nan" never reached the model: `als` has coldStartStrategy="drop", so '
            'pass `{model.coldStartStrategy: "nan"}` to `transform`.',
            'test_without_90 = test.where(F.col("movieId") != 90)\n'
            "test_predictions = {\n"
            "    strategy: model_without_90.transform(\n"
            "        test_without_90, {model_without_90.coldStartStrategy: strategy}\n"
            "    ).count()\n"
            '    for strategy in ["drop", "nan"]\n'
            "}",
        ),
        Mistake(
            "strategies swapped",
            _counts(drop=296, nan=293),
            'the two counts are swapped: "drop" removes rows (the ones ALS cannot predict), '
            '"nan" keeps every row and predicts NaN where it cannot.',
            "counts = [\n"
            "    model_without_90.transform(test, {model_without_90.coldStartStrategy: strategy}).count()\n"
            '    for strategy in ["nan", "drop"]\n'
            "]\n"
            'test_predictions = dict(zip(["drop", "nan"], counts))',
        ),
        Mistake(
            "movie 90 still in training",
            _counts(drop=296, nan=296),
            "both strategies predicted all 296 test ratings, so the model knew movie 90. "
            "Fit a new model on the training ratings without movie 90: "
            '`train.where(F.col("movieId") != 90)`.',
            "test_predictions = {\n"
            "    strategy: final_model.transform(test, {final_model.coldStartStrategy: strategy}).count()\n"
            '    for strategy in ["drop", "nan"]\n'
            "}",
        ),
    ],
    nudge=(
        'the answer is a dict {"drop": ..., "nan": ...} with the number of rows of '
        "`transform(test)` for each strategy, from a model fitted without movie 90."
    ),
    hint_text=(
        'fit `als` on `train.where(F.col("movieId") != 90)`, then count the rows of '
        '`model.transform(test, {model.coldStartStrategy: "drop"})` and the same with "nan": '
        "the strategy acts when predicting, so one fit serves both."
    ),
    solution_text=(
        'test_predictions = {"drop": 293, "nan": 296}; with "nan", the 3 test ratings of '
        "movie 90 are predicted NaN."
    ),
)

ex4 = Exercise(
    chapter="05",
    number=4,
    answer="rank_5_rmse",
    read=as_values,
    is_correct=lambda rmses: close_all(rmses, [1.247, 1.115], 0.002),
    correct=(
        "1.247 with regParam 0.1 and 1.115 with 0.3: rank 5 prefers the stronger penalty, "
        "where rank 10 preferred 0.1 (1.040 against 1.090). Each rank wants its own "
        "regParam, which is why a grid tunes them together."
    ),
    mistakes=[
        Mistake(
            "rank 10",
            lambda rmses: close_all(rmses, [1.040, 1.090], 0.002),
            "those are the validation RMSEs of rank 10 from section 4. Fit with "
            "`{als.rank: 5, als.regParam: ...}` (or `ParamGridBuilder().baseOn({als.rank: 5})`).",
            "rank_5_rmse = tvs_model.validationMetrics[1:]",
        ),
        Mistake(
            "training RMSE",
            lambda rmses: close_all(rmses, [0.510, 0.773], 0.002),
            "those are the errors on `fit_part`, the ratings the models were fitted to. "
            "Score them on `validation`.",
            "rank_5_rmse = [rmse_of(m.transform(fit_part)) for m in models_5]",
        ),
        Mistake(
            "tuned on the test set",
            lambda rmses: close_all(rmses, [1.168, 1.216], 0.002),
            "those are RMSEs on the test set. Choosing a setting by them makes the test RMSE "
            "optimistic: fit on `fit_part` and score on `validation`, the split of section 4.",
            "rank_5_rmse = [rmse_of(m.transform(test)) for m in als.fit(train, grid_5)]",
        ),
    ],
    nudge=(
        "the answer is two validation RMSEs of ALS with rank 5, fitted on `fit_part` and "
        "scored on `validation`, for regParam 0.1 and 0.3 in that order."
    ),
    hint_text=(
        "`als.fit(fit_part, grid)` with a list of parameter maps fits one model per map; "
        "`ParamGridBuilder().baseOn({als.rank: 5}).addGrid(als.regParam, [0.1, 0.3]).build()` "
        "makes the two maps. Score each model on `validation` with `rmse_of`."
    ),
    solution_text=(
        "rank_5_rmse = [1.247, 1.115]: rank 5 prefers regParam 0.3, rank 10 preferred 0.1 "
        "(1.040, 1.090)."
    ),
)

EXERCISES = [ex1, ex2, ex3, ex4]
