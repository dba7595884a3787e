"""Tests of toolkit.regions: the shipped registry, look-ups, and the validation of registry files."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from toolkit import regions
from toolkit.errors import InputError
from toolkit.io import params as data

REPO = Path(__file__).resolve().parent.parent
BROKEN = Path(__file__).resolve().parent / "data" / "broken"

MAAKUNTA_IDS = [
    "uusimaa", "varsinais-suomi", "satakunta", "kanta-hame", "pirkanmaa", "paijat-hame", "kymenlaakso",
    "etela-karjala", "etela-savo", "pohjois-savo", "pohjois-karjala", "keski-suomi", "etela-pohjanmaa",
    "pohjanmaa", "keski-pohjanmaa", "pohjois-pohjanmaa", "kainuu", "lappi", "ahvenanmaa",
]
AREA_IDS = ["hameenlinna", "seinajoki-ilmajoki", "yla-savo", "raahe"]
FORUM_IDS = {"hameenlinna", "seinajoki-ilmajoki", "yla-savo", "raahe", "etela-savo", "kainuu", "lappi",
             "pirkanmaa", "varsinais-suomi"}
# population on 31 Dec 2021 (sex T) of the four municipal areas, as published for their municipalities
AREA_TOTALS_2021 = {
    "hameenlinna": 67_971,
    "seinajoki-ilmajoki": 64_736 + 12_366,
    "yla-savo": 20_958 + 2_095 + 7_759 + 9_247 + 4_269 + 3_777 + 3_490,
    "raahe": 24_260 + 3_048 + 5_028,
}


@pytest.fixture(autouse=True)
def fresh_caches():
    data.clear_caches()
    regions.clear_caches()
    yield
    data.clear_caches()
    regions.clear_caches()


@pytest.fixture
def params_copy(tmp_path, monkeypatch) -> Path:
    """A params directory with the shipped registry and data, selected by FORUM_PARAMS_DIR."""
    shutil.copy(REPO / "params" / "regions.yaml", tmp_path / "regions.yaml")
    (tmp_path / "data").symlink_to(REPO / "params" / "data", target_is_directory=True)
    monkeypatch.setenv(data.PARAMS_ENV, str(tmp_path))
    return tmp_path


def municipal_population(codes, year: int, sex: str) -> int:
    table = data.load_municipalities()
    rows = table[table["municipality_code"].isin(codes) & (table["year"] == year) & (table["sex"] == sex)]
    return int(rows["population"].sum())


# ------------------------------------------------------------------------------------------ shipped registry


def test_registry_holds_the_19_maakunnat_then_the_four_areas():
    registry = regions.load_regions()
    assert list(registry) == MAAKUNTA_IDS + AREA_IDS
    assert [r.id for r in regions.maakunnat()] == MAAKUNTA_IDS
    assert "SSS" not in {r.code for r in registry.values()}
    codes = [r.code for r in regions.maakunnat()]
    assert codes == [f"MK{i:02d}" for i in range(1, 22) if i not in (3, 20)]


def test_forum_areas():
    assert {r.id for r in regions.forum_regions()} == FORUM_IDS
    assert [r.id for r in regions.forum_regions()][-4:] == AREA_IDS


@pytest.mark.parametrize("region_id", MAAKUNTA_IDS + AREA_IDS)
def test_every_region_resolves_by_id_and_by_code_in_any_case(region_id):
    region = regions.get_region(region_id)
    assert region.id == region_id
    assert regions.get_region(region.code) is region
    assert regions.get_region(region.code.lower()) is region
    assert regions.get_region(region_id.upper()) is region
    assert set(region.name) == {"fi", "sv", "en"} and all(region.name.values())


@pytest.mark.parametrize(("code", "region_id"), [
    ("kainuu", "kainuu"), ("MK18", "kainuu"), ("mk18", "kainuu"), ("KU109", "hameenlinna"),
    ("SK111", "yla-savo"), ("sk174", "raahe"), ("KU743+KU145", "seinajoki-ilmajoki"), ("MK01", "uusimaa"),
])
def test_official_codes(code, region_id):
    assert regions.get_region(code).id == region_id


def test_unknown_region_lists_the_known_ids():
    with pytest.raises(InputError, match="unknown region 'narnia'; known: uusimaa, varsinais-suomi,") as err:
        regions.get_region("narnia")
    assert all(region_id in str(err.value) for region_id in MAAKUNTA_IDS + AREA_IDS)
    with pytest.raises(InputError, match="unknown region 'SSS'"):
        regions.get_region("SSS")


def test_names_in_three_languages():
    assert regions.get_region("hameenlinna").label("sv") == "Tavastehus"
    assert regions.get_region("yla-savo").label("sv") == "Övre Savolax"
    assert "Brahestad" in regions.get_region("raahe").label("sv")
    assert regions.get_region("seinajoki-ilmajoki").label("fi") == "Seinäjoki + Ilmajoki"
    assert regions.get_region("MK02").label("en") == "Southwest Finland"
    assert regions.get_region("MK21").label("sv") == "Åland"
    with pytest.raises(InputError, match="unknown language 'de'; allowed: fi, sv, en"):
        regions.get_region("kainuu").label("de")


def test_municipal_areas_and_their_parents():
    expected = {
        "hameenlinna": ("KU109", "kanta-hame", ("KU109",)),
        "seinajoki-ilmajoki": ("KU743+KU145", "etela-pohjanmaa", ("KU743", "KU145")),
        "yla-savo": ("SK111", "pohjois-savo",
                     ("KU140", "KU239", "KU263", "KU402", "KU595", "KU762", "KU925")),
        "raahe": ("SK174", "pohjois-pohjanmaa", ("KU625", "KU678", "KU748")),
    }
    for region_id, (code, parent, municipalities) in expected.items():
        region = regions.get_region(region_id)
        assert (region.kind, region.code, region.parent, region.municipalities, region.nuts3) == (
            "municipal_area", code, parent, municipalities, None)
        assert set(municipalities) <= set(regions.get_region(parent).municipalities)


def test_subregions_hold_exactly_their_municipalities():
    table = data.load_municipalities()
    for region_id in ("yla-savo", "raahe"):
        region = regions.get_region(region_id)
        members = set(table.loc[table["subregion_code"] == region.code, "municipality_code"])
        assert set(region.municipalities) == members


@pytest.mark.parametrize("region_id", AREA_IDS)
def test_area_municipalities_sum_to_the_published_totals(region_id):
    municipalities = regions.get_region(region_id).municipalities
    total = municipal_population(municipalities, 2021, "T")
    assert total == AREA_TOTALS_2021[region_id]
    by_sex = [municipal_population(municipalities, 2021, sex) for sex in ("F", "M")]
    assert sum(by_sex) == total


@pytest.mark.parametrize("year", [2019, 2020, 2021])
def test_maakunta_municipalities_sum_to_the_regional_population(year):
    population = data.load_population().sel(year=year).sum(["sex", "age"])
    for region in regions.maakunnat():
        published = population.sel(region_code=region.code).item()
        assert municipal_population(region.municipalities, year, "T") == published, region.id


def test_every_municipality_belongs_to_one_maakunta():
    listed = [code for region in regions.maakunnat() for code in region.municipalities]
    assert len(listed) == len(set(listed)) == data.load_municipalities()["municipality_code"].nunique() == 310


# ------------------------------------------------------------------------------------------ selection


def test_resolve_regions_deduplicates_in_given_order():
    resolved = regions.resolve_regions(["lappi", "MK18", "kainuu", "sk111", "Lappi"])
    assert [r.id for r in resolved] == ["lappi", "kainuu", "yla-savo"]


def test_resolve_all_in_registry_order():
    assert [r.id for r in regions.resolve_regions([], all_=True)] == MAAKUNTA_IDS + AREA_IDS


def test_resolve_nothing_or_unknown_is_an_input_error():
    with pytest.raises(InputError, match="no region given"):
        regions.resolve_regions([])
    with pytest.raises(InputError, match="unknown region 'MK03'"):
        regions.resolve_regions(["kainuu", "MK03"])


def test_regions_are_frozen_and_hashable():
    region = regions.get_region("kainuu")
    with pytest.raises(dataclasses.FrozenInstanceError):
        region.code = "MK99"
    assert len({region, regions.get_region("MK18"), regions.get_region("lappi")}) == 2


def test_load_regions_returns_a_fresh_mapping():
    registry = regions.load_regions()
    registry.pop("kainuu")
    assert "kainuu" in regions.load_regions()


# -------------------------------------------------------------------------------- local and broken files


def test_local_registry_adds_areas(params_copy):
    (params_copy / "regions.local.yaml").write_text(
        "regions:\n"
        "- id: kuopio\n  code: KU297\n  kind: municipal_area\n"
        "  name: {fi: Kuopio, sv: Kuopio, en: Kuopio}\n  parent: pohjois-savo\n  municipalities: [KU297]\n"
        "- id: pohjanmaa-coast\n  code: KU499+KU152\n  kind: municipal_area\n"
        "  name: {fi: Mustasaari + Isokyrö, sv: Korsholm + Storkyro, en: Mustasaari + Isokyrö}\n"
        "  municipalities: [KU499, KU152]\n",
        encoding="utf-8")
    registry = regions.load_regions()
    assert list(registry)[-2:] == ["kuopio", "pohjanmaa-coast"]
    kuopio = regions.get_region("ku297")
    assert (kuopio.parent, kuopio.forum, kuopio.nuts3) == ("pohjois-savo", False, None)
    assert regions.get_region("KU499+KU152").parent is None


@pytest.mark.parametrize(("fixture", "message"), [
    ("local_duplicate_code.yaml", "duplicate region code 'mk18'"),
    ("local_duplicate_id.yaml", "duplicate region id 'kainuu'"),
    ("local_unknown_parent.yaml", "parent 'savo' is not a maakunta of the registry; known maakunnat: uus"),
    ("local_unknown_municipality.yaml", "unknown municipality 'KU999'"),
    ("local_wrong_maakunta.yaml", "municipality 'KU109' lies in MK05, not in MK11"),
    ("local_unknown_key.yaml", "unknown key 'population'"),
    ("local_python_tag.yaml", "not valid YAML"),
    ("local_missing_name.yaml", "invalid name"),
])
def test_broken_local_registry_names_file_and_problem(params_copy, fixture, message):
    local = params_copy / "regions.local.yaml"
    shutil.copy(BROKEN / fixture, local)
    with pytest.raises(InputError, match=message) as raised:
        regions.load_regions()
    assert str(local) in str(raised.value)


def test_registry_must_have_a_regions_list(params_copy):
    (params_copy / "regions.yaml").write_text("- id: kainuu\n", encoding="utf-8")
    with pytest.raises(InputError, match="expected one top-level key 'regions'"):
        regions.load_regions()


def test_a_maakunta_may_not_have_a_parent(params_copy):
    path = params_copy / "regions.yaml"
    kainuu = "  name: {fi: Kainuu, sv: Kajanaland, en: Kainuu}\n  parent: "
    text = path.read_text(encoding="utf-8").replace(kainuu + "null", kainuu + "lappi")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="'kainuu': invalid parent of a maakunta 'lappi'; allowed: null"):
        regions.load_regions()
