"""The live explorer: scenario levers as widgets, figures updated in place (JupyterLab, Voilà).

``Explorer(region).ui`` is the root widget: area, scenario, language and horizon pickers, sliders for
the levers a forum discusses, a reset button, a "save as scenario" form and six ``go.FigureWidget``
figures (pyramid, population and working-age paths against the baseline, dependency ratios, job
openings, labour balance). A lever change re-runs the deterministic projection of the one area and
the edited scenario (the baseline run is cached per area and horizon) and writes the new numbers into
the existing traces with ``batch_update``; the figures are never rebuilt.

The model core never imports this module. :func:`present` serves ``notebooks/explorer.ipynb`` with
Voilà on 127.0.0.1 (no code cells, no network).
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import xarray as xr
import yaml
from pydantic import BaseModel, ValidationError

from toolkit import viz
from toolkit.errors import InputError
from toolkit.indicators import dependency_ratios, population_measure
from toolkit.population.project import project_population
from toolkit.regions import forum_regions, get_region, load_regions
from toolkit.scenarios import (
    BySex,
    LeverOverrides,
    Levers,
    Scenario,
    TfrPath,
    available_scenarios,
    load_scenario,
)
from toolkit.skills import load_assumptions, load_base, project_skills
from toolkit.viz.i18n import check_lang
from toolkit.viz.population import pyramid_axes, pyramid_series
from toolkit.viz.skills import industry_label

BASELINE = "baseline"
CURRENT = "explorer"
"""Scenario id of the explorer's edited run (the ``scenario`` coordinate of :attr:`Explorer.run`)."""
ENV_REGION = "FORUM_EXPLORER_REGION"
ENV_LANG = "FORUM_EXPLORER_LANG"
ENV_SAVE_DIR = "FORUM_EXPLORER_SAVE_DIR"
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explorer.ipynb"
HORIZONS = (2030, 2035, 2040, 2045, 2050, 2060, 2070)
PARTICIPATION_BANDS = ("55-64", "65-74")
GROWTH_CHOICES = ("default", *"ABCDEFGHIJKLMNORSTU")
"""Industries whose growth a slider sets; P and Q follow the population (see docs/skills.md)."""
SLIDER_YEARS = 10
"""Years after the base year that a slider reads a trend lever at, and reaches a moved TFR target by."""
EXTRA_MIGRATION_PER_1000 = 20.0
"""Half-width of the additional-net-migration slider [persons per 1,000 inhabitants per year]."""
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_TRACE_KEYS = ("x", "y", "customdata", "text", "name", "hovertemplate")

LABELS: dict[str, dict[str, str]] = {
    "area": {"fi": "Alue", "sv": "Område", "en": "Area"},
    "scenario": {"fi": "Skenaario", "sv": "Scenario", "en": "Scenario"},
    "lang": {"fi": "Kieli", "sv": "Språk", "en": "Language"},
    "horizon": {"fi": "Vuoteen", "sv": "Till år", "en": "Horizon"},
    "year": {"fi": "Pyramidin vuosi", "sv": "Pyramidens år", "en": "Pyramid year"},
    "tfr": {"fi": "Syntyvyys (lasta/nainen)", "sv": "Fruktsamhet (barn/kvinna)", "en": "Fertility (TFR)"},
    "e0_F": {
        "fi": "Elinajan kasvu, naiset (v/10 v)",
        "sv": "Ökad livslängd, kvinnor (år/10 år)",
        "en": "Life-expectancy gain, women (years/decade)",
    },
    "e0_M": {
        "fi": "Elinajan kasvu, miehet (v/10 v)",
        "sv": "Ökad livslängd, män (år/10 år)",
        "en": "Life-expectancy gain, men (years/decade)",
    },
    "migration": {
        "fi": "Lisänettomuutto (henkeä/v)",
        "sv": "Extra nettoflyttning (personer/år)",
        "en": "Extra net migration (persons/year)",
    },
    "participation_55-64": {
        "fi": "Työvoimaosuus 55–64 (%-yks.)",
        "sv": "Arbetskraftsdeltagande 55–64 (%-enh.)",
        "en": "Participation 55–64 (pp)",
    },
    "participation_65-74": {
        "fi": "Työvoimaosuus 65–74 (%-yks.)",
        "sv": "Arbetskraftsdeltagande 65–74 (%-enh.)",
        "en": "Participation 65–74 (pp)",
    },
    "retirement": {
        "fi": "Eläkeiän muutos (v)",
        "sv": "Ändrad pensionsålder (år)",
        "en": "Retirement age shift (years)",
    },
    "industry": {"fi": "Toimiala", "sv": "Näringsgren", "en": "Industry"},
    "growth": {"fi": "Kasvu (%/v)", "sv": "Tillväxt (%/år)", "en": "Growth (%/year)"},
    "default_industry": {"fi": "Muut toimialat", "sv": "Övriga näringsgrenar", "en": "Other industries"},
    "reset": {"fi": "Palauta skenaario", "sv": "Återställ scenariot", "en": "Reset to scenario"},
    "current": {"fi": "Valittu", "sv": "Valt", "en": "Selected"},
    "unchanged": {"fi": "Skenaarion omat arvot.", "sv": "Scenariots egna värden.", "en": "The scenario's own values."},
    "changed": {"fi": "Muutettu: {names}", "sv": "Ändrat: {names}", "en": "Changed: {names}"},
    "save_title": {"fi": "Tallenna skenaariona", "sv": "Spara som scenario", "en": "Save as scenario"},
    "id": {"fi": "Tunniste", "sv": "Id", "en": "Id"},
    "name": {"fi": "Nimi", "sv": "Namn", "en": "Name"},
    "narrative": {"fi": "Kertomus", "sv": "Berättelse", "en": "Narrative"},
    "justification": {"fi": "Perustelut", "sv": "Motivering", "en": "Justification"},
    "save": {"fi": "Tallenna", "sv": "Spara", "en": "Save"},
    "saved": {
        "fi": "Tallennettu {path}. Käytä: forum render --scenario {path}",
        "sv": "Sparat {path}. Använd: forum render --scenario {path}",
        "en": "Saved {path}. Use: forum render --scenario {path}",
    },
}
"""Widget labels in fi/sv/en (figure labels are those of :mod:`toolkit.viz.i18n`)."""

