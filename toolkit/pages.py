"""The HTML of the forum packs: one offline page per executed notebook, and the index page of all packs.

A pack page holds the outputs of ``notebooks/forum.ipynb`` without code cells, prompts, stderr streams or the
cells tagged ``notebook-only`` (the notebook's own structure notes). It loads plotly.js from the pack folder's shared
``assets/`` by a relative path (one copy per folder, offline from ``file://``), links the pack's numbers (CSV files,
the workbook) and its slides, and prints as an A4 handout (its print stylesheet hides the controls and keeps each
figure whole on a page). :func:`slides_page` makes the same outputs into reveal.js slides (nbconvert's reveal
template, reveal.js vendored in ``assets/reveal``), one figure or card per slide. :func:`remote_references` makes
sure a page loads nothing from the network. The index page links every pack with its headline numbers; all text on
it is escaped and it has no scripts.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import DictLoader
from plotly.offline import get_plotlyjs_version

from toolkit.io.assets import ASSETS, REVEAL_DIR, plotly_script
from toolkit.pack import HEADLINE_MIME
from toolkit.regions import Region, load_regions
from toolkit.text import number, t
from toolkit.text.markup import unescape_markdown
from toolkit.version import __version__

PLOTLY_MIME = "application/vnd.plotly.v1+json"
SLIDES = "slides.html"
"""The slides' file name in a pack folder."""
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
nav.pack-links{background:#f3f6f9;border-left:4px solid #0072B2;padding:.5rem .9rem;margin:1rem 0}
nav.pack-links a{margin-right:1.2rem}nav.pack-links button{font:inherit;cursor:pointer}
"""
_PRINT_STYLE = """
@page{size:A4;margin:14mm 12mm}
@media print{
body{font-size:10.5pt;line-height:1.35}main{max-width:none;padding:0}
h1{font-size:18pt;margin-top:0}h2{font-size:14pt;margin-top:1.2rem;break-after:avoid}
nav.pack-links,.pack-data,.modebar-container,.updatemenu-container,.slider-container{display:none!important}
.jp-OutputArea-output:has(.plotly-graph-div),.plotly-graph-div{break-inside:avoid;page-break-inside:avoid}
.plotly-graph-div{margin:0 auto}
table,details,dl{break-inside:avoid}a{color:inherit;text-decoration:none}
}
"""
PRINT_WIDTH = 700
"""Width of a figure on an A4 page [CSS px]: 210 mm less the margins at 96 px per inch."""
_PRINT_SCRIPT = """
(function(){
  var saved=null;
  function toPrint(){
    if(saved||!window.Plotly)return;saved=[];
    document.querySelectorAll('details').forEach(function(d){saved.push([d,d.open]);d.open=true;});
    document.querySelectorAll('.plotly-graph-div').forEach(function(div){
      saved.push([div,null]);Plotly.relayout(div,{width:PRINT_WIDTH});});
  }
  function fromPrint(){
    if(!saved)return;
    saved.forEach(function(item){
      if(item[1]===null){Plotly.relayout(item[0],{width:null,autosize:true});}else{item[0].open=item[1];}});
    saved=null;
  }
  window.addEventListener('beforeprint',toPrint);window.addEventListener('afterprint',fromPrint);
  var query=window.matchMedia('print');
  query.addEventListener('change',function(e){if(e.matches){toPrint();}else{fromPrint();}});
})();
""".replace("PRINT_WIDTH", str(PRINT_WIDTH))



def load_executed(executed: Path):
    """The executed notebook as it goes to the pages, and its headline numbers.

    The headline output, the ``notebook-only`` cells and the stderr streams are removed.
    """
    import nbformat

    notebook = nbformat.read(executed, as_version=4)
    headline = _pop_headline(notebook)
    notebook.cells = [cell for cell in notebook.cells if NOTEBOOK_ONLY not in cell.metadata.get("tags", [])]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [output for output in cell.outputs if output.get("name") != "stderr"]
    return notebook, headline


FIGURE_MARK = "forum_figure"
"""Output metadata of a figure whose plotly JSON was taken out (:func:`take_figures`): its trace types."""


def take_figures(notebook) -> list[dict]:
    """The plotly JSON of every figure (as :func:`figures`), taken out of the notebook's outputs, which keep their
    HTML and a mark: the pages are converted from what they show, without copying the JSON along."""
    taken = figures(notebook)
    for cell in notebook.cells:
        for output in getattr(cell, "outputs", []):
            if PLOTLY_MIME in output.get("data", {}):
                figure = output["data"].pop(PLOTLY_MIME)
                output.setdefault("metadata", {})[FIGURE_MARK] = sorted(
                    {trace.get("type", "scatter") for trace in figure.get("data", [])}) or ["scatter"]
    return taken


def figures(notebook) -> list[dict]:
    """The plotly JSON of every figure of the notebook, in the order of the page."""
    return [dict(output["data"][PLOTLY_MIME]) for cell in notebook.cells for output in getattr(cell, "outputs", [])
            if PLOTLY_MIME in output.get("data", {})]


def _plotly_file(notebook) -> str:
    """The shared plotly.js file that serves every figure of the notebook (see :func:`plotly_script`)."""
    types = {trace.get("type", "scatter") for figure in figures(notebook) for trace in figure.get("data", [])}
    types |= {kind for cell in notebook.cells for output in getattr(cell, "outputs", [])
              for kind in output.get("metadata", {}).get(FIGURE_MARK) or ()}  # the figures taken out
    return plotly_script(types, get_plotlyjs_version())


def _links(lang: str, files: Mapping | None) -> tuple[str, str]:
    """The links bar at the top of a pack (numbers, slides, print) and the list of its CSV files at the end."""
    if not files:
        return "", ""
    items = []
    for workbook in files.get("workbook", []):
        items.append(f'<a href="{html.escape(workbook)}" download>{html.escape(t("takeaway.workbook", lang))}</a>')
    if files.get("csv"):
        items.append(f'<a href="#pack-data">{html.escape(t("takeaway.csv_list", lang).rstrip(":"))}</a>')
    if files.get("slides"):
        items.append(f'<a href="{html.escape(files["slides"])}">{html.escape(t("takeaway.slides", lang))}</a>')
    items.append(f'<button type="button" onclick="window.print()">{html.escape(t("takeaway.print", lang))}</button>')
    bar = (f'<nav class="pack-links" aria-label="{html.escape(t("takeaway.links_title", lang))}">'
           + " ".join(items) + "</nav>\n")
    csv = "".join(f'<li><a href="{html.escape(path)}" download>{html.escape(Path(path).name)}</a></li>'
                  for path in files.get("csv", []))
    listing = (f'<section class="pack-data" id="pack-data"><h2>{html.escape(t("takeaway.links_title", lang))}</h2>'
               f'<p>{html.escape(t("takeaway.csv_list", lang))}</p><ul>{csv}</ul></section>\n') if csv else ""
    return bar, listing


def pack_page(notebook, headline: Mapping, lang: str, *, files: Mapping | None = None,
              assets: str = f"../{ASSETS}") -> str:
    """The offline HTML page of a loaded notebook (:func:`load_executed`).

    ``files``: the pack's numbers and slides relative to its folder (``{"csv": [...], "workbook": [...],
    "slides": "slides.html"}``), linked at the top; ``assets``: where the shared plotly.js is, relative to the page.
    Raises ``RuntimeError`` if the page would load anything remotely.
    """
    body, _ = _html_exporter().from_notebook_node(notebook)
    title = html.escape(_first_heading(notebook) or headline["region"])
    bar, listing = _links(lang, files)
    body = _after_title(body, bar)
    page = "".join([
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{title}</title>\n<style>{_STYLE}{_PRINT_STYLE}</style>\n",
        f"<script>{_PRINT_SCRIPT}</script>\n",  # listeners only: the page's body holds no script but the figures'
        f'<script src="{html.escape(assets)}/{_plotly_file(notebook)}"></script>\n</head>\n<body>\n<main>\n',
        body, listing, "\n</main>\n</body>\n</html>\n",
    ])
    _check_offline(page)
    return page


def _after_title(body: str, block: str) -> str:
    """``block`` inserted after the first ``<h1>`` of ``body`` (or at its start)."""
    end = body.find("</h1>")
    if not block:
        return body
    if end < 0:
        return block + body
    close = body.find("</div>", end)  # the end of the title's output area
    at = end + len("</h1>") if close < 0 else close + len("</div>")
    return body[:at] + block + body[at:]


def _check_offline(page: str) -> None:
    remote = remote_references(page)
    if remote:
        raise RuntimeError(f"the page would load {len(remote)} remote resources, e.g. {remote[0]}")


def notebook_page(executed: Path, lang: str, *, files: Mapping | None = None,
                  assets: str = f"../{ASSETS}") -> tuple[str, dict]:
    """The offline HTML page of an executed notebook, and the headline numbers it reported (see :func:`pack_page`).
    """
    notebook, headline = load_executed(executed)
    return pack_page(notebook, headline, lang, files=files, assets=assets), headline


_SLIDES_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}
<script src="{{ resources.forum.assets }}/{{ resources.forum.plotly }}"></script>
{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_css -%}<style>{{ resources.forum.style }}</style>{%- endblock html_head_css -%}
{%- block footer_js -%}
<script src="{{ resources.reveal.url_prefix }}/dist/reveal.js"></script>
<script>{{ resources.forum.script }}</script>
{%- endblock footer_js -%}
"""
_SLIDES_STYLE = """
.reveal .slides{text-align:left}.reveal .slides section{height:100%;overflow-y:auto}
.reveal .slides h1,.reveal .slides h2{text-transform:none}
.reveal .jp-RenderedHTMLCommon h1{font-size:48px}.reveal .jp-RenderedHTMLCommon h2{font-size:40px}
.reveal .jp-RenderedHTMLCommon p,.reveal .jp-RenderedHTMLCommon li{font-size:26px;line-height:1.4}
.reveal .jp-RenderedHTMLCommon table{font-size:20px}.reveal .jp-RenderedHTMLCommon td,
.reveal .jp-RenderedHTMLCommon th{padding:6px 10px}
.reveal details,.reveal dl{font-size:18px}.reveal .jp-OutputArea-output{margin:0}
.reveal .plotly-graph-div{margin:0 auto}.reveal .jp-Cell{padding:0}.jp-OutputPrompt,.jp-InputPrompt{display:none}
"""
_SLIDES_SCRIPT = """
Reveal.initialize({hash:true,controls:true,progress:true,slideNumber:'c/t',transition:'none',
  width:1100,height:760,margin:0.03});
function forumResize(){
  if(!window.Plotly)return;
  Reveal.getCurrentSlide().querySelectorAll('.plotly-graph-div').forEach(function(div){Plotly.Plots.resize(div);});
}
Reveal.on('ready',forumResize);Reveal.on('slidechanged',forumResize);
"""


