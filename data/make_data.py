"""Make every data set the course reads, into data/ (or another folder).

    python data/make_data.py              # (re)write the files in data/
    python data/make_data.py --out DIR    # write them elsewhere, e.g. to compare

Each module in data/makers/ makes one data set and says how in its data card
(data/<name>.md). Every maker is deterministic: the same pinned packages give the
same bytes, and tests/test_data.py checks that the committed files are exactly that.
Nothing here downloads anything at run time.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(DATA_DIR))

# One entry per module in data/makers/; each has `FILES` (names it writes) and
# `make(out_dir: Path) -> None`.
MAKERS = [
    "seed_text",
    "ecommerce_customers",
    "default_credit",
    "breast_cancer",
    "penguins",
    "movielens_sample",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Make the course's data sets.")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="folder to write into")
    parser.add_argument("only", nargs="*", help="makers to run (default: all)")
    args = parser.parse_args(argv)
    unknown = set(args.only) - set(MAKERS)
    if unknown:
        parser.error(f"unknown maker(s): {', '.join(sorted(unknown))}; known: {', '.join(MAKERS)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.only or MAKERS:
        maker = importlib.import_module(f"makers.{name}")
        maker.make(args.out)
        print(f"{name}: wrote {', '.join(maker.FILES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
