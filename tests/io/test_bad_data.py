"""Broken and implausible base data: generated mutations of the shipped files, each a clean refusal by `forum`."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.badinputs import assert_refused, params_copy, replace_data
from toolkit.io.params import clear_caches, params_dir

SHIPPED = params_dir() / "data"


def _shipped(kind: str) -> pd.DataFrame:
    return pd.read_csv(SHIPPED / f"{kind}.csv")


def _rows(frame, **where):
    mask = np.ones(len(frame), dtype=bool)
    for column, value in where.items():
        mask &= (frame[column] == value).to_numpy()
    return mask


def _scale_cell(kind, column, factor, **where):
    """Multiply one cell of an area by ``factor`` and add the difference to the country (regions still sum)."""
    def mutate(frame):
        area, country = _rows(frame, **where), _rows(frame, **{**where, "region_code": "SSS"})
        difference = frame.loc[area, column].to_numpy() * (factor - 1)
        frame.loc[area, column] += difference
        frame.loc[country, column] += difference
        return frame
    return kind, mutate


def _add(kind, column, amount, **where):
    """Add ``amount`` to an area's cell and to the country's (regional sums kept)."""
    def mutate(frame):
        for code in (where["region_code"], "SSS"):
            frame.loc[_rows(frame, **{**where, "region_code": code}), column] += amount
        return frame
    return kind, mutate


def _set(kind, column, value, **where):
    def mutate(frame):
        frame.loc[_rows(frame, **where), column] = value
        return frame
    return kind, mutate


# case -> ((file kind, mutation of its table), words of the message)
MUTATIONS = {
    "population-cell-times-1000": (_scale_cell("population", "population", 1000, year=2020, sex="F", age=30,
                                               region_code="MK18"), ["population.csv", "cohort aged", "0.25..4"]),
    "population-1e15-persons": (_add("population", "population", 10**15, year=2024, sex="M", age=40,
                                     region_code="MK18"), ["population.csv", "0 to 500000"]),
    "population-newborns-times-100": (_scale_cell("population", "population", 100, year=2025, sex="F", age=0,
                                                  region_code="MK18"), ["population.csv", "changes by", "10 %"]),
    "population-regions-off-by-one": (_set("population", "population", 0, region_code="MK18", year=2020, sex="F",
                                           age=50), ["population.csv", "regions sum to", "SSS"]),
    "population-negative": (_set("population", "population", -5, region_code="MK18", year=2020, sex="F", age=50),
                            ["population.csv", "negative count -5", "0 to 500000"]),
    "migration-total-9e8": (_set("net_migration_total", "net_migration", 900_000_000, region_code="MK18",
                                 year=2020), ["net_migration_total.csv", "-1e+06 to 1e+06"]),
    "migration-total-not-age5": (_add("net_migration_total", "net_migration", 5000, region_code="MK18", year=2020),
                                 ["net_migration_age5.csv", "5-year groups", "must be equal"]),
    "migration-age5-regions-off": (_set("net_migration_age5", "net_migration", 99_999, region_code="MK18",
                                        year=2020, sex="F", age_start=20), ["net_migration_age5.csv",
                                                                            "regions sum to"]),
    "qx-one-everywhere": (_set("qx_national", "qx", 1.0), ["qx_national.csv", "must be below 1"]),
    "qx-one-at-age-50": (_set("qx_national", "qx", 1.0, age=50), ["qx_national.csv", "must be below 1"]),
    "qx-all-zero": (_set("qx_national", "qx", 0.0), ["qx_national.csv", "all values are zero"]),
    "qx-all-zero-one-year": (_set("qx_national", "qx", 0.0, year=2020, sex="M"), ["qx_national.csv", "year=2020"]),
    "asfr-all-zero": (_set("asfr_national", "asfr", 0.0), ["asfr_national.csv", "all values are zero"]),
    "asfr-all-zero-one-year": (_set("asfr_national", "asfr", 0.0, year=2024), ["asfr_national.csv", "year=2024"]),
    "mx-all-zero": (_set("mx_national_wpp", "mx", 0.0), ["mx_national_wpp.csv", "all values are zero"]),
    "tfr-implausible": (_set("tfr", "tfr", 9.0, region_code="MK18", year=2020), ["tfr.csv", "0.3 to 5"]),
    "e0-implausible": (_set("life_expectancy", "e0", 130.0, region_code="MK18"), ["life_expectancy.csv",
                                                                                   "40 to 100"]),
}


def _project(out: Path) -> list:
    return ["project", "--region", "kainuu", "--scenario", "baseline", "--horizon", 2027, "--out", out / "run.csv"]


@pytest.mark.parametrize("case", list(MUTATIONS))
def test_implausible_data_is_refused(capsys, tmp_path, monkeypatch, case):
    (kind, mutate), words = MUTATIONS[case]
    folder = params_copy(tmp_path, monkeypatch)
    replace_data(folder, kind, mutate(_shipped(kind)))
    out = tmp_path / "out"
    out.mkdir()
    try:
        assert_refused(capsys, _project(out), *words, watch=(out, folder))
    finally:
        clear_caches()


def test_migration_share_of_the_population_is_bounded(capsys, tmp_path, monkeypatch):
    """Net migration of 30 % of an area's population in a year, consistent in both files and with SSS."""
    folder = params_copy(tmp_path, monkeypatch)
    amount = 25_000
    for kind, where in (("net_migration_total", {}), ("net_migration_age5", {"sex": "F", "age_start": 20})):
        _, mutate = _add(kind, "net_migration", amount, region_code="MK18", year=2020, **where)
        replace_data(folder, kind, mutate(_shipped(kind)))
    out = tmp_path / "out"
    out.mkdir()
    try:
        assert_refused(capsys, _project(out), "net_migration_total.csv", "MK18 in 2020", "at most 10 %",
                       watch=(out, folder))
    finally:
        clear_caches()


