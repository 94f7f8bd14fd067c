"""Hostile text for every upstream field: 11 shapes of attack x as many variants as asked, each numbered.

Every payload that could run script calls `__xss.push(N)` (the browser test's canary) or opens a dialog;
every link or image it carries points at an `evil` host, so a live one is easy to find on the page.
"""

from __future__ import annotations

TEMPLATES = (
    "<script>__xss.push({n})</script>kinship",
    '<img src="http://evil{n}.example/i.png" onerror="__xss.push({n})">kinship',
    '"><svg onload=__xss.push({n})>kinship',
    "[click{n}](javascript:__xss.push({n})) kinship",
    "![img{n}](http://evil{n}.example/pixel.png) kinship",
    '<a href="data:text/html,<script>parent.__xss.push({n})</script>">click{n}</a> kinship',
    "kinship see https://evil{n}.example/steal and www.evil{n}.example and bob{n}@evil.example",
    "<https://evil{n}.example/auto> kinship <iframe src=\"javascript:parent.__xss.push({n})\"></iframe>",
    "$$\\href{{javascript:__xss.push({n})}}{{kinship}}$$ :red[kinship{n}] <details open ontoggle=__xss.push({n})>",
    "=HYPERLINK(\"http://evil{n}.example\",\"kinship\") <style>*{{background:url(http://evil{n}.example/c)}}</style>",
    # the markup a chart's text understands (plotly draws <a href> as a live link, <span style> as styled text)
    '<a href="https://evil{n}.example/plot">link{n}</a> <span style="fill:url(http://evil{n}.example/f.svg#x)">kinship</span>',
)


def payloads(count: int) -> list[str]:
    """`count` payloads, cycling through the shapes so even a small sample has one of each."""
    return [TEMPLATES[k % len(TEMPLATES)].format(n=k) for k in range(count)]
