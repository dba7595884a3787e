"""Figure labels in Finnish, Swedish and English, and number formatting per language.

One table, :data:`LABELS`, maps a label id to its text in each language; :func:`t` looks it up.
Texts with ``{placeholders}`` are filled by the caller with ``str.format``. Industry names are the
official TOL 2008 section names of Statistics Finland, keyed ``industry_<letter>``.
"""

from __future__ import annotations

import math

from toolkit.errors import InputError

LANGS: tuple[str, ...] = ("fi", "sv", "en")

LABELS: dict[str, dict[str, str]] = {
    # axes and common words
    "age": {"fi": "Ikä", "sv": "Ålder", "en": "Age"},
    "year": {"fi": "Vuosi", "sv": "År", "en": "Year"},
    "persons": {"fi": "Henkilöä", "sv": "Personer", "en": "Persons"},
    "men": {"fi": "Miehet", "sv": "Män", "en": "Men"},
    "women": {"fi": "Naiset", "sv": "Kvinnor", "en": "Women"},
    "scenario": {"fi": "Skenaario", "sv": "Scenario", "en": "Scenario"},
    "observed": {"fi": "Toteutunut", "sv": "Observerat", "en": "Observed"},
    "median": {"fi": "mediaani", "sv": "median", "en": "median"},
    "band": {"fi": "{level} %:n vaihteluväli", "sv": "{level} % intervall", "en": "{level} % interval"},
    "baseline_outline": {"fi": "Perusura", "sv": "Basscenario", "en": "Baseline"},
    "play": {"fi": "Toista", "sv": "Spela", "en": "Play"},
    "pause": {"fi": "Tauko", "sv": "Paus", "en": "Pause"},
    # figure titles
    "pyramid_title": {
        "fi": "Väestö iän ja sukupuolen mukaan",
        "sv": "Befolkning efter ålder och kön",
        "en": "Population by age and sex",
    },
    "fan_title": {
        "fi": "Skenaariot ja niiden epävarmuus",
        "sv": "Scenarier och deras osäkerhet",
        "en": "Scenarios and their uncertainty",
    },
    "cone_title": {"fi": "Tulevaisuuskartio", "sv": "Framtidskon", "en": "Futures cone"},
    "dependency_title": {"fi": "Huoltosuhteet", "sv": "Försörjningskvoter", "en": "Dependency ratios"},
    "cohort_title": {
        "fi": "Kouluikäiset ja ikääntyneet",
        "sv": "Barn i skolåldern och äldre",
        "en": "School-age and older people",
    },
    "openings_title": {
        "fi": "Avautuvat työpaikat toimialoittain {start}–{end}",
        "sv": "Lediga jobb per näringsgren {start}–{end}",
        "en": "Job openings by industry {start}–{end}",
    },
    "balance_title": {
        "fi": "Työvoiman tarjonta miinus kysyntä",
        "sv": "Utbud minus efterfrågan av arbetskraft",
        "en": "Labour supply minus demand",
    },
    "flow_title": {
        "fi": "Mistä avautuvat työpaikat syntyvät {start}–{end}",
        "sv": "Varifrån lediga jobb kommer {start}–{end}",
        "en": "Where job openings come from {start}–{end}",
    },
    "comparison_title": {
        "fi": "Alueiden vertailu {year}",
        "sv": "Jämförelse av områden {year}",
        "en": "Comparison of areas {year}",
    },
    # futures cone
    "probable": {"fi": "Todennäköinen", "sv": "Sannolik", "en": "Probable"},
    "plausible": {"fi": "Uskottava", "sv": "Rimlig", "en": "Plausible"},
    "possible": {"fi": "Mahdollinen", "sv": "Möjlig", "en": "Possible"},
    # measures
    "total": {"fi": "Väkiluku", "sv": "Folkmängd", "en": "Population"},
    "age_0_14": {"fi": "0–14-vuotiaat", "sv": "0–14-åringar", "en": "Aged 0–14"},
    "working_age": {"fi": "Työikäiset 15–64", "sv": "I arbetsför ålder 15–64", "en": "Working age 15–64"},
    "age_65_plus": {"fi": "65 vuotta täyttäneet", "sv": "65 år och äldre", "en": "Aged 65+"},
    "age_75_plus": {"fi": "75 vuotta täyttäneet", "sv": "75 år och äldre", "en": "Aged 75+"},
    "age_85_plus": {"fi": "85 vuotta täyttäneet", "sv": "85 år och äldre", "en": "Aged 85+"},
    "school_age": {"fi": "Kouluikäiset 7–15", "sv": "Skolåldern 7–15", "en": "School age 7–15"},
    "age_16_18": {"fi": "16–18-vuotiaat", "sv": "16–18-åringar", "en": "Aged 16–18"},
    "old_age_dependency": {
        "fi": "Vanhushuoltosuhde",
        "sv": "Försörjningskvot för äldre",
        "en": "Old-age dependency ratio",
    },
    "total_dependency": {
        "fi": "Väestöllinen huoltosuhde",
        "sv": "Demografisk försörjningskvot",
        "en": "Total dependency ratio",
    },
    "age_75_plus_share": {
        "fi": "75 vuotta täyttäneiden osuus, %",
        "sv": "Andel 75 år och äldre, %",
        "en": "Share aged 75+, %",
    },
    "per_100_working_age": {
        "fi": "Huollettavia 100 työikäistä kohden",
        "sv": "Försörjda per 100 i arbetsför ålder",
        "en": "Dependants per 100 of working age",
    },
    "change_since": {
        "fi": "Muutos {start}–{end}, %",
        "sv": "Förändring {start}–{end}, %",
        "en": "Change {start}–{end}, %",
    },
    "population_in": {"fi": "Väkiluku {year}", "sv": "Folkmängd {year}", "en": "Population {year}"},
    "share_75_in": {
        "fi": "75 vuotta täyttäneitä {year}",
        "sv": "75 år och äldre {year}",
        "en": "Aged 75+ {year}",
    },
    "dependency_in": {
        "fi": "Vanhushuoltosuhde {year}",
        "sv": "Försörjningskvot för äldre {year}",
        "en": "Old-age dependency ratio {year}",
    },
    "change_note": {
        "fi": "{change} % vuodesta {base}",
        "sv": "{change} % sedan {base}",
        "en": "{change} % since {base}",
    },
    "interval_note": {
        "fi": "80 %:n väli {low}–{high}",
        "sv": "80 % intervall {low}–{high}",
        "en": "80 % interval {low}–{high}",
    },
    # skills
    "industry": {"fi": "Toimiala", "sv": "Näringsgren", "en": "Industry"},
    "expansion": {"fi": "Laajenemiskysyntä", "sv": "Expansionsefterfrågan", "en": "Expansion demand"},
    "replacement": {"fi": "Poistumakysyntä", "sv": "Ersättningsefterfrågan", "en": "Replacement demand"},
    "retirement": {"fi": "Eläköityminen", "sv": "Pensionering", "en": "Retirement"},
    "mortality": {"fi": "Kuolleisuus", "sv": "Dödsfall", "en": "Mortality"},
    "labour_balance": {
        "fi": "Tarjonta − kysyntä, henkilöä",
        "sv": "Utbud − efterfrågan, personer",
        "en": "Supply − demand, persons",
    },
    # TOL 2008 sections (Statistics Finland)
    "industry_A": {
        "fi": "Maatalous, metsätalous ja kalatalous",
        "sv": "Jordbruk, skogsbruk och fiske",
        "en": "Agriculture, forestry and fishing",
    },
    "industry_B": {
        "fi": "Kaivostoiminta ja louhinta",
        "sv": "Utvinning av mineral",
        "en": "Mining and quarrying",
    },
    "industry_C": {"fi": "Teollisuus", "sv": "Tillverkning", "en": "Manufacturing"},
    "industry_D": {
        "fi": "Sähkö-, kaasu- ja lämpöhuolto, jäähdytysliiketoiminta",
        "sv": "Försörjning av el, gas, värme och kyla",
        "en": "Electricity, gas, steam and air conditioning supply",
    },
    "industry_E": {
        "fi": "Vesihuolto, viemäri- ja jätevesihuolto, jätehuolto ja muu ympäristön puhtaanapito",
        "sv": "Vattenförsörjning; avloppsrening, avfallshantering och sanering",
        "en": "Water supply; sewerage, waste management and remediation",
    },
    "industry_F": {"fi": "Rakentaminen", "sv": "Byggverksamhet", "en": "Construction"},
    "industry_G": {
        "fi": "Tukku- ja vähittäiskauppa; moottoriajoneuvojen ja moottoripyörien korjaus",
        "sv": "Handel; reparation av motorfordon och motorcyklar",
        "en": "Wholesale and retail trade; repair of motor vehicles",
    },
    "industry_H": {
        "fi": "Kuljetus ja varastointi",
        "sv": "Transport och magasinering",
        "en": "Transportation and storage",
    },
    "industry_I": {
        "fi": "Majoitus- ja ravitsemistoiminta",
        "sv": "Hotell- och restaurangverksamhet",
        "en": "Accommodation and food service activities",
    },
    "industry_J": {
        "fi": "Informaatio ja viestintä",
        "sv": "Informations- och kommunikationsverksamhet",
        "en": "Information and communication",
    },
    "industry_K": {
        "fi": "Rahoitus- ja vakuutustoiminta",
        "sv": "Finansierings- och försäkringsverksamhet",
        "en": "Financial and insurance activities",
    },
    "industry_L": {
        "fi": "Kiinteistöalan toiminta",
        "sv": "Fastighetsverksamhet",
        "en": "Real estate activities",
    },
    "industry_M": {
        "fi": "Ammatillinen, tieteellinen ja tekninen toiminta",
        "sv": "Verksamhet inom juridik, ekonomi, vetenskap och teknik",
        "en": "Professional, scientific and technical activities",
    },
    "industry_N": {
        "fi": "Hallinto- ja tukipalvelutoiminta",
        "sv": "Uthyrning, fastighetsservice, resetjänster och andra stödtjänster",
        "en": "Administrative and support service activities",
    },
    "industry_O": {
        "fi": "Julkinen hallinto ja maanpuolustus; pakollinen sosiaalivakuutus",
        "sv": "Offentlig förvaltning och försvar; obligatorisk socialförsäkring",
        "en": "Public administration and defence; compulsory social security",
    },
    "industry_P": {"fi": "Koulutus", "sv": "Utbildning", "en": "Education"},
    "industry_Q": {
        "fi": "Terveys- ja sosiaalipalvelut",
        "sv": "Vård och omsorg; sociala tjänster",
        "en": "Human health and social work activities",
    },
    "industry_R": {
        "fi": "Taiteet, viihde ja virkistys",
        "sv": "Kultur, nöje och fritid",
        "en": "Arts, entertainment and recreation",
    },
    "industry_S": {
        "fi": "Muu palvelutoiminta",
        "sv": "Annan serviceverksamhet",
        "en": "Other service activities",
    },
    "industry_T": {
        "fi": "Kotitalouksien toiminta työnantajina",
        "sv": "Förvärvsarbete i hushåll",
        "en": "Activities of households as employers",
    },
    "industry_U": {
        "fi": "Kansainvälisten organisaatioiden ja toimielinten toiminta",
        "sv": "Verksamhet vid internationella organisationer",
        "en": "Activities of extraterritorial organisations",
    },
    "industry_X": {"fi": "Toimiala tuntematon", "sv": "Okänd näringsgren", "en": "Industry unknown"},
}

