"""Make every data set the course reads, into data/ (or another folder).

    python data/make_data.py              # (re)write the files in data/
    python data/make_data.py --out DIR    # write them elsewhere, e.g. to compare

Each module in data/makers/ makes one data set and says how in its data card
(data/<name>.md). Every maker is deterministic: the same pinned packages give the
same bytes, and tests/test_data.py checks that the committed files are exactly that.
The notebooks never download anything; of the makers, only the Default one fetches a file
(the pinned ISLP wheel, from PyPI with pip, when `make data` runs).

Each card ends with the SHA-256 of its file, which this script writes (or updates) when
the card is in the output folder; `data_path()` of notebooks/course_helpers.py checks it
before every read, so a notebook never computes from a file its card does not describe.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path

from course_helpers import data_checksum  # the checksum data_path() checks

DATA_DIR = Path(__file__).resolve().parent

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


def checksum_line(name: str, digest: str) -> str:
    return f"SHA-256 of `data/{name}`: `{digest}` (checked by `data_path()` before every read)."


def write_checksum(card: Path, name: str, digest: str) -> bool:
    """Put the checksum line of data/<name> into its card: replace the old line, or add it at
    the end. Nothing else in the card changes. True when the card changed."""
    text = card.read_text(encoding="utf-8")
    line = checksum_line(name, digest)
    old = re.compile(rf"^SHA-256 of `data/{re.escape(name)}`: .*$", re.M)
    new = (
        old.sub(lambda _: line, text, count=1)
        if old.search(text)
        else f"{text.rstrip()}\n\n{line}\n"
    )
    if new == text:
        return False
    card.write_text(new, encoding="utf-8")
    return True


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
        for file in maker.FILES:
            card = args.out / f"{Path(file).stem}.md"
            if card.exists() and write_checksum(card, file, data_checksum(args.out / file)):
                print(f"{name}: new checksum in {card.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
