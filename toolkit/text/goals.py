"""Sentences of goal seeking and sensitivity in fi/sv/en, built from the catalogue ``catalogue/goals.yaml``.

"For the number of 15–64-year-olds to be at least 35,000 in 2040, it would take 5.2 additional net migrants per
1,000 inhabitants a year by 2035"; "What matters most for the labour balance in Kainuu in 2040: additional
migration 62%, participation 25%, fertility 3%".
"""

from __future__ import annotations

import pandas as pd

from toolkit.text import number, t

OUTCOME_KEYS = {"total": "total", "0-14": "0_14", "15-64": "15_64", "65+": "65plus", "75+": "75plus",
                "85+": "85plus", "7-15": "7_15", "16-18": "16_18", "labour_balance": "labour_balance",
                "job_openings": "job_openings"}
RELATION_KEYS = {">=": "goals_relation_ge", "<=": "goals_relation_le", "=": "goals_relation_eq"}
PROSE_DECIMALS = {"tfr": 2, "additional_net_migration:per_1000": 1, "additional_net_migration:persons": 0,
                  "migration_rate_scale": 2, "e0_gain_per_decade": 1, "participation_change": 1,
                  "retirement_age_shift": 1}
"""Decimals of a lever value in a sentence (the scenario snippet keeps the full rounding)."""


def outcome_label(outcome: str, lang: str) -> str:
    """The outcome's name in a sentence ("the number of 15–64-year-olds")."""
    return t(f"goals_outcome_{OUTCOME_KEYS[outcome]}", lang)


def outcome_title(outcome: str, lang: str) -> str:
    """The outcome's short name for a figure title or axis ("Labour balance")."""
    return t(f"goals_title_{OUTCOME_KEYS[outcome]}", lang)


def unit_label(result, lang: str) -> str:
    """The unit of a goal-seek answer's lever in ``lang``."""
    name = result.lever.split(":")[0]
    key = result.migration_unit if name == "additional_net_migration" else name
    return t(f"goals_unit_{key}", lang)


def lever_label(lever: str, lang: str) -> str:
    """The lever's short name ("participation"), the band kept for participation_change."""
    name, _, band = lever.partition(":")
    label = t(f"goals_short_{name}", lang)
    return f"{label} {band.replace('-', '–')}" if band else label


def _decimals(result) -> int:
    name = result.lever.split(":")[0]
    return PROSE_DECIMALS.get(f"{name}:{result.migration_unit}", PROSE_DECIMALS.get(name, 1))


def lever_phrase(result, lang: str) -> str:
    """What the answer asks for, in words ("5.2 additional net migrants per 1,000 inhabitants a year by 2035")."""
    name = result.lever.split(":")[0]
    value = number(result.value, lang, _decimals(result))
    if name == "tfr":
        key = f"goals_lever_tfr_{result.form}"
    elif name == "additional_net_migration":
        key = f"goals_lever_additional_net_migration_{result.migration_unit}"
    else:
        key = f"goals_lever_{name}"
    band = (result.band or "").replace("-", "–")
    return t(key, lang, value=value, year=result.path_year, band=band)


def goal_sentence(result, lang: str, *, area: str | None = None, scenario: str | None = None) -> str:
    """One sentence of a :class:`toolkit.goals.GoalResult` for the forum pack."""
    fields = dict(area=area or result.region, scenario=scenario or result.scenario,
                  outcome=outcome_label(result.outcome, lang), year=_year_text(result),
                  relation=t(RELATION_KEYS[result.direction], lang), target=number(result.target, lang),
                  lever=lever_phrase(result, lang))
    if result.probability is not None:
        percent = t("goals_percent", lang, value=number(100 * result.probability, lang))
        return t("goals_sentence_probability", lang, probability=percent, **fields)
    return t("goals_sentence", lang, achieved=number(result.achieved, lang), **fields)


def unreachable_sentence(error, year: int, target: float, direction: str, lang: str, *, area: str,
                         scenario: str) -> str:
    """The sentence of a :class:`toolkit.goals.GoalUnreachable`: no value in range, every value already, or a lever
    that does not move the outcome at all (the same outcome at both ends of its range)."""
    low, high = sorted((error.at_low, error.at_high))
    decimals = 0 if float(error.low).is_integer() and float(error.high).is_integer() else 2  # persons: no ",00"
    ends = dict(low=number(error.low, lang, decimals), high=number(error.high, lang, decimals))
    if low == high and not error.already_met:
        return t("goals_sentence_flat", lang, area=area, scenario=scenario, outcome=outcome_label(error.outcome, lang),
                 year=year, value=number(low, lang), **ends)
    key = "goals_sentence_already" if error.already_met else "goals_sentence_unreachable"
    return t(key, lang, area=area, scenario=scenario, outcome=outcome_label(error.outcome, lang), year=year,
             relation=t(RELATION_KEYS[direction], lang), target=number(target, lang), at_low=number(low, lang),
             at_high=number(high, lang), **ends)


def _year_text(result) -> str:
    return f"{result.period[0]}–{result.period[1]}" if result.period else str(result.year)


def cli_answer(result, lang: str = "en") -> str:
    """The two lines that ``forum goal`` prints: the answer and the scenario-file line."""
    decimals = max(0, len(repr(result.value).split(".")[1].rstrip("0"))) if "." in repr(result.value) else 0
    first = t("goals_cli_answer", lang, region=result.region, scenario=result.scenario, lever=result.lever,
              value=number(result.value, lang, min(decimals, 3)), unit=unit_label(result, lang), outcome=result.outcome,
              year=_year_text(result), achieved=number(result.achieved, lang),
              relation=t(RELATION_KEYS[result.direction], lang), target=number(result.target, lang))
    return first + "\n" + t("goals_cli_snippet", lang, snippet=result.scenario_snippet())


def matters_sentence(indices: pd.DataFrame, region: str, outcome: str, year: int, lang: str, *,
                     area: str | None = None, top: int = 3) -> str:
    """ "What matters most …": the ``top`` levers by Sobol total index, as percentages (estimates clipped to 0..100).

    Parameters
    ----------
    indices : the tidy table of :func:`toolkit.discovery.sobol_indices` (columns region, outcome, year, lever, ST)
    """
    rows = indices[(indices["region"] == region) & (indices["outcome"] == outcome) & (indices["year"] == year)]
    rows = rows.sort_values("ST", ascending=False).head(top)
    items = ", ".join(f"{lever_label(row.lever, lang)} "
                      f"{t('goals_percent', lang, value=number(100 * min(max(row.ST, 0.0), 1.0), lang))}"
                      for row in rows.itertuples())
    return t("goals_matters_sentence", lang, area=area or region, outcome=outcome_label(outcome, lang), year=year,
             items=items)
