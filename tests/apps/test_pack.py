"""Sections of the forum pack (toolkit.pack) without a kernel: what they show and in which language."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from IPython.display import Markdown

from toolkit.pack import ForumPack
from toolkit.population.project import project_population
from toolkit.regions import maakunnat
from toolkit.text.markup import SafeMarkdown


@pytest.fixture(scope="module")
def packs():
    return {lang: ForumPack("kainuu", ["baseline", "vitality"], lang=lang) for lang in ("fi", "sv")}


def test_what_would_it_take_answers_three_questions_with_figures(packs):
    blocks = packs["fi"].what_would_it_take()
    sentences = [block.data for block in blocks
                 if isinstance(block, Markdown | SafeMarkdown) and block.data.startswith("Kainuu")]
    figures = [block for block in blocks if isinstance(block, go.Figure)]
    assert len(sentences) == 3 and 1 <= len(figures) <= 3
    assert "tarvittaisiin" in sentences[0]
    swedish = [block.data for block in packs["sv"].what_would_it_take() if isinstance(block, Markdown | SafeMarkdown)]
    assert any("skulle det krävas" in text for text in swedish)


def test_what_matters_most_ranks_the_levers(packs):
    blocks = packs["sv"].what_matters_most()
    (chart,) = [block for block in blocks if isinstance(block, go.Figure)]
    shares = [value for trace in chart.data for value in trace.x]
    assert all(0 <= share <= 100 for share in shares) and max(shares) > 30
    assert any("Kajanaland" in block.data for block in blocks if isinstance(block, Markdown | SafeMarkdown))


def test_occupations_section_in_both_languages(packs):
    for lang, word in (("fi", "Ammatit"), ("sv", "Yrken")):
        blocks = packs[lang].occupations()
        assert word in blocks[0].data
        assert sum(isinstance(block, go.Figure) for block in blocks) == 6  # 3 figures + 3 tightness charts


def test_hostile_scenario_names_stay_text(tmp_path):
    text = ("id: hostile\nname: {fi: '<script>alert(1)</script>', sv: b, en: c}\nnarrative: {fi: a, sv: b, en: c}\n"
            "justification: why\n")
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    pack = ForumPack("kainuu", [str(path)], lang="fi")
    table = pack.futures_table()[-1].data
    assert "<script>" not in table and "&lt;script&gt;" in table


def _same(area_run, national_run, region: str) -> None:
    for name in area_run.data_vars:
        expected = national_run[name].sel(region=[region]).values
        assert np.array_equal(area_run[name].values, expected, equal_nan=True), name


def test_the_pack_shows_the_national_runs_numbers_of_its_area(packs):
    """One consistent picture: the pack's area is projected within the national run (migration balanced across
    the maakunnat), deterministic and with draws at the same seed."""
    regions = [r.id for r in maakunnat()][::-1]  # any order of the regions gives the same numbers
    pack = packs["fi"]
    national = project_population(regions, ["baseline", "vitality"], horizon=pack.horizon)
    _same(pack.ds, national, "kainuu")
    assert pack.ds.attrs["national_balance"] == 1
    alone = project_population(["kainuu"], ["baseline"], horizon=2040)  # the area alone is not balanced
    assert float(alone.population.sel(year=2040).sum()) != float(
        national.population.sel(region="kainuu", scenario="baseline", year=2040).sum())
    drawn = ForumPack("kainuu", ["baseline"], horizon=2035, draws=8, seed=7, lang="en")
    national = project_population(regions, ["baseline"], horizon=2035, draws=8, seed=7, jobs=1)
    _same(drawn.bands, national, "kainuu")


def test_a_municipality_has_the_same_reconciled_numbers_in_any_national_run():
    """A municipal area's numbers come from the reconciled municipal run: the same alone, in the national run and
    beside other municipalities."""
    regions = [r.id for r in maakunnat()][::-1]
    alone = project_population(["kajaani"], ["baseline"], horizon=2030, national=True)
    together = project_population(["sotkamo", "kajaani", *regions], ["baseline"], horizon=2030)
    _same(alone, together, "kajaani")


def test_the_official_projection_column_names_its_year_only_where_it_has_figures():
    """A region's column reads "(2045)", the official projection's last year; a municipal area has no official
    figure in the shipped data, so its column names no year (before: "(2050)" above a row of dashes)."""
    region = ForumPack("kainuu", ["baseline"], lang="fi").futures_table()[-1].data
    municipal = ForumPack("kajaani", ["baseline"], lang="fi").futures_table()[-1].data
    assert "Tilastokeskus 2024 (2045)" in region and "61\xa0219" in region
    assert "Tilastokeskus 2024</th>" in municipal and "Tilastokeskus 2024 (" not in municipal