def _is_figure(output) -> bool:
    return PLOTLY_MIME in output.get("data", {}) or bool(output.get("metadata", {}).get(FIGURE_MARK))


def _is_heading(output) -> bool:
    return output.get("data", {}).get("text/markdown", "").startswith(("# ", "## "))


def slide_notebook(notebook):
    """The loaded notebook as slides: every figure (and card) on a slide of its own; the text between figures on
    slides of its own, a new one at every heading. Each slide is one cell with ``slide_type: slide``."""
    import nbformat

    slides: list[list] = []
    text: list = []

    def close_text():
        if text:
            slides.append(list(text))
            text.clear()

    for cell in notebook.cells:
        for output in getattr(cell, "outputs", []):
            if _is_figure(output):
                close_text()
                slides.append([output])
            else:
                if _is_heading(output):
                    close_text()
                text.append(output)
    close_text()
    deck = nbformat.v4.new_notebook(metadata=notebook.metadata)
    for outputs in slides:
        cell = nbformat.v4.new_code_cell(source="", metadata={"slideshow": {"slide_type": "slide"}})
        cell.outputs = outputs
        deck.cells.append(cell)
    return deck


@functools.cache
def _html_exporter():
    """nbconvert's exporter of the page, made once per process: making one compiles its Jinja templates (~0.1 s)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True)


@functools.cache
def _slides_exporter(lang: str, assets: str):
    """nbconvert's exporter of the slides in ``lang`` with the reveal.js of ``assets``, made once per process."""
    from nbconvert import SlidesExporter

    return SlidesExporter(template_name="reveal", template_file="forum_slides.html.j2",
                          extra_loaders=[DictLoader({"forum_slides.html.j2": _SLIDES_TEMPLATE})],
                          exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                          reveal_url_prefix=f"{assets}/{REVEAL_DIR}", reveal_theme="white",
                          reveal_transition="none", language_code=lang)


def slides_page(notebook, headline: Mapping, lang: str, *, assets: str = f"../{ASSETS}") -> str:
    """The pack as reveal.js slides (nbconvert's reveal template, everything loaded from ``assets``): a slide per
    figure or card and per stretch of text (:func:`slide_notebook`). The arrow keys move between slides.
    Raises ``RuntimeError`` if the slides would load anything remotely."""
    deck = slide_notebook(notebook)
    exporter = _slides_exporter(lang, assets)
    title = _first_heading(notebook) or headline["region"]
    resources = {"metadata": {"name": title},
                 "forum": {"assets": assets, "plotly": _plotly_file(notebook), "style": _SLIDES_STYLE,
                           "script": _SLIDES_SCRIPT}}
    page, _ = exporter.from_notebook_node(deck, resources=resources)
    page = page.replace(f"<title>{html.escape(title)} slides</title>", f"<title>{html.escape(title)}</title>")
    _check_offline(page)
    return page


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
