"""Text is text: user-supplied strings in Markdown blocks, rendered and sanitised here rather than by a viewer.

A forum pack's prose is catalogue Markdown with ``{placeholders}`` filled by strings that come from files a user
wrote (scenario names, area names). Three layers keep such a string text:

1. :func:`escape_markdown` backslash-escapes every character that could open Markdown syntax (links, images,
   emphasis, raw HTML, entities) and folds line breaks, so the field cannot start a block of its own;
2. :func:`render` turns the Markdown into HTML with ``mistune`` (raw HTML escaped, not passed through);
3. the HTML is cleaned with ``nh3`` (Ammonia): only the tags of :data:`ALLOWED_TAGS`, only ``href``/``title`` on
   links, and only ``http``/``https`` or relative URLs; no images at all.

:class:`SafeMarkdown` carries both forms: the escaped Markdown (``text/markdown``, which viewers may render
themselves, hence step 1) and the sanitised HTML (``text/html``, which the exported page shows).
"""

from __future__ import annotations

import re

import mistune
import nh3

ALLOWED_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "strong", "em", "code", "pre",
                          "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td"})
"""The HTML a pack's text may contain after rendering."""
URL_SCHEMES = frozenset({"http", "https"})
"""The URL schemes a link may have (relative links are kept too)."""

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}<>&!#|~])")
_MARKDOWN_ESCAPED = re.compile(r"\\([\\`*_\[\]{}<>&!#|~])")
_LINE_BREAKS = re.compile(r"[ \t]*[\r\n\v\f\x85\u2028\u2029]+[ \t]*")
_RENDER = mistune.create_markdown(escape=True, plugins=["table"])


def escape_markdown(value: str) -> str:
    """``value`` as literal text inside a Markdown block: syntax characters backslash-escaped, line breaks
    folded to single spaces (a number's no-break spaces are kept)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(value)).strip())


def unescape_markdown(value: str) -> str:
    """Undo :func:`escape_markdown`'s backslashes (for a page title taken from a heading)."""
    return _MARKDOWN_ESCAPED.sub(r"\1", value)


def sanitise(html_text: str) -> str:
    """``html_text`` with only :data:`ALLOWED_TAGS`, link ``href``/``title`` and http(s)/relative URLs left."""
    return nh3.clean(html_text, tags=set(ALLOWED_TAGS), attributes={"a": {"href", "title"}},
                     url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer", strip_comments=True)


def render(markdown_text: str) -> str:
    """Markdown to sanitised HTML."""
    return sanitise(_RENDER(markdown_text))


class SafeMarkdown:
    """A Markdown block shown as sanitised HTML (``text/html``) with its escaped Markdown beside it."""

    def __init__(self, markdown_text: str):
        self.data = markdown_text

    def _repr_markdown_(self) -> str:
        return self.data

    def _repr_html_(self) -> str:
        return render(self.data)

    def __repr__(self) -> str:
        return f"SafeMarkdown({self.data!r})"


__all__ = ["ALLOWED_TAGS", "URL_SCHEMES", "SafeMarkdown", "escape_markdown", "render", "sanitise",
           "unescape_markdown"]
