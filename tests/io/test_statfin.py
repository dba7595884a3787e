"""Tests of the Statistics Finland PxWeb loader against a loopback server (127.0.0.1 only)."""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from toolkit.errors import DataError, InputError
from toolkit.io.statfin import client, jsonstat, tables
from toolkit.io.statfin import refresh as statfin_refresh
from toolkit.nomenclature import LANGS
from toolkit.regions import get_region, load_regions

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "statfin"
API = "/api/v1"


# --------------------------------------------------------------------------------------------------
# Loopback PxWeb server
# --------------------------------------------------------------------------------------------------

def to_jsonstat(cube: pd.DataFrame, dims: list[str], selection: dict[str, list[str]]) -> dict:
    """JSON-stat 2.0 dataset of the selected cells of `cube` (columns `dims` + value), row-major."""
    codes = [selection[dim] for dim in dims]
    index = pd.MultiIndex.from_tuples(list(itertools.product(*codes)), names=dims)
    values = cube.set_index(dims)["value"].reindex(index)
    return {
        "class": "dataset", "version": "2.0", "updated": "2025-03-28T05:00:00Z",
        "id": dims, "size": [len(c) for c in codes],
        "dimension": {dim: {"category": {"index": c, "label": {k: k for k in c}}}
                      for dim, c in zip(dims, codes, strict=True)},
        "value": [None if np.isnan(v) else float(v) for v in values.to_numpy()],
    }


