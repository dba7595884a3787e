"""The live explorer: scenario levers as widgets, figures updated in place (JupyterLab, Voilà).

``Explorer(region).ui`` is the root widget: area, scenario, language and horizon pickers, sliders for the levers
a forum discusses, a reset button, a "solve for" control, a "save as scenario" form, the headline sentences and ten
figures (pyramid, population and working-age paths against the baseline, dependency ratios, job
openings by industry, by occupation group and by education, labour and occupation balance, tightness; all but the
pyramid in three tabs, :data:`TABS`). A lever
change re-runs the deterministic projection of the one area and the edited scenario (the baseline run is cached per
area and horizon) and writes the new numbers into the existing figures with the update functions of
:mod:`toolkit.viz`; the figures are never rebuilt. Each figure is shown by a :class:`toolkit.explorer.plots.PlotView`
(a plain ``HTML`` widget drawn with ``Plotly.react`` by one script in the page), so no figure depends on a widget
front end starting in time; show the explorer with ``display(explorer)`` (or as a cell's last value), which puts
that script and plotly.js in the page once.

Length: the module is the one class that wires the widgets to the runs and the figures; its parts with a
life of their own (lever mapping, runs, forms, the scenario writer) are modules beside it.

The model core never imports this package. ``forum present`` serves ``notebooks/explorer.ipynb`` with Voilà.
"""

from __future__ import annotations

import asyncio
import gc
import html
import os
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import xarray as xr
from IPython.display import HTML, display

from toolkit import viz
from toolkit.errors import InputError
from toolkit.explorer.forms import (
    SOLVE_OUTCOMES,
    SOLVE_SLIDERS,
    TIGHTNESS_GROUP,
    label,
    pickers,
    save_form,
    set_range,
    solve_form,
)
from toolkit.explorer.levers import (
    EXTRA_MIGRATION_PER_1000,
    GROWTH_CHOICES,
    HORIZONS,
    PARTICIPATION_BANDS,
    SLIDER_YEARS,
    SLIDERS,
    changed_levers,
    levers_from_sliders,
    slider_values,
)
from toolkit.explorer.plots import LEVERS_CLASS, TABS_CLASS, PlotView, page_script
from toolkit.explorer.runs import (
    BASELINE,
    baseline_population,
    baseline_skills,
    participation_bounds,
    scenario_population,
    skills_run,
    tightness_run,
)
from toolkit.explorer.writer import scenario_content, write_scenario
from toolkit.goals import GoalUnreachable, solve_slider
from toolkit.nomenclature import LANGS
from toolkit.population.project import project_population
from toolkit.regions import forum_regions, get_region, load_regions
from toolkit.report import skills_sentences
from toolkit.scenarios import Levers, Scenario, available_scenarios, load_scenario
from toolkit.skills import headline_indicators
from toolkit.text import check_lang, number
from toolkit.text.goals import unreachable_sentence
from toolkit.viz.occupations import (
    education_openings_chart,
    occupation_balance_chart,
    occupation_openings_chart,
    occupation_pack_sentences,
    tightness_chart,
    update_education_openings_chart,
    update_occupation_balance_chart,
    update_occupation_openings_chart,
)

CURRENT = "explorer"
"""Scenario id of the explorer's edited run (the ``scenario`` coordinate of :attr:`Explorer.run`)."""
ENV_REGION = "FORUM_EXPLORER_REGION"
ENV_LANG = "FORUM_EXPLORER_LANG"
ENV_SAVE_DIR = "FORUM_EXPLORER_SAVE_DIR"
PYRAMID_BOTTOM = 70
"""[px] under the explorer's pyramid: room for its axis title (a pack's pyramid keeps room for its slider)."""
PARTICIPATION_RANGE = 30.0
"""Widest participation change a slider offers [percentage points]; narrower where the band's rates hit 0 or 1."""
PARTICIPATION_STEP = 0.5
"""Step of the participation sliders [percentage points]."""
REST_DELAY = 0.25
"""Seconds after a lever move's figures on the screen before the closed tabs' figures are updated (with a running
event loop; see :meth:`Explorer.recompute`)."""


