"""The forum pack of one area: its runs and its sections, each a Markdown block, a table or a figure.

``notebooks/forum.ipynb`` is a list of calls to :class:`ForumPack`: every section is a method that returns what a
forum participant sees, in the pack's language, and :func:`show` puts it on the page. The words come from the
text catalogue (``toolkit/text/catalogue/pack.yaml``), the figures from :mod:`toolkit.viz`, the numbers from the
population and skills runs made here. Names and narratives of scenario files are Markdown-escaped before they
enter a Markdown block, and each block is shown as HTML rendered and sanitised here (:mod:`toolkit.text.markup`),
so that they stay text.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from IPython.display import HTML, display

from toolkit import discovery, goals, viz
from toolkit.indicators import central, headline_population, population_measure, select
from toolkit.io.official import official_projection
from toolkit.io.params import load_population
from toolkit.population.project import project_population
from toolkit.population.statements import chance_below, likely_range
from toolkit.regions import get_region
from toolkit.report import in_words, skills_sentences
from toolkit.scenarios import available_scenarios, load_scenarios
from toolkit.skills import headline_indicators, load_assumptions, project_skills
from toolkit.text import check_lang, number, t
from toolkit.text.markup import SafeMarkdown, escape_markdown
from toolkit.version import __version__
from toolkit.viz.goals import goal_chart, matters_chart
from toolkit.viz.occupations import (
    education_openings_chart,
    occupation_balance_chart,
    occupation_openings_chart,
    occupation_pack_sentences,
    tightness_chart,
)
from toolkit.viz.reference import add_official_projection

HEADLINE_MIME = "application/vnd.futures-forum.headline+json"
"""The output that carries a pack's headline numbers to the index page (read by :mod:`toolkit.batch`)."""
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
MATTERS_SAMPLE = 256  # Saltelli base sample of the "what matters most" bars: 2,048 model runs
TIGHTNESS_GROUPS = ("2", "3", "5")  # professionals, associate professionals, service and sales workers


