"""The README documents every command, every environment variable and every page: checked, not hoped."""

import re

from kinmon.cli import build_parser
from kinmon.config import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def _subcommands():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_every_command_is_documented():
    for name in _subcommands():
        assert re.search(rf"`{name}\b", README), f"README does not document `python -m kinmon {name}`"


def test_every_environment_variable_is_documented():
    config = (PROJECT_ROOT / "kinmon" / "config.py").read_text(encoding="utf-8")
    names = set(re.findall(r'"(KINMON_[A-Z_]+)"', config))
    assert len(names) >= 10
    for name in names:
        assert f"`{name}`" in README, f"README does not document {name}"


def test_every_page_is_in_the_pages_table():
    dashboard = (PROJECT_ROOT / "dashboard.py").read_text(encoding="utf-8")
    for title in re.findall(r'st\.Page\([^)]*title="([^"]+)"', dashboard):
        assert f"| {title} |" in README, f"README's pages table lacks {title}"


def test_the_two_setup_commands_are_there():
    assert "streamlit run dashboard.py" in README
    assert "python -m pytest" in README
    assert "python -m pytest" in (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
