"""Text is text: hostile strings in a pack's Markdown blocks come out as text in the HTML (generated corpus)."""

from __future__ import annotations

import itertools
from html.parser import HTMLParser

import pytest

from toolkit.text.markup import ALLOWED_TAGS, SafeMarkdown, escape_markdown, render, unescape_markdown

# Each payload tries one way of making a string more than text: a live link, a data URL, raw HTML, an image,
# an autolink, a reference link, an entity-encoded scheme, a line break that opens a block of its own.
PAYLOADS = {
    "javascript-link": "[clickme](javascript:alert(1))",
    "javascript-link-spaces": "[clickme]( JaVaScRiPt:alert(1) )",
    "javascript-autolink": "<javascript:alert(1)>clickme",
    "data-link": "[clickme](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "vbscript-link": "[clickme](vbscript:msgbox(1))",
    "raw-script": "<script>window.pwned = 1</script>clickme",
    "raw-img": "<img src=x onerror=alert(1)>clickme",
    "raw-anchor": "<a href=\"javascript:alert(1)\">clickme</a>",
    "raw-iframe": "<iframe src=\"https://evil.example\"></iframe>clickme",
    "markdown-image": "![clickme](https://evil.example/track.png)",
    "markdown-image-data": "![clickme](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "reference-link": "[clickme][r]\n\n[r]: javascript:alert(1)",
    "entity-scheme": "[clickme](&#106;avascript:alert(1))",
    "heading-injection": "clickme\n# pwned\n<script>alert(1)</script>",
    "html-comment": "clickme<!-- <script>alert(1)</script> -->",
    "style-attribute": "<span style=\"background:url(https://evil.example)\">clickme</span>",
}
TEMPLATES = ["# {name}: population and work", "The reference is **{name}**.", "- {name}"]


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def assert_only_text(html_text: str) -> str:
    """The HTML has only allowed tags, no attribute but a safe href/title, and no live scheme; returns its text."""
    collector = _Collector()
    collector.feed(html_text)
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS, (tag, html_text)
        assert set(attrs) <= {"href", "title", "rel"}, (tag, attrs)
        href = attrs.get("href")
        if href is not None:
            assert href.startswith(("http://", "https://")) or ":" not in href.split("/")[0], href
    return "".join(collector.text)


@pytest.mark.parametrize(("payload", "template"), list(itertools.product(PAYLOADS, TEMPLATES)))
def test_hostile_field_stays_text(payload, template):
    block = SafeMarkdown(template.format(name=escape_markdown(PAYLOADS[payload])))
    text = assert_only_text(block._repr_html_())
    assert "clickme" in text
    assert "<a" not in block._repr_html_()  # no link at all: the field was text
    # the Markdown form is escaped too (a viewer that renders text/markdown itself sees no link)
    assert "](" not in block._repr_markdown_().replace("\\]", "")


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_sanitiser_alone_removes_live_markup(payload):
    """Even unescaped (catalogue text gone wrong), rendering leaves no script, image or unsafe link."""
    assert_only_text(render(PAYLOADS[payload]))


def test_catalogue_markdown_still_renders():
    html_text = render("# Title\n\nSome **bold** and a [link](https://stat.fi/) and [page](other.html).")
    assert "<h1>Title</h1>" in html_text and "<strong>bold</strong>" in html_text
    assert 'href="https://stat.fi/"' in html_text and 'href="other.html"' in html_text


def test_escape_keeps_numbers_and_round_trips():
    number = "12\u00a0345,6 %"  # Babel's no-break space
    assert escape_markdown(number) == number
    name = "Pohjois-Pohjanmaa & [Kainuu]"
    assert unescape_markdown(escape_markdown(name)) == name
