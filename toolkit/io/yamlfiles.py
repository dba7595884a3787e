"""Reading YAML files (scenarios, overrides, the region registry, assumption files, the text catalogue) safely.

Only plain YAML is read (``yaml.safe_load``: no tags, no Python objects). A file that cannot be read or parsed
ends in one :class:`~toolkit.errors.InputError` naming the file, the line and the problem.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from toolkit.errors import InputError


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """``yaml.SafeLoader`` that reads ``1e9`` and ``-1.0e9`` as numbers (YAML 1.2), not as strings.

    libyaml's parser where PyYAML has it (``CSafeLoader``, the same safe constructor): the shipped YAML files
    parse to the same values about eight times as fast as with the pure-Python parser."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(\d[\d_]*(\.[\d_]*)?|\.\d+)[eE][-+]?\d+$"),
    list("-+0123456789."),
)


def parse_yaml(raw: bytes | str, path: Path | str):
    """The content of YAML text ``raw`` read from ``path`` (for messages); exponent numbers are numbers."""
    try:
        return yaml.load(raw, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass: no tags, no objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{path}{where}: not valid YAML ({problem}); plain YAML only, no tags") from None


def read_yaml(path: Path | str, what: str = "file") -> tuple[object, bytes]:
    """The content of the YAML file ``path`` and its bytes (for hashing); ``what`` names it in messages."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    return parse_yaml(raw, path), raw
