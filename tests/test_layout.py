"""The layout rules of the README's Development section, checked by reading every module's imports and calls
(ast; nothing is imported or run):

1. SQL only in kinmon/queries/ and the store (kinmon/store/). A module does SQL when it calls a method named
   execute, executemany or sql on anything (a DuckDB connection or cursor), or calls a function of the
   duckdb module itself (duckdb.connect, duckdb.sql, ...). Naming duckdb's types or errors is not SQL.
2. HTTP only in kinmon/sources/ and kinmon/http.py: no import of requests, urllib.request, urllib3,
   http.client, http.server, httpx, aiohttp or socket anywhere else.
3. Streamlit only in pages/, dashboard.py and kinmon/ui/.
4. Imports never run back up: see FORBIDDEN (which layer may not import which) and PAGE_IMPORTS (what a
   page may import: the ui, queries, charts and exports, and the plain helpers they share).

An exception is listed in EXCEPTIONS with its reason, never silently; one that no longer applies fails too.
Every violation is reported with its file and line.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SQL_METHODS = {"execute", "executemany", "sql"}
SQL_HOMES = ("kinmon/queries/", "kinmon/store/", "kinmon/store.py")
HTTP_MODULES = ("requests", "urllib.request", "urllib3", "http.client", "http.server", "httpx", "aiohttp", "socket")
HTTP_HOMES = ("kinmon/sources/", "kinmon/http.py")
STREAMLIT_HOMES = ("pages/", "dashboard.py", "kinmon/ui/")

# layer (a module and everything under it) -> the layers it must not import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "kinmon.sources": ("kinmon.ingest", "kinmon.store", "kinmon.queries", "kinmon.charts", "kinmon.exports",
                       "kinmon.ui", "kinmon.snapshot", "kinmon.cli", "pages"),
    "kinmon.store": ("kinmon.ingest", "kinmon.queries", "kinmon.sources", "kinmon.charts", "kinmon.exports",
                     "kinmon.ui", "kinmon.cli", "pages"),
    "kinmon.queries": ("kinmon.ingest", "kinmon.sources", "kinmon.charts", "kinmon.exports", "kinmon.ui",
                       "kinmon.snapshot", "kinmon.cli", "pages"),
    "kinmon.charts": ("kinmon.queries", "kinmon.store", "kinmon.ingest", "kinmon.sources", "kinmon.ui", "pages"),
    "kinmon.exports": ("kinmon.queries", "kinmon.store", "kinmon.ingest", "kinmon.sources", "kinmon.ui", "pages"),
    "kinmon.ingest": ("kinmon.queries", "kinmon.charts", "kinmon.exports", "kinmon.ui", "kinmon.cli", "pages"),
    "kinmon.ui": ("kinmon.ingest", "kinmon.sources", "kinmon.cli", "pages"),
}
# a page (and dashboard.py) imports only these from kinmon: the ui, queries, charts and exports, the deferred
# download files (built on click from queries and exports), and plain helpers that read no store
PAGE_IMPORTS = ("kinmon.ui", "kinmon.queries", "kinmon.charts", "kinmon.exports", "kinmon.downloads",
                "kinmon.licences", "kinmon.util", "kinmon.errors", "kinmon.sanitize", "kinmon.search",
                "kinmon.scorecard", "kinmon.classify")

# (file, rule) -> why it is allowed. Keep this short; each entry is a debt with its reason.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("kinmon/bench/raw_sql.py", "sql"): "the benchmark's baselines: raw DuckDB queries with no kinmon code between, "
                                        "on purpose (a baseline must not go through the code it is compared with)",
    ("kinmon/bench/pages.py", "streamlit"): "the benchmark times pages on a real server with a reader that speaks "
                                            "Streamlit's websocket protocol (its protobuf messages)",
    ("kinmon/bench/memory.py", "http"): "the benchmark's memory row starts a real dashboard server on a free "
                                        "loopback port and waits for its health check (no other host)",
    ("kinmon/ui/lookups.py", "import"): "the postcode finder's live look-up (kinmon.sources.constituencies) is not "
                                        "a store read; ui caches it for a day for the Asks of MPs page",
}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.message}"


def module_name(path: str) -> str:
    """'kinmon/ui/text.py' -> 'kinmon.ui.text'; 'kinmon/ui/__init__.py' -> 'kinmon.ui'; 'pages/home.py' -> 'pages.home'."""
    parts = path.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: str, tree: ast.AST) -> list[tuple[int, str]]:
    """Every module a file imports (at the top or inside a function), with its line: `from a import b` gives
    both 'a' and 'a.b' (b may be a module); relative imports are resolved from the file's package."""
    package = module_name(path).split(".")
    if not path.endswith("__init__.py"):
        package = package[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            out.append((node.lineno, base))
            out += [(node.lineno, f"{base}.{a.name}") for a in node.names]
    return out


def _within(name: str, layer: str) -> bool:
    return name == layer or name.startswith(layer + ".")


def _homed(path: str, homes: tuple[str, ...]) -> bool:
    return any(path == h or (h.endswith("/") and path.startswith(h)) for h in homes)


def _duckdb_names(tree: ast.AST) -> set[str]:
    """The names the duckdb module goes by in this file ('duckdb', or an alias)."""
    return {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
            if a.name == "duckdb"}


def sql_calls(tree: ast.AST) -> list[tuple[int, str]]:
    duckdb_names = _duckdb_names(tree)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in SQL_METHODS:
                out.append((node.lineno, f".{node.func.attr}("))
            elif isinstance(node.func.value, ast.Name) and node.func.value.id in duckdb_names:
                out.append((node.lineno, f"duckdb.{node.func.attr}("))
    return out


def check_source(path: str, source: str) -> list[Violation]:
    """Every layout rule a file breaks. `path` is relative to the repository root, with '/'."""
    tree = ast.parse(source, path)
    found: list[Violation] = []
    if not _homed(path, SQL_HOMES):
        found += [Violation(path, line, "sql", f"{what} outside kinmon/queries/ and the store")
                  for line, what in sql_calls(tree)]
    imports = imported(path, tree)
    me = module_name(path)
    for line, name in imports:
        if not _homed(path, HTTP_HOMES) and any(_within(name, m) for m in HTTP_MODULES):
            found.append(Violation(path, line, "http", f"imports {name} outside kinmon/sources/ and kinmon/http.py"))
        if not _homed(path, STREAMLIT_HOMES) and _within(name, "streamlit"):
            found.append(Violation(path, line, "streamlit", f"imports {name} outside pages/, dashboard.py, kinmon/ui/"))
        for layer, banned in FORBIDDEN.items():
            if _within(me, layer):
                hit = next((b for b in banned if _within(name, b)), None)
                if hit:
                    found.append(Violation(path, line, "import", f"{layer} imports {name} ({hit} is above it)"))
        page = me == "dashboard" or _within(me, "pages")
        if page and _within(name, "kinmon") and name != "kinmon" and not any(_within(name, a) for a in PAGE_IMPORTS):
            found.append(Violation(path, line, "import", f"a page imports {name}: pages call queries, charts, "
                                                         "exports and ui"))
    return sorted(set(found), key=lambda v: (v.path, v.line, v.rule, v.message))


def project_files(root: Path = ROOT) -> list[str]:
    files = [*root.glob("kinmon/**/*.py"), *root.glob("pages/*.py"), root / "dashboard.py"]
    return sorted(p.relative_to(root).as_posix() for p in files)


def check_tree(root: Path = ROOT) -> list[Violation]:
    return [v for path in project_files(root) for v in check_source(path, (root / path).read_text())]


# ---------------------------------------------------------------- the project keeps the rules


def test_the_project_keeps_the_layout_rules():
    violations = check_tree()
    unexcused = [v for v in violations if (v.path, v.rule) not in EXCEPTIONS]
    assert not unexcused, "layout rules broken:\n" + "\n".join(map(str, unexcused))


def test_every_exception_is_still_needed():
    used = {(v.path, v.rule) for v in check_tree()}
    stale = [f"{path} ({rule}): {why}" for (path, rule), why in EXCEPTIONS.items() if (path, rule) not in used]
    assert not stale, "exceptions that no longer apply (remove them):\n" + "\n".join(stale)


# ---------------------------------------------------------------- the checker finds what it should


def _rules(path: str, source: str) -> list[tuple[int, str]]:
    return [(v.line, v.rule) for v in check_source(path, source)]


def test_sql_outside_the_queries_and_the_store_is_found_with_its_line():
    source = "import duckdb\n\ndef f(con):\n    return con.execute('SELECT 1').fetchall()\n\n" \
             "def g():\n    return duckdb.connect(':memory:')\n"
    assert _rules("kinmon/feeds.py", source) == [(4, "sql"), (7, "sql")]
    assert _rules("kinmon/queries/x.py", source) == []
    assert _rules("kinmon/store/x.py", source) == []
    # naming duckdb's types or errors is not SQL; an aliased module is still duckdb
    assert _rules("kinmon/cli.py", "import duckdb\n\ndef f(con: duckdb.DuckDBPyConnection):\n"
                                   "    try:\n        pass\n    except duckdb.Error:\n        pass\n") == []
    assert _rules("kinmon/x.py", "import duckdb as d\nd.sql('SELECT 1')\n") == [(2, "sql")]
    assert _rules("pages/x.py", "def f(cur):\n    cur.sql('SELECT 1')\n") == [(2, "sql")]


def test_http_outside_the_sources_is_found():
    assert _rules("kinmon/queries/x.py", "import requests\n") == [(1, "http")]
    assert _rules("pages/x.py", "from urllib.request import urlopen\n") == [(1, "http"), (1, "http")]
    assert _rules("kinmon/x.py", "def f():\n    import http.client\n") == [(2, "http")]
    assert _rules("kinmon/sources/x.py", "import requests\nimport socket\n") == []
    assert _rules("kinmon/http.py", "import requests\n") == []
    assert _rules("kinmon/x.py", "from urllib.parse import urlencode\n") == []  # building an address is not HTTP


def test_streamlit_outside_the_pages_and_ui_is_found():
    assert _rules("kinmon/queries/x.py", "import streamlit as st\n") == [(1, "streamlit")]
    assert _rules("kinmon/x.py", "from streamlit.errors import StreamlitAPIException\n") == [(1, "streamlit"),
                                                                                           (1, "streamlit")]
    assert _rules("kinmon/ui/x.py", "import streamlit as st\n") == []
    assert _rules("pages/x.py", "import streamlit as st\n") == []
    assert _rules("dashboard.py", "import streamlit as st\n") == []


def test_an_import_that_runs_back_up_is_found():
    assert _rules("kinmon/sources/x.py", "from kinmon import ingest\n") == [(1, "import")]
    assert _rules("kinmon/sources/x.py", "from kinmon.queries import core\n") == [(1, "import"), (1, "import")]
    assert _rules("kinmon/queries/x.py", "def f():\n    from kinmon.ui import reads\n") == [(2, "import"), (2, "import")]
    assert _rules("kinmon/store/x.py", "from kinmon.ingest import parliament\n") == [(1, "import"), (1, "import")]
    assert _rules("kinmon/charts/x.py", "from kinmon.queries import core\n") == [(1, "import"), (1, "import")]
    # a relative import is resolved from the file's package
    assert _rules("kinmon/queries/x.py", "from ..ui import reads\n") == [(1, "import"), (1, "import")]
    assert _rules("kinmon/queries/x.py", "from . import core\nfrom kinmon.store import connect\n") == []
    assert _rules("kinmon/ingest/x.py", "from kinmon import store\nfrom kinmon.sources import ees\n") == []


def test_a_page_calls_only_queries_charts_exports_and_ui():
    assert _rules("pages/x.py", "from kinmon.sources import constituencies\n") == [(1, "import"), (1, "import")]
    assert _rules("pages/x.py", "from kinmon import store\n") == [(1, "import")]
    assert _rules("dashboard.py", "from kinmon.ingest import read_journal\n") == [(1, "import"), (1, "import")]
    assert _rules("pages/x.py", "from kinmon import ui\nfrom kinmon.ui import reads\nfrom kinmon.charts import asks\n"
                                "from kinmon.queries import tables\nfrom kinmon import exports, licences\n") == []


def test_every_violation_is_reported_with_its_file_and_line(tmp_path):
    (tmp_path / "kinmon" / "queries").mkdir(parents=True)
    (tmp_path / "pages").mkdir()
    (tmp_path / "dashboard.py").write_text("import streamlit as st\n")
    (tmp_path / "kinmon" / "queries" / "bad.py").write_text("import requests\nimport streamlit\n")
    (tmp_path / "pages" / "bad.py").write_text("x = 1\n\n\ndef f(con):\n    con.execute('DELETE FROM t')\n")
    assert [str(v) for v in check_tree(tmp_path)] == [
        "kinmon/queries/bad.py:1: http: imports requests outside kinmon/sources/ and kinmon/http.py",
        "kinmon/queries/bad.py:2: streamlit: imports streamlit outside pages/, dashboard.py, kinmon/ui/",
        "pages/bad.py:5: sql: .execute( outside kinmon/queries/ and the store",
    ]


@pytest.mark.parametrize("path", ["kinmon/ui/__init__.py", "kinmon/ui/text.py"])
def test_module_names_follow_the_file(path):
    assert module_name(path) == path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


# ---------------------------------------------------------------- the README's tree is true

TREE_HEADING = "### Where everything is"


def readme_tree(readme: str) -> list[tuple[str, str]]:
    """(path, what it says) for each line of the tree under TREE_HEADING in the README: the first fenced block
    after the heading, drawn like `tree` (a folder ends with '/'; a child sits four columns right of its
    folder; a name may hold a '*' to stand for a group of files)."""
    section = readme.split(TREE_HEADING, 1)[1]
    block = section.split("```", 2)[1].split("\n", 1)[1]  # skip the fence's info string
    out, folders = [], []
    for line in block.splitlines():
        if not line.strip():
            continue
        start = next(i for i, c in enumerate(line) if c not in " │├└─")
        depth = start // 4
        name, _, said = line[start:].partition(" ")
        folders = folders[:depth]
        path = "/".join([*folders, name.rstrip("/")])
        out.append((path + ("/" if name.endswith("/") else ""), said.strip()))
        if name.endswith("/"):
            folders.append(name.rstrip("/"))
    return out


def test_the_tree_reader_reads_nesting_and_groups():
    readme = (f"intro\n{TREE_HEADING}\n\n```text\nkinmon/\n├── ui/\n│   ├── text.py      escaping\n"
              "│   └── reads.py     reads\n└── util.py          helpers\ntests/\n└── test_page_*.py  pages\n"
              "dashboard.py         the entry point\n```\n")
    assert readme_tree(readme) == [
        ("kinmon/", ""), ("kinmon/ui/", ""), ("kinmon/ui/text.py", "escaping"), ("kinmon/ui/reads.py", "reads"),
        ("kinmon/util.py", "helpers"), ("tests/", ""), ("tests/test_page_*.py", "pages"),
        ("dashboard.py", "the entry point")]


def test_the_readme_tree_lists_every_module_and_nothing_that_is_not_there():
    listed = readme_tree((ROOT / "README.md").read_text(encoding="utf-8"))
    files = [p for p, _ in listed if not p.endswith("/")]
    missing = [p for p in project_files() if p not in files]
    assert not missing, "modules the README's tree does not list: " + ", ".join(missing)
    gone = [p for p, _ in listed if not (list(ROOT.glob(p.rstrip("/"))) if "*" in p else (ROOT / p).exists())]
    assert not gone, "the README's tree lists what does not exist: " + ", ".join(gone)
    unsaid = [p for p, said in listed if not p.endswith("/") and not said]
    assert not unsaid, "files the README's tree lists without saying their job: " + ", ".join(unsaid)
