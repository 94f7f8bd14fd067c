"""Make upstream text safe to show: an allow-list HTML cleaner and an HTML-to-plain-text converter.

Every piece of text that comes from an upstream service (answers, statements, speeches) passes through
`clean_html` before it is rendered as HTML, or through `to_text` before it is shown or searched as text.
"""

from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = frozenset({
    "p", "br", "a", "ul", "ol", "li", "strong", "b", "em", "i",
    "table", "thead", "tbody", "tr", "th", "td", "h3", "h4", "h5", "h6", "blockquote",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# Tags whose content is dropped, not just the tag: code and styling are never text.
DROPPED_CONTENT_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg", "math"})

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_CONTENT_TAGS),
    attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel=LINK_REL,
    # A relative link would resolve against the dashboard's own host, not the publisher's.
    url_relative="deny",
    strip_comments=True,
)

# Elements that end a paragraph in to_text; rows and line breaks end a line; cells are tab-separated.
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "header", "footer", "blockquote", "ul", "ol", "li", "table",
    "thead", "tbody", "tfoot", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr", "dl", "dt", "dd",
    "figure", "figcaption", "caption",
})
_LINE_TAGS = frozenset({"br", "tr"})
_CELL_TAGS = frozenset({"td", "th"})
_PARA, _LINE, _CELL = "\x00P", "\x00L", "\x00C"
_TAG_LIKE = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")


def clean_html(html: str | None) -> str:
    """The fragment with only the allow-listed tags, attributes and link schemes left."""
    if not html:
        return ""
    return _CLEANER.clean(html).strip()


def to_text(html: str | None) -> str:
    """Plain text: paragraphs separated by a blank line, table cells by tabs, entities unescaped.

    Input with no tags at all is treated as plain text already, so its own line breaks survive
    (curated transcriptions and the list endpoints' stripped answers arrive that way).
    """
    if not html:
        return ""
    if not _TAG_LIKE.search(html):
        return _plain_paragraphs(html_lib.unescape(html))
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return _assemble("".join(parser.parts))


def _plain_paragraphs(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in DROPPED_CONTENT_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARA)
        elif tag in _LINE_TAGS:
            self.parts.append(_LINE)
        elif tag in _CELL_TAGS:
            self.parts.append(_CELL)

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in _LINE_TAGS:
            self.parts.append(_LINE)
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARA)

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED_CONTENT_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARA)
        elif tag == "tr":
            self.parts.append(_LINE)

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            # Whitespace in HTML source is not layout; the markers carry the layout.
            self.parts.append(re.sub(r"\s+", " ", data))


def _assemble(marked: str) -> str:
    paragraphs = []
    for block in marked.split(_PARA):
        lines = []
        for line in block.split(_LINE):
            cells = [" ".join(cell.split()) for cell in line.split(_CELL)]
            cells = [cell for cell in cells if cell]
            if cells:
                lines.append("\t".join(cells))
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)