def side_by_side(first: xr.Dataset, second: xr.Dataset, dim: str = "scenario") -> xr.Dataset:
    """``xr.concat([first, second], dim, combine_attrs="override", data_vars="all")`` for two runs of one area and
    horizon (the same coordinates but ``dim``), built from the arrays directly: a sixth of the time of
    ``xr.concat``, which aligns every variable. Runs that differ elsewhere go through ``xr.concat``."""
    shared = [name for name, coord in first.coords.items() if dim not in coord.dims]
    if set(first.variables) != set(second.variables) or not all(first[name].equals(second[name]) for name in shared):
        return xr.concat([first, second], dim=dim, combine_attrs="override", data_vars="all", coords="different",
                         join="outer", compat="equals")
    variables = {}
    for name, variable in first.variables.items():
        other = second.variables[name].values
        if dim in variable.dims:
            values = np.concatenate([variable.values, other], axis=variable.dims.index(dim))
            variables[name] = xr.Variable(variable.dims, values, variable.attrs)
        elif name in first.coords:
            variables[name] = variable
        else:  # a variable without the dimension gets it, as with data_vars="all"
            variables[name] = xr.Variable((dim, *variable.dims), np.stack([variable.values, other]), variable.attrs)
    return xr.Dataset({name: variables[name] for name in first.data_vars},
                      coords={name: variables[name] for name in first.coords}, attrs=first.attrs)


