"""futures-forum toolkit: population and skills-demand scenarios for Finland's regional future forums.

Public API::

    load_region(id_or_code) -> Region
    load_scenario(id_or_path) -> Scenario
    project_population(regions, scenarios, *, horizon=2050, draws=0, seed=0, base_year=None) -> xr.Dataset
    project_skills(population: xr.Dataset, ...) -> xr.Dataset
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("futures-forum-toolkit")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"


class ToolkitWarning(UserWarning):
    """Warnings raised by the toolkit itself (tests turn them into errors)."""


from toolkit.errors import DataError, InputError  # noqa: E402

# the API is imported on first use, so that `import toolkit` stays light for the CLI and notebooks
_API = {
    "load_region": ("toolkit.regions", "get_region"),
    "load_scenario": ("toolkit.scenarios", "load_scenario"),
    "project_population": ("toolkit.population.project", "project_population"),
    "project_skills": ("toolkit.skills", "project_skills"),
}


def __getattr__(name):
    if name in _API:
        module, attribute = _API[name]
        return getattr(import_module(module), attribute)
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")


__all__ = ["DataError", "InputError", "ToolkitWarning", "__version__", *_API]
