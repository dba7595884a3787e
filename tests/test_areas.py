"""Built-in municipalities and subregions (2021 division), areas of any municipalities, municipal data checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import xarray as xr

from toolkit import regions
from toolkit.cli import main
from toolkit.errors import InputError
from toolkit.io import municipal
from toolkit.io import params as data

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def params_copy(tmp_path, monkeypatch) -> Path:
    """A params directory with the shipped registry, data and areas, selected by FORUM_PARAMS_DIR."""
    shutil.copy(REPO / "params" / "regions.yaml", tmp_path / "regions.yaml")
    (tmp_path / "data").symlink_to(REPO / "params" / "data", target_is_directory=True)
    shutil.copytree(REPO / "params" / "areas", tmp_path / "areas")
    monkeypatch.setenv(data.PARAMS_ENV, str(tmp_path))
    regions.clear_caches()
    yield tmp_path
    regions.clear_caches()


def test_levels_hold_every_municipality_once():
    municipalities = regions.areas("municipality")
    assert len(municipalities) == 309
    assert len({m.id for m in municipalities}) == len({m.code for m in municipalities}) == 309
    assert {m.code for m in municipalities} == set(municipal.municipality_key().index)
    assert "KU099" not in {m.code for m in municipalities} and "KU911" not in {m.code for m in municipalities}
    maakunnat = regions.areas("region")
    assert [r.code for r in maakunnat] == [r.code for r in regions.maakunnat()]
    by_region = {code for r in maakunnat for code in r.municipalities} - set(municipal.MERGERS)
    assert by_region == {m.code for m in municipalities}
    subregions = regions.areas("subregion")
    assert len(subregions) == 69
    members = [code for s in subregions for code in s.municipalities]
    assert sorted(members) == sorted(m.code for m in municipalities)
    for s in subregions:  # every subregion lies in its parent maakunta
        assert set(s.municipalities) <= set(regions.get_region(s.parent).municipalities), s.id


@pytest.mark.parametrize(("name", "area_id", "code"), [
    ("KU205", "kajaani", "KU205"), ("kajaani", "kajaani", "KU205"), ("Mäntyharju", "mantyharju", "KU507"),
    ("KU109", "hameenlinna", "KU109"), ("Hämeenlinna", "hameenlinna", "KU109"), ("KU678", "raahe-ku678", "KU678"),
    ("Raahe", "raahe", "SK174"), ("SK111", "yla-savo", "SK111"), ("sk181", "kehys-kainuu-seutukunta", "SK181"),
    ("MK18", "kainuu", "MK18"), ("Kajaani+Sotkamo", "kajaani-sotkamo", "KU205+KU765"),
    ("KU765 + KU205", "kajaani-sotkamo", "KU205+KU765"), ("Ilmajoki+Seinäjoki", "seinajoki-ilmajoki", "KU743+KU145"),
    ("Kajaani+Kuopio", "ku205-ku297", "KU205+KU297"), ("ku205-ku297", "ku205-ku297", "KU205+KU297"),
])
def test_any_area_resolves(name, area_id, code):
    area = regions.get_region(name)
    assert (area.id, area.code) == (area_id, code)
    assert regions.get_region(area.id) == area  # an id names the same area again (packs and the explorer pass ids)


def test_joined_area_names_parent_and_levels():
    area = regions.get_region("Kajaani+Kuopio")
    assert area.municipalities == ("KU205", "KU297")
    assert area.name == {"fi": "Kajaani + Kuopio", "sv": "Kajana + Kuopio", "en": "Kajaani + Kuopio"}
    assert area.parent == "pohjois-savo"  # the maakunta of the larger municipality
    assert regions.get_region("KU205").level == "municipality" and regions.get_region("SK181").level == "subregion"
    assert regions.get_region("SK181").label("sv") == "Kehys-Kainuu (ekonomisk region)"
    # a municipality's Swedish name finds it, and names it in a Swedish pack
    assert regions.get_region("Helsingfors") == regions.get_region("KU091")
    assert regions.get_region("Tavastehus").id == "hameenlinna"
    assert regions.get_region("s:t karins").code == "KU202"
    assert [regions.get_region(code).label("sv") for code in ("KU853", "KU145", "KU478", "KU599")] == [
        "Åbo", "Ilmola", "Mariehamn", "Pedersöre"]
    assert regions.get_region("KU478").label("fi") == "Maarianhamina - Mariehamn"
    shipped = regions.get_region("kajaani-sotkamo")
    assert shipped.label("sv") == "Kajana och Sotkamo" and shipped in regions.areas("area")


@pytest.mark.parametrize(("name", "message"), [
    ("Kajaani+Atlantis", "'Atlantis' is unknown"),
    ("MK18+KU205", "'MK18' is a maakunta"),
    ("KU099", "unknown region 'KU099'"),
])
def test_bad_areas_are_input_errors(name, message):
    with pytest.raises(InputError, match=message):
        regions.get_region(name)


def test_area_file_is_checked(params_copy):
    (params_copy / "areas" / "bad.yaml").write_text("name: {fi: A, sv: A, en: A}\nmunicipalities: [KU205, KU999]\n")
    with pytest.raises(InputError, match="bad.yaml: municipalities: 'KU999' is unknown"):
        regions.get_region("kainuu")
    (params_copy / "areas" / "bad.yaml").write_text("name: {fi: A, en: A}\nmunicipalities: [KU205]\n")
    regions.clear_caches()
    with pytest.raises(InputError, match="bad.yaml: invalid name"):
        regions.areas("area")
    (params_copy / "areas" / "bad.yaml").write_text("name: {fi: A, sv: B, en: C}\nmunicipalities: [Kajaani, SK181]\n")
    regions.clear_caches()
    area = regions.get_region("bad")
    assert area.municipalities[0] == "KU205"
    assert len(area.municipalities) == 1 + len(regions.get_region("SK181").municipalities)


def test_cli_lists_levels(capsys):
    assert main(["regions", "--level", "municipality"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if " KU" in line]
    assert len(lines) == 309 and any("kajaani" in line and "KU205" in line for line in lines)
    assert main(["regions", "--level", "subregion", "--lang", "sv"]) == 0
    out = capsys.readouterr().out
    assert "Kehys-Kainuu (ekonomisk region)" in out and "Övre Savolax" in out  # none shipped; the registry's own
    # named after municipalities: their Swedish names
    assert "Helsingfors (ekonomisk region)" in out and "Raseborg (ekonomisk region)" in out
    assert "Kotka-Fredrikshamn (ekonomisk region)" in out and "Kemi-Torneå (ekonomisk region)" in out
    assert regions.get_region("SK082").label("fi") == "Kotka-Hamina (seutukunta)"


# ------------------------------------------------------------------------------------------ municipal data


def test_merger_list_holds_on_the_data():
    assert municipal.check_mergers() == []
    population = municipal.municipal_population()
    assert population.sizes["municipality_code"] == 309
    assert float(population.sel(year=2019).sum()) == 5_525_292  # Finland on 31 Dec 2019
    nurmes = population.sel(municipality_code="KU541").sum(["sex", "age"])
    assert float(nurmes.sel(year=2018)) == 7_641 + 2_143  # Nurmes + Valtimo, 31 Dec 2018


def test_validator_catches_the_known_errors_and_passes_the_harmonised_totals():
    flagged = municipal.implausible_changes(data.load_municipalities())
    assert sorted(zip(flagged["municipality_code"], flagged["year"], strict=True)) == [("KU214", 2020), ("KU507", 2021)]
    combined = municipal.harmonised_series()
    assert municipal.implausible_changes(combined).empty
    assert combined["municipality_code"].nunique() == 309 and sorted(combined["year"].unique()) == [2018, 2019, 2020,
                                                                                                     2021]
    municipal.check_totals()
    unrepaired = municipal.harmonised_totals(repair=False)
    assert municipal.implausible_changes(unrepaired)[["municipality_code", "year"]].values.tolist() == [["KU507", 2021]]
    totals = municipal.harmonised_totals()
    repaired = totals[totals["repaired"] & (totals["sex"] == "T")].set_index("municipality_code")["population"]
    assert repaired["KU507"] + repaired["KU588"] == 7_279 and 5_500 < repaired["KU507"] < 5_700


def test_cli_projects_an_area_given_on_the_command_line(tmp_path, capsys):
    out = tmp_path / "area.nc"
    assert main(["project", "--area", "Kajaani+Sotkamo", "--area", "KU205", "--scenario", "baseline",
                 "--horizon", "2027", "--out", str(out)]) == 0
    with xr.open_dataset(out) as ds:
        assert ds.region.values.tolist() == ["kajaani-sotkamo", "kajaani"]
        total = ds.population.sel(scenario="baseline").sum(["sex", "age"])
        assert float(total.sel(region="kajaani-sotkamo", year=2027)) > float(total.sel(region="kajaani", year=2027))
    bad = ["project", "--area", "Kajaani+Atlantis", "--scenario", "baseline", "--out", str(tmp_path / "x.nc")]
    assert main(bad) == 2
    assert "'Atlantis' is unknown" in capsys.readouterr().err


def test_every_built_in_area_draws_from_a_random_stream_of_its_own():
    """Areas outside the registry get hashed stream numbers: two of the 397 built-in areas sharing one would
    draw identical innovations (perfectly correlated bands), so their numbers must all differ."""
    from toolkit.population.project import _stream_index

    registry = list(regions.load_regions())
    ids = [area.id for level in ("region", "subregion", "municipality") for area in regions.areas(level)]
    streams = [_stream_index(area, registry) for area in ids]
    assert len(ids) == 19 + 69 + 309 and len(set(streams)) == len(ids)