def settle_heap() -> None:
    """Collect the garbage once, then move every object alive now out of the cyclic collector's reach
    (:func:`gc.freeze`).

    An explorer holds some 300,000 long-lived objects (libraries, data, fitted trends, figures). Python's full
    collection walks all of them, and it starts on its own every so often as a lever move allocates: in a kernel
    serving the explorer it took 130 ms, a pause in the middle of a lever move. Frozen, they are left alone; what a
    move allocates is still collected.
    """
    gc.collect()
    gc.freeze()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running this code (a kernel's), or None (a script, the tests)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


POPULATION_FIGURES = {"population": "total", "15-64": "15-64", "dependency": None}
"""The figures drawn from the population run (with the measure of a path)."""
SKILLS_FIGURES = ("openings", "balance", "occupations", "education", "occupation_balance")
"""The figures drawn from the skills run that a lever move changes (tightness is the area's own)."""
TABS = {"population": ("population", "15-64", "dependency"),
        "labour": ("balance", "openings", "tightness"),
        "skills": ("occupations", "education", "occupation_balance")}
"""The figures below the pyramid, by tab (a tab's title is ``explorer.tab_<key>``). Only the open tab's figures
are drawn in the page, so a lever move redraws the pyramid and at most three figures."""


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
    figures : dict of ``go.Figure``: ``pyramid``, ``population``, ``15-64``, ``dependency``,
        ``openings``, ``balance``, ``occupations``, ``education``, ``occupation_balance``, ``tightness``
    views : dict of :class:`~toolkit.explorer.plots.PlotView` by the same names (the widgets in the page)
    run, skills : the population and skills runs of the edited scenario (scenario id :data:`CURRENT`)
    """

    def __init__(self, region: str, scenario: str = BASELINE, lang: str = "fi", *, horizon: int = 2050,
                 debounce: float = 0.0, save_dir: str | os.PathLike | None = None):
        check_lang(lang)
        if horizon not in HORIZONS:
            raise InputError(f"horizon {horizon!r} is not offered; allowed: {', '.join(map(str, HORIZONS))}")
        self.debounce = debounce
        self.save_dir = Path(save_dir) if save_dir is not None else Path.cwd()
        self._pending: asyncio.TimerHandle | None = None
        self._quiet = False
        self._pairs: dict = {}
        self._tabs: widgets.Tab | None = None
        self._fitted_shift = None
        self._rest: tuple[asyncio.TimerHandle, list[str]] | None = None
        self.rest_delay = REST_DELAY
        self.status = widgets.HTML()
        self.sentences = widgets.HTML()
        self.controls = pickers(get_region(region).id, load_scenario(scenario).id, lang, horizon)
        self.sliders = {name: widgets.FloatSlider(continuous_update=True, readout_format=".2f",
                                                  layout=widgets.Layout(width="100%"))
                        for name in SLIDERS}
        self.reset_button = widgets.Button()
        self.reset_button.on_click(lambda _: self.reset())
        self.save_form = save_form(self._save_clicked)
        self.solve_form = solve_form(self._solve_clicked)
        self._load()
        self._run_levers = self.levers
        self.run = project_population(self.region, [self.scenario], horizon=self.horizon)
        self.skills = skills_run(self.run, self.scenario)
        self._skills_of = self.run
        self.views = {name: PlotView(fig, name) for name, fig in self._fresh_figures().items()}
        self._update_sentences()
        self.ui = self._layout()
        self._relabel()
        self._observe()
        settle_heap()

    @property
    def figures(self) -> dict[str, go.Figure]:
        """The ten figures as the explorer last drew them (see :attr:`views`)."""
        return {name: view.figure for name, view in self.views.items()}

    def _ipython_display_(self) -> None:
        """plotly.js and the drawing script (once per page), then the explorer's widgets."""
        display(HTML(page_script()))
        display(self.ui)

    @property
    def open_tab(self) -> str:
        """Key of the tab of figures open in the page (a key of :data:`TABS`)."""
        index = self._tabs.selected_index if self._tabs is not None else None
        return tuple(TABS)[index or 0]

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

    def solve(self, outcome: str, year: int, target: float, slider: str) -> float:
        """Move ``slider`` to the value at which ``outcome`` is at least ``target`` in ``year`` (goal seeking on
        the edited levers, :func:`toolkit.goals.solve_slider`); returns the value. Raises InputError (with what
        the slider's range gives) when no value in its range reaches the target."""
        value = solve_slider(self.region, self.levers, slider, outcome, int(year), float(target),
                             horizon=self.horizon, slider_years=SLIDER_YEARS)
        if slider.startswith("participation_"):  # goal seeking caps the rates; the explorer's run refuses instead
            widget = self.sliders[slider]
            if not widget.min - 1e-9 <= value <= widget.max + 1e-9:
                raise InputError(label("solve_beyond_room", self.lang).format(
                    value=number(value, self.lang, 1), low=number(widget.min, self.lang, 1),
                    high=number(widget.max, self.lang, 1)))
        names = ("e0_F", "e0_M") if slider == "e0" else (slider,)
        for name in names:
            widget = self.sliders[name]
            set_range(widget, min(widget.min, value), max(widget.max, value), widget.step)
        with self._silenced():
            for name in names[:-1]:
                self.sliders[name].value = value
        self.sliders[names[-1]].value = value  # the last assignment recomputes the figures
        return value

    def _solve_clicked(self) -> None:
        form = self.solve_form
        try:
            value = self.solve(form["outcome"].value, form["year"].value, form["target"].value,
                               form["slider"].value)
        except InputError as exc:
            message = str(exc)
            if isinstance(exc, GoalUnreachable):  # in the page's language: what the slider's range gives
                message = unreachable_sentence(exc, int(form["year"].value), float(form["target"].value), ">=",
                                               self.lang, area=get_region(self.region).label(self.lang),
                                               scenario=self._meta()[CURRENT]["name"][self.lang])
            form["status"].value = f"<span style='color:#D55E00'>{html.escape(message)}</span>"
            return
        form["status"].value = html.escape(label("solved", self.lang).format(value=number(value, self.lang, 2)))

    def _layout(self) -> widgets.Widget:
        picks = widgets.HBox([self.controls[name] for name in ("region", "scenario", "horizon", "lang")])
        solve = widgets.VBox([self.solve_form["outcome"],
                              widgets.HBox([self.solve_form[key] for key in ("year", "target")]),
                              widgets.HBox([self.solve_form["slider"], self.solve_form["solve"]]),
                              self.solve_form["status"]])
        levers = widgets.VBox([*(self.sliders[name] for name in SLIDERS if name != "industry_growth"),
                               self.controls["industry"], self.sliders["industry_growth"],
                               self.reset_button, self.status, solve],
                              layout=widgets.Layout(width="36em", flex="0 0 auto"))
        levers.add_class(LEVERS_CLASS)
        pyramid = widgets.VBox([self.views["pyramid"].widget, self.controls["year"]],
                               layout=widgets.Layout(flex="1 1 auto", min_width="0"))
        self._tabs = widgets.Tab([widgets.GridBox([self.views[name].widget for name in names],
                                                  layout=widgets.Layout(grid_template_columns="1fr 1fr"))
                                  for names in TABS.values()])
        self._tabs.add_class(TABS_CLASS)
        self._save_box = widgets.Accordion([widgets.VBox(list(self.save_form.values()))])
        return widgets.VBox([picks, widgets.HBox([levers, pyramid]), self.sentences, self._tabs,
                             self._save_box])

    def _relabel(self) -> None:
        """Descriptions of every widget in the current language."""
        lang = self.lang
        for key in ("region", "scenario", "horizon", "year", "industry"):
            self.controls[key].description = label("area" if key == "region" else key, lang)
        self.controls["lang"].description = label("lang", lang)
        for name, key in SLIDERS.items():
            self.sliders[name].description = label(key, lang)
            self.sliders[name].style = {"description_width": "16em"}
        self.reset_button.description = label("reset", lang)
        for key, widget in self.save_form.items():
            if key not in ("save", "status"):
                field, _, field_lang = key.partition("_")
                widget.description = label(field, lang) + (f" ({field_lang})" if field_lang else "")
        self.save_form["save"].description = label("save", lang)
        for key in ("outcome", "year", "target", "slider"):
            self.solve_form[key].description = label(f"solve_{key}", lang)
        self.solve_form["solve"].description = label("solve", lang)
        self.solve_form["outcome"].options = [(label(f"solve_outcome_{key}", lang), key) for key in SOLVE_OUTCOMES]
        self.solve_form["slider"].options = [(label(SLIDERS.get(key, "e0"), lang), key) for key in SOLVE_SLIDERS]
        options = {
            "region": [(region.label(lang), region.id) for region in
                       {**load_regions(), self.region: get_region(self.region)}.values()],
            "scenario": [(load_scenario(scenario).name[lang], scenario) for scenario in available_scenarios()],
            "industry": [(label("default_industry", lang) if key == "default" else viz.industry_label(key, lang), key)
                         for key in GROWTH_CHOICES],
        }
        with self._silenced():
            for key, pairs in options.items():
                value = self.controls[key].value
                self.controls[key].options = pairs
                self.controls[key].value = value
        self._save_box.set_title(0, label("save_title", lang))
        self._tabs.titles = tuple(label(f"tab_{key}", lang) for key in TABS)

    def _observe(self) -> None:
        for name, slider in self.sliders.items():
            slider.observe(self._on_growth if name == "industry_growth" else self._on_lever, "value")
        self.controls["industry"].observe(self._on_industry, "value")
        self.controls["year"].observe(lambda _: self._guarded(self._update_pyramid), "value")
        for key in ("region", "scenario"):
            self.controls[key].observe(lambda _: self._guarded(self._reload), "value")
        self.controls["horizon"].observe(lambda _: self._guarded(self._rebuild), "value")
        self.controls["lang"].observe(lambda _: self._guarded(self._change_lang), "value")
        self._tabs.observe(self._on_tab, "selected_index")

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
            "participation_55-64": (-PARTICIPATION_RANGE, PARTICIPATION_RANGE, PARTICIPATION_STEP),
            "participation_65-74": (-PARTICIPATION_RANGE, PARTICIPATION_RANGE, PARTICIPATION_STEP),
            "retirement_age_shift": (-3.0, 5.0, 0.1),
            "industry_growth": (-10.0, 10.0, 0.1),
        }
        with self._silenced():
            for name, (low, high, step_) in ranges.items():
                set_range(self.sliders[name], float(low), float(high), float(step_))
                self.sliders[name].readout_format = {"extra_migration": ".0f", "tfr": ".2f"}.get(name, ".1f")
            self._set_sliders(self._initial)
            set_range(self.controls["year"], self._base_year, self.horizon, 1)
            self.controls["year"].value = self.horizon
        self._fit_participation(self.source)

    def _fit_participation(self, scenario: Scenario) -> None:
        """Each participation slider's range: at most ±30 percentage points, and no further than every rate of
        its band stays within 0..1 with the scenario's retirement-age shift (a value outside is moved in)."""
        self._fitted_shift = scenario.levers_for(self.region).retirement_age_shift
        with self._silenced():
            for band in PARTICIPATION_BANDS:
                slider = self.sliders[f"participation_{band}"]
                low, high = participation_bounds(self.region, self.horizon, scenario, band)
                step = PARTICIPATION_STEP
                set_range(slider, max(-PARTICIPATION_RANGE, np.ceil(low / step - 1e-9) * step) + 0.0,
                          min(PARTICIPATION_RANGE, np.floor(high / step + 1e-9) * step) + 0.0, step)

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
        self._guarded(self._schedule_if_moved)

    def _schedule_if_moved(self) -> None:
        """Recompute unless the levers are those of the last run (a page snapping its sliders to their steps when
        it loads, a slider moved back before the run started)."""
        if self.levers != self._run_levers:
            self._schedule()

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
        loop = _running_loop()
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

        Each figure is sent as soon as it is updated, in the order the page shows them: the pyramid, then the open
        tab's figures (the skills model runs when the first of them needs it). The closed tabs' figures and the
        headline sentences follow :data:`REST_DELAY` seconds later when a kernel's event loop runs (the page draws
        the figures on the screen meanwhile without the kernel competing for the cores), at once when a tab is
        opened before that or when there is no event loop.
        """
        self._pending = None
        self._cancel_rest()
        if self.sliders["retirement_age_shift"].value != self._fitted_shift:
            self._fit_participation(self.scenario)
        self.run_population()
        order = self._update_order(("pyramid", *POPULATION_FIGURES, *SKILLS_FIGURES))
        shown = {"pyramid", *TABS[self.open_tab]}
        for name in (name for name in order if name in shown):
            self._update_figure(name)
        rest = [name for name in order if name not in shown]
        loop = _running_loop()
        if loop is None or self.rest_delay <= 0:
            self._finish(rest)
        else:
            self._rest = (loop.call_later(self.rest_delay, lambda: self._guarded(lambda: self._finish(rest))), rest)

    def _finish(self, names) -> None:
        """The figures of the closed tabs and the headline sentences brought up to the edited run."""
        self._rest = None
        for name in names:
            self._update_figure(name)
        self._update_sentences()

    def _cancel_rest(self) -> None:
        if self._rest is not None:
            self._rest[0].cancel()
            self._rest = None

    def _on_tab(self, _change) -> None:
        """A tab opened: what a lever move left to do is done now (its figures are drawn with the latest numbers)."""
        if self._rest is not None:
            handle, names = self._rest
            handle.cancel()
            self._guarded(lambda: self._finish(names))

    def _update_order(self, names) -> list[str]:
        """``names`` with the pyramid first, then the open tab's figures."""
        open_ = TABS[self.open_tab]
        return sorted(names, key=lambda name: (name != "pyramid", name not in open_))

    def _update_figure(self, name: str) -> None:
        """Write the edited run's numbers into one figure in place and send it (running the skills model first
        when the figure needs it and it has not run for this run)."""
        figure = self.views[name].figure
        if name == "pyramid":
            self._update_pyramid()
            return
        if name in POPULATION_FIGURES:
            population = self._both(baseline_population(self.region, self.horizon), self.run)
            if name == "dependency":
                viz.update_dependency_ratio_chart(figure, population, self.region, CURRENT)
            else:
                viz.update_fan_chart(figure, population, self.region, POPULATION_FIGURES[name], CURRENT)
        else:
            if self._skills_of is not self.run:
                self.run_skills()
            skills = self._both(baseline_skills(self.region, self.horizon), self.skills)
            if name == "openings":
                viz.update_job_openings_chart(figure, skills, self.region, CURRENT, lang=self.lang)
            elif name == "balance":
                viz.update_labour_balance_chart(figure, skills, self.region, CURRENT)
            else:
                update, run = {"occupations": (update_occupation_openings_chart, self.skills),
                               "education": (update_education_openings_chart, self.skills),
                               "occupation_balance": (update_occupation_balance_chart, skills)}[name]
                update(figure, run, self.region, CURRENT, lang=self.lang)
        self.views[name].show()

    def run_population(self) -> None:
        """Project the edited scenario (:attr:`run`) and say in the status line which levers moved."""
        scenario = self.scenario
        self._run_levers = scenario.levers
        self.run = project_population(self.region, [scenario], horizon=self.horizon)
        changed = changed_levers(self._source_levers, scenario.levers)
        names = ", ".join(label(f"lever_{name}", self.lang) for name in changed)
        self.status.value = html.escape(label("changed", self.lang).format(names=names) if changed
                                        else label("unchanged", self.lang))

    def run_skills(self) -> None:
        """The skills model on the edited run (:attr:`skills`)."""
        self.skills = skills_run(self.run, self.scenario)
        self._skills_of = self.run

    def _rebuild(self) -> None:
        """New area, horizon, scenario or language: every trace and layout copied from fresh figures."""
        self._cancel_rest()  # every figure is sent whole below
        with self._silenced():
            set_range(self.controls["year"], self._base_year, self.horizon, 1)
        self._fit_participation(self.scenario)  # the room of the participation sliders depends on the years
        self.run_population()
        self.run_skills()
        for name, fresh in self._fresh_figures().items():
            self.views[name].show(fresh)
        self._update_sentences()

    def _meta(self) -> dict:
        lang, source = self.lang, self.source
        return {BASELINE: {"name": {lang: load_scenario(BASELINE).name[lang]}},
                CURRENT: {"name": {lang: f"{label('current', lang)}: {source.name[lang]}"}}}

    def _both(self, baseline: xr.Dataset, current: xr.Dataset) -> xr.Dataset:
        """Baseline and edited run side by side (built once per pair of runs: a lever change needs each pair for
        several figures; the population and the skills pair are both kept)."""
        key = (id(baseline), id(current))
        if key not in self._pairs:
            both = side_by_side(baseline, current)
            # the runs held with the pair, so that their ids stay theirs; the two latest pairs kept
            self._pairs = {**dict(list(self._pairs.items())[-1:]), key: (both, baseline, current)}
        return self._pairs[key][0]

    def _fresh_figures(self) -> dict[str, go.Figure]:
        """The ten figures drawn by :mod:`toolkit.viz` from the baseline and the edited run."""
        region, lang, meta = self.region, self.lang, self._meta()
        name = get_region(region).label(lang)
        common = {"lang": lang, "meta": meta, "region_name": name}
        population = self._both(baseline_population(region, self.horizon), self.run)
        pyramid = viz.pyramid(population, region, CURRENT, BASELINE, years=[self.controls["year"].value],
                              frames=False, **common)
        pyramid.layout.sliders = ()  # the year is the explorer's own slider, so the room kept for a slider goes too
        pyramid.update_layout(margin_b=PYRAMID_BOTTOM)
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
        names = {"lang": lang, "region_name": common["region_name"]}
        return {"openings": viz.job_openings_chart(skills, region, CURRENT, **common),
                "balance": viz.labour_balance_chart(skills, region, **common),
                "occupations": occupation_openings_chart(self.skills, region, CURRENT, **names),
                "education": education_openings_chart(self.skills, region, CURRENT, **names),
                "occupation_balance": occupation_balance_chart(skills, region, CURRENT, **common),
                "tightness": tightness_chart(tightness_run(region, self.horizon), region, TIGHTNESS_GROUP, **names)}

    def update_population_figures(self) -> None:
        """Pyramid, paths and dependency ratios: the edited run's numbers written into the figures in place."""
        for name in self._update_order(("pyramid", *POPULATION_FIGURES)):
            self._update_figure(name)

    def _update_pyramid(self) -> None:
        population = self._both(baseline_population(self.region, self.horizon), self.run)
        viz.update_pyramid(self.figures["pyramid"], population, self.region, self.controls["year"].value,
                           BASELINE, lang=self.lang)
        self.views["pyramid"].show()

    def update_skills_figures(self) -> None:
        """Job openings, labour balance, occupations and education: the edited run's numbers (of the skills run
        :attr:`skills`) written into the figures in place; then the headline sentences."""
        for name in self._update_order(SKILLS_FIGURES):
            self._update_figure(name)
        self._update_sentences()

    def _update_sentences(self) -> None:
        """The headline sentences of the edited run's work and skills, in the explorer's language."""
        name = get_region(self.region).label(self.lang)
        indicators = headline_indicators(self.skills).sel(region=self.region, scenario=CURRENT)
        sentences = [*skills_sentences(indicators, self.lang).values(),
                     *occupation_pack_sentences(self.skills, self.region, CURRENT, lang=self.lang, region_name=name)]
        self.sentences.value = "<ul>" + "".join(f"<li>{html.escape(text)}</li>" for text in sentences) + "</ul>"

    # saving

    def save_scenario(self, path: str | os.PathLike, *, scenario_id: str, name: Mapping[str, str],
                      narrative: Mapping[str, str], justification: str, overwrite: bool = False) -> Path:
        """Write the edited scenario as a scenario file that ``load_scenario`` and ``forum render`` read
        (:mod:`toolkit.explorer.writer`): the picked scenario with this area's edited levers in its
        ``regions`` block.

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
        content = scenario_content(self.source, self.region, self._source_levers, self.levers,
                                   scenario_id=scenario_id, name=name, narrative=narrative,
                                   justification=justification)
        return write_scenario(path, content, overwrite=overwrite)

    def _save_clicked(self) -> None:
        form = self.save_form
        scenario_id = form["id"].value.strip()
        try:
            path = self.save_scenario(
                self.save_dir / f"{scenario_id}.yaml",
                scenario_id=scenario_id,
                name={lang: form[f"name_{lang}"].value.strip() for lang in LANGS},
                narrative={lang: form[f"narrative_{lang}"].value.strip() for lang in LANGS},
                justification=form["justification"].value,
            )
        except InputError as exc:
            form["status"].value = f"<span style='color:#D55E00'>{html.escape(str(exc))}</span>"
            return
        form["status"].value = html.escape(label("saved", self.lang).format(path=path))
