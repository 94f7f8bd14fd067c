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


def test_only_http_https_and_mailto_links_survive_and_get_rel():
    html = ('<a href="javascript:alert(1)">js</a> <a href="data:text/html,x">data</a> '
            '<a href="/relative">rel</a> <a href="https://www.gov.uk/x" title="T" target="_blank">gov</a> '
            '<a href="mailto:a@example.org">mail</a> <a href="http://example.org">plain</a>')
    assert clean_html(html) == (
        f'<a {REL}>js</a> <a {REL}>data</a> <a {REL}>rel</a> '
        f'<a href="https://www.gov.uk/x" title="T" {REL}>gov</a> '
        f'<a href="mailto:a@example.org" {REL}>mail</a> <a href="http://example.org" {REL}>plain</a>'
    )


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
