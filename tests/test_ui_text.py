"""Upstream text shown through Markdown: no markup, HTML or links it did not ask for, yet readable."""

import pytest

from kinmon.ui import flag, human_size, md_escape


@pytest.mark.parametrize("raw, shown", [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("[click](javascript:alert(2))", "\\[click\\](javascript:alert(2))"),
    ("*bold* and _em_ and `code` and $x$ and a|b and ~~s~~", "\\*bold\\* and \\_em\\_ and \\`code\\` and \\$x\\$ and a\\|b and \\~\\~s\\~\\~"),
    ("# Heading\n> quote\n- item\n1. first", "\\# Heading\n&gt; quote\n\\- item\n1\\. first"),
    ("https://assets.publishing.service.gov.uk/media/a_b-c.pdf", "https://assets.publishing.service.gov.uk/media/a_b-c.pdf"),
    ("£40 million, 2024-25 (England)", "£40 million, 2024-25 (England)"),
    (None, ""),
])
def test_md_escape(raw, shown):
    assert md_escape(raw) == shown


def test_small_helpers():
    import pandas as pd

    assert [flag(v) for v in (None, pd.NA, float("nan"), True, 0, "x")] == [False, False, False, True, False, True]
    assert [human_size(n) for n in (512, 2048, 5 * 1024 * 1024)] == ["512 bytes", "2.0 KB", "5.0 MB"]
