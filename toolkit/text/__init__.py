"""The one catalogue of what a person reads, and number formatting per language.

Every label, sentence and paragraph that a forum participant or an analyst reads lives in the YAML files of
``toolkit/text/catalogue/``: each file maps a key to its text in Finnish, Swedish and English::

    pyramid_title:
      fi: Väestö iän ja sukupuolen mukaan
      sv: Befolkning efter ålder och kön
      en: Population by age and sex

A translator edits those files only. Keys are unique across the files; every entry has all three languages.
Texts with ``{placeholders}`` are filled by :func:`t`. Numbers are formatted with Babel's CLDR data for the
language (:func:`number`), and :func:`separators` gives plotly's decimal and thousands marks, so that a figure
and the sentence beside it write numbers the same way.
"""

from __future__ import annotations

import decimal
import math
from functools import cache
from pathlib import Path

from babel.numbers import format_decimal

from toolkit.errors import InputError
from toolkit.io.yamlfiles import read_yaml
from toolkit.nomenclature import LANGS

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
MINUS = "\u2212"  # the minus sign of Finnish and Swedish typography (and of plotly's own number formats)
_PLOTLY_SEPARATORS = {"fi": ", ", "sv": ", ", "en": ".,"}  # decimal mark, then thousands separator


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a language of the forums, else raise :class:`InputError`."""
    if lang not in LANGS:
        raise InputError(f"language {lang!r} is not supported; allowed: {', '.join(LANGS)}")
    return lang


@cache
def catalogue(directory: Path = CATALOGUE_DIR) -> dict[str, dict[str, str]]:
    """Every text of the catalogue files in ``directory``: key -> {language: text}.

    Raises
    ------
    InputError
        If a file is not a mapping of keys to ``{fi, sv, en}`` texts, or a key appears in two files.
    """
    texts: dict[str, dict[str, str]] = {}
    where: dict[str, str] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        content, _ = read_yaml(path, "text catalogue file")
        if not isinstance(content, dict):
            raise InputError(f"{path}: expected a mapping of text keys to {{fi, sv, en}} texts")
        for key, entry in content.items():
            if not isinstance(entry, dict) or set(entry) != set(LANGS) or not all(
                    isinstance(text, str) and text for text in entry.values()):
                raise InputError(f"{path}: {key}: expected exactly the languages {', '.join(LANGS)}, each a "
                                 "non-empty text")
            if key in texts:
                raise InputError(f"{path}: {key}: the key is already defined in {where[key]}")
            texts[str(key)], where[str(key)] = dict(entry), path.name
    return texts


def t(key: str, lang: str, **fields) -> str:
    """The text ``key`` in ``lang``, its ``{placeholders}`` filled with ``fields`` (if any are given)."""
    check_lang(lang)
    texts = catalogue()
    if key not in texts:
        raise InputError(f"text {key!r} is not in the text catalogue ({CATALOGUE_DIR})")
    text = texts[key][lang]
    return text.format(**fields) if fields else text


def number(value: float, lang: str, decimals: int = 0) -> str:
    """A number written for a reader of ``lang``: ``12 345,6`` in fi/sv, ``12,345.6`` in en.

    Parameters
    ----------
    value : a finite number
    lang : ``fi``, ``sv`` or ``en``
    decimals : digits after the decimal mark

    Returns
    -------
    str; fi and sv group thousands with a no-break space and write the minus sign U+2212; a value that rounds
    to zero has no sign.
    """
    check_lang(lang)
    value = float(value)
    if not math.isfinite(value):
        raise InputError(f"cannot format the number {value}: it is not finite")
    if round(value, decimals) == 0:
        value = 0.0
    digits = "#,##0" + ("." + "0" * decimals if decimals else "")
    pattern = digits if lang == "en" else f"{digits};{MINUS}{digits}"
    # the exact binary value, so that a tie in its decimal spelling (82.35) rounds as the float does
    return format_decimal(decimal.Decimal(value), format=pattern, locale=lang, decimal_quantization=True)


def separators(lang: str) -> str:
    """plotly's ``layout.separators`` of ``lang``: the decimal mark, then the thousands separator."""
    return _PLOTLY_SEPARATORS[check_lang(lang)]


__all__ = ["CATALOGUE_DIR", "MINUS", "catalogue", "check_lang", "number", "separators", "t"]
