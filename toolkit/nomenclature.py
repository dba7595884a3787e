"""Every name shared across the toolkit, defined once: ages, sexes, languages, quantiles, codes, age groups.

The glossary of what each name means is ``docs/conventions.md``; this module is where the values live. Every
other module imports them from here and defines none of its own.
"""

from __future__ import annotations

import numpy as np

OPEN_AGE = 100
"""The last age: 100 is the open group 100+ [years]."""
AGES = np.arange(OPEN_AGE + 1)
"""Single ages 0..100 (100 = 100+) [years]."""
SEXES = ("F", "M")
"""Sexes in the order of every sex axis: females, males."""
FEMALE = np.array([True, False])
"""Female flag along a sex axis ordered as :data:`SEXES`."""
LANGS = ("fi", "sv", "en")
"""Languages of the forums: Finnish, Swedish, English."""

QUANTILES = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)
"""The summary quantiles of an ensemble: central 95, 80 and 50 % intervals and the median."""
BANDS = ((0.025, 0.975, 95), (0.1, 0.9, 80), (0.25, 0.75, 50))
"""Central intervals read from :data:`QUANTILES`: (lower quantile, upper quantile, level [%])."""

COUNTRY_CODE = "SSS"
"""Statistics Finland's code of the whole country."""
MAAKUNTA_CODES = tuple(f"MK{i:02d}" for i in range(1, 22) if i not in (3, 20))
"""The 19 regions (maakunnat) of the division in force from 1 Jan 2021."""
REGION_CODES = (*MAAKUNTA_CODES, COUNTRY_CODE)

INDUSTRIES = tuple("ABCDEFGHIJKLMNOPQRSTU")
"""TOL 2008 sections A..U."""
UNKNOWN_INDUSTRY = "X"
"""The section code of workplaces whose industry is not known (Paavo)."""
OCCUPATIONS = tuple(str(i) for i in range(10))
"""ISCO-08 / Ammattiluokitus 2010 major groups 0..9."""

AGE_GROUPS: dict[str, tuple[int, int]] = {
    "total": (0, OPEN_AGE),
    "0-14": (0, 14),
    "15-64": (15, 64),
    "65+": (65, OPEN_AGE),
    "75+": (75, OPEN_AGE),
    "85+": (85, OPEN_AGE),
    "7-15": (7, 15),
    "16-18": (16, 18),
}
"""The age groups of ``population_group`` and of every indicator: label -> (first, last age), inclusive."""
GROUP_MEMBERS = np.array([[lo <= age <= hi for age in AGES] for lo, hi in AGE_GROUPS.values()], dtype=float)
"""(group, age) membership of :data:`AGE_GROUPS` (1 where the age belongs to the group)."""
GROUP_BOUNDS = np.array(list(AGE_GROUPS.values()), dtype=np.int64)
"""(group, 2) first and last age of each of :data:`AGE_GROUPS`."""
RATIO_MEASURES = ("old_age_dependency", "total_dependency", "75+_share")
"""Indicators that are ratios, not counts of persons."""
MEASURES = (*AGE_GROUPS, *RATIO_MEASURES)
"""Every indicator of a population: an age group or a ratio."""

MITENNA_OCCUPATIONS = (
    "01.1", "01.2", "01.3", "01.4", "02.1", "02.2", "02.3", "02.4", "02.5", "02.6", "02.7", "02.8", "02.9",
    "03.1", "03.2", "03.3", "03.4", "04.1", "04.2", "04.3", "04.4", "05.1", "05.2", "05.3", "05.4", "05.5",
    "05.6", "05.7", "05.8", "05.9", "06.1", "06.2", "06.3", "07.1", "07.2", "07.3", "07.4", "07.5", "07.6",
    "08.1", "09.1", "09.2", "09.3", "09.4", "09.5", "10.1", "10.2", "10.3", "10.4", "10.5", "10.6", "11.1",
    "11.2", "11.3",
)
"""The occupation groups of the Mitenna classification (Finnish National Agency for Education's anticipation
model) that have employed persons in the data (54 groups; names in ``toolkit/text/catalogue/occupations.yaml``)."""
EDUCATION_LEVELS = ("basic", "upper_secondary_general", "vocational", "uas", "university")
"""Education levels of the skills model: basic education only, general upper secondary (matriculation),
vocational qualification, university of applied sciences degree, university degree."""
