"""The HTML of the forum packs: one offline page per executed notebook, and the index page of all packs.

A pack page holds the outputs of ``notebooks/forum.ipynb`` without code cells, prompts, stderr streams or the
cells tagged ``notebook-only`` (the notebook's own structure notes), with plotly.js inlined once in the page head;
:func:`remote_references` makes sure it loads nothing from the network. The index page links every pack with its
headline numbers; all text on it is escaped and it has no scripts.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path

from plotly.offline import get_plotlyjs

from toolkit.pack import HEADLINE_MIME
from toolkit.regions import Region, load_regions
from toolkit.text import number, t
from toolkit.text.markup import unescape_markdown
from toolkit.version import __version__

NOTEBOOK_ONLY = "notebook-only"
"""Tag of the notebook cells that describe the notebook itself and stay out of the page."""
SAFE_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
_SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript)\s*:", re.IGNORECASE)
_DATA_URL = re.compile(r"^\s*data\s*:", re.IGNORECASE)
_ACTIVE_EMBEDS = {"iframe", "object", "embed", "script", "frame"}
_CSS_REMOTE = re.compile(r"(url\(\s*['\"]?\s*(https?:)?//|@import\s+['\"]?\s*(https?:)?//)", re.IGNORECASE)

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#222;margin:0;line-height:1.5}
main{max-width:1150px;margin:0 auto;padding:1.5rem}
h1{font-size:1.9rem}h2{margin-top:2.5rem;border-bottom:2px solid #0072B2;padding-bottom:.2rem}
a.anchor-link{display:none}
table{border-collapse:collapse;margin:1rem 0}th,td{padding:.35rem .7rem;border-bottom:1px solid #ddd}
th{text-align:left;background:#f3f6f9}td{text-align:right}td:first-child{text-align:left}
details{margin:.8rem 0}summary{cursor:pointer;font-weight:600}dd{margin:0 0 .7rem 1.2rem}
.cell{margin:.4rem 0}.note{color:#8a4b00}
"""



def notebook_page(executed: Path, lang: str) -> tuple[str, dict]:
    """The offline HTML page of an executed notebook, and the headline numbers it reported.

    Code cells, prompts, stderr streams and the headline output are left out of the page; plotly.js is
    inlined once in the page head. Raises ``RuntimeError`` if the page would load anything remotely.
    """
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.read(executed, as_version=4)
    headline = _pop_headline(notebook)
    notebook.cells = [cell for cell in notebook.cells if NOTEBOOK_ONLY not in cell.metadata.get("tags", [])]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [output for output in cell.outputs if output.get("name") != "stderr"]
    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(notebook)
    title = html.escape(_first_heading(notebook) or headline["region"])
    page = "".join([
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n",
        '<script type="text/javascript">', get_plotlyjs(), "</script>\n</head>\n<body>\n<main>\n",
        body, "\n</main>\n</body>\n</html>\n",
    ])
    remote = remote_references(page)
    if remote:
        raise RuntimeError(f"the page would load {len(remote)} remote resources, e.g. {remote[0]}")
    return page, headline


def _pop_headline(notebook) -> dict:
    """Remove the headline output from the notebook and return its JSON."""
    for cell in notebook.cells:
        for output in getattr(cell, "outputs", []):
            if HEADLINE_MIME in output.get("data", {}):
                cell.outputs = [other for other in cell.outputs if other is not output]
                return dict(output["data"][HEADLINE_MIME])
    raise RuntimeError(f"the notebook reported no headline numbers ({HEADLINE_MIME} output)")


def _first_heading(notebook) -> str | None:
    for cell in notebook.cells:
        for output in getattr(cell, "outputs", []):
            text = output.get("data", {}).get("text/markdown", "")
            if text.startswith("# "):
                return unescape_markdown(text[2:].splitlines()[0])
    return None


class _RemoteFinder(HTMLParser):
    """Collects every attribute or style rule that would make a browser fetch something remote, every
    ``javascript:``/``vbscript:`` URL, and ``data:`` URLs in links and frames (inline images stay allowed)."""

    LOADING = {"src", "href", "data", "poster", "srcset", "action", "formaction", "background"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        for name, value in attrs:
            navigates = tag == "a" and name == "href"
            if value and not navigates and (name in self.LOADING and _REMOTE.match(value)
                                            or name == "style" and _CSS_REMOTE.search(value)):
                self.found.append(f"<{tag} {name}={value!r}>")
            elif value and name in self.LOADING and (_SCRIPT_URL.match(value) or _DATA_URL.match(value) and (
                    name in {"href", "action", "formaction"} or tag in _ACTIVE_EMBEDS)):
                self.found.append(f"<{tag} {name}={value!r}>")  # a link or frame that runs script or carries a page

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style and _CSS_REMOTE.search(data):
            self.found.append(f"<style> {_CSS_REMOTE.search(data).group(0)}")


def remote_references(page: str) -> list[str]:
    """Remote scripts, styles, fonts, images or frames that ``page`` would load (links to click are fine, unless
    they are ``javascript:``, ``vbscript:`` or ``data:`` URLs; inline ``data:`` images are fine)."""
    finder = _RemoteFinder()
    finder.feed(page)
    return finder.found


def index_page(manifest: Mapping, lang: str) -> str:
    """The index of the packs: one row per area with its headline numbers, all text escaped, no scripts."""
    known = load_regions()
    rows = [_index_row(region, entry, known.get(region), lang)
            for region, entry in manifest["areas"].items() if SAFE_ID.fullmatch(region)]
    headlines = [entry["headline"] for entry in manifest["areas"].values() if entry.get("headline")]
    base, horizon = (headlines[0]["base_year"], headlines[0]["horizon"]) if headlines else ("", "")
    first = headlines[0]["names"][headlines[0]["reference"]] if headlines else ""
    head = [t("index.area", lang), t("index.population", lang).format(year=base),
            t("index.first", lang).format(scenario=first, year=horizon), t("index.change", lang),
            t("index.range", lang).format(year=horizon)]
    title = html.escape(t("index.title", lang))
    return "".join([
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n',
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n",
        "<table><thead><tr>", *(f"<th>{html.escape(str(cell))}</th>" for cell in head), "</tr></thead>\n<tbody>\n",
        *rows, "</tbody></table>\n",
        f"<p>{html.escape(t('index.credit', lang))} (CC BY 4.0). toolkit {html.escape(__version__)}, "
        f"{html.escape(manifest['updated_at'])}</p>\n</main>\n</body>\n</html>\n",
    ])


def _index_row(region: str, entry: Mapping, area: Region | None, lang: str) -> str:
    name = html.escape(area.label(lang) if area is not None else region)
    headline = entry.get("headline")
    if not entry.get("pack") or not headline:
        return f'<tr><td>{name}</td><td colspan="4" class="note">{html.escape(t("index.missing", lang))}</td></tr>\n'
    notes = [t("index.estimated", lang)] if headline.get("estimated") else []
    notes += [t("index.failed", lang)] if entry["status"] != "ok" else []
    note = "".join(f'<br><span class="note">{html.escape(text)}</span>' for text in notes)
    reference = headline["scenarios"][headline["reference"]]
    totals = [numbers["total"] for numbers in headline["scenarios"].values()]
    cells = [
        number(headline["base_population"], lang),
        number(reference["total"], lang),
        f"{number(reference['change_percent'], lang, 1)} %",
        f"{number(min(totals), lang)} – {number(max(totals), lang)}",
    ]
    link = f'<a href="{html.escape(entry["pack"])}">{name}</a>'
    return "<tr><td>" + link + note + "</td>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells) + "</tr>\n"
