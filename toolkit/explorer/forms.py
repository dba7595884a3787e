"""The explorer's widgets: pickers, the "solve for" and "save as scenario" forms."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from toolkit.explorer.levers import GROWTH_CHOICES, HORIZONS
from toolkit.nomenclature import LANGS
from toolkit.regions import load_regions
from toolkit.scenarios import available_scenarios
from toolkit.text import t

TIGHTNESS_GROUP = "2"  # the tightness shown: professionals (ISCO-08 major group 2)
SOLVE_OUTCOMES = ("15-64", "0-14", "7-15", "75+", "total", "labour_balance", "job_openings")
"""Outcomes the "solve for" control can target (population groups and skills outcomes)."""
SOLVE_SLIDERS = ("extra_migration", "tfr", "participation_55-64", "participation_65-74", "retirement_age_shift", "e0")
"""Sliders the "solve for" control can move (``e0`` moves both life-expectancy sliders)."""


def label(key: str, lang: str) -> str:
    """The widget label ``explorer.<key>`` in ``lang`` (``fi``, ``sv`` or ``en``)."""
    return t(f"explorer.{key}", lang)


def set_range(slider: widgets.Widget, low, high, step) -> None:
    """Set a slider's bounds (widened first: ipywidgets checks min <= max after each assignment)."""
    slider.min, slider.max = min(low, slider.min), max(high, slider.max)
    slider.min, slider.max, slider.step = low, high, step


def pickers(region: str, scenario: str, lang: str, horizon: int) -> dict[str, widgets.Widget]:
    """Area, scenario, language, horizon, pyramid-year and industry pickers, set to the given values."""
    style = {"description_width": "initial"}
    return {
        "region": widgets.Dropdown(options=list(dict.fromkeys([*load_regions(), region])), value=region, style=style),
        "scenario": widgets.Dropdown(options=available_scenarios(), value=scenario, style=style),
        "lang": widgets.ToggleButtons(options=list(LANGS), value=lang, style={"button_width": "3em"}),
        "horizon": widgets.Dropdown(options=list(HORIZONS), value=horizon, style=style),
        "year": widgets.IntSlider(value=horizon, continuous_update=True, style=style),
        "industry": widgets.Dropdown(options=list(GROWTH_CHOICES), value="default", style=style),
    }


def save_form(on_save: Callable[[], None]) -> dict[str, widgets.Widget]:
    """The "save as scenario" form: id, names and narratives by language, justification, a button, a status."""
    form: dict[str, widgets.Widget] = {"id": widgets.Text(placeholder="oma-tulevaisuus")}
    for lang in LANGS:
        form[f"name_{lang}"] = widgets.Text()
        form[f"narrative_{lang}"] = widgets.Textarea(rows=3)
    form["justification"] = widgets.Textarea(rows=3)
    form["save"] = widgets.Button(button_style="primary")
    form["save"].on_click(lambda _: on_save())
    form["status"] = widgets.HTML()
    return form


def solve_form(on_solve: Callable[[], None]) -> dict[str, widgets.Widget]:
    """The "solve for" control: an outcome, its year and target, the slider to move, a button, a status."""
    style = {"description_width": "initial"}
    form = {
        "outcome": widgets.Dropdown(options=list(SOLVE_OUTCOMES), value="15-64", style=style,
                                    layout=widgets.Layout(width="35em")),
        "year": widgets.BoundedIntText(value=2040, min=2026, max=max(HORIZONS), style=style,
                                       layout=widgets.Layout(width="10em")),
        "target": widgets.FloatText(value=0.0, style=style, layout=widgets.Layout(width="14em")),
        "slider": widgets.Dropdown(options=list(SOLVE_SLIDERS), value="extra_migration", style=style,
                                   layout=widgets.Layout(width="27em")),
        "solve": widgets.Button(button_style="info", layout=widgets.Layout(width="8em")),
        "status": widgets.HTML(),
    }
    form["solve"].on_click(lambda _: on_solve())
    return form
