"""`forum data refresh|status` end to end against a loopback PxWeb server, and a refreshed area projected."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.io.test_statfin import API, fixture, municipal_cube, params_copy, serve_tables, server, snapshot  # noqa: F401
from toolkit.cli import main
from toolkit.io import params as data


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _clear_caches():
    from toolkit import regions

    data.clear_caches()
    regions.clear_caches()


def test_cli_refresh_end_to_end(server, params_copy, capsys):  # noqa: F811
    serve_tables(server)
    code = main(["data", "refresh", "--municipality", "KU109", "--to", str(params_copy), "--base-url",
                 server.base_url])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "KU109" in out
    population = pd.read_csv(params_copy / "data" / "population.csv", dtype={"region_code": str})
    assert (population["region_code"] == "KU109").sum() == 2 * 2 * 101
    _clear_caches()
    assert main(["data", "status"]) == 0
    assert "refreshed" in capsys.readouterr().out


def test_cli_refresh_offline_exits_2_and_changes_nothing(params_copy, capsys):  # noqa: F811
    before = snapshot(params_copy)
    code = main(["data", "refresh", "--municipality", "KU109", "--to", str(params_copy), "--base-url",
                 "http://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("forum: error: ") and "Traceback" not in err
    assert snapshot(params_copy) == before


def _realistic_population(cell: dict) -> float:
    """A plausible age profile for a town of ~65,000 (1,000 to 300 persons per age and sex)."""
    if "SSS" in (cell["Ikä"], cell["Sukupuoli"]):
        return 0.0
    age = int(cell["Ikä"][:3])
    base = {"SSS": 70_000.0, "KU005": 60.0, "KU010": 90.0, "KU109": 400.0}[cell["Alue"]]
    return float(round(base * np.exp(-max(age - 60, 0) / 12.0)))


def test_a_refreshed_area_is_projected_from_its_own_data(server, params_copy):  # noqa: F811
    years = [str(y) for y in range(2015, 2026)]
    for lang in ("fi", "sv", "en"):
        meta = fixture(f"11re_metadata_{lang}.json")
        next(v for v in meta["variables"] if v["code"] == "Vuosi")["values"] = years
        server.gets[f"{API}/{lang}/StatFin/vaerak/11re.px"] = meta
    serve_tables(server)
    meta = fixture("11re_metadata_fi.json")
    next(v for v in meta["variables"] if v["code"] == "Vuosi")["values"] = years
    for lang in ("fi", "sv", "en"):
        server.gets[f"{API}/{lang}/StatFin/vaerak/11re.px"] = meta
    server.cubes[f"{API}/fi/StatFin/vaerak/11re.px"] = municipal_cube(meta, _realistic_population)
    assert main(["data", "refresh", "--municipality", "KU109", "--to", str(params_copy), "--base-url",
                 server.base_url]) == 0
    _clear_caches()
    from toolkit.population.project import project_population

    ds = project_population("hameenlinna", "baseline", horizon=2030)
    assert json.loads(ds.attrs["estimated_regions"]) == []
    assert "population from Statistics Finland" in json.loads(ds.attrs["estimation_notes"])[0]
    base = ds.population.sel(region="hameenlinna", scenario="baseline", year=2025)
    assert float(base.sel(sex="F", age=0)) == 400.0 and float(base.sel(sex="M", age=80)) == round(
        400 * np.exp(-20 / 12))
    _clear_caches()
