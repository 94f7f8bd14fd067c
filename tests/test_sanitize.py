"""kinmon.sanitize: the allow-list cleaner and the plain-text converter, on hostile and ordinary HTML."""

from __future__ import annotations

from kinmon.sanitize import clean_html, to_text

REL = 'rel="noopener noreferrer nofollow"'


def test_scripts_and_their_content_are_removed():
    assert clean_html("<p>Before<script>alert('x')</script> after</p>") == "<p>Before after</p>"
    assert clean_html("<style>p{color:red}</style><p>ok</p>") == "<p>ok</p>"


def test_event_handlers_and_styles_are_removed():
    assert clean_html('<p onclick="steal()" style="x" class="c">Hi</p>') == "<p>Hi</p>"
    assert clean_html('<img src="x" onerror="alert(1)"><b onmouseover="x">bold</b>') == "<b>bold</b>"


def test_only_official_http_https_and_mailto_links_stay_live_and_get_rel():
    html = ('<a href="javascript:alert(1)">js</a> <a href="data:text/html,x">data</a> '
            '<a href="/relative">rel</a> <a href="https://www.gov.uk/x" title="T" target="_blank">gov</a> '
            '<a href="mailto:kinship@education.gov.uk">mail</a> <a href="http://example.org">plain</a>')
    assert clean_html(html) == (
        'js data rel '
        f'<a href="https://www.gov.uk/x" title="T" {REL}>gov</a> '
        f'<a href="mailto:kinship@education.gov.uk" {REL}>mail</a> plain (http://example.org)'
    )


def test_a_link_to_any_other_host_becomes_its_text_and_the_address_as_text():
    # the payload the full XSS run found live on Search's full-record view (#13)
    assert clean_html('<p>See <a href="https://evil10.example/plot">link10</a>.</p>') == (
        "<p>See link10 (https://evil10.example/plot).</p>")
    # an address that is its own text is shown once; markup inside the link is kept; the address stays escaped
    assert clean_html('<a href="https://charity.example/a?b=1&c=2">https://charity.example/a?b=1&amp;c=2</a>') == (
        "https://charity.example/a?b=1&amp;c=2")
    assert clean_html('<a href="https://x.example/"><strong>bold</strong></a>') == (
        "<strong>bold</strong> (https://x.example/)")
    # look-alike hosts, credentials and mailto to another domain are not official
    for href in ("https://gov.uk.evil.example/", "https://www.gov.uk@evil.example/", "mailto:bob@evil.example",
                 "https://notparliament.uk/"):
        assert "<a " not in clean_html(f'<a href="{href}">x</a>'), href
    # official subdomains stay live
    assert clean_html('<a href="https://questions-statements.parliament.uk/q">q</a>').startswith("<a href=")


def test_allowed_structure_is_kept():
    html = ("<h3>Head</h3><blockquote><p>Q</p></blockquote><ul><li><strong>a</strong></li><li><em>b</em></li></ul>"
            "<table><thead><tr><th>Year</th></tr></thead><tbody><tr><td>2024</td></tr></tbody></table><br>")
    assert clean_html(html) == html


def test_disallowed_tags_are_unwrapped_not_emptied():
    assert clean_html('<div><span class="column-number">12</span>Text <u>u</u></div><h1>Big</h1>') == "12Text uBig"
    assert clean_html('<iframe src="https://evil">inner</iframe><p>x</p>') == "<p>x</p>"


def test_empty_input():
    assert clean_html(None) == ""
    assert clean_html("") == ""
    assert to_text(None) == ""


def test_to_text_paragraphs_blank_line_separated_and_entities_unescaped():
    html = "<p>The &pound;40 million\n   kinship&nbsp;allowance.</p><p>Second &amp; last<br>line two</p>"
    assert to_text(html) == "The £40 million kinship allowance.\n\nSecond & last\nline two"


def test_to_text_table_cells_are_tab_separated_rows_on_lines():
    html = "<p>Table:</p><table><tr><th>Year</th><th>Number</th></tr><tr><td>2015</td><td>931</td></tr></table>"
    assert to_text(html) == "Table:\n\nYear\tNumber\n2015\t931"


def test_to_text_drops_scripts_and_keeps_list_items_apart():
    html = "<ul><li>one</li><li>two</li></ul><script>var x = '<p>no</p>';</script>"
    assert to_text(html) == "one\n\ntwo"


def test_to_text_keeps_plain_text_paragraphs():
    assert to_text("First line\nsame para\n\n  Second &amp; para  ") == "First line\nsame para\n\nSecond & para"
    assert to_text("Children aged <5 and > 2") == "Children aged <5 and > 2"