_SLIDER_LABELS = {
    "tfr": "tfr",
    "e0_F": "e0_F",
    "e0_M": "e0_M",
    "extra_migration": "migration",
    "participation_55-64": "participation_55-64",
    "participation_65-74": "participation_65-74",
    "retirement_age_shift": "retirement",
    "industry_growth": "growth",
}


def label(key: str, lang: str) -> str:
    """The widget label ``key`` in ``lang`` (``fi``, ``sv`` or ``en``)."""
    return LABELS[key][check_lang(lang)]


# --- cached model runs ----------------------------------------------------------------------------


@lru_cache(maxsize=64)
def scenario_population(region: str, scenario: str, horizon: int) -> xr.Dataset:
    """The run of one shipped scenario in one area (cached; do not modify the result)."""
    return project_population(region, [scenario], horizon=horizon)


def baseline_population(region: str, horizon: int) -> xr.Dataset:
    """The baseline run of one area (cached; do not modify the result)."""
    return scenario_population(region, BASELINE, horizon)


@lru_cache(maxsize=32)
def _skills_inputs(region: str):
    assumptions = load_assumptions()
    return load_base([region], assumptions), assumptions


def skills_run(population: xr.Dataset, scenario: Scenario) -> xr.Dataset:
    """The skills model on a one-area, one-scenario population run (no tightness forecast)."""
    base, assumptions = _skills_inputs(str(population["region"].values[0]))
    return project_skills(population, [scenario], base=base, assumptions=assumptions, tightness=False)


@lru_cache(maxsize=32)
def baseline_skills(region: str, horizon: int) -> xr.Dataset:
    """The skills run of the baseline of one area (cached; do not modify the result)."""
    return skills_run(baseline_population(region, horizon), load_scenario(BASELINE))


# --- levers <-> slider values ---------------------------------------------------------------------


def slider_values(levers: Levers, run: xr.Dataset) -> dict[str, float]:
    """The slider positions that show ``levers``.

    Parameters
    ----------
    levers : the levers of a scenario for one area
    run : that scenario's population run of the area, to at least :data:`SLIDER_YEARS` after its base year

    Returns
    -------
    dict of slider name -> value: ``tfr`` [children per woman] reached in :func:`tfr_target_year`;
    ``e0_F``, ``e0_M`` [years per decade]: the gains of a ``{F, M}`` lever, or for a trend lever the run's
    average gain over :data:`SLIDER_YEARS`; ``extra_migration`` [persons per year]; ``participation_55-64``,
    ``participation_65-74`` [percentage points]; ``retirement_age_shift`` [years]
    """
    run = run.isel(region=0, scenario=0)
    base_year = int(run["year"].values[0])
    e0 = run["e0"].sel(year=[base_year, base_year + SLIDER_YEARS])
    trend_gain = (e0.diff("year").isel(year=0) * 10.0 / SLIDER_YEARS).sel(sex=["F", "M"]).values
    gains = levers.e0_gain_per_decade
    extra = levers.additional_net_migration
    per_person = 1.0 if extra.unit == "persons" else float(run["population"].isel(year=0).sum()) / 1000.0
    values = {
        "tfr": float(run["tfr"].sel(year=min(tfr_target_year(levers, base_year), int(run["year"].values[-1])))),
        "e0_F": gains.F if isinstance(gains, BySex) else float(trend_gain[0]),
        "e0_M": gains.M if isinstance(gains, BySex) else float(trend_gain[1]),
        "extra_migration": extra.change * per_person,
        "retirement_age_shift": levers.retirement_age_shift,
    }
    values.update(
        {f"participation_{band}": levers.participation_change.get(band, 0.0) for band in PARTICIPATION_BANDS}
    )
    return values


