"""Build ``params/data/official_projection_2024.csv`` from Statistics Finland's 2024 projection.

Reads ``../shared/data/official_projection_2024_region_age_sex_2024_2045.csv`` (source S14 of
``../shared/data/sources.csv``), keeps region × year × sex × single age (0..100, 100 = 100+), writes whole persons
sorted by the keys, validates the result with :func:`toolkit.io.official.validate_official_frame` and writes (or
replaces) its section of ``params/data/SOURCES.md``.

Usage::

    python tools/build_official_projection.py [--source DIR] [--params DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from toolkit.io.official import FILE_NAME, OFFICIAL_PROJECTION_SPEC, validate_official_frame

REPO = Path(__file__).resolve().parent.parent
SOURCE_FILE = "official_projection_2024_region_age_sex_2024_2045.csv"
SECTION = f"## `{FILE_NAME}`"


def build(source: Path) -> pd.DataFrame:
    raw = pd.read_csv(source / SOURCE_FILE)
    if set(raw["source_id"]) != {"S14"}:
        raise SystemExit(f"{SOURCE_FILE}: expected source S14 only, got {sorted(set(raw['source_id']))}")
    if (raw["population"] % 1 != 0).any():
        raise SystemExit(f"{SOURCE_FILE}: the population must be whole persons")
    table = raw[list(OFFICIAL_PROJECTION_SPEC.columns)].astype({"population": "int64"})
    table = table.sort_values(list(OFFICIAL_PROJECTION_SPEC.keys), ignore_index=True)
    validate_official_frame(table, FILE_NAME)
    return table


def sources_section(table: pd.DataFrame) -> str:
    country = table[table.region_code == "SSS"].groupby("year")["population"].sum()
    regions = table[table.region_code != "SSS"].groupby("year")["population"].sum()
    gap = (country - regions).abs()
    return (f"{SECTION}: {OFFICIAL_PROJECTION_SPEC.source}\n\n"
            "* Reference date: 31 December of 2024 ... 2045 (projection published 2024)\n"
            "* Licence: CC BY 4.0\n"
            f"* Credit: \"{OFFICIAL_PROJECTION_SPEC.source}\"\n"
            f"* Read from: `{SOURCE_FILE}`: S14, Statistics Finland population projection 2024 (StatFin 14wx), "
            "municipality figures aggregated to maakunta (2021- division) x single age x sex, by github "
            "PPgp/bayesPopFINdata StatFin_forecast.rds (commit a608130)\n"
            f"* Notes: Single ages 0..100 (100 = 100+), both sexes. Finland {country[2024]:,} (2024), "
            f"{country[2040]:,} (2040), {country[2045]:,} (2045); the published assumption is a net immigration of "
            f"about 40,000 a year. The 19 maakunnat fall short of SSS by {gap.min():,}-{gap.max():,} persons a "
            "year (municipal figures aggregated), so no regional-sum check applies. Built by "
            "`tools/build_official_projection.py`.\n")


def write_sources(path: Path, section: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if SECTION in text:
        start = text.index(SECTION)
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + ("" if end < 0 else text[end:])
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--params", type=Path, default=REPO / "params")
    args = parser.parse_args(argv)
    table = build(args.source)
    target = args.params / "data" / FILE_NAME
    partial = target.with_name(f".{target.name}.partial")
    table.to_csv(partial, index=False)
    partial.replace(target)
    write_sources(args.params / "data" / "SOURCES.md", sources_section(table))
    print(f"wrote {target} ({len(table)} rows) and its SOURCES.md section")


if __name__ == "__main__":
    main()
