"""Skills-demand model: labour demand by industry, replacement demand, job openings, labour supply.

job openings = max(expansion demand, 0) + replacement demand (retirements and deaths of the employed),
coupled to a population run; see ``docs/skills.md``.
"""

from toolkit.skills.assumptions import Assumptions, load_assumptions
from toolkit.skills.base import SkillsBase, load_base
from toolkit.skills.headline import headline_indicators
from toolkit.skills.levers import SkillsLevers, SkillsScenario
from toolkit.skills.model import participation_room, project_skills
from toolkit.skills.national import national_check
from toolkit.skills.occupation_headline import OccupationHeadline, occupation_headline, occupation_sentences

__all__ = [
    "Assumptions",
    "OccupationHeadline",
    "SkillsBase",
    "SkillsLevers",
    "SkillsScenario",
    "headline_indicators",
    "load_assumptions",
    "load_base",
    "national_check",
    "occupation_headline",
    "occupation_sentences",
    "participation_room",
    "project_skills",
]