def tfr_target_year(levers: Levers, base_year: int) -> int:
    """The year a moved TFR slider's target is reached: the path's year, or for a trend lever
    :data:`SLIDER_YEARS` after the base year (at least the year after it)."""
    year = levers.tfr.year if isinstance(levers.tfr, TfrPath) else base_year + SLIDER_YEARS
    return max(year, base_year + 1)


def levers_from_sliders(source: Levers, initial: Mapping[str, float], values: Mapping[str, float],
                        growth: Mapping[str, float], base_year: int,
                        steps: Mapping[str, float] | None = None) -> Levers:
    """``source`` with the levers whose slider moved away from ``initial`` set to the slider's value.

    A moved TFR slider becomes an absolute target reached in :func:`tfr_target_year`; a moved migration
    slider becomes additional net migrants in persons per year. The moved levers are validated with the
    scenario schema (:class:`~toolkit.scenarios.LeverOverrides`).

    Parameters
    ----------
    source : the picked scenario's levers for the area
    initial : slider positions that show ``source`` (:func:`slider_values`)
    values : current slider positions, same keys and units
    growth : employment growth by TOL section or ``default`` [% per year]
    base_year : the run's base year
    steps : slider step by name: a value within half a step of ``initial`` has not moved (a browser snaps a
        slider's value to its step when the page loads)

    Returns
    -------
    Levers

    Raises
    ------
    InputError
        if a value is outside the schema's range (naming the lever)
    """
    steps = steps or {}
    moved = {name for name, value in values.items() if abs(value - initial[name]) > 0.5 * steps.get(name, 0.0)}
    update: dict = {}
    if "tfr" in moved:
        shape = source.tfr.shape if isinstance(source.tfr, TfrPath) else "linear"
        update["tfr"] = {"target": values["tfr"], "year": tfr_target_year(source, base_year), "shape": shape}
    if moved & {"e0_F", "e0_M"}:
        update["e0_gain_per_decade"] = {"F": values["e0_F"], "M": values["e0_M"]}
    if "extra_migration" in moved:
        path = source.additional_net_migration
        update["additional_net_migration"] = {
            "change": values["extra_migration"], "year": path.year, "shape": path.shape, "unit": "persons"
        }
    bands = {band: values[f"participation_{band}"] for band in PARTICIPATION_BANDS
             if f"participation_{band}" in moved}
    if bands:
        update["participation_change"] = bands
    if "retirement_age_shift" in moved:
        update["retirement_age_shift"] = values["retirement_age_shift"]
    if dict(growth) != source.industry_growth:
        update["industry_growth"] = dict(growth)
    try:
        return source.merged(LeverOverrides.model_validate(update))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise InputError(f"explorer levers: {where}: {first['msg']}") from None


def changed_levers(source: Levers, levers: Levers) -> list[str]:
    """Names of the levers that differ between ``source`` and ``levers``."""
    return [name for name in Levers.model_fields if getattr(source, name) != getattr(levers, name)]


# --- figures ----------------------------------------------------------------------------------------


def copy_figure(widget: go.FigureWidget, fresh: go.Figure, *, full: bool) -> None:
    """Write the traces of ``fresh`` into the same-shaped ``widget`` in one batch.

    ``full`` also copies trace visibility and the layout (without the template): for a new area,
    horizon, scenario or language. Otherwise only the data, names and hover texts change, so a choice
    made in a figure's own menu stays.
    """
    keys = _TRACE_KEYS + (("visible", "showlegend") if full else ())
    with widget.batch_update():
        for target, source in zip(widget.data, fresh.data, strict=True):
            target.update({key: source[key] for key in keys})
        if full:
            widget.update_layout({key: value for key, value in fresh.layout.to_plotly_json().items()
                                  if key != "template"})


def _plain(value):
    """A lever value as plain YAML data."""
    return value.model_dump(mode="json", exclude_none=True) if isinstance(value, BaseModel) else value


def _read_source(scenario: Scenario) -> dict:
    """The parsed content of a scenario's own file."""
    return yaml.safe_load(Path(scenario.source).read_text(encoding="utf-8"))


