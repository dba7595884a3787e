"""Sentences a forum reads, built from run results and the text catalogue (:mod:`toolkit.text`).

The numbers come from the model (:mod:`toolkit.indicators`, :func:`toolkit.skills.headline_indicators`); the words
from the catalogue; the number format from Babel through :func:`toolkit.text.number`.
"""

from __future__ import annotations

import re

import xarray as xr

from toolkit.errors import InputError
from toolkit.text import check_lang, number, t

NEAR_FRACTION = 0.12  # relative distance within which a share reads as "one in N"
ORDINALS = range(2, 11)  # "one in N" is written for N = 2..10


_PATH = re.compile(r"\b(?:toolkit|params|docs|scenarios|notebooks|tools|tests)/[\w./-]*\w|\b\w+\.(?:py|md)\b")
_NAME = re.compile(r"\b(?:tfr|mean_age_at_birth_shift|e0_gain_per_decade|migration_rate_scale|additional_net_migration"
                   r"|participation_change|retirement_age_shift|industry_growth|productivity_growth|shift_pace)\b")
_REPEATED = re.compile(r"(?P<words>[^,;()]+)(?:[,;] (?P=words))+")


def in_words(text: str, lang: str) -> str:
    """``text`` with the repository's file names replaced by words a forum reads.

    A data file (``params/...``) becomes "the model's data tables", code and documents (``toolkit/...``,
    ``docs/...``, ``*.py``) become the methods notebook, by name; a phrase repeated by the replacement is written
    once; a lever's id becomes its name (``retirement_age_shift``: "retirement age"). ``lang`` is the language of
    ``text``.
    """
    def word(match: re.Match) -> str:
        return t("pack.in_words.data" if match.group(0).startswith("params/") else "pack.in_words.code", lang)

    text = _REPEATED.sub(lambda match: match.group("words"), _PATH.sub(word, text))
    return _NAME.sub(lambda match: t(f"explorer.lever_{match.group(0)}", lang) if match.group(0) != "shift_pace"
                     else t("pack.in_words.shift_pace", lang), text)


def rounded_count(value: float, lang: str) -> str:
    """A count rounded for reading (to 10 below 1,000, else to 100), in the language's format."""
    return number(round(value, -1 if abs(value) < 1000 else -2), lang)


def skills_sentences(indicators: xr.Dataset, lang: str = "en") -> dict[str, str]:
    """One sentence per headline indicator of a skills run, for one area and scenario.

    Parameters
    ----------
    indicators : :func:`toolkit.skills.headline_indicators` output reduced to scalars (select region, scenario
        and a quantile or draw first)
    lang : ``fi``, ``sv`` or ``en``

    Returns
    -------
    dict indicator name -> sentence
    """
    check_lang(lang)
    if any(indicators[name].ndim for name in indicators):
        raise InputError("skills_sentences: select one region and scenario (and one draw or quantile) first")
    period = indicators.attrs["share_period"].replace("-", "–")
    sentences = {}
    for name in indicators:
        value = float(indicators[name])
        if name.startswith("openings_"):
            span = "–".join(name.split("_")[1:])
            text = t("headline.openings", lang, period=span, value=rounded_count(value, lang))
        elif name.startswith("labour_balance_"):
            key = "headline.labour_balance.surplus" if value >= 0 else "headline.labour_balance.shortage"
            text = t(key, lang, year=name.rsplit("_", 1)[1], value=rounded_count(abs(value), lang))
        else:
            text = share_sentence(f"headline.{name}", value, lang, period)
        sentences[name] = text
    return sentences


def share_sentence(key: str, share: float, lang: str, period: str) -> str:
    """Render a share as "one in N" where it is close to 1/N (N = 2..10), else as a percentage.

    ``key`` names two catalogue texts, ``<key>.ordinal`` (with ``{ordinal}``) and ``<key>.percent``.
    """
    nearest = round(1 / share) if share > 0 else 0
    if nearest in ORDINALS and abs(share * nearest - 1) <= NEAR_FRACTION:
        return t(f"{key}.ordinal", lang, ordinal=t(f"ordinal.{nearest}", lang), period=period)
    percent = f"{round(100 * share)}%" if lang == "en" else f"{round(100 * share)} %"
    return t(f"{key}.percent", lang, percent=percent, period=period)