class FakePxWeb:
    """PxWeb v1 on 127.0.0.1: metadata and folder listings from files, queries answered from cubes.

    `faults` is a list of faults served one per request before normal answers: ``(429, seconds)``,
    ``(500, None)``, ``("truncate", None)`` (a body shorter than its Content-Length), ``(404, None)``.
    """

    def __init__(self):
        self.gets: dict[str, object] = {}
        self.cubes: dict[str, pd.DataFrame] = {}
        self.faults: list[tuple] = []
        self.always_fail: set[str] = set()
        self.log: list[tuple[str, str, dict | None]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{API}"

    def posts(self) -> list[tuple[str, dict]]:
        return [(path, body) for method, path, body in self.log if method == "POST"]

    def _answer(self, method: str, path: str, body: dict | None) -> tuple[int, dict, bytes]:
        self.log.append((method, path, body))
        if self.faults:
            code, arg = self.faults.pop(0)
            if code == "truncate":
                return 200, {"Content-Length": "5000"}, b'{"class": "data'
            return code, ({"Retry-After": str(arg)} if arg is not None else {}), b"{}"
        if any(path.endswith(name) for name in self.always_fail):
            return 500, {}, b"{}"
        if method == "GET":
            return (200, {}, json.dumps(self.gets[path]).encode()) if path in self.gets else (404, {}, b"{}")
        cube = self.cubes[path]
        selection = {q["code"]: q["selection"]["values"] for q in body["query"]}
        dims = [dim for dim in cube.columns if dim != "value"]
        return 200, {}, json.dumps(to_jsonstat(cube, dims, selection)).encode()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, body: dict | None):
                code, headers, payload = fake._answer(self.command, self.path, body)
                self.send_response(code)
                headers.setdefault("Content-Length", str(len(payload)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):  # noqa: N802 (http.server naming)
                self._reply(None)

            def do_POST(self):  # noqa: N802
                length = int(self.headers["Content-Length"])
                self._reply(json.loads(self.rfile.read(length)))

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def server():
    fake = FakePxWeb()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def municipal_cube(meta: dict, value_of) -> pd.DataFrame:
    """Every cell of a table's metadata with value_of(cell dict) as figure (synthetic test values)."""
    codes = {var["code"]: var["values"] for var in meta["variables"]}
    cells = pd.DataFrame(list(itertools.product(*codes.values())), columns=list(codes))
    cells["value"] = [value_of(row) for row in cells.to_dict("records")]
    return cells


def synthetic_population(cell: dict) -> float:
    """Test figure of 11re: depends on area, year, sex and age so that sums are checkable."""
    if "SSS" in (cell["Ikä"], cell["Sukupuoli"]):
        return 0.0  # totals are never asked for
    area = {"SSS": 1000, "KU005": 1, "KU010": 2, "KU109": 5}[cell["Alue"]]
    age = int(cell["Ikä"][:3])
    return float(area * (200 - age) + int(cell["Vuosi"]) % 100 + (cell["Sukupuoli"] == "2"))


def synthetic_migration(cell: dict) -> float:
    """Test figures of 11ae: total net migration, and intermunicipal in- (vm41) and out-migration (vm42)."""
    area = {"SSS": 9000, "KU005": -40, "KU010": -25, "KU109": 310}[cell["Alue"]]
    if cell["Tiedot"] == "vm41":
        return float(1000 + area)
    if cell["Tiedot"] == "vm42":
        return 1000.0 + int(cell["Vuosi"]) % 100
    return float(area + int(cell["Vuosi"]) % 100) if cell["Tiedot"] == "koknetmuutto" else 77.0


def serve_tables(fake: FakePxWeb, population=synthetic_population) -> None:
    for lang in LANGS:
        root = f"{API}/{lang}/StatFin"
        fake.gets[f"{root}/vaerak/11re.px"] = fixture(f"11re_metadata_{lang}.json")
        fake.gets[f"{root}/vaerak"] = fixture("vaerak_folder.json")
        fake.gets[f"{root}/muutl/11ae.px"] = fixture("11ae_metadata_fi.json")
        fake.gets[f"{root}/muutl"] = fixture("muutl_folder.json")
    fake.cubes[f"{API}/fi/StatFin/vaerak/11re.px"] = municipal_cube(fixture("11re_metadata_fi.json"),
                                                                   population)
    fake.cubes[f"{API}/fi/StatFin/muutl/11ae.px"] = municipal_cube(fixture("11ae_metadata_fi.json"),
                                                                  synthetic_migration)


class FakeClock:
    """Clock and sleeper: sleeping advances the clock; every wait is recorded [s]."""

    def __init__(self):
        self.now = 0.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def client_for(fake: FakePxWeb, clock: FakeClock | None = None, cache_dir=None, **options):
    clock = clock or FakeClock()
    opts = client.ClientOptions(clock=clock.clock, sleep=clock.sleep, **{"min_interval": 0.0, **options})
    return client.PxWebClient(fake.base_url, cache_dir=cache_dir, options=opts)


QUERY = {"Alue": ["KU005"], "Ikä": ["000"], "Sukupuoli": ["2"], "Vuosi": ["2010"], "Tiedot": ["vaesto"]}


# --------------------------------------------------------------------------------------------------
# JSON-stat parsing and query building
# --------------------------------------------------------------------------------------------------

def test_jsonstat_sample_parses_in_row_major_order_with_sparse_values_and_status():
    frame = jsonstat.jsonstat_to_frame(fixture("sample_jsonstat2.json"), labels=True)
    assert list(frame.columns) == ["Alue", "Alue_label", "Vuosi", "Vuosi_label", "Sukupuoli",
                                   "Sukupuoli_label", "Tiedot", "Tiedot_label", "value", "status"]
    assert len(frame) == 12
    assert frame["Alue"].tolist() == ["KU005"] * 6 + ["KU109"] * 6  # index object ordered by position
    assert frame["Sukupuoli"].tolist() == ["1", "2"] * 6  # last dimension varies fastest
    assert frame.loc[7, ["Vuosi", "Sukupuoli", "value"]].tolist() == ["2022", "2", 21.0]
    assert np.isnan(frame.loc[9, "value"]) and frame.loc[9, "status"] == ".."  # null with status
    assert np.isnan(frame.loc[10, "value"]) and frame.loc[10, "status"] == "."  # absent from sparse
    assert frame["status"].isna().sum() == 10
    assert frame["Alue_label"].iloc[-1] == "Hämeenlinna"
    assert (frame["Tiedot"] == "vaesto").all()  # single category given only by its label
    assert frame["value"].sum() == pytest.approx(sum([10, 11, 12, 13, 14, 15, 20, 21, 22, 25]))


def test_jsonstat_dense_value_list_and_size_mismatch():
    doc = fixture("sample_jsonstat2.json")
    doc["value"] = list(range(12))
    assert jsonstat.jsonstat_to_frame(doc)["value"].tolist() == list(range(12))
    doc["value"] = list(range(11))
    with pytest.raises(InputError, match="11 cells"):
        jsonstat.jsonstat_to_frame(doc)
    doc["size"] = [2, 3, 2, 2]
    with pytest.raises(InputError, match="Tiedot"):
        jsonstat.jsonstat_to_frame(doc)


def test_build_query_items_and_all():
    query = client.build_query({"Alue": ["KU109", "KU005"], "Vuosi": "all"})
    assert query == {"query": [
        {"code": "Alue", "selection": {"filter": "item", "values": ["KU109", "KU005"]}},
        {"code": "Vuosi", "selection": {"filter": "all", "values": ["*"]}},
    ], "response": {"format": "json-stat2"}}
    with pytest.raises(InputError, match="'Vuosi'"):
        client.build_query({"Vuosi": "top"})


# --------------------------------------------------------------------------------------------------
# Client: politeness, retries, cache
# --------------------------------------------------------------------------------------------------

def test_metadata_reads_variables_labels_and_updated(server):
    serve_tables(server)
    meta = client_for(server).metadata("vaerak/11re.px", "sv")
    assert meta.updated == "2025-03-28T08:00:00"
    assert meta.labels("Alue")["KU109"] == "Tavastehus"
    assert len(meta.values("Ikä")) == 102
    with pytest.raises(InputError, match="no variable 'Kunta'"):
        meta.values("Kunta")


def test_retries_429_with_retry_after_then_500_with_backoff(server):
    serve_tables(server)
    server.faults = [(429, 7), (500, None)]
    clock = FakeClock()
    doc = client_for(server, clock, backoff=0.25).query("vaerak/11re.px", QUERY)
    assert doc["value"] == [synthetic_population({"Alue": "KU005", "Ikä": "000", "Sukupuoli": "2",
                                                  "Vuosi": "2010"})]
    assert clock.waits == [7.0, 0.5]  # Retry-After honoured, then backoff * 2 ** 1
    assert len(server.posts()) == 3


def test_truncated_body_is_retried(server):
    serve_tables(server)
    server.faults = [("truncate", None)]
    frame = jsonstat.jsonstat_to_frame(client_for(server, backoff=0.01).query("vaerak/11re.px", QUERY))
    assert frame["value"].tolist() == [1 * 200 + 10 + 1]
    assert len(server.posts()) == 2


def test_gives_up_after_max_tries_with_exponential_backoff(server):
    server.faults = [(500, None)] * 10
    clock = FakeClock()
    with pytest.raises(InputError, match="failed after 4 tries"):
        client_for(server, clock, max_tries=4, backoff=1.0, max_backoff=3.0).query("vaerak/11re.px", QUERY)
    assert clock.waits == [1.0, 2.0, 3.0]  # doubling, capped at max_backoff
    assert len(server.log) == 4


def test_client_error_is_not_retried(server):
    with pytest.raises(InputError, match="HTTP 404"):
        client_for(server).metadata("vaerak/nosuch.px")
    assert len(server.log) == 1


def test_minimum_interval_between_requests(server):
    serve_tables(server)
    clock = FakeClock()
    client = client_for(server, clock, min_interval=0.4)
    client.query("vaerak/11re.px", QUERY)
    clock.now += 0.1
    client.query("vaerak/11re.px", {**QUERY, "Ikä": ["001"]})
    assert clock.waits == [pytest.approx(0.3)]


def test_unreachable_server_gives_input_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    px = client.PxWebClient(f"http://127.0.0.1:{port}{API}",
                            options=client.ClientOptions(max_tries=2, backoff=0.001, timeout=2))
    with pytest.raises(InputError, match="cannot reach"):  # refused at once: no retry, no wait
        px.metadata("vaerak/11re.px")
    assert px.requests_made == 1


def test_cache_hit_avoids_second_request_and_new_release_refetches(server, tmp_path):
    serve_tables(server)
    first = client_for(server, cache_dir=tmp_path).query("vaerak/11re.px", QUERY, updated="2025-03-28")
    again = client_for(server, cache_dir=tmp_path).query("vaerak/11re.px", QUERY, updated="2025-03-28")
    assert again == first and len(server.posts()) == 1
    client_for(server, cache_dir=tmp_path).query("vaerak/11re.px", QUERY, updated="2026-03-27")
    assert len(server.posts()) == 2


# --------------------------------------------------------------------------------------------------
# Tables → tidy base data
# --------------------------------------------------------------------------------------------------

AREA = tables.Area("KU005+KU010", ("KU005", "KU010"), "municipal_area")


def test_fetch_population_sums_municipalities_in_chunks(server):
    serve_tables(server)
    client = client_for(server, max_cells=250)  # 2 years x 2 sexes x 101 ages = 404 cells per municipality
    frame, provenance = tables.fetch_table(client, "population", [AREA])
    assert list(frame.columns) == ["region_code", "year", "sex", "age", "population"]
    assert len(frame) == 2 * 2 * 101 and frame["year"].unique().tolist() == [2010, 2011]  # 2009 < first_year
    assert len(server.posts()) == 2  # one municipality per query
    row = frame.query("year == 2011 and sex == 'F' and age == 100").iloc[0]
    assert row["population"] == (1 + 2) * (200 - 100) + 2 * (11 + 1)
    assert frame["population"].dtype == np.int64
    assert provenance["table"] == "11re" and provenance["updated"] == "2025-03-28T08:00:00"
    sent = {q["code"]: q["selection"]["values"] for q in server.posts()[0][1]["query"]}
    assert sent["Sukupuoli"] == ["1", "2"] and "SSS" not in sent["Ikä"] and sent["Tiedot"] == ["vaesto"]


def test_fetch_net_migration_picks_the_measure(server):
    serve_tables(server)
    frame, _ = tables.fetch_table(client_for(server), "net_migration_total", [AREA])
    assert frame.to_dict("list") == {"region_code": ["KU005+KU010"] * 2, "year": [1990, 2024],
                                     "net_migration": [-65 + 2 * 90, -65 + 2 * 24]}


def test_missing_municipal_cell_stops_the_sum(server):
    def with_gap(cell):
        return np.nan if (cell["Alue"], cell["Ikä"]) == ("KU010", "050") else synthetic_population(cell)

    serve_tables(server, population=with_gap)
    with pytest.raises(InputError, match="11re.*no figure.*KU010"):
        tables.fetch_table(client_for(server), "population", [AREA])


def test_region_level_table_skips_municipal_areas_without_requests(server):
    frame, provenance = tables.fetch_table(client_for(server), "tfr", [AREA])
    assert frame.empty and provenance["areas"] == [] and server.log == []


def test_period_and_age_codes():
    assert tables._year("2022-2024") == 2024 and tables._year("2023") == 2023
    assert tables._age("100-") == 100 and tables._age("007") == 7
    with pytest.raises(InputError):
        tables._age("SSS")


# --------------------------------------------------------------------------------------------------
# refresh / status on a copy of params/
# --------------------------------------------------------------------------------------------------

@pytest.fixture
def params_copy(tmp_path, monkeypatch):
    from toolkit import regions
    from toolkit.io import params as data

    target = tmp_path / "params"
    shutil.copytree(data.params_dir(), target,
                    ignore=shutil.ignore_patterns("regions.local.yaml", "statfin_refresh.json"))
    monkeypatch.setenv("FORUM_PARAMS_DIR", str(target))
    for module in (data, regions):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
    return target


def snapshot(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def refresh(regions=(), **kwargs):
    """The refresh as the CLI calls it: areas resolved in the registry."""
    return statfin_refresh.refresh(regions=[get_region(name) for name in regions], registry=load_regions(),
                                   **kwargs)


def run_refresh(server, params, tmp_path, **kwargs):
    return refresh(to_dir=params, base_url=server.base_url, cache_dir=tmp_path / "cache",
                   min_interval=0.0, backoff=0.001, **kwargs)


def test_round_trip_of_shipped_population(server, params_copy):
    shipped = pd.read_csv(params_copy / "data" / "population.csv", dtype={"region_code": str, "sex": str})
    rows = shipped[(shipped["region_code"] == "MK18") & shipped["year"].isin([2024, 2025])]
    cube = pd.DataFrame({"Alue": rows["region_code"],
                         "Ikä": rows["age"].map(lambda a: f"{a:03d}" if a < 100 else "100-"),
                         "Sukupuoli": rows["sex"].map({"M": "1", "F": "2"}),
                         "Vuosi": rows["year"].astype(str),
                         "Tiedot": "vaesto", "value": rows["population"].astype(float)})
    meta = fixture("11re_metadata_fi.json")
    meta["variables"][0]["values"], meta["variables"][3]["values"] = ["MK18"], ["2024", "2025"]
    server.gets[f"{API}/fi/StatFin/vaerak/11re.px"] = meta
    server.gets[f"{API}/fi/StatFin/vaerak"] = fixture("vaerak_folder.json")
    server.cubes[f"{API}/fi/StatFin/vaerak/11re.px"] = cube
    kainuu = tables.Area("MK18", ("MK18",), "maakunta")
    frame, _ = tables.fetch_table(client_for(server), "population", [kainuu])
    expected = rows[list(frame.columns)].sort_values(["region_code", "year", "sex", "age"])
    expected = expected.reset_index(drop=True)
    pd.testing.assert_frame_equal(frame, expected, check_dtype=False)


def test_refresh_registry_area_writes_rows_record_and_status(server, params_copy, tmp_path):
    serve_tables(server)
    before = pd.read_csv(params_copy / "data" / "population.csv", dtype={"region_code": str})
    tfr_before = (params_copy / "data" / "tfr.csv").read_bytes()
    report = run_refresh(server, params_copy, tmp_path, municipalities=["KU109"])
    after = pd.read_csv(params_copy / "data" / "population.csv", dtype={"region_code": str})
    ku109 = after[after["region_code"] == "KU109"]
    assert len(ku109) == 2 * 2 * 101
    assert ku109.query("year == 2010 and sex == 'M' and age == 0")["population"].item() == 5 * 200 + 10
    pd.testing.assert_frame_equal(after[after["region_code"] != "KU109"].reset_index(drop=True),
                                  before[before["region_code"] != "KU109"].reset_index(drop=True))
    assert (params_copy / "data" / "tfr.csv").read_bytes() == tfr_before  # 12du is by maakunta only
    assert not (params_copy / "regions.local.yaml").exists()
    record = json.loads((params_copy / "data" / "statfin_refresh.json").read_text())
    assert record["population.csv"]["KU109"]["table"] == "11re"
    assert record["net_migration_total.csv"]["KU109"]["updated"] == "2025-05-20T08:00:00"
    assert "KU109" in report.summary() and "11re" in report.summary()
    rows = statfin_refresh.status(params_copy)
    refreshed = [r for r in rows if r["origin"] == "refreshed"]
    assert {(r["file"], tuple(r["regions"])) for r in refreshed} == {
        ("population.csv", ("KU109",)), ("net_migration_total.csv", ("KU109",)),
        ("municipality_population_2018_2019.csv", ("KU109",)), ("municipality_migration_1990_2017.csv", ("KU109",))}
    shipped = next(r for r in rows if r["file"] == "population.csv" and r["origin"] == "shipped")
    assert "MK18" in shipped["regions"] and "KU109" not in shipped["regions"]


def test_refresh_new_municipality_set_becomes_local_area(server, params_copy, tmp_path):
    serve_tables(server)
    report = run_refresh(server, params_copy, tmp_path, municipalities=["KU005", "ku010"])
    local = yaml.safe_load((params_copy / "regions.local.yaml").read_text(encoding="utf-8"))
    entries = local["regions"] if isinstance(local, dict) else local
    names = {"fi": "Alajärvi + Alavus", "sv": "Alajärvi + Alavo", "en": "Alajärvi + Alavus"}
    assert entries == [{"id": "alajarvi-alavus", "code": "KU005+KU010", "kind": "municipal_area",
                        "nuts3": None, "name": names, "municipalities": ["KU005", "KU010"],
                        "parent": "etela-pohjanmaa", "forum": False}]
    assert report.new_regions == ["alajarvi-alavus"]
    population = pd.read_csv(params_copy / "data" / "population.csv", dtype={"region_code": str})
    area = population[population["region_code"] == "KU005+KU010"]
    assert area.query("year == 2011 and sex == 'F' and age == 0")["population"].item() == 3 * 200 + 2 * 12


def test_refresh_writes_each_municipality_of_an_area_to_the_municipal_files(server, params_copy, tmp_path):
    serve_tables(server)
    types = {"municipality_code": str}
    population_file = params_copy / "data" / "municipality_population_2018_2019.csv"
    migration_file = params_copy / "data" / "municipality_migration_1990_2017.csv"
    shipped, moves_before = pd.read_csv(population_file, dtype=types), pd.read_csv(migration_file, dtype=types)
    run_refresh(server, params_copy, tmp_path, municipalities=["KU005", "KU010"])
    population = pd.read_csv(population_file, dtype=types)
    for code, weight in (("KU005", 1), ("KU010", 2)):  # each municipality's own figures, not the area's sum
        rows = population[population["municipality_code"] == code]
        assert sorted(rows["year"].unique()) == [2010, 2011, 2018, 2019] and len(rows) == 4 * 2 * 101
        assert rows.query("year == 2011 and sex == 'F' and age == 30")["population"].item() == weight * 170 + 12
    others = ~population["municipality_code"].isin(["KU005", "KU010"]) | population["year"].isin([2018, 2019])
    pd.testing.assert_frame_equal(population[others].reset_index(drop=True), shipped.reset_index(drop=True))
    moves = pd.read_csv(migration_file, dtype=types)
    ku010 = moves[moves["municipality_code"] == "KU010"].set_index("year")
    assert list(ku010.index) == list(range(1990, 2018)) + [2024]  # the table's years replace or join the shipped
    assert ku010.loc[2024, ["in_migration", "out_migration", "net_migration"]].tolist() == [975, 1024, -49]
    assert ku010.loc[1990, ["in_migration", "out_migration", "net_migration"]].tolist() == [975, 1090, -115]
    assert len(moves) == len(moves_before) + 2


def test_municipal_migration_needs_both_measures(server, params_copy, tmp_path):
    serve_tables(server)
    meta = fixture("11ae_metadata_fi.json")
    tiedot = meta["variables"][1]
    tiedot["values"], tiedot["valueTexts"] = ["vm01", "koknetmuutto"], ["Elävänä syntyneet", "Kokonaisnettomuutto"]
    server.gets[f"{API}/fi/StatFin/muutl/11ae.px"] = meta
    before = snapshot(params_copy)
    with pytest.raises(InputError, match="11ae: 'Tiedot' has no value 'vm41'"):
        run_refresh(server, params_copy, tmp_path, municipalities=["KU109"])
    assert snapshot(params_copy) == before


def test_failing_server_changes_nothing(server, params_copy, tmp_path):
    serve_tables(server)
    server.always_fail = {"11ae.px"}
    before = snapshot(params_copy)
    with pytest.raises(InputError, match="11ae.px failed after"):
        run_refresh(server, params_copy, tmp_path, municipalities=["KU005", "KU010"], max_tries=2)
    assert snapshot(params_copy) == before  # no file replaced, no temporary file left


def test_invalid_fetched_data_changes_nothing(server, params_copy, tmp_path):
    serve_tables(server, population=lambda cell: -1.0 if cell["Ikä"] == "003" else synthetic_population(cell))
    before = snapshot(params_copy)
    with pytest.raises(DataError, match="population.csv"):
        run_refresh(server, params_copy, tmp_path, municipalities=["KU109"])
    assert snapshot(params_copy) == before


def test_unreachable_refresh_changes_nothing(params_copy, tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    before = snapshot(params_copy)
    with pytest.raises(InputError, match="cannot reach .* nothing was changed"):
        refresh(municipalities=["KU109"], to_dir=params_copy, base_url=f"http://127.0.0.1:{port}",
                         cache_dir=tmp_path / "cache", max_tries=2, backoff=0.001, min_interval=0.0)
    assert snapshot(params_copy) == before


def test_refresh_rejects_bad_arguments(params_copy):
    with pytest.raises(InputError, match="at least one"):
        refresh(to_dir=params_copy)
    with pytest.raises(InputError, match="unknown option"):
        refresh(municipalities=["KU109"], to_dir=params_copy, retries=3)
    with pytest.raises(InputError, match="KUnnn"):
        refresh(municipalities=["Helsinki"], to_dir=params_copy, base_url="http://127.0.0.1:9")


def test_country_is_added_when_every_maakunta_is_refreshed():
    existing = pd.DataFrame({"region_code": ["MK01", "MK02", "SSS"]})
    some = [tables.Area("MK01", ("KU091",), "maakunta")]
    every = [*some, tables.Area("MK02", ("KU853",), "maakunta")]
    assert [a.code for a in statfin_refresh._with_country(some, existing)] == ["MK01"]
    assert [a.code for a in statfin_refresh._with_country(every, existing)] == ["MK01", "MK02", "SSS"]


def test_a_partial_municipal_refresh_leaves_the_municipal_structure_complete(server, params_copy, tmp_path):
    """Years that only the refreshed municipalities have do not enter the municipal model's structure."""
    from toolkit.io import municipal

    serve_tables(server)
    run_refresh(server, params_copy, tmp_path, municipalities=["KU109"])
    municipal.clear_caches()
    try:
        structure = municipal.municipal_population()
        assert list(structure.year.values) == [2018, 2019] and structure.sizes["municipality_code"] == 309
    finally:
        municipal.clear_caches()
