"""Make upstream text safe to show: an allow-list HTML cleaner, an HTML-to-plain-text converter, and the
rules for links: which schemes may be followed, and which hosts are official enough for a bare URL in
upstream text to become a link.

Every piece of text that comes from an upstream service (answers, statements, speeches) passes through
`clean_html` before it is rendered as HTML (at ingest, and again when shown), or through `to_text`
before it is shown or searched as text. No image passes: `img` is not an allowed tag, so an upstream
page can never make a reader's browser fetch from a host it chose.
"""

from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import nh3

ALLOWED_TAGS = frozenset({
    "p", "br", "a", "ul", "ol", "li", "strong", "b", "em", "i",
    "table", "thead", "tbody", "tr", "th", "td", "h3", "h4", "h5", "h6", "blockquote",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Official publishers whose addresses, written bare in upstream text, are shown as links. Any other bare
# URL is shown as text, not linked: a question or answer can quote an address, it cannot hand readers one.
# A host matches itself and its subdomains (www.gov.uk, questions-statements.parliament.uk).
OFFICIAL_HOSTS = (
    "parliament.uk", "gov.uk", "legislation.gov.uk", "nationalarchives.gov.uk", "ons.gov.uk", "nhs.uk",
    "ofsted.gov.uk", "education.gov.uk", "hansard.parliament.uk", "kinship.org.uk",
)
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
    """The fragment with only the allow-listed tags, attributes and link schemes left, and links kept live
    only where they point at an official host (OFFICIAL_HOSTS); any other link becomes its text with the
    address after it, as text (see `_delink`)."""
    if not html:
        return ""
    return _ANCHOR.sub(_delink, _CLEANER.clean(html)).strip()


# nh3's output is normalised (attributes double-quoted, no nested anchors), so its anchors can be matched.
_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.DOTALL | re.IGNORECASE)
_HREF = re.compile(r'\bhref="([^"]*)"')


def _delink(m: re.Match) -> str:
    """One cleaned anchor: kept if its address is official, else its text followed by the address as text.

    The rule is the one bare URLs follow (`unlink_bare_urls`): upstream text can quote an address, it cannot
    hand readers a link to a host it chose. A mailto link counts as official when its domain is."""
    attrs, inner = m.group(1), m.group(2)
    found = _HREF.search(attrs)
    if not found:
        return inner  # a link whose address the cleaner removed (javascript:, data:, relative) is only text
    href = found.group(1)
    plain = html_lib.unescape(href)
    if plain.lower().startswith("mailto:"):
        official = "@" in plain and is_official("https://" + plain.rsplit("@", 1)[1].split("?", 1)[0])
    else:
        official = is_official(plain)
    if official:
        return m.group(0)
    text = _TAG_LIKE.sub("", inner).strip()
    if html_lib.unescape(text) == plain:
        return inner
    return f"{inner} ({href})" if text else href


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


# ---------------------------------------------------------------- links


def safe_href(url: object) -> str | None:
    """`url` if it may be followed from the page (http, https, mailto with a host or address), else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_URL_SCHEMES or any(c in url for c in "\x00\r\n\t"):
        return None
    if scheme != "mailto" and not parts.hostname:
        return None
    return url


def is_official(url: str) -> bool:
    """Whether an http(s) URL points at one of OFFICIAL_HOSTS (credentials in it never count)."""
    try:
        parts = urlsplit(url if "://" in url else "https://" + url)
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or parts.username or parts.password:
        return False
    return any(host == h or host.endswith("." + h) for h in OFFICIAL_HOSTS)


def md_link(text: str, url: object) -> str:
    """A Markdown link to `url` if it is safe (brackets, quotes and spaces encoded), else the text alone."""
    href = safe_href(url)
    if href is None:
        return text
    return f"[{text}]({quote(href, safe=_URL_SAFE)})"


_URL_SAFE = "/:?#[]@!$&'*+,;=%~"
# What GitHub-flavoured Markdown turns into a link by itself: http(s)://..., www...., mailto:/xmpp:, e-mails.
_BARE_URL = re.compile(r"(?i)(?:\b(?:https?://|mailto:|xmpp:)|\bwww\.)[^\s<>]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


WORD_JOINER = "\u2060"  # invisible; splits "http:" or "www." or "x@y" so no autolink pattern matches


def unlink_bare_urls(markdown: str) -> str:
    """Markdown in which a bare URL or address stays text unless it is official (OFFICIAL_HOSTS).

    Streamlit's Markdown (remark-gfm) finds bare URLs in the text after escapes are resolved, so a backslash
    cannot stop it; an invisible word joiner inside "http:", "www." and before "@" does, and the reader still
    sees the address as written."""
    def neuter(m: re.Match) -> str:
        found = m.group(0)
        plain = html_lib.unescape(found.replace("\\", ""))
        if "@" in plain and "://" not in plain:
            official = is_official("https://" + plain.rsplit("@", 1)[1])
        else:
            official = bool(re.match(r"(?i)(https?://|www\.)", plain)) and is_official(plain)
        if official:
            return found
        out = re.sub(r"(?i)(https?|mailto|xmpp)(\\?:)", lambda g: g.group(1) + WORD_JOINER + g.group(2), found)
        out = re.sub(r"(?i)(www)(\\?\.)", lambda g: g.group(1) + WORD_JOINER + g.group(2), out)
        return out.replace("@", WORD_JOINER + "@")
    return _BARE_URL.sub(neuter, markdown)


# Plotly draws a chart's text (tick labels, hover labels, titles, legends) from a pseudo-HTML that makes
# <a href> a live SVG link and <span style> restyle it. Upstream text (a member's name, a council, a
# department) must stay text: escape it, keeping only the markup-free tags kinmon's own labels use.
_PLOTLY_KEPT = re.compile(r"&lt;(/?(?:br|b|i|em|sup|sub))\s*/?&gt;", re.IGNORECASE)


def plotly_text(value: object) -> object:
    """`value` safe to hand to plotly: '<' and '>' escaped, bare <br>, <b>, <i>, <em>, <sup>, <sub> kept.

    Plotly decodes entities only in the text between tags, so an escaped tag is shown, never drawn; '&' is
    left as it is, which makes this idempotent (a label escaped twice reads the same). Anything that is not
    a string is returned as it is."""
    if not isinstance(value, str) or "<" not in value and ">" not in value:
        return value
    return _PLOTLY_KEPT.sub(lambda m: f"<{m.group(1).lower()}>", value.replace("<", "&lt;").replace(">", "&gt;"))
