"""Upstream links and images never reach the reader: only http(s) and mailto links survive, no upstream image
loads, and a bare URL in upstream text is shown as text unless it points at an official host. Checked on the
rules themselves and through the Search page's full-record view (AppTest), on a record written straight into
the store, unsanitised, as an older kinmon or another tool might have left it."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from kinmon import sanitize, search, store
from kinmon.config import PROJECT_ROOT
from kinmon.sanitize import clean_html, is_official, md_link, safe_href, unlink_bare_urls

HOSTILE_ID = 990000043
EVIL = "evil.example"
OFFICIAL = "https://www.gov.uk/government/publications/championing-kinship-care"
QUESTION = (f"Kinship zzhostile: see https://{EVIL}/steal?c=1 and www.{EVIL} and mail bob@{EVIL}; "
            f"the strategy is at {OFFICIAL}")
ANSWER = ('<p>Answer <a href="data:text/html,<script>alert(43)</script>">click43</a> '
          f'<img src="http://{EVIL}/pixel.png"> <a href="javascript:alert(44)">click44</a> '
          '<a href="https://www.gov.uk/x">the guidance</a></p>')


def test_only_http_https_and_mailto_links_are_followed():
    assert safe_href("https://www.gov.uk/x") == "https://www.gov.uk/x"
    assert safe_href("mailto:kinship@education.gov.uk") == "mailto:kinship@education.gov.uk"
    for bad in ("data:text/html,<script>x</script>", "javascript:alert(1)", " JavaScript:alert(1)", "//evil.example",
                "/relative", "vbscript:x", "https://", None, 3):
        assert safe_href(bad) is None, bad
    assert md_link("x", "javascript:alert(1)") == "x"
    assert md_link("y", "https://a.test/c) [z](javascript:1") == "[y](https://a.test/c%29%20[z]%28javascript:1)"


def test_no_upstream_image_or_unsafe_link_survives_cleaning():
    cleaned = clean_html(ANSWER)
    assert "<img" not in cleaned and "data:" not in cleaned and "javascript:" not in cleaned
    assert '<a href="https://www.gov.uk/x" rel="noopener noreferrer nofollow">the guidance</a>' in cleaned


def test_official_hosts_are_one_list_and_match_exactly():
    assert "parliament.uk" in sanitize.OFFICIAL_HOSTS and "gov.uk" in sanitize.OFFICIAL_HOSTS
    assert is_official("https://questions-statements.parliament.uk/written-questions")
    assert is_official("https://www.legislation.gov.uk/ukpga/2002/38")
    for bad in ("https://evilparliament.uk/", "https://parliament.uk.evil.example/", "https://parliament.uk@evil.example/",
                "javascript://parliament.uk/%0aalert(1)", "ftp://gov.uk/x"):
        assert not is_official(bad), bad


def test_bare_urls_become_text_unless_official():
    out = unlink_bare_urls(QUESTION)
    j = sanitize.WORD_JOINER
    assert f"https{j}://evil.example/steal" in out and f"www{j}.evil.example" in out and f"bob{j}@evil.example" in out
    assert OFFICIAL in out
    assert unlink_bare_urls("Note: at 10:30.") == "Note: at 10:30."


@pytest.fixture(scope="module")
def hostile_store(snapshot_store, tmp_path_factory):
    db = tmp_path_factory.mktemp("hostile") / "kinmon.duckdb"
    shutil.copyfile(snapshot_store, db)
    with store.writer(db) as con:
        con.execute(f"""INSERT INTO written_question SELECT * REPLACE (
                {HOSTILE_ID}::BIGINT AS id, 'Kinship zzhostile' AS heading, ? AS question_text,
                ? AS answer_html, 'zzhostile answer' AS answer_text,
                'Commons ![h](http://{EVIL}/house.png)' AS house, '![u](http://{EVIL}/uin.png)' AS uin,
                '[{{"title": "file", "url": "data:text/html,x"}}]'::JSON AS attachments)
            FROM written_question LIMIT 1""", [QUESTION, ANSWER])
        search.rebuild_index(con)
    return db


def test_the_full_record_view_shows_no_upstream_link_image_or_bare_url(hostile_store, use_store):
    use_store(hostile_store)
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/explore.py")
    at.query_params["q"] = "zzhostile"
    at.query_params["doc"] = f"question:{HOSTILE_ID}"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    markdown = "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)
    html = "\n".join(h.proto.body for h in at.get("html"))
    assert "Kinship zzhostile" in markdown and "click43" in html  # the record is the one on show
    assert f"https{sanitize.WORD_JOINER}://evil.example/steal" in markdown  # shown, as text
    for live in (f"https://{EVIL}", f"www.{EVIL}", f"](http://{EVIL}", "![", "data:", "javascript:"):
        assert live not in markdown, live
    assert OFFICIAL in markdown  # an official address stays a link
    assert "<img" not in html and "data:" not in html and "javascript:" not in html
    assert "src=" not in html and f'href="http://{EVIL}' not in html and f'href="https://{EVIL}' not in html
    assert '<a href="https://www.gov.uk/x"' in html
