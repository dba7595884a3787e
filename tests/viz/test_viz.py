"""Tests of toolkit.viz on tiny synthetic runs: structure, labels, number format, validity."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from tests.synthetic import (
    INDUSTRIES,
    SCENARIOS,
    observed_history,
    population_run,
    scenario_meta,
    skills_run,
)
from toolkit.errors import InputError
from toolkit.indicators import population_measure
from toolkit.nomenclature import LANGS
from toolkit.text import catalogue, number, t
from toolkit.viz import (
    area_comparison,
    cohort_chart,
    dependency_ratio_chart,
    fan_chart,
    futures_cone,
    job_openings_chart,
    labour_balance_chart,
    openings_flow,
    pyramid,
    scenario_card,
)
from toolkit.viz.theme import OKABE_ITO, TEMPLATE, TEMPLATE_LAYOUT, TEMPLATE_TRACES, new_figure, rgba, series_colour

N_SCENARIOS = len(SCENARIOS)
N_YEARS = 6


@pytest.fixture(scope="module")
def runs():
    return {
        "deterministic": population_run(),
        "draws": population_run(draws=30),
        "quantiles": population_run(draws=30, quantiles=True),
    }


@pytest.fixture(scope="module")
def skills():
    return skills_run()


def population_figures(ds, lang):
    """Every population figure of one run, keyed by function name."""
    meta = scenario_meta()
    observed = observed_history()
    return {
        "pyramid": pyramid(ds, "alpha", "vitality", lang=lang, meta=meta),
        "pyramid_widget": pyramid(ds, "alpha", "vitality", lang=lang, frames=False),
        "fan_chart": fan_chart(ds, "alpha", "15-64", observed=observed, lang=lang, meta=meta),
        "futures_cone": futures_cone(ds, "alpha", "total", observed=observed, lang=lang),
        "dependency_ratio_chart": dependency_ratio_chart(ds, "alpha", lang=lang, meta=meta),
        "cohort_chart": cohort_chart(ds, "beta", lang=lang, meta=meta),
        "scenario_card": scenario_card(ds, "alpha", "vitality", meta, lang=lang),
        "area_comparison": area_comparison(ds, "old_age_dependency", 2030, lang=lang, meta=meta),
    }


def skills_figures(skills, lang):
    return {
        "job_openings_chart": job_openings_chart(skills, "alpha", "vitality", lang=lang),
        "labour_balance_chart": labour_balance_chart(skills, "alpha", lang=lang),
        "openings_flow": openings_flow(skills, "beta", "decline", (2026, 2030), lang=lang),
    }


def plotted_arrays(fig):
    """Every numeric array a figure plots: trace x/y/values/link values, frames included."""
    traces = list(fig.data) + [trace for frame in fig.frames for trace in frame.data]
    arrays = []
    for trace in traces:
        for name in ("x", "y", "customdata"):
            value = getattr(trace, name, None)
            if value is not None and np.asarray(value).dtype.kind in "fiu":
                arrays.append(np.asarray(value, dtype=float))
        if isinstance(trace, go.Sankey):
            arrays.append(np.asarray(trace.link.value, dtype=float))
    return arrays


# --- i18n and theme ------------------------------------------------------------------------------


def test_every_label_has_three_languages():
    for key, texts in catalogue().items():
        assert set(texts) == set(LANGS), key
        assert all(texts[lang].strip() for lang in LANGS), key


def test_unknown_language_lists_the_allowed_ones():
    with pytest.raises(InputError, match="fi, sv, en"):
        t("age", "de")
    with pytest.raises(InputError, match="fi, sv, en"):
        pyramid(population_run(), "alpha", "baseline", lang="no")


def test_format_number_finnish_swedish_english():
    assert number(1234567.891, "fi", 2) == "1\u00a0234\u00a0567,89"
    assert number(1234567.891, "sv", 1) == "1\u00a0234\u00a0567,9"
    assert number(1234567.891, "en", 1) == "1,234,567.9"
    assert number(-5.25, "fi", 1) == "\u22125,2"
    assert number(-0.01, "fi", 0) == "0"
    with pytest.raises(InputError, match="not finite"):
        number(float("nan"), "fi")


def test_palette_is_okabe_ito():
    assert series_colour(0) == OKABE_ITO["blue"]
    assert series_colour(7) == series_colour(0)
    assert rgba("#0072B2", 0.5) == "rgba(0,114,178,0.5)"


def test_the_template_is_simple_white_cut_to_what_the_figures_use(runs, skills):
    import plotly.io as pio

    full = pio.templates["simple_white"].to_plotly_json()
    lean = TEMPLATE.to_plotly_json()
    assert set(lean["layout"]) == set(TEMPLATE_LAYOUT) and set(lean["data"]) == set(TEMPLATE_TRACES)
    for key in TEMPLATE_LAYOUT:
        expected = full["layout"][key]
        if key in ("xaxis", "yaxis"):
            expected = {**expected, "ticklabeloverflow": "allow"}
        assert lean["layout"][key] == expected, key
    assert len(json.dumps(lean)) < len(json.dumps(full)) / 3
    assert new_figure().layout.template.layout.colorway == tuple(full["layout"]["colorway"])  # not plotly's default
    figures = {**population_figures(runs["draws"], "fi"), **skills_figures(skills, "fi")}
    for name, fig in figures.items():  # every trace type drawn is styled by the template or needs no style
        assert {trace.type for trace in fig.data} <= set(TEMPLATE_TRACES) | {"sankey"}, name
        assert fig.layout.template.to_plotly_json() == lean, name


# --- every figure --------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["deterministic", "draws", "quantiles"])
def test_population_figures_are_valid_and_complete(runs, layout):
    for name, fig in population_figures(runs[layout], "fi").items():
        assert isinstance(fig, go.Figure), name
        assert fig.layout.separators == ", ", name
        for array in plotted_arrays(fig):
            assert np.isfinite(array).all(), name
        html = fig.to_html(include_plotlyjs=True, full_html=True)
        assert "plotly" in html and len(html) > 1_000_000, name
        go.Figure(json.loads(fig.to_json()))


def test_skills_figures_are_valid_and_complete(skills):
    for name, fig in skills_figures(skills, "en").items():
        assert fig.layout.separators == ".,", name
        for array in plotted_arrays(fig):
            assert np.isfinite(array).all(), name
        assert "plotly" in fig.to_html(include_plotlyjs=True)


def test_titles_and_axes_differ_between_languages(runs, skills):
    texts = {}
    for lang in LANGS:
        figures = {**population_figures(runs["deterministic"], lang), **skills_figures(skills, lang)}
        texts[lang] = {
            name: (fig.layout.title.text, fig.layout.xaxis.title.text, fig.layout.yaxis.title.text)
            for name, fig in figures.items()
        }
    for name in texts["fi"]:
        assert texts["fi"][name][0] != texts["sv"][name][0] != texts["en"][name][0], name
    # a year axis has no title (its ticks are years; the legend stands below it), numbers on it are plain years
    assert texts["fi"]["fan_chart"][1:] == (None, "Työikäiset 15–64")
    assert texts["sv"]["fan_chart"][1:] == (None, "I arbetsför ålder 15–64")
    assert texts["en"]["fan_chart"][1:] == (None, "Working age 15–64")
    assert texts["sv"]["pyramid"][1:] == ("Personer", "Ålder")
    fan = population_figures(runs["deterministic"], "sv")["fan_chart"]
    assert fan.layout.xaxis.tickformat == "d" and fan.layout.yaxis.separatethousands  # "2030", "80 000"
    assert fan.layout.yaxis.exponentformat == "none"  # never "80k"


def test_figures_work_as_widgets(runs, skills):
    pytest.importorskip("anywidget", reason="go.FigureWidget needs anywidget")
    figures = {**population_figures(runs["draws"], "fi"), **skills_figures(skills, "fi")}
    for name, fig in figures.items():
        if name != "pyramid":
            go.FigureWidget(fig)
    with pytest.raises(ValueError, match="Frames are not supported"):
        go.FigureWidget(figures["pyramid"])


# --- pyramid -------------------------------------------------------------------------------------


def test_pyramid_traces_frames_and_slider(runs):
    ds = runs["deterministic"]
    fig = pyramid(ds, "alpha", "vitality", lang="fi")
    assert len(fig.data) == 2 * N_SCENARIOS + 2
    assert len(fig.frames) == N_YEARS
    assert [frame.name for frame in fig.frames] == [str(year) for year in range(2025, 2031)]
    assert [step.label for step in fig.layout.sliders[0].steps] == [frame.name for frame in fig.frames]
    visible = [trace.visible for trace in fig.data]
    assert visible[: 2 * N_SCENARIOS] == [name == "vitality" for name in SCENARIOS for _ in range(2)]
    last = fig.frames[-1].data
    population = ds["population"].sel(region="alpha", year=2030)
    np.testing.assert_allclose(last[2].x, population.sel(scenario="vitality", sex="F").values)
    np.testing.assert_allclose(last[3].x, -population.sel(scenario="vitality", sex="M").values)
    np.testing.assert_allclose(last[-1].x, -population.sel(scenario="baseline", sex="M").values)
    assert fig.data[3].name == "Miehet" and fig.data[2].name == "Naiset"


def test_pyramid_scenario_dropdown_and_finnish_ticks(runs):
    fig = pyramid(runs["deterministic"], "alpha", "baseline", lang="fi", meta=scenario_meta())
    buttons = fig.layout.updatemenus[0].buttons
    assert fig.layout.updatemenus[0].active == 0
    assert pyramid(runs["deterministic"], "alpha", "decline").layout.updatemenus[0].active == 2
    assert [button.label for button in buttons] == [f"Skenaario {name}" for name in SCENARIOS]
    decline = buttons[2].args[0]["visible"]
    assert decline == [name == "decline" for name in SCENARIOS for _ in range(2)] + [True, True]
    assert all(
        float(tick) != 0 or text == "0"
        for tick, text in zip(fig.layout.xaxis.tickvals, fig.layout.xaxis.ticktext, strict=True)
    )
    assert any("\u00a0" in text for text in fig.layout.xaxis.ticktext)
    assert all(text.replace("\u00a0", "").isdigit() for text in fig.layout.xaxis.ticktext)
    assert fig.layout.yaxis.ticktext[-1] == "100+"
    assert "customdata:,.0f" in fig.data[0].hovertemplate


def test_pyramid_without_frames_restyles_per_year(runs):
    fig = pyramid(
        runs["deterministic"], "beta", "decline", baseline=None, years=[2026, 2030], lang="en", frames=False
    )
    assert len(fig.frames) == 0 and len(fig.data) == 2 * N_SCENARIOS
    steps = fig.layout.sliders[0].steps
    assert [step.method for step in steps] == ["restyle", "restyle"]
    female_2030 = runs["deterministic"]["population"].sel(
        region="beta", scenario="decline", year=2030, sex="F"
    )
    np.testing.assert_allclose(steps[1].args[0]["x"][4], female_2030.values)


def test_pyramid_rejects_unknown_year_and_scenario(runs):
    with pytest.raises(InputError, match="year"):
        pyramid(runs["deterministic"], "alpha", "baseline", years=[2040])
    with pytest.raises(InputError, match="present: baseline"):
        pyramid(runs["deterministic"], "alpha", "boom")


# --- fan chart and cone --------------------------------------------------------------------------


def test_fan_chart_bands_from_draws_and_quantiles(runs):
    observed = observed_history()
    for layout in ("draws", "quantiles"):
        fig = fan_chart(runs[layout], "alpha", "total", observed=observed, lang="en")
        assert len(fig.data) == 2 * N_SCENARIOS + 1  # several scenarios: the 80 % band and the median each
        assert [trace.fill for trace in fig.data[:2]] == ["toself", None] and "80 %" in fig.data[0].name
        two = fan_chart(runs[layout], "alpha", "total", scenarios=["baseline", "vitality"], lang="en")
        assert [trace.fill for trace in two.data[:4]] == ["toself", None, "toself", None]
        one = fan_chart(runs[layout], "alpha", "total", scenarios=["vitality"], lang="en")
        assert [trace.fill for trace in one.data[:4]] == ["toself", "toself", "toself", None]
        # the bands of more than two scenarios fade in proportion, so that their overlap stays light
        alpha = {len(f.data) // 2: float(f.data[0].fillcolor.rsplit(",", 1)[1].rstrip(")")) for f in (fig, two)}
        assert alpha[2] == 0.22 and alpha[N_SCENARIOS] == pytest.approx(0.22 * 2 / N_SCENARIOS, abs=1e-3)
        assert fig.data[-1].name == "Observed"
        np.testing.assert_allclose(fig.data[-1].y, observed.sum(["sex", "age"]).values)
    median = runs["draws"]["population"].sel(region="alpha", scenario="baseline").sum(["sex", "age"])
    np.testing.assert_allclose(
        fan_chart(runs["draws"], "alpha", "total").data[1].y, median.quantile(0.5, dim="draw").values
    )


def test_fan_chart_band_nesting(runs):
    fig = fan_chart(runs["draws"], "alpha", "total", scenarios=["vitality"])
    widths = [np.ptp(trace.y) for trace in fig.data[:3]]
    assert widths[0] >= widths[1] >= widths[2]


def test_fan_chart_deterministic_draws_lines(runs):
    fig = fan_chart(
        runs["deterministic"], "beta", "75+", scenarios=["baseline", "decline"], lang="sv"
    )
    assert len(fig.data) == 2
    assert fig.layout.yaxis.title.text == "75 år och äldre"
    expected = runs["deterministic"]["population"].sel(region="beta", scenario="decline", age=slice(75, 100))
    np.testing.assert_allclose(fig.data[1].y, expected.sum(["sex", "age"]).values)


def test_fan_chart_rejects_bad_observed(runs):
    with pytest.raises(InputError, match="year, sex, age"):
        fan_chart(runs["deterministic"], "alpha", observed=observed_history().sum("sex"))


def _band_edges(trace, n_years):
    upper = np.asarray(trace.y[:n_years])
    lower = np.asarray(trace.y[n_years:])[::-1]
    return lower, upper


@pytest.mark.parametrize("layout", ["deterministic", "draws", "quantiles"])
def test_cone_plausible_contains_probable_and_possible_contains_plausible(runs, layout):
    fig = futures_cone(runs[layout], "alpha", "total", lang="en")
    names = [trace.name for trace in fig.data]
    assert names == ["Possible", "Plausible", "Probable", "Baseline"]
    possible, plausible, probable = (_band_edges(trace, N_YEARS) for trace in fig.data[:3])
    assert (plausible[0] <= probable[0] + 1e-9).all() and (plausible[1] >= probable[1] - 1e-9).all()
    assert (possible[0] <= plausible[0] + 1e-9).all() and (possible[1] >= plausible[1] - 1e-9).all()


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_cones_of_two_measures_are_told_apart_by_their_titles(runs, lang):
    titles = [futures_cone(runs["deterministic"], "alpha", measure, lang=lang).layout.title.text
              for measure in ("total", "15-64")]
    assert titles[0] != titles[1]
    assert titles[1].startswith(t("measure.15-64", lang))


def test_cone_of_deterministic_run_is_the_scenario_envelope(runs):
    ds = runs["deterministic"]
    fig = futures_cone(ds, "alpha", "total")
    totals = ds["population"].sel(region="alpha").sum(["sex", "age"])
    plausible_lower, plausible_upper = _band_edges(fig.data[1], N_YEARS)
    named = totals.sel(scenario=["baseline", "vitality", "decline"])
    np.testing.assert_allclose(plausible_upper, named.max("scenario").values)
    np.testing.assert_allclose(plausible_lower, named.min("scenario").values)
    possible_lower, _ = _band_edges(fig.data[0], N_YEARS)
    np.testing.assert_allclose(possible_lower, totals.min("scenario").values)


def test_cone_needs_the_baseline_and_a_named_scenario(runs):
    with pytest.raises(InputError, match="scenario"):
        futures_cone(runs["deterministic"], "alpha", baseline="central")
    with pytest.raises(InputError, match="named"):
        futures_cone(runs["deterministic"], "alpha", references=tuple(SCENARIOS))


# --- ratios, cohorts, comparison -----------------------------------------------------------------


def test_dependency_ratio_chart_values(runs):
    fig = dependency_ratio_chart(runs["draws"], "alpha", lang="fi")
    assert len(fig.data) == 2 * N_SCENARIOS
    population = runs["draws"]["population"].sel(region="alpha", scenario="baseline")
    ratio = population_measure(population, "old_age_dependency").median("draw")
    np.testing.assert_allclose(fig.data[0].y, ratio.values)
    assert fig.data[1].line.dash == "dash"
    assert fig.layout.yaxis.title.text == "Huollettavia 100 työikäistä kohden"


def test_cohort_chart_panels(runs):
    fig = cohort_chart(runs["deterministic"], "alpha", lang="en")
    assert len(fig.data) == 4 * N_SCENARIOS
    titles = [annotation.text for annotation in fig.layout.annotations]
    assert titles == ["School age 7–15", "Aged 16–18", "Aged 75+", "Aged 85+"]
    assert sum(trace.showlegend for trace in fig.data) == N_SCENARIOS
    school = runs["deterministic"]["population"].sel(region="alpha", scenario="baseline", age=slice(7, 15))
    np.testing.assert_allclose(fig.data[0].y, school.sum(["sex", "age"]).values)


def test_area_comparison_ranks_regions(runs):
    ds = runs["deterministic"]
    fig = area_comparison(ds, "total", 2030, lang="fi", region_names={"alpha": "Alfa", "beta": "Beeta"})
    assert len(fig.data) == N_SCENARIOS
    assert list(fig.data[0].y) == ["Alfa", "Beeta"]
    beta = ds["population"].sel(region="beta", scenario="baseline", year=2030).sum().item()
    assert fig.data[0].x[1] == pytest.approx(beta)
    assert fig.data[0].text[1] == number(beta, "fi")
    assert "\u00a0" in fig.data[0].text[1]


def test_area_comparison_of_change(runs):
    fig = area_comparison(runs["deterministic"], "total", 2030, change_from=2025, lang="en")
    totals = runs["deterministic"]["population"].sel(region="alpha", scenario="vitality").sum(["sex", "age"])
    expected = 100 * (totals.sel(year=2030) / totals.sel(year=2025) - 1)
    assert fig.data[1].x[list(fig.data[1].y).index("alpha")] == pytest.approx(expected.item())
    assert fig.layout.xaxis.title.text == "Population: Change 2025–2030, %"


# --- scenario card -------------------------------------------------------------------------------


def test_scenario_card_numbers_in_finnish_format(runs):
    ds = runs["deterministic"]
    fig = scenario_card(ds, "beta", "vitality", scenario_meta(), lang="fi")
    texts = [annotation.text for annotation in fig.layout.annotations]
    total = ds["population"].sel(region="beta", scenario="vitality", year=2030).sum().item()
    assert texts[0] == f"<b>{number(total, 'fi')}</b>"
    assert "\u00a0" in texts[0]
    assert texts[1] == "Väkiluku 2030"
    assert texts[2].endswith("\u00a0%</b>") and "," in texts[2]
    assert fig.layout.title.text == "Skenaario vitality — beta"
    assert texts[-1] == "Tarina vitality."
    assert len(fig.data) == 0


def test_scenario_card_interval_for_draws(runs):
    fig = scenario_card(runs["draws"], "alpha", "vitality", scenario_meta(), lang="sv")
    notes = [annotation.text for annotation in fig.layout.annotations if "intervall" in annotation.text]
    assert len(notes) == 3
    assert all("\u2013" in note for note in notes)


def test_scenario_card_escapes_html():
    meta = scenario_meta()
    meta["vitality"]["narrative"]["en"] = "Growth <script>alert('x')</script> & more " + "word " * 40
    meta["vitality"]["name"]["en"] = "<b>Vitality</b>"
    fig = scenario_card(population_run(), "alpha", "vitality", meta, lang="en")
    narrative = fig.layout.annotations[-1].text
    assert "<script>" not in narrative
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in narrative
    assert narrative.count("<br>") >= 1
    assert fig.layout.title.text.startswith("&lt;b&gt;Vitality&lt;/b&gt;")
    assert "<script>alert" not in fig.to_html(include_plotlyjs=False)


def test_scenario_card_needs_the_metadata(runs):
    with pytest.raises(InputError, match="narrative"):
        scenario_card(runs["deterministic"], "alpha", "vitality", {"vitality": {"name": {"fi": "V"}}})


# --- skills figures ------------------------------------------------------------------------------


def test_job_openings_chart_stacks_and_switches(skills):
    fig = job_openings_chart(skills, "alpha", "vitality", lang="fi")
    assert fig.layout.barmode == "stack"
    assert len(fig.data) == 2 * skills.sizes["scenario"]
    assert [trace.visible for trace in fig.data] == [False, False, True, True, False, False]
    assert fig.layout.updatemenus[0].active == 1
    assert fig.layout.title.text.startswith("Avautuvat työpaikat toimialoittain 2026–2030")
    data = skills.sel(region="alpha", scenario="vitality", year=slice(2026, 2030))
    expansion = data["expansion_demand"].clip(min=0).sum("year")
    replacement = data["replacement_demand"].sum("year")
    labels = list(fig.data[2].y)
    assert labels[-1] == "U Kansainvälisten organisaatioiden ja toimielinten toiminta"
    np.testing.assert_allclose(fig.data[2].x, expansion.sel(industry=[label[0] for label in labels]).values)
    np.testing.assert_allclose(fig.data[3].x, replacement.sel(industry=[label[0] for label in labels]).values)
    totals = np.asarray(fig.data[2].x) + np.asarray(fig.data[3].x)
    assert (np.diff(totals) >= 0).all()
    # a tall figure keeps its legend as many pixels under the axis as a figure of the default height does
    from toolkit.viz.theme import DEFAULT_HEIGHT, LEGEND_BELOW_TITLE, MARGIN

    plot = fig.layout.height - MARGIN["t"] - MARGIN["b"]
    assert fig.layout.height > DEFAULT_HEIGHT
    default_plot = DEFAULT_HEIGHT - MARGIN["t"] - MARGIN["b"]
    assert fig.layout.legend.y * plot == pytest.approx(LEGEND_BELOW_TITLE * default_plot)


def test_job_openings_of_a_shrinking_industry_are_replacement_only(skills):
    fig = job_openings_chart(skills, "alpha", "decline", lang="en")
    assert (np.asarray(fig.data[4].x) == 0).all()
    assert (np.asarray(fig.data[5].x) > 0).all()


def test_job_openings_period_is_checked(skills):
    with pytest.raises(InputError, match="period"):
        job_openings_chart(skills, "alpha", "baseline", period=(2040, 2045))


def test_labour_balance_chart(skills):
    fig = labour_balance_chart(skills, "beta", lang="sv", meta=scenario_meta())
    assert len(fig.data) == skills.sizes["scenario"]
    np.testing.assert_allclose(
        fig.data[2].y, skills["labour_balance"].sel(region="beta", scenario="decline").values
    )
    assert fig.layout.yaxis.title.text == "Utbud − efterfrågan, personer"
    assert fig.layout.separators == ", "


def test_openings_flow_sankey(skills):
    fig = openings_flow(skills, "alpha", "vitality", (2027, 2028), lang="fi")
    sankey = fig.data[0]
    assert list(sankey.node.label[-3:]) == ["Laajenemiskysyntä", "Eläköityminen", "Kuolleisuus"]
    industries = list(sankey.node.label[:-3])
    assert len(industries) < len(INDUSTRIES) and industries[-1] == "Muut toimialat"  # small ones as one node
    data = skills.sel(region="alpha", scenario="vitality", year=[2027, 2028]).sum("year")
    expected = (
        data["expansion_demand"].clip(min=0).sum()
        + data["exits_retirement"].sum()
        + data["exits_mortality"].sum()
    ).item()
    assert np.sum(sankey.link.value) == pytest.approx(expected)
    assert (np.asarray(sankey.link.value) > 0).all()
    assert sankey.valueformat == ",.0f"
    assert fig.layout.separators == ", "
