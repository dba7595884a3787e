"""The scripts and styles a pack folder shares: plotly.js and the vendored reveal.js, in ``<out>/assets/``.

Every page of a pack folder loads them by a relative path (``../assets/plotly-forum.min.js``), so the packs work
offline from ``file://`` and plotly.js is stored once per folder instead of once per page. Two plotly.js files:
``plotly-forum.min.js``, a partial bundle with only the trace types of the packs (scatter, bar, sankey: 1.3 MB
instead of 4.8 MB, parsed in a quarter of the time; vendored in ``toolkit/assets/plotly/``, built by
``tools/build_plotly_bundle.sh`` from the plotly.js version that the plotly package bundles), and the full
``plotly.min.js`` of the installed plotly package, for a page with another trace type or when the versions differ
(:func:`plotly_script`). reveal.js (MIT licence, its ``LICENSE`` beside it) is vendored in
``toolkit/assets/reveal/``: ``dist/reveal.js``, ``dist/reveal.css`` and its white
theme ``dist/theme/white.css`` without the web-font import (the slides use the system fonts).
"""

from __future__ import annotations

from pathlib import Path

from toolkit.io.files import atomic_write

ASSETS = "assets"
"""The shared folder of a pack folder."""
PLOTLY_JS = "plotly.min.js"
PLOTLY_BUNDLE = "plotly-forum.min.js"
BUNDLE_VERSION = "4.1.1"
"""The plotly.js version of the partial bundle (it serves figures of the plotly package that bundles the same)."""
BUNDLE_TRACES = frozenset({"scatter", "bar", "sankey"})
"""The trace types in the partial bundle."""
REVEAL_DIR = "reveal"
REVEAL_FILES = ("dist/reveal.js", "dist/reveal.css", "dist/theme/white.css", "LICENSE")
VENDORED = Path(__file__).resolve().parents[1] / "assets"


def vendored(*parts: str) -> bytes:
    """The bytes of a vendored file, e.g. ``vendored("reveal", "reveal.js")``."""
    return VENDORED.joinpath(*parts).read_bytes()


def _write_if_changed(path: Path, content: bytes) -> bool:
    try:
        if path.stat().st_size == len(content) and path.read_bytes() == content:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: tmp.write_bytes(content), expected_bytes=len(content))
    return True


def plotly_script(trace_types: set[str], plotly_version: str) -> str:
    """The plotly.js file a page loads: the partial bundle if it has every trace type of the page and the version of
    the plotly package's plotly.js, else the full one."""
    return PLOTLY_BUNDLE if plotly_version == BUNDLE_VERSION and trace_types <= BUNDLE_TRACES else PLOTLY_JS


def write_pack_assets(out: Path, plotly_js: str) -> list[Path]:
    """Put both plotly.js files and reveal.js into ``out/assets`` (each file atomically, only where it changed);
    ``plotly_js`` is the full plotly.js of the plotly package.

    Returns the files that were (re)written.
    """
    folder = Path(out) / ASSETS
    files = {folder / PLOTLY_JS: plotly_js.encode("utf-8"),
             folder / PLOTLY_BUNDLE: vendored("plotly", PLOTLY_BUNDLE), folder / "plotly-LICENSE": vendored(
                 "plotly", "LICENSE")}
    files.update({folder / REVEAL_DIR / name: vendored(REVEAL_DIR, *name.split("/")) for name in REVEAL_FILES})
    return [path for path, content in files.items() if _write_if_changed(path, content)]
