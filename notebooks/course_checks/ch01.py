"""Checks for the exercises of 01 · Linear regression."""

from __future__ import annotations

from . import Exercise, Mistake, as_number, as_values, close

ex1 = Exercise(
    chapter="01",
    number=1,
    answer="safe_rates",
    read=lambda answer: sorted(as_values(answer)),
    is_correct=lambda rates: rates == [0.0001],
    correct=(
        "only 0.0001 lies below the bound 2 / (largest eigenvalue of H) = 0.000381, so only "
        "there does every step shrink the distance to the answer."
    ),
    mistakes=[
        Mistake(
            "0.001 counted as safe",
            lambda rates: rates == [0.0001, 0.001],
            "0.001 diverges too, only more slowly than 0.1: look at its MSE after 200 steps. "
            "A loss that grows at every step is not safe, however finite it still is.",
            "safe_rates = [0.001, 0.0001]",
        ),
        Mistake(
            "every rate counted as safe",
            lambda rates: rates == [0.0001, 0.001, 0.1],
            "run the loop and print the MSE for each rate: two of them make it explode.",
            "safe_rates = [0.1, 0.001, 0.0001]",
        ),
        Mistake(
            "no rate counted as safe",
            lambda rates: rates == [],
            "one of the three rates does bring the loss down, if slowly: compare each final "
            "MSE with the MSE of w = 0, the starting point.",
            "safe_rates = []",
        ),
    ],
    nudge="give the learning rates, of 0.1, 0.001 and 0.0001, whose MSE goes down, as a list.",
    hint_text=(
        "a learning rate is safe when the loss keeps going down. Print the training MSE after "
        "200 steps for each rate, and compare it with the MSE at the start (w = 0)."
    ),
    solution_text=(
        "safe_rates = [0.0001]. The eigenvalues of H = (2/m) X^T X on the raw features run up "
        "to 5245.5, and gradient descent is stable only for rates below 2 / 5245.5 = 0.000381."
    ),
)

ex2 = Exercise(
    chapter="01",
    number=2,
    answer="small_rmse",
    read=as_number,
    is_correct=lambda rmse: close(rmse, 10.518, 0.002),
    correct=(
        "10.518 on the test rows, no worse than the 10.577 of all four features: the time on "
        "the website adds nothing the model can use."
    ),
    mistakes=[
        Mistake(
            "training RMSE",
            lambda rmse: close(rmse, 10.118, 0.002),
            "that is the RMSE on the training rows, which the model was fitted to. "
            "Evaluate `small_model.transform(test)`.",
            'small_rmse = evaluator.evaluate(small_model.transform(train), {evaluator.metricName: "rmse"})',
        ),
        Mistake(
            "four features",
            lambda rmse: close(rmse, 10.577, 0.002),
            'that is the test RMSE of the model with all four features (`metrics["rmse"]`). '
            'Fit a new pipeline whose VectorAssembler leaves out "Time on Website".',
            'small_rmse = metrics["rmse"]',
        ),
        Mistake(
            "MSE",
            lambda rmse: close(rmse, 110.62, 0.05),
            "that is the mean squared error, in dollars squared. The RMSE is its square root.",
            'small_rmse = evaluator.evaluate(small_model.transform(test), {evaluator.metricName: "mse"})',
        ),
    ],
    nudge="the answer is the test RMSE of a pipeline fitted on `train` with three features.",
    hint_text=(
        "build the same Pipeline as section 6, with `inputCols` set to the three features other "
        'than "Time on Website", fit it on `train`, and evaluate it on `test` with '
        '`{evaluator.metricName: "rmse"}`.'
    ),
    solution_text="small_rmse = 10.518 (test RMSE), against 10.577 with the website time.",
)

ex3 = Exercise(
    chapter="01",
    number=3,
    answer="ridge_rmse",
    read=as_number,
    is_correct=lambda rmse: close(rmse, 14.558, 0.002),
    correct=(
        "14.558, worse than the 10.577 of the unregularised fit: with little noise and few "
        "features there is no overfitting to cure, so the penalty only adds bias."
    ),
    mistakes=[
        Mistake(
            "penalty not applied",
            lambda rmse: close(rmse, 10.577, 0.002),
            "that is the RMSE of the unregularised model: did `regParam=10.0` reach the "
            "LinearRegression stage of the pipeline you evaluated?",
            'ridge_rmse = metrics["rmse"]',
        ),
        Mistake(
            "training RMSE",
            lambda rmse: close(rmse, 13.319, 0.002),
            "that is the RMSE on the training rows. Evaluate `ridge.transform(test)`.",
            'ridge_rmse = evaluator.evaluate(ridge.transform(train), {evaluator.metricName: "rmse"})',
        ),
        Mistake(
            "lasso",
            lambda rmse: close(rmse, 22.890, 0.002),
            "that is a lasso penalty (`elasticNetParam=1.0`). The exercise asks for ridge, "
            "the default `elasticNetParam=0.0`.",
            "lasso = Pipeline(stages=[\n"
            '    VectorAssembler(inputCols=FEATURES, outputCol="features"),\n'
            '    LinearRegression(featuresCol="features", labelCol=TARGET, regParam=10.0, elasticNetParam=1.0),\n'
            "]).fit(train)\n"
            'ridge_rmse = evaluator.evaluate(lasso.transform(test), {evaluator.metricName: "rmse"})',
        ),
    ],
    nudge="the answer is the test RMSE of the four-feature pipeline with `regParam=10.0`.",
    hint_text=(
        "copy the pipeline of section 6, change only `regParam=0.0` to `regParam=10.0`, fit it "
        "on `train` and evaluate it on `test`."
    ),
    solution_text=(
        "ridge_rmse = 14.558; the weights shrink from 25.65, 38.45, 0.47, 61.07 to "
        "22.78, 34.30, 0.40, 54.24."
    ),
)

ex4 = Exercise(
    chapter="01",
    number=4,
    answer="prediction",
    read=as_number,
    is_correct=lambda dollars: close(dollars, 467.25, 0.01),
    correct="467.25 dollars a year: the bias term plus the weighted sum of the four values.",
    mistakes=[
        Mistake(
            "no bias term",
            lambda dollars: close(dollars, 1511.55, 0.05),
            "the bias term is missing: `w_normal[0]` (-1044.30) multiplies a constant 1, so the "
            "customer's vector must start with 1.0.",
            "prediction = w_normal[1:] @ np.array([34.0, 13.0, 37.0, 2.0])",
        ),
        Mistake(
            "app and website swapped",
            lambda dollars: close(dollars, 1378.64, 0.05),
            "two values are in the wrong places: the order of the features is "
            "`FEATURES` = session, app, website, membership (13 minutes on the app, "
            "37 on the website).",
            "prediction = w_normal @ np.array([1.0, 34.0, 37.0, 13.0, 2.0])",
        ),
    ],
    nudge="the answer is the model's predicted yearly amount for that one customer, in dollars.",
    hint_text=(
        "make a one-row DataFrame with the four feature columns (schema as in section 3) and run "
        "it through `model.transform`; or compute `w_normal @ [1, session, app, website, years]`."
    ),
    solution_text="prediction = 467.25 (dollars a year), the same by model.transform and by w_normal.",
)

EXERCISES = [ex1, ex2, ex3, ex4]
