"""Loader of the lever ranges of scenario discovery (``params/goals/discovery_ranges.yaml``).

The one file that :mod:`toolkit.discovery` needs; the model takes the loaded ranges as an argument.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from toolkit.errors import InputError


@dataclass(frozen=True)
class LeverRange:
    """The sampled range of one lever [scenario-file units; ``form="target"``: absolute TFR levels].

    ``lever`` is a goal lever name (:data:`toolkit.goals.LEVERS`, ``participation_change:A-B`` with its band);
    :func:`toolkit.discovery.bounds` checks it against the scenario.
    """

    lever: str
    low: float
    high: float
    form: str = "value"


RANGES_FILE = Path(__file__).resolve().parents[2] / "params" / "goals" / "discovery_ranges.yaml"


def load_discovery_ranges(path: str | Path | None = None) -> tuple[LeverRange, ...]:
    """The sampled range of every lever (labelled assumptions with their reasoning).

    Parameters
    ----------
    path : the YAML file (default ``params/goals/discovery_ranges.yaml``)

    Returns
    -------
    tuple of :class:`LeverRange`, in the order of the file
    """
    path = Path(path) if path is not None else RANGES_FILE
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"{path}: cannot read the discovery ranges ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(content, dict) or not content:
        raise InputError(f"{path}: expected a mapping lever -> {{label, low, high, reasoning}}")
    ranges = []
    for name, entry in content.items():
        where = f"{path}: {name}"
        if not isinstance(entry, dict) or entry.get("label") != "assumption" or not str(
                entry.get("reasoning", "")).strip():
            raise InputError(f"{where}: every entry needs 'label: assumption' and its 'reasoning'")
        low, high = entry.get("low"), entry.get("high")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (low, high)) \
                or not low < high:
            raise InputError(f"{where}: low and high must be numbers with low < high, got {low!r}, {high!r}")
        form = entry.get("form", "value")
        if form not in ("value", "target"):
            raise InputError(f"{where}: form {form!r}; allowed: value, target")
        lever = f"{name}:{entry['band']}" if "band" in entry else name
        ranges.append(LeverRange(lever, float(low), float(high), form))
    return tuple(ranges)