def _set_range(slider: widgets.Widget, low, high, step) -> None:
    """Set a slider's bounds (widened first: ipywidgets checks min <= max after each assignment)."""
    slider.min, slider.max = min(low, slider.min), max(high, slider.max)
    slider.min, slider.max, slider.step = low, high, step


def _widget(fig: go.Figure) -> go.FigureWidget:
    widget = go.FigureWidget(fig)
    widget.layout.height = 420
    return widget


# --- the explorer -------------------------------------------------------------------------------------


class Explorer:
    """Scenario levers, pickers and figures of one area, wired together.

    Parameters
    ----------
    region : area id or official code (``kainuu``, ``MK18``)
    scenario : id of the shipped scenario the sliders start from
    lang : ``fi``, ``sv`` or ``en`` (labels of widgets and figures)
    horizon : last projected year
    debounce : seconds to wait after a lever change before recomputing, when an event loop runs (in a
        kernel); without a running loop (plain Python, tests) the recompute is immediate
    save_dir : folder of saved scenario files (default: the working directory)

    Attributes
    ----------
    ui : ipywidgets.Widget, the root widget
    controls : dict of pickers (``region``, ``scenario``, ``lang``, ``horizon``, ``year``, ``industry``)
    sliders : dict of lever sliders (see :func:`slider_values`, plus ``industry_growth`` [%/year] of the
        industry picked in ``controls["industry"]``)
    figures : dict of ``go.FigureWidget``: ``pyramid``, ``population``, ``working_age``, ``dependency``,
        ``openings``, ``balance``
    run, skills : the population and skills runs of the edited scenario (scenario id :data:`CURRENT`)
    """

    def __init__(self, region: str, scenario: str = BASELINE, lang: str = "fi", *, horizon: int = 2050,
                 debounce: float = 0.1, save_dir: str | os.PathLike | None = None):
        check_lang(lang)
        if horizon not in HORIZONS:
            raise InputError(f"horizon {horizon!r} is not offered; allowed: {', '.join(map(str, HORIZONS))}")
        self.debounce = debounce
        self.save_dir = Path(save_dir) if save_dir is not None else Path.cwd()
        self._pending: asyncio.TimerHandle | None = None
        self._quiet = False
        self.status = widgets.HTML()
        self.controls = self._pickers(get_region(region).id, load_scenario(scenario).id, lang, horizon)
        self.sliders = {name: widgets.FloatSlider(continuous_update=True, readout_format=".2f",
                                                  layout=widgets.Layout(width="100%"))
                        for name in _SLIDER_LABELS}
        self.reset_button = widgets.Button()
        self.reset_button.on_click(lambda _: self.reset())
        self.save_form = self._save_form()
        self._load()
        self.run = project_population(self.region, [self.scenario], horizon=self.horizon)
        self.skills = skills_run(self.run, self.scenario)
        self.figures = {name: _widget(fig) for name, fig in self._fresh_figures().items()}
        self.ui = self._layout()
        self._relabel()
        self._observe()

    @classmethod
    def from_environment(cls, default_region: str | None = None) -> Explorer:
        """An explorer set up from ``FORUM_EXPLORER_REGION``, ``_LANG`` and ``_SAVE_DIR`` (see :func:`present`)."""
        region = os.environ.get(ENV_REGION) or default_region or forum_regions()[0].id
        return cls(region, lang=os.environ.get(ENV_LANG, "fi"), save_dir=os.environ.get(ENV_SAVE_DIR))

    # state read from the widgets

    @property
    def region(self) -> str:
        return self.controls["region"].value

    @property
    def lang(self) -> str:
        return self.controls["lang"].value

    @property
    def horizon(self) -> int:
        return self.controls["horizon"].value

    @property
    def source(self) -> Scenario:
        """The scenario picked in the scenario picker."""
        return load_scenario(self.controls["scenario"].value)

    @property
    def levers(self) -> Levers:
        """The levers of the edited scenario for this area (the picked scenario's, moved sliders applied)."""
        values = {name: slider.value for name, slider in self.sliders.items() if name != "industry_growth"}
        return levers_from_sliders(self._source_levers, self._initial, values, self._growth, self._base_year,
                                   {name: slider.step for name, slider in self.sliders.items()})

    @property
    def scenario(self) -> Scenario:
        """The edited scenario as the model input (id :data:`CURRENT`)."""
        source = self.source
        return Scenario(id=CURRENT, name=source.name, narrative=source.narrative,
                        justification=source.justification, levers=self.levers)

    # widgets

    def _pickers(self, region: str, scenario: str, lang: str, horizon: int) -> dict[str, widgets.Widget]:
        style = {"description_width": "initial"}
        return {
            "region": widgets.Dropdown(options=list(load_regions()), value=region, style=style),
            "scenario": widgets.Dropdown(options=available_scenarios(), value=scenario, style=style),
            "lang": widgets.ToggleButtons(options=list(viz.LANGS), value=lang, style={"button_width": "3em"}),
            "horizon": widgets.Dropdown(options=list(HORIZONS), value=horizon, style=style),
            "year": widgets.IntSlider(value=horizon, continuous_update=True, style=style),
            "industry": widgets.Dropdown(options=list(GROWTH_CHOICES), value="default", style=style),
        }

    def _save_form(self) -> dict[str, widgets.Widget]:
        form: dict[str, widgets.Widget] = {"id": widgets.Text(placeholder="oma-tulevaisuus")}
        for lang in viz.LANGS:
            form[f"name_{lang}"] = widgets.Text()
            form[f"narrative_{lang}"] = widgets.Textarea(rows=3)
        form["justification"] = widgets.Textarea(rows=3)
        form["save"] = widgets.Button(button_style="primary")
        form["save"].on_click(lambda _: self._save_clicked())
        form["status"] = widgets.HTML()
        return form

    def _layout(self) -> widgets.Widget:
        picks = widgets.HBox([self.controls[name] for name in ("region", "scenario", "horizon", "lang")])
        levers = widgets.VBox([*(self.sliders[name] for name in _SLIDER_LABELS if name != "industry_growth"),
                               self.controls["industry"], self.sliders["industry_growth"],
                               self.reset_button, self.status],
                              layout=widgets.Layout(width="34em"))
        pyramid = widgets.VBox([self.figures["pyramid"], self.controls["year"]],
                               layout=widgets.Layout(flex="1"))
        grid = widgets.GridBox([self.figures[name] for name in ("population", "15-64", "dependency",
                                                                "balance", "openings")],
                               layout=widgets.Layout(grid_template_columns="1fr 1fr"))
        self._save_box = widgets.Accordion([widgets.VBox(list(self.save_form.values()))])
        return widgets.VBox([picks, widgets.HBox([levers, pyramid]), grid, self._save_box])

    def _relabel(self) -> None:
        """Descriptions of every widget in the current language."""
        lang = self.lang
        for key in ("region", "scenario", "horizon", "year", "industry"):
            self.controls[key].description = label("area" if key == "region" else key, lang)
        self.controls["lang"].description = label("lang", lang)
        for name, key in _SLIDER_LABELS.items():
            self.sliders[name].description = label(key, lang)
            self.sliders[name].style = {"description_width": "16em"}
        self.reset_button.description = label("reset", lang)
        for key, widget in self.save_form.items():
            if key not in ("save", "status"):
                field, _, field_lang = key.partition("_")
                widget.description = label(field, lang) + (f" ({field_lang})" if field_lang else "")
        self.save_form["save"].description = label("save", lang)
        options = {
            "region": [(region.label(lang), region.id) for region in load_regions().values()],
            "scenario": [(load_scenario(scenario).name[lang], scenario) for scenario in available_scenarios()],
            "industry": [(label("default_industry", lang) if key == "default" else industry_label(key, lang), key)
                         for key in GROWTH_CHOICES],
        }
        with self._silenced():
            for key, pairs in options.items():
                value = self.controls[key].value
                self.controls[key].options = pairs
                self.controls[key].value = value
        self._save_box.set_title(0, label("save_title", lang))

    def _observe(self) -> None:
        for name, slider in self.sliders.items():
            slider.observe(self._on_growth if name == "industry_growth" else self._on_lever, "value")
        self.controls["industry"].observe(self._on_industry, "value")
        self.controls["year"].observe(lambda _: self._guarded(self._update_pyramid), "value")
        for key in ("region", "scenario"):
            self.controls[key].observe(lambda _: self._guarded(self._reload), "value")
        self.controls["horizon"].observe(lambda _: self._guarded(self._rebuild), "value")
        self.controls["lang"].observe(lambda _: self._guarded(self._change_lang), "value")

    # loading a scenario into the sliders

    def _load(self) -> None:
        """Sliders, ranges and the year slider set from the picked scenario for this area."""
        source_run = scenario_population(self.region, self.source.id, max(HORIZONS))
        self._base_year = int(source_run["year"].values[0])
        people = float(source_run["population"].isel(year=0).sum())
        self._source_levers = self.source.levers_for(self.region)
        self._initial = slider_values(self._source_levers, source_run)
        self._growth = dict(self._source_levers.industry_growth)
        self._growth_source = dict(self._growth)
        extra = max(EXTRA_MIGRATION_PER_1000 * people / 1000.0, abs(self._initial["extra_migration"]))
        step = 10.0 ** np.floor(np.log10(max(extra / 200.0, 1.0)))
        ranges = {
            "tfr": (0.5, 3.0, 0.01),
            "e0_F": (-3.0, 5.0, 0.1),
            "e0_M": (-3.0, 5.0, 0.1),
            "extra_migration": (-np.ceil(extra / step) * step, np.ceil(extra / step) * step, step),
            "participation_55-64": (-30.0, 30.0, 0.5),
            "participation_65-74": (-30.0, 30.0, 0.5),
            "retirement_age_shift": (-3.0, 5.0, 0.1),
            "industry_growth": (-10.0, 10.0, 0.1),
        }
        with self._silenced():
            for name, (low, high, step_) in ranges.items():
                _set_range(self.sliders[name], float(low), float(high), float(step_))
                self.sliders[name].readout_format = {"extra_migration": ".0f", "tfr": ".2f"}.get(name, ".1f")
            self._set_sliders(self._initial)
            _set_range(self.controls["year"], self._base_year, self.horizon, 1)
            self.controls["year"].value = self.horizon

    def _set_sliders(self, values: Mapping[str, float]) -> None:
        for name, value in values.items():
            self.sliders[name].value = value
        self._show_growth()

    def _show_growth(self) -> None:
        section = self.controls["industry"].value
        value = self._growth.get(section, self._growth.get("default", 0.0))
        self.sliders["industry_growth"].value = value

    # reactions

    @contextmanager
    def _silenced(self):
        """Changes made inside come from the explorer itself: observers ignore them."""
        previous, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = previous

    def _guarded(self, action: Callable[[], None]) -> None:
        """Run ``action`` unless the change came from the explorer itself; show bad input in the status line."""
        if self._quiet:
            return
        try:
            action()
        except InputError as exc:
            self.status.value = f"<span style='color:#D55E00'>{html.escape(str(exc))}</span>"

    def _on_lever(self, _change) -> None:
        self._guarded(self._schedule)

    def _on_growth(self, change) -> None:
        if self._quiet:
            return
        self._growth[self.controls["industry"].value] = change["new"]
        self._guarded(self._schedule)

    def _on_industry(self, _change) -> None:
        with self._silenced():
            self._show_growth()

    def _schedule(self) -> None:
        """Recompute now, or after :attr:`debounce` seconds of calm when a kernel's event loop runs."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or self.debounce <= 0:
            self.recompute()
            return
        if self._pending is not None:
            self._pending.cancel()
        self._pending = loop.call_later(self.debounce, lambda: self._guarded(self.recompute))

    def reset(self) -> None:
        """Sliders back to the picked scenario's values, figures recomputed."""
        with self._silenced():
            self._growth = dict(self._growth_source)
            self._set_sliders(self._initial)
        self._guarded(self.recompute)

    def _reload(self) -> None:
        self._load()
        self._rebuild()

    def _change_lang(self) -> None:
        self._relabel()
        self._rebuild()

    # recomputing and drawing

    def recompute(self) -> None:
        """Run the edited scenario and write its numbers into the figures (the lever-change path).

        The population figures are updated before the skills model runs, so they show first.
        """
        self._pending = None
        self.run_population()
        self.update_population_figures()
        self.run_skills()
        self.update_skills_figures()

    def run_population(self) -> None:
        """Project the edited scenario (:attr:`run`) and say in the status line which levers moved."""
        scenario = self.scenario
        self.run = project_population(self.region, [scenario], horizon=self.horizon)
        changed = changed_levers(self._source_levers, scenario.levers)
        self.status.value = html.escape(label("changed", self.lang).format(names=", ".join(changed)) if changed
                                        else label("unchanged", self.lang))

    def run_skills(self) -> None:
        """The skills model on the edited run (:attr:`skills`)."""
        self.skills = skills_run(self.run, self.scenario)

    def _rebuild(self) -> None:
        """New area, horizon, scenario or language: every trace and layout copied from fresh figures."""
        with self._silenced():
            _set_range(self.controls["year"], self._base_year, self.horizon, 1)
        self.run_population()
        self.run_skills()
        for name, fresh in self._fresh_figures().items():
            copy_figure(self.figures[name], fresh, full=True)

    def _meta(self) -> dict:
        lang, source = self.lang, self.source
        return {BASELINE: {"name": {lang: load_scenario(BASELINE).name[lang]}},
                CURRENT: {"name": {lang: f"{label('current', lang)}: {source.name[lang]}"}}}

    def _both(self, baseline: xr.Dataset, current: xr.Dataset) -> xr.Dataset:
        return xr.concat([baseline, current], dim="scenario", combine_attrs="override")

    def _fresh_figures(self) -> dict[str, go.Figure]:
        """The six figures drawn by :mod:`toolkit.viz` from the baseline and the edited run."""
        region, lang, meta = self.region, self.lang, self._meta()
        name = get_region(region).label(lang)
        common = {"lang": lang, "meta": meta, "region_name": name}
        population = self._both(baseline_population(region, self.horizon), self.run)
        pyramid = viz.pyramid(population, region, CURRENT, BASELINE, years=[self.controls["year"].value],
                              frames=False, **common)
        pyramid.layout.sliders = ()  # the year is the explorer's own slider
        return {
            "pyramid": pyramid,
            "population": viz.fan_chart(population, region, "total", **common),
            "15-64": viz.fan_chart(population, region, "15-64", **common),
            "dependency": viz.dependency_ratio_chart(population, region, **common),
            **self._skills_figures(),
        }

    def _skills_figures(self) -> dict[str, go.Figure]:
        region, lang = self.region, self.lang
        common = {"lang": lang, "meta": self._meta(), "region_name": get_region(region).label(lang)}
        skills = self._both(baseline_skills(region, self.horizon), self.skills)
        return {"openings": viz.job_openings_chart(skills, region, CURRENT, **common),
                "balance": viz.labour_balance_chart(skills, region, **common)}

    def update_population_figures(self) -> None:
        """Pyramid, paths and dependency ratios: the edited run's traces rewritten in place.

        Trace order is that of the :mod:`toolkit.viz` figures with scenarios (baseline, edited): the
        edited scenario's line is trace 1 of a path figure, its ratios traces 2 and 3 of the dependency
        figure.
        """
        current = self.run["population"].sel(region=self.region, scenario=CURRENT)
        ratios = dependency_ratios(current)
        lines = {
            "population": {1: population_measure(current, "total")},
            "15-64": {1: population_measure(current, "15-64")},
            "dependency": {2: ratios["old_age_dependency"], 3: ratios["total_dependency"]},
        }
        for name, traces in lines.items():
            with self.figures[name].batch_update():
                for index, values in traces.items():
                    self.figures[name].data[index].y = values.values
        self._update_pyramid()

    def _update_pyramid(self) -> None:
        year = self.controls["year"].value
        baseline = baseline_population(self.region, self.horizon)["population"]
        counts = np.stack([run.sel(region=self.region, year=year).transpose("sex", "age").values
                           for run in (baseline.sel(scenario=BASELINE), self.run["population"].sel(scenario=CURRENT))])
        sexes = [str(sex) for sex in baseline["sex"].values]
        series = pyramid_series(counts[:, None], counts[0][None], sexes)[:, 0]
        widget = self.figures["pyramid"]
        with widget.batch_update():
            for trace, x in zip(widget.data, series, strict=True):
                trace.update(x=x, customdata=np.abs(x))
            pyramid_axes(widget, counts, self.lang)

    def update_skills_figures(self) -> None:
        """Job openings and labour balance: traces rewritten in place.

        The job-openings figure has (expansion, replacement) bars per scenario (baseline, edited) with the
        industries ordered by the edited scenario's openings over the period, as
        :func:`toolkit.viz.job_openings_chart` draws them; the edited balance line is trace 1.
        """
        both = self._both(baseline_skills(self.region, self.horizon), self.skills).sel(region=self.region)
        years = both["year"].values[1:]  # the period of the figure: the projected years
        parts = [both["expansion_demand"].sel(year=years).clip(min=0.0).sum("year"),
                 both["replacement_demand"].sel(year=years).sum("year")]
        order = np.argsort((parts[0] + parts[1]).sel(scenario=CURRENT).values, kind="stable")
        labels = [industry_label(str(industry), self.lang) for industry in both["industry"].values[order]]
        widget = self.figures["openings"]
        with widget.batch_update():
            for index, trace in enumerate(widget.data):
                scenario, part = divmod(index, 2)
                trace.update(x=parts[part].isel(scenario=scenario).values[order], y=labels)
        self.figures["balance"].data[1].y = both["labour_balance"].sel(scenario=CURRENT).values

    # saving

    def save_scenario(self, path: str | os.PathLike, *, scenario_id: str, name: Mapping[str, str],
                      narrative: Mapping[str, str], justification: str, overwrite: bool = False) -> Path:
        """Write the edited scenario as a scenario file that ``load_scenario`` and ``forum render`` read.

        The file is the picked scenario (its levers, region blocks and uncertainty) with this area's
        edited levers in its ``regions`` block, so other areas keep the picked scenario. The
        justification gets a line naming the source scenario and the changed levers.

        Parameters
        ----------
        path : the YAML file to write
        scenario_id : slug (``a-z``, ``0-9``, ``-``), not the id of a shipped scenario
        name, narrative : texts by language, ``fi``, ``sv`` and ``en`` all required
        justification : why the levers are what they are
        overwrite : replace an existing file

        Returns
        -------
        Path of the written file (written only after the content passed the scenario schema)
        """
        path = Path(path)
        if not isinstance(scenario_id, str) or not _SLUG.fullmatch(scenario_id):
            raise InputError(f"scenario id {scenario_id!r}: use 1-40 characters a-z, 0-9 and '-', "
                             "starting with a letter or digit")
        if scenario_id in available_scenarios():
            raise InputError(f"scenario id {scenario_id!r} is a shipped scenario; choose another id")
        if path.exists() and not overwrite:
            raise InputError(f"{path}: the file exists; choose another id or file")
        text = yaml.safe_dump(self._scenario_content(scenario_id, name, narrative, justification),
                              allow_unicode=True, sort_keys=False, width=100)
        partial = path.with_name(f".{path.name}.partial.yaml")
        try:
            partial.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: cannot write the scenario file ({exc.strerror})") from None
        try:
            load_scenario(partial.resolve())
        except InputError as exc:
            partial.unlink()
            raise InputError(str(exc).replace(str(partial.resolve()), str(path))) from None
        os.replace(partial, path)
        return path

    def _scenario_content(self, scenario_id: str, name: Mapping[str, str], narrative: Mapping[str, str],
                          justification: str) -> dict:
        """The picked scenario's file content with new texts and this area's edited levers."""
        source, levers = self.source, self.levers
        content = _read_source(source)
        changed = changed_levers(self._source_levers, levers)
        if changed:
            regions = content.setdefault("regions", {})
            regions[self.region] = {**(regions.get(self.region) or {}),
                                    **{lever: _plain(getattr(levers, lever)) for lever in changed}}
        note = (f"Levers set in the explorer for {self.region}, starting from the scenario '{source.id}'; "
                f"changed: {', '.join(changed) if changed else 'none'}.")
        content.update(id=scenario_id, name=dict(name), narrative=dict(narrative),
                       justification=f"{justification.strip()} {note}".strip())
        return content

    def _save_clicked(self) -> None:
        form = self.save_form
        scenario_id = form["id"].value.strip()
        try:
            path = self.save_scenario(
                self.save_dir / f"{scenario_id}.yaml",
                scenario_id=scenario_id,
                name={lang: form[f"name_{lang}"].value.strip() for lang in viz.LANGS},
                narrative={lang: form[f"narrative_{lang}"].value.strip() for lang in viz.LANGS},
                justification=form["justification"].value,
            )
        except InputError as exc:
            form["status"].value = f"<span style='color:#D55E00'>{html.escape(str(exc))}</span>"
            return
        form["status"].value = html.escape(label("saved", self.lang).format(path=path))


