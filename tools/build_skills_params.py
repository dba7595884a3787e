"""Build the occupation layer's base data of the skills model from the compiled source tables.

Reads ``../shared/data/employed_industry_occupation_mitenna_finland_2012_2016.csv`` (employed persons in
Finland by TOL 2008 industry, 5-digit classes and 2-digit remainders, x Mitenna occupation group) and writes
``params/data/employed_section_occupation_2012_2016.csv``: the same figures summed to the TOL 2008 sections
A..U (every combination present, zero where no one was employed), validated with
`toolkit.io.skills_tables.validate_skills_frame`. Rows of unknown industry (code ``00000``) are left out: they
cannot be placed in a section (6,895 persons in 2016, 0.3 % of the total). Appends nothing by itself to
``params/data/SOURCES.md``: that section is kept by hand (see "Occupation layer" there). It is the only code that
reads these source files; the toolkit never reads ``../shared`` at run time.

Usage::

    python tools/build_skills_params.py [--source DIR] [--params DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from toolkit.io.skills_tables import validate_skills_frame
from toolkit.nomenclature import INDUSTRIES, MITENNA_OCCUPATIONS

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "data"
KIND = "employed_section_occupation_2012_2016"
UNKNOWN_INDUSTRY = "00000"

# TOL 2008 (= NACE Rev. 2) divisions of each section, inclusive ranges
SECTION_DIVISIONS = {
    "A": (1, 3), "B": (5, 9), "C": (10, 33), "D": (35, 35), "E": (36, 39), "F": (41, 43), "G": (45, 47),
    "H": (49, 53), "I": (55, 56), "J": (58, 63), "K": (64, 66), "L": (68, 68), "M": (69, 75), "N": (77, 82),
    "O": (84, 84), "P": (85, 85), "Q": (86, 88), "R": (90, 93), "S": (94, 96), "T": (97, 98), "U": (99, 99),
}


def section_of(division: int) -> str:
    """The TOL 2008 section letter of a 2-digit division (KeyError if the division does not exist)."""
    for section, (first, last) in SECTION_DIVISIONS.items():
        if first <= division <= last:
            return section
    raise KeyError(f"TOL 2008 division {division:02d} belongs to no section")


def build(source: Path) -> pd.DataFrame:
    """The tidy table (year, industry, occupation, employed) summed to sections."""
    raw = pd.read_csv(source / "employed_industry_occupation_mitenna_finland_2012_2016.csv", dtype=str)
    raw = raw[raw["industry_code"] != UNKNOWN_INDUSTRY]
    raw["industry"] = raw["industry_code"].str[:2].astype(int).map(section_of)
    raw["employed"] = raw["employed"].astype(int)
    summed = raw.groupby(["year", "industry", "occupation_code"])["employed"].sum()
    full = pd.MultiIndex.from_product(
        [sorted(raw["year"].astype(int).unique()), INDUSTRIES, MITENNA_OCCUPATIONS],
        names=["year", "industry", "occupation"],
    )
    summed.index = summed.index.set_levels(summed.index.levels[0].astype(int), level=0)
    table = summed.reindex(full, fill_value=0).reset_index()
    return table[["year", "industry", "occupation", "employed"]]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--params", type=Path, default=REPO / "params")
    args = parser.parse_args(argv)
    table = build(args.source)
    path = args.params / "data" / f"{KIND}.csv"
    validate_skills_frame(KIND, table.astype(str), path)
    table.to_csv(path, index=False, lineterminator="\n")
    print(f"wrote {path}: {len(table)} rows, {table.groupby('year')['employed'].sum().to_dict()}")


if __name__ == "__main__":
    main()
