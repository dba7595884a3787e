"""The package's structure: layers without circles, no import upwards, short modules, imports at the top.

Layers, lowest first: base (errors, nomenclature, version) → io (every file touch) → text (the catalogue) →
core (regions, scenarios, trends, indicators, population, skills) → viz (figures) → apps (report, pack, pages,
batch, takeaway, explorer) → cli (the command and the package root). A module may import from its own layer and below.
See docs/architecture.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "toolkit"
LAYERS = {
    "base": ("toolkit.errors", "toolkit.nomenclature", "toolkit.version"),
    "io": ("toolkit.io",),
    "text": ("toolkit.text",),
    "core": ("toolkit.regions", "toolkit.scenarios", "toolkit.trends", "toolkit.indicators", "toolkit.population",
             "toolkit.skills", "toolkit.goals", "toolkit.discovery"),
    "viz": ("toolkit.viz",),
    "apps": ("toolkit.report", "toolkit.pack", "toolkit.pages", "toolkit.batch", "toolkit.takeaway",
             "toolkit.explorer"),
    "cli": ("toolkit.cli", "toolkit"),
}
ORDER = list(LAYERS)
MAX_LINES = 500
LAZY_ALLOWED = {"papermill", "distributed", "voila", "nbformat", "nbconvert", "ema_workbench"}  # heavy, used rarely


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def layer(module: str) -> str:
    matches = [(len(prefix), name) for name, prefixes in LAYERS.items() for prefix in prefixes
               if module == prefix or module.startswith(prefix + ".")]
    assert matches, f"{module} is in no layer of LAYERS"
    return max(matches)[1]


def imports(path: Path, known: dict[str, Path]) -> list[tuple[str, int, bool]]:
    """(imported toolkit module, line, inside a function) of every import statement in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested = {id(node) for function in ast.walk(tree) if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
              for node in ast.walk(function) if node is not function}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module
                       for alias in node.names]
        else:
            continue
        found += [(target, node.lineno, id(node) in nested) for target in targets]
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {target for target, _, _ in imports(path, known) if target in known and target != name}
            for name, path in known.items()}


def test_every_module_has_a_layer():
    for name in modules():
        assert layer(name) in ORDER


def test_no_import_from_a_higher_layer():
    known = modules()
    upward = [f"{name}:{line} imports {target} ({layer(name)} -> {layer(target)})"
              for name, path in known.items() for target, line, _ in imports(path, known)
              if target in known and ORDER.index(layer(target)) > ORDER.index(layer(name))]
    assert not upward, "\n".join(upward)


def test_no_import_circle():
    edges = graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycle = stack[stack.index(target):] + [target]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_imports_at_the_top_outside_the_cli():
    known = modules()
    lazy = [f"{name}:{line} imports {target} inside a function"
            for name, path in known.items() if name != "toolkit.cli"
            for target, line, inside in imports(path, known)
            if inside and target.split(".")[0] not in LAZY_ALLOWED]
    assert not lazy, "\n".join(lazy)


def test_modules_are_short_or_say_why():
    long = []
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if lines > MAX_LINES and "Length:" not in docstring:
            long.append(f"{name}: {lines} lines")
    assert not long, "modules over ~500 lines without a 'Length:' reason in their docstring: " + ", ".join(long)


def test_the_core_opens_no_file():
    """Only toolkit.io (and the apps that write packs) touch files: no open/read_text/read_csv elsewhere."""
    calls = ("open(", ".read_text(", ".read_bytes(", "read_csv(", ".write_text(", "to_netcdf(", "np.load(")
    offenders = []
    for name, path in modules().items():
        if layer(name) in ("core", "viz", "text", "base"):
            text = path.read_text(encoding="utf-8")
            offenders += [f"{name}: {call}" for call in calls if call in text]
    assert not offenders, "\n".join(offenders)