_SEPARATORS = {"fi": ", ", "sv": ", ", "en": ".,"}
_THOUSANDS = "\u00a0"  # no-break space: a number never wraps between its digit groups
_MINUS = "\u2212"  # the minus sign of Finnish and Swedish typography (and of plotly's own formats)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported language, else raise :class:`InputError`."""
    if lang not in LANGS:
        raise InputError(f"language '{lang}' is not supported; allowed: {', '.join(LANGS)}")
    return lang


def t(key: str, lang: str) -> str:
    """The label ``key`` in language ``lang`` (``fi``, ``sv`` or ``en``)."""
    check_lang(lang)
    if key not in LABELS:
        raise InputError(f"label '{key}' is not in the label table")
    return LABELS[key][lang]


def separators(lang: str) -> str:
    """The plotly ``layout.separators`` of ``lang``: decimal mark, then thousands separator."""
    return _SEPARATORS[check_lang(lang)]


def format_number(x: float, lang: str, decimals: int = 0) -> str:
    """Format a number for text in a figure.

    Parameters
    ----------
    x : float
        A finite number.
    lang : str
        ``fi`` and ``sv`` write ``12 345,6`` (no-break space for thousands, decimal comma, minus sign
        U+2212); ``en`` writes ``12,345.6``.
    decimals : int
        Digits after the decimal mark.

    Returns
    -------
    str
    """
    check_lang(lang)
    if not math.isfinite(x):
        raise InputError(f"cannot format the number {x}: it is not finite")
    text = f"{x:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0.0:
        text = text[1:]
    if lang == "en":
        return text
    return text.replace(",", _THOUSANDS).replace(".", ",").replace("-", _MINUS)