BROKEN_FILES = {
    "zero-bytes": lambda path: path.write_bytes(b""),
    "directory": lambda path: path.mkdir(),
    "header-only": lambda path: path.write_text("region_code,year,sex,age,population\n"),
    "binary": lambda path: path.write_bytes(bytes(range(256)) * 8),
}


@pytest.mark.parametrize("case", list(BROKEN_FILES))
def test_broken_population_file_is_a_data_error(capsys, tmp_path, monkeypatch, case):
    folder = params_copy(tmp_path, monkeypatch)
    path = folder / "data" / "population.csv"
    path.unlink()
    BROKEN_FILES[case](path)
    out = tmp_path / "out"
    out.mkdir()
    try:
        assert_refused(capsys, _project(out), "population.csv", watch=(out,))
    finally:
        clear_caches()


@pytest.mark.parametrize("keep", [0, 1, 30, 100, 0.5, 0.9, -1])
def test_truncated_cache_file_only_makes_the_run_slower(tmp_path, monkeypatch, keep):
    from toolkit.io.cache import disk_cached

    monkeypatch.setenv("FORUM_CACHE_DIR", str(tmp_path))
    calls = []

    def compute():
        calls.append(1)
        return {"a": np.arange(1000.0), "b": np.ones((10, 10))}

    first = disk_cached("trend", "key", compute)
    (stored,) = tmp_path.glob("trend-*.npz")
    data = stored.read_bytes()
    cut = int(len(data) * keep) if isinstance(keep, float) else (len(data) - 1 if keep == -1 else keep)
    stored.write_bytes(data[:cut])
    again = disk_cached("trend", "key", compute)
    assert len(calls) == 2 and np.array_equal(again["a"], first["a"])
    assert [p.name for p in tmp_path.iterdir()] == [stored.name]  # rewritten whole, no partial file
    assert disk_cached("trend", "key", compute)["b"].shape == (10, 10) and len(calls) == 2


@pytest.mark.parametrize("value", ["", "  ", "fc"])
def test_an_empty_or_relative_cache_variable_never_fills_the_working_folder(tmp_path, monkeypatch, value):
    from toolkit.io.cache import cache_dir, cache_environment, disk_cached

    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("FORUM_CACHE_DIR", value)
    disk_cached("trend", "key", lambda: {"a": np.arange(3.0)})
    expected = work / "fc" if value == "fc" else tmp_path / "xdg" / "futures-forum" / "trends"
    assert cache_dir() == expected and len(list(expected.glob("trend-*.npz"))) == 1
    assert [p.name for p in work.iterdir()] == (["fc"] if value == "fc" else [])
    # a kernel started in another folder is handed the same, absolute folder
    assert cache_environment() == {"FORUM_CACHE_DIR": str(expected)}
    handed = cache_environment()["FORUM_CACHE_DIR"]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORUM_CACHE_DIR", handed)
    assert cache_dir() == expected


def test_the_repository_tracks_no_cache_files():
    import subprocess

    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(["git", "ls-files", "*.npz"], cwd=root, capture_output=True, text=True,
                             check=True).stdout.split()
    assert tracked == []


def test_compiled_kernels_are_cached_per_version_of_their_sources(tmp_path):
    """numba keys a cached kernel by its own file; the ensemble's year loop compiles the engine step and the
    quantile selection of two other files into itself. Its cache folder is named by the three sources, so an edit of
    any of them compiles anew instead of running a stale kernel, and nothing is cached in the work tree."""
    import numba

    from toolkit.io.cache import cache_dir, kernel_cache_dir
    from toolkit.population import compiled, ensemble

    folder = kernel_cache_dir(compiled.SOURCES, numba.__version__)
    assert folder.parent == cache_dir() / "numba"
    if not os.environ.get("NUMBA_CACHE_DIR", "").strip():
        assert Path(ensemble._advance_quantiles._cache._cache_path).parent == folder
    copies = []
    for source in compiled.SOURCES:
        copy = tmp_path / source.name
        copy.write_bytes(source.read_bytes())
        copies.append(copy)
    assert kernel_cache_dir(copies, numba.__version__) == folder
    copies[1].write_bytes(copies[1].read_bytes() + b"\n# a changed selection\n")
    assert kernel_cache_dir(copies, numba.__version__) != folder
    assert kernel_cache_dir(compiled.SOURCES, "0.0") != folder