def compact(value):
    """A figure's JSON with its typed arrays of 64-bit floats stored as 32-bit floats (seven significant digits,
    more than any figure shows): the pack's pages and notebooks get about half as large."""
    if isinstance(value, dict):
        if value.get("dtype") == "f8" and isinstance(value.get("bdata"), str):
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype="<f8")
            return {**value, "dtype": "f4", "bdata": base64.b64encode(array.astype("<f4").tobytes()).decode("ascii")}
        return {key: compact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [compact(item) for item in value]
    return value


def show(*items) -> None:
    """Display sections: a figure as HTML for the exported page (plotly.js is loaded once per pack folder; an
    animation waits for its play button) and as plotly JSON (the data of the pack's CSV files and workbook), both
    compacted (:func:`compact`); Markdown and HTML blocks as they are; a list or tuple item by item."""
    for item in items:
        if isinstance(item, list | tuple):
            show(*item)
        elif isinstance(item, go.Figure):
            figure = compact(json.loads(pio.to_json(item)))
            display({"text/html": pio.to_html(figure, full_html=False, include_plotlyjs=False, config=PLOTLY_CONFIG,
                                              auto_play=False, validate=False),
                     "application/vnd.plotly.v1+json": figure}, raw=True)
        elif item is not None:
            display(item)


class ForumPack:
    """The runs and sections of one area's forum pack.

    Parameters
    ----------
    region : area id or code
    scenarios : scenario ids or files (default: every shipped scenario)
    horizon : last projected year
    draws, seed : Monte Carlo draws per scenario for the bands (0: lines only) and their seed
    lang : ``fi``, ``sv`` or ``en``
    """

    def __init__(self, region: str, scenarios: Sequence[str] = (), *, horizon: int = 2050, draws: int = 0,
                 seed: int = 0, lang: str = "fi"):
        self.lang = check_lang(lang)
        self.area = get_region(region)
        self.scenarios = load_scenarios(scenarios or available_scenarios())
        # the scenarios' central paths (the numbers in the text) and, with draws, their uncertainty bands: the area
        # within the national run (migration balanced across the maakunnat), so a pack shows the national run's
        # numbers of its area for the same scenario and seed
        self.ds = project_population([self.area.id], self.scenarios, horizon=horizon, national=True)
        # one worker thread: `forum render` already runs one area per core
        self.bands = project_population([self.area.id], self.scenarios, horizon=horizon, draws=draws, seed=seed,
                                        jobs=1, national=True) if draws else self.ds
        self.draws = draws
        self.base_year, self.horizon = int(self.ds.attrs["base_year"]), int(self.ds.attrs["horizon"])
        self.ids = [scenario.id for scenario in self.scenarios]
        self.reference = "baseline" if "baseline" in self.ids else self.ids[0]  # the scenario others are compared with
        self.meta = {s.id: {"name": s.name.model_dump(), "narrative": s.narrative.model_dump()}
                     for s in self.scenarios}
        self.name = self.area.label(lang)
        self.estimated = self.area.id in json.loads(self.ds.attrs["estimated_regions"])
        self.observed = None if self.area.kind != "maakunta" else load_population().sel(region_code=self.area.code)
        # Statistics Finland's projection beside ours (in the shipped data for the maakunnat only)
        self.official = official_projection([self.area.code]).isel(region=0) if self.area.kind == "maakunta" else None
        self.skills = None
        self._goals = None

    # ---------------------------------------------------------------------------------------------- helpers

    @property
    def _figure_args(self) -> dict:
        return {"lang": self.lang, "region_name": self.name}

    def say(self, key: str, **fields) -> SafeMarkdown:
        """The catalogue text ``pack.<key>`` as Markdown and sanitised HTML; text fields are Markdown-escaped first,
        so names stay text (:mod:`toolkit.text.markup`)."""
        safe = {name: escape_markdown(value) if isinstance(value, str) else value for name, value in fields.items()}
        return SafeMarkdown(t(f"pack.{key}", self.lang, **safe))

    def _number(self, value, decimals: int = 0) -> str:
        return number(float(value), self.lang, decimals)

    def _scenario_name(self, scenario: str) -> str:
        return self.meta[scenario]["name"][self.lang]

    # ---------------------------------------------------------------------------------------------- sections

    def introduction(self) -> list:
        """Title, what the pack is, and the note on an estimated base population."""
        blocks = [self.say("title", name=self.name, base=self.base_year, horizon=self.horizon),
                  self.say("intro", horizon=self.horizon)]
        if self.estimated:
            blocks.append(self.say("estimated", base=self.base_year,
                                   parent=get_region(self.area.parent).label(self.lang)))
        return blocks

    def today(self) -> list:
        """The area's population in the base year, and its observed change."""
        now = headline_population(self.ds, self.area.id, self.reference, years=())
        people = select(self.ds["population"], region=self.area.id, scenario=self.reference).sel(year=self.base_year)
        shares = {key: 100 * population_measure(people, key) / population_measure(people, "total")
                  for key in ("0-14", "15-64", "65+")}
        blocks = [self.say("today"), self.say(
            "today_numbers", base=self.base_year, total=self._number(now["total"].sel(year=self.base_year)),
            young=self._number(shares["0-14"], 1), working=self._number(shares["15-64"], 1),
            old=self._number(shares["65+"], 1),
            dependency=self._number(population_measure(people, "old_age_dependency"), 1))]
        if self.observed is not None:
            history = population_measure(self.observed, "total")
            first = int(history["year"].values[0])
            change = 100 * (history.sel(year=self.base_year) / history.sel(year=first) - 1)
            blocks.append(self.say("observed_change", first=first, change=self._number(change, 1)))
        return blocks

    def pyramid(self) -> list:
        """The population pyramid with its year slider and scenario menu."""
        return [self.say("pyramid", base=self.base_year, horizon=self.horizon,
                         reference=self._scenario_name(self.reference)),
                viz.pyramid(self.ds, self.area.id, self.reference, baseline=self.reference, meta=self.meta,
                            **self._figure_args)]

    def futures_table(self) -> list:
        """Each scenario's numbers in the horizon year, as a table."""
        head = [t(f"pack.table_head.{i}", self.lang, base=self.base_year, horizon=self.horizon) for i in range(5)]
        official_year = self.horizon if self.official is None else min(self.horizon,
                                                                       int(self.official["year"].max()))
        column = t("official_projection_column", self.lang)  # its year only where it has figures (not municipal)
        head.append(column if self.official is None else f"{column} ({official_year})")
        official = self._official_total(official_year)
        rows = []
        for scenario in self.ids:
            numbers = headline_population(self.bands, self.area.id, scenario, years=(self.horizon,)).sel(
                year=self.horizon).map(central)
            rows.append([self._scenario_name(scenario), self._number(numbers["total"]),
                         self._number(numbers["change_percent"], 1) + " %",
                         self._number(numbers["75+_share"], 1) + " %", self._number(numbers["old_age_dependency"], 1),
                         official])
        table = pd.DataFrame(rows, columns=head).to_html(index=False, escape=True, border=0, classes="headline")
        return [self.say("futures"), self.say("futures_intro", horizon=self.horizon), HTML(table)]

    def _official_total(self, year: int) -> str:
        """The official projection's population in ``year`` as table text ("–" where it has none)."""
        if self.official is None or year not in self.official["year"].values:
            return "–"
        return self._number(self.official.sel(year=year).sum())

    def cards(self) -> list:
        """One card per scenario: three headline numbers and the narrative."""
        return [viz.scenario_card(self.bands, self.area.id, scenario, self.meta, year=self.horizon,
                                  **self._figure_args) for scenario in self.ids]

    def fan(self) -> list:
        """The population of every scenario with its bands and the observed history."""
        fan = viz.fan_chart(self.bands, self.area.id, observed=self.observed, meta=self.meta, **self._figure_args)
        return [self.say("fan"), add_official_projection(fan, self.official, "total", lang=self.lang)]

    def cones(self) -> list:
        """The futures cones of the total and the working-age population (with a baseline)."""
        if "baseline" not in self.ids:
            return []
        cones = [add_official_projection(viz.futures_cone(self.bands, self.area.id, measure, observed=self.observed,
                                                          **self._figure_args), self.official, measure, lang=self.lang)
                 for measure in ("total", "15-64")]
        return [self.say("cone"), *self._chances(), *cones]

    def _chances(self) -> list:
        """Probability statements of the baseline's bands (with draws): working age below today, the 75+ range."""
        if not self.draws or "baseline" not in self.ids:
            return []
        year = min(2040, self.horizon)
        sentences = [chance_below(self.bands, self.area.id, "15-64", year, lang=self.lang)["text"],
                     likely_range(self.bands, self.area.id, "75+", min(2035, self.horizon), lang=self.lang)["text"]]
        return [SafeMarkdown("\n".join(f"- {escape_markdown(sentence)}" for sentence in sentences))]

    def age_groups(self) -> list:
        """Dependency ratios, and the school-age and oldest age groups."""
        return [self.say("dependency"), viz.dependency_ratio_chart(self.ds, self.area.id, meta=self.meta,
                                                                   **self._figure_args),
                self.say("cohorts"), viz.cohort_chart(self.ds, self.area.id, meta=self.meta, **self._figure_args)]

    def work(self) -> list:
        """Job openings and labour balance of the same population runs, with their headline sentences."""
        self.skills = project_skills(self.ds, self.scenarios, tightness=True)
        first_period = (self.base_year + 1, min(self.base_year + 10, self.horizon))
        later_period = (first_period[1] + 1, self.horizon)
        periods = (first_period, later_period) if later_period[0] <= self.horizon else (first_period,)
        indicators = headline_indicators(self.skills, periods=periods, balance_years=tuple(p[1] for p in periods))
        sentences = skills_sentences(indicators.sel(region=self.area.id, scenario=self.reference), self.lang)
        reference = self._scenario_name(self.reference)
        return [
            self.say("work"), self.say("work_intro", reference=reference),
            SafeMarkdown("\n".join(f"- {escape_markdown(sentence)}" for sentence in sentences.values())),
            self.say("openings"),
            viz.job_openings_chart(self.skills, self.area.id, self.reference, period=first_period, meta=self.meta,
                                   **self._figure_args),
            self.say("flow", reference=reference),
            viz.openings_flow(self.skills, self.area.id, self.reference, first_period, **self._figure_args),
            self.say("balance"),
            viz.labour_balance_chart(self.skills, self.area.id, meta=self.meta, **self._figure_args),
        ]

    def occupations(self) -> list:
        """Openings by occupation group and by education, the occupations' balance and their tightness."""
        if self.skills is None:
            self.skills = project_skills(self.ds, self.scenarios, tightness=True)
        names = {"lang": self.lang, "region_name": self.name}
        sentences = occupation_pack_sentences(self.skills, self.area.id, self.reference, **names)
        return [
            self.say("occupations"), self.say("occupations_intro", reference=self._scenario_name(self.reference)),
            SafeMarkdown("\n".join(f"- {escape_markdown(sentence)}" for sentence in sentences)),
            occupation_openings_chart(self.skills, self.area.id, self.reference, **names),
            education_openings_chart(self.skills, self.area.id, self.reference, **names),
            self.say("occupation_balance"),
            occupation_balance_chart(self.skills, self.area.id, self.reference, meta=self.meta, **names),
            self.say("tightness"),
            *(tightness_chart(self.skills, self.area.id, group, **names) for group in TIGHTNESS_GROUPS),
        ]

    def what_would_it_take(self) -> list:
        """Goal-seek answers to the same three questions for every area, each a sentence and a small figure."""
        inputs = self._goal_inputs()
        blocks = [self.say("goals"), self.say("goals_intro", reference=self._scenario_name(self.reference))]
        for answer in goals.what_would_it_take(inputs, self.lang, area=self.name,
                                               scenario=self._scenario_name(self.reference)):
            blocks.append(SafeMarkdown(escape_markdown(answer.sentence)))
            if answer.result is not None:
                blocks.append(goal_chart(answer.values, answer.outcomes, answer.result, **self._figure_args))
        return blocks

    def what_matters_most(self) -> list:
        """Global sensitivity (Sobol' total indices) of the labour balance of 2040 to each lever."""
        sentence, table = discovery.what_matters_most(self._goal_inputs(), self.lang, outcome="labour_balance",
                                                      year=min(2040, self.horizon), n=MATTERS_SAMPLE,
                                                      area=self.name)
        return [self.say("matters"), SafeMarkdown(escape_markdown(sentence)),
                matters_chart(table, self.area.id, "labour_balance", min(2040, self.horizon), **self._figure_args)]

    def _goal_inputs(self):
        if self._goals is None:
            reference = next(s for s in self.scenarios if s.id == self.reference)  # a shipped id or a scenario file
            self._goals = goals.goal_inputs(self.area.id, reference, horizon=max(self.horizon, 2040))
        return self._goals

    def assumptions(self) -> list:
        """What is assumed and how sure the numbers are, with the scenarios' and the skills model's reasoning."""
        uncertainty = t("pack.uncertainty_bands" if self.draws else "pack.uncertainty_lines", self.lang,
                        draws=self.draws)
        # the reasoning is written in English: file names in it become English words (the methods notebook)
        levers = [(s.name[self.lang], in_words(s.justification, "en")) for s in self.scenarios]
        skills = [(t(f"pack.assumption.{record['id']}", self.lang),
                   in_words(" ".join(record["reasoning"].split()), "en")) for record in load_assumptions().records]
        return [self.say("assumed"),
                self.say("assumed_text", base=self.base_year, horizon=self.horizon, uncertainty=uncertainty),
                HTML(_details(t("pack.levers", self.lang), levers)
                     + _details(t("pack.skills_assumptions", self.lang), skills))]

    def sources(self) -> list:
        """The data sources of the runs."""
        provenance = json.loads(self.ds.attrs["data_provenance"])
        sources = sorted({entry["source"] for entry in provenance.values()})
        return [self.say("sources"), self.say("sources_text", version=__version__),
                SafeMarkdown("\n".join(f"- {escape_markdown(source)}" for source in sources))]

    def headline(self) -> None:
        """Report the headline numbers for the index page of the packs (not shown on the page)."""
        summary = {
            scenario: {key: float(value) for key, value in headline_population(
                self.bands, self.area.id, scenario, years=(self.horizon,)).map(central).sel(year=self.horizon)[
                ["total", "change_percent", "old_age_dependency"]].items()}
            for scenario in self.ids
        }
        now = headline_population(self.ds, self.area.id, self.reference, years=())
        display({HEADLINE_MIME: {
            "region": self.area.id, "base_year": self.base_year, "horizon": self.horizon, "estimated": self.estimated,
            "base_population": float(now["total"].sel(year=self.base_year)), "reference": self.reference,
            "scenarios": summary, "names": {scenario: self._scenario_name(scenario) for scenario in self.ids},
            "scenario_hashes": json.loads(self.ds.attrs["scenario_hashes"]),
            "data_provenance": json.loads(self.ds.attrs["data_provenance"]),
            "toolkit_version": self.ds.attrs["toolkit_version"],
        }}, raw=True)


def _details(summary: str, items) -> str:
    """A folded list of (title, text) pairs; everything escaped."""
    body = "".join(f"<dt>{html.escape(title)}</dt><dd>{html.escape(text)}</dd>" for title, text in items)
    return f"<details><summary>{html.escape(summary)}</summary><dl>{body}</dl></details>"