# --- Voilà ------------------------------------------------------------------------------------------


def voila_command(region: str | None, port: int, *, open_browser: bool = False,
                  save_dir: str | os.PathLike | None = None) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that serve the explorer notebook with Voilà on 127.0.0.1.

    Parameters
    ----------
    region : area id or code (validated), or None for the first forum area
    port : TCP port, 1024..65535
    open_browser : let Voilà open a browser tab
    save_dir : folder for saved scenarios (default: the working directory)

    Returns
    -------
    (argv, env)
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 1024 <= port <= 65535:
        raise InputError(f"port {port!r} is not allowed; use a number 1024..65535")
    env = dict(os.environ)
    if region is not None:
        env[ENV_REGION] = get_region(region).id
    env[ENV_SAVE_DIR] = str(Path(save_dir or Path.cwd()).resolve())
    argv = [sys.executable, "-m", "voila", str(NOTEBOOK), f"--port={port}", "--Voila.ip=127.0.0.1",
            "--strip_sources=True", "--show_tracebacks=False"]
    if not open_browser:
        argv.append("--no-browser")
    return argv, env


def start_voila(region: str | None, port: int, *, open_browser: bool = False,
                save_dir: str | os.PathLike | None = None) -> subprocess.Popen:
    """Start Voilà serving the explorer (see :func:`voila_command`) and return the running process."""
    argv, env = voila_command(region, port, open_browser=open_browser, save_dir=save_dir)
    return subprocess.Popen(argv, env=env, cwd=NOTEBOOK.parent)


def present(region: str | None, port: int, open_browser: bool = False) -> int:
    """Serve the live explorer with Voilà on http://127.0.0.1:PORT until interrupted; returns Voilà's exit code."""
    process = start_voila(region, port, open_browser=open_browser)
    print(f"explorer: http://127.0.0.1:{port}/  (Ctrl-C stops)")
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        return process.wait()
