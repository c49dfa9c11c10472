"""A synthetic twin of the "Ecommerce Customers" table (notebook 01, linear regression).

Popular Spark courses use a public file of 500 customers of an online clothing shop:
an e-mail, an address, an avatar colour, four usage numbers and the yearly amount each
customer spent. That file cannot be fetched here, so this maker builds a twin with the
same columns and the same published statistics (see data/ecommerce_customers.md):

* the four features are drawn from normal distributions with the original's means and
  standard deviations (about 1.0 each), with a mild positive link of session length and
  time on the app to the length of membership, as in the original;
* the target is a fixed linear function of the features plus normal noise (sd 10), with
  the coefficients that scikit-learn's least squares fit gives on the widely copied 70/30
  split (random_state=101) of the original (its all-rows fit is close: see the card);
* e-mails, addresses and avatar colours come from Faker (pinned), with e-mails on the
  reserved example.com/.org/.net domains, so they look real and are clearly fake.

Deterministic: fixed seeds for NumPy and Faker, only element-wise arithmetic (no BLAS or
LAPACK calls whose last bits could differ between machines), fixed decimals in the CSV
and "\\n" line endings, so every run gives the same bytes.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from faker import Faker

FILES = ["ecommerce_customers.csv"]

N_ROWS = 500
# One seed for the numbers and one for the fake identities. The numeric seed was
# picked (once, by trying seeds 0..4999) so that the sample statistics land close to the
# original's published ones; any seed gives the same kind of data.
NUMBERS_SEED = 781
FAKER_SEED = 2024

TARGET = "Yearly Amount Spent"
# feature name: (mean, standard deviation, true coefficient)
FEATURES = {
    "Avg Session Length": (33.05, 0.99, 25.98),
    "Time on App": (12.05, 0.99, 38.59),
    "Time on Website": (37.06, 1.01, 0.19),
    "Length of Membership": (3.53, 1.00, 61.28),
}
# Chosen so the mean of the target is about 499 (that 70/30 fit's intercept is about -1047).
INTERCEPT = -1047.70
NOISE_SD = 10.0
# Mild correlation with the length of membership (the original shows about 0.06 and 0.03).
MEMBERSHIP_LOADING = {"Avg Session Length": 0.06, "Time on App": 0.03}

HEADER = ["Email", "Address", "Avatar", *FEATURES, TARGET]
DECIMALS = 6  # every number is written with exactly six decimals


def numbers(seed: int = NUMBERS_SEED) -> dict[str, np.ndarray]:
    """The four features and the target, as columns of N_ROWS floats."""
    rng = np.random.default_rng(seed)
    z = {name: rng.standard_normal(N_ROWS) for name in FEATURES}
    noise = rng.standard_normal(N_ROWS) * NOISE_SD
    columns: dict[str, np.ndarray] = {}
    for name, (mean, sd, _) in FEATURES.items():
        loading = MEMBERSHIP_LOADING.get(name, 0.0)
        # Mix in a little of the membership draw, then rescale to unit variance.
        standard = (z[name] + loading * z["Length of Membership"]) / np.sqrt(1.0 + loading**2)
        columns[name] = mean + sd * standard
    target = np.full(N_ROWS, INTERCEPT) + noise
    for name, (_, _, coefficient) in FEATURES.items():
        target = target + coefficient * columns[name]
    columns[TARGET] = target
    return columns


def identities(seed: int = FAKER_SEED) -> list[tuple[str, str, str]]:
    """(email, one-line address, avatar colour) for each row."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rows = []
    for _ in range(N_ROWS):
        email = fake.unique.safe_email()  # user@example.com/.org/.net: reserved, never real
        address = fake.address().replace("\n", ", ")  # one record, one line
        avatar = fake.color_name()
        rows.append((email, address, avatar))
    return rows


def make(out_dir: Path) -> None:
    columns = numbers()
    names = [*FEATURES, TARGET]
    with open(out_dir / FILES[0], "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for i, (email, address, avatar) in enumerate(identities()):
            values = [f"{columns[name][i]:.{DECIMALS}f}" for name in names]
            writer.writerow([email, address, avatar, *values])
