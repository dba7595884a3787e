"""A scenario file with hostile names and narratives: the exported pack page shows them as text."""

from __future__ import annotations

import re

import nbformat
import pytest

import toolkit.pack as pack_module
from toolkit.pack import ForumPack, show
from toolkit.pages import notebook_page, remote_references

HOSTILE = {
    "javascript": "[clickme](javascript:alert(1))",
    "data": "[clickme](data:text/html;base64,PHNjcmlwdD4=)",
    "html": "<img src=x onerror=alert(1)><script>window.pwned=1</script>clickme",
    "image": "![clickme](https://evil.example/track.png)",
}


def _scenario(tmp_path, lang_payloads: dict[str, str]) -> str:
    lines = ["id: hostile-name", "name:"] + [f"  {lang}: {payload!r}" for lang, payload in lang_payloads.items()]
    lines += ["narrative:"] + [f"  {lang}: {payload!r}" for lang, payload in lang_payloads.items()]
    lines += [f"justification: {HOSTILE['javascript']!r}", "levers:", "  tfr: {target: 1.6, year: 2040}"]
    path = tmp_path / "hostile.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _executed_notebook(pack: ForumPack, sections, path) -> None:
    """The display outputs of ``sections`` (and the headline) in a notebook file, as papermill would write it."""
    from IPython.core.interactiveshell import InteractiveShell

    formatter = InteractiveShell.instance().display_formatter
    outputs = []

    def capture(item, raw=False):
        data = item if raw else formatter.format(item)[0]
        outputs.append(nbformat.v4.new_output("display_data", data=data))

    original = pack_module.display
    pack_module.display = capture
    try:
        show(sections)
        pack.headline()
    finally:
        pack_module.display = original
    cell = nbformat.v4.new_code_cell("pack.sections()")
    cell.outputs = outputs
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)


@pytest.mark.parametrize("lang", ["en"])
def test_hostile_scenario_names_are_text_in_the_page(tmp_path, lang):
    payloads = {"fi": HOSTILE["javascript"], "sv": HOSTILE["data"],
                "en": " ".join(HOSTILE[key] for key in ("javascript", "data", "html", "image"))}
    pack = ForumPack("kainuu", [_scenario(tmp_path, payloads)], horizon=2027, lang=lang)
    sections = [pack.introduction(), pack.pyramid()[:1], pack.futures_table(), pack.work()[:2], pack.assumptions()]
    executed = tmp_path / "executed.ipynb"
    _executed_notebook(pack, sections, executed)
    page, headline = notebook_page(executed, lang)
    assert headline["names"]["hostile-name"] == payloads[lang]  # the data is kept as written
    assert remote_references(page) == []
    body = page.split("</script>\n</head>", 1)[1]  # the page after the inlined plotly.js
    assert not re.search(r"(href|src)\s*=\s*['\"]?\s*(javascript|data|vbscript):", body, re.IGNORECASE)
    assert "<img" not in body and "<script" not in body and "<iframe" not in body
    assert "window.pwned=1" not in body.replace("&lt;script&gt;window.pwned=1", "")
    assert body.count("clickme") >= 4  # the name is there, as text, in the reference sentences and the table


def test_remote_references_flags_script_links():
    assert remote_references('<a href="javascript:alert(1)">x</a><img src="data:image/png;base64,AA">'
                             '<iframe src="data:text/html,x"></iframe><a href=" DATA:text/html,x">y</a>') == [
        "<a href='javascript:alert(1)'>", "<iframe src='data:text/html,x'>", "<a href=' DATA:text/html,x'>"]
    assert remote_references('<a href="https://stat.fi/">x</a><a href="other.html">y</a>') == []
