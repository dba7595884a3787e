"""futures-forum toolkit: population and skills-demand scenarios for Finland's regional future forums.

Public API::

    load_region(id_or_code) -> Region
    load_scenario(id_or_path) -> Scenario
    load_population_inputs(regions, base_year=None) -> PopulationInputs
    project_population(regions, scenarios, *, horizon=2050, draws=0, seed=0, base_year=None, inputs=None)
    project_skills(population: xr.Dataset, ...) -> xr.Dataset
    goal_seek(region, scenario, lever, outcome, year, target, ...) -> GoalResult

The layout of the package and the flow of data through it are described in ``docs/architecture.md``.
"""

from toolkit.errors import DataError, InputError, ToolkitWarning
from toolkit.goals import goal_seek
from toolkit.io.inputs import PopulationInputs, load_population_inputs
from toolkit.population.project import project_population
from toolkit.regions import get_region as load_region
from toolkit.scenarios import load_scenario
from toolkit.skills import project_skills
from toolkit.version import __version__

__all__ = [
    "DataError",
    "InputError",
    "PopulationInputs",
    "ToolkitWarning",
    "__version__",
    "goal_seek",
    "load_population_inputs",
    "load_region",
    "load_scenario",
    "project_population",
    "project_skills",
]
