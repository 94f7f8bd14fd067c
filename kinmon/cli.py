"""The command line, `python -m kinmon`: a thin layer over the library.

Exit codes: 0 success, 2 bad usage (argparse), 1 failure with a one-line error on stderr. An expected failure
(kinmon.errors: upstream, bad input, the store, the machine) is that one line. A bug is one line too, naming
where its traceback was kept: the run journal for an ingest run, else the error log beside the store
(`<db>.errors.log`; a temp file when there is no store or its folder is read-only).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from kinmon import __version__, config

EXPORT_FORMATS = ("csv", "xlsx", "parquet", "json")


class UsageError(Exception):
    """Bad usage found after parsing: exits 2 like argparse's own errors."""


def _db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH", help="the DuckDB store (default: $KINMON_DB or data/kinmon.duckdb)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kinmon",
        description="kinmon: monitor delivery of England's National Kinship Care Strategy.",
    )
    parser.add_argument("--version", action="version", version=f"kinmon {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("init", help="build the store from the snapshot shipped in data/",
                       description="Build the store from the curated snapshot in data/ (offline).")
    _db_option(p)
    p.add_argument("--force", action="store_true", help="replace an existing store")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("ingest", help="pull new data from the live services (or a mirror)",
                       description="Pull new data into the store. Each run builds a new file and publishes it only "
                                   "on success; a failed run leaves the store as it was.")
    p.add_argument("source", choices=["parliament", "statistics", "all", "file"],
                   help="what to ingest; 'file' loads one EES tidy CSV given by PATH_OR_URL")
    p.add_argument("path_or_url", nargs="?", metavar="PATH_OR_URL", help="with 'file': a CSV path or http(s) URL")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="start of the window (default: last run's cursor less a look-back)")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="end of the window (default: today)")
    release = p.add_argument_group("with 'file': the file's release, when the registry (data/series.json) does not "
                                   "know the file's bytes")
    release.add_argument("--publication", metavar="TITLE", help="the publication, e.g. 'Children in need'")
    release.add_argument("--release", metavar="TITLE", help="the release, e.g. 'Children in need, reporting year 2026'")
    release.add_argument("--published", metavar="YYYY-MM-DD", help="the day the release was published")
    release.add_argument("--source-url", metavar="URL", help="the release page or file URL, for citations")
    _db_option(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("extract-statistics", help="rebuild data/statistics_extract*.csv from DfE's real files",
                       description="Read every file of every release registered in data/series.json from FOLDER, "
                                   "check its sha256, and write the rows kinmon shows, with their provenance, to "
                                   "data/statistics_extract.csv and data/statistics_extract_releases.csv.")
    p.add_argument("--source", metavar="FOLDER", help="where the real files are (default ../shared/reference/ees/real)")
    p.add_argument("--output", metavar="DIR", help="where to write the two files (default data/)")
    p.set_defaults(func=cmd_extract_statistics)

    p = sub.add_parser("status", help="rows held and the last runs of each source",
                       description="For each source: rows held, last successful run, last error.")
    _db_option(p)
    p.set_defaults(func=cmd_status)

    from kinmon.queries.tables import TABLES

    p = sub.add_parser("export", help="write a table as CSV, XLSX, Parquet or JSON",
                       description="Write one table, with its source, licence and retrieval date.")
    p.add_argument("name", choices=sorted(TABLES), help="the table to export")
    p.add_argument("--format", choices=EXPORT_FORMATS, default="csv", help="file format (default csv)")
    p.add_argument("--output", required=True, metavar="PATH", help="where to write it ('-' for stdout, csv/json only)")
    _db_option(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("feeds", help="write the alert feeds (Atom, RSS, CSV) per priority",
                       description="Write all.{atom,rss,csv} and priority-N.{atom,rss,csv}: what is new, for feed "
                                   "readers. The dashboard serves static/feeds/ at /app/static/feeds/.")
    p.add_argument("--output", default=str(config.FEEDS_DIR), metavar="DIR",
                   help="folder to write (default: static/feeds in the project, served by the dashboard)")
    p.add_argument("--base-url", metavar="URL", help="where the folder is published, for the feeds' self links")
    _db_option(p)
    p.set_defaults(func=cmd_feeds)

    p = sub.add_parser("classify", help="show which priorities a text speaks to, and why",
                       description="Print each matched priority with the rule that matched.")
    p.add_argument("text", nargs="+", help="the text to classify")
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("bench", help="time kinmon on a synthetic store (default 100 times today's volume)",
                       description="Build a synthetic store at --scale through kinmon's own code and print the "
                                   "performance table (issue #11) against a bare page and raw DuckDB queries.")
    p.add_argument("--scale", type=float, help="100 = 100,000 written questions (default 100; with --reuse, the "
                                               "reused store's)")
    p.add_argument("--out", metavar="DIR", help="keep the store in DIR (default: a temporary folder, removed)")
    p.add_argument("--reuse", metavar="DIR", help="measure on a copy of the store an earlier `bench --out DIR` "
                                                  "built, instead of building one (DIR is left unchanged)")
    p.add_argument("--sample", metavar="PATH", help="real Written Questions API records (.jsonl.gz) to draw from")
    p.add_argument("--no-pages", action="store_true", help="skip the page timings")
    p.set_defaults(func=cmd_bench)
    return parser


def cmd_init(args: argparse.Namespace) -> int:
    from kinmon import snapshot

    db = config.db_path(args.db)
    counts = snapshot.build(db, force=args.force)
    shown = ", ".join(f"{n} {t}" for t, n in counts.items() if n and t in
                      ("written_question", "debate", "commitment", "status_change", "observation", "timeline_event"))
    print(f"built {db} from the snapshot: {shown}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from kinmon.ingest import parse_day

    db = config.db_path(args.db)
    try:
        since, until = parse_day(args.since, "--since"), parse_day(args.until, "--until")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if since and until and since > until:
        raise UsageError("--since is after --until")
    if args.source == "file":
        if not args.path_or_url:
            raise UsageError("ingest file needs PATH_OR_URL")
        from kinmon.ingest.statistics import ReleaseOptions, ingest_file

        try:
            published = parse_day(args.published, "--published")
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if args.source_url and not args.source_url.startswith(("http://", "https://")):
            raise UsageError("--source-url must be an http(s) URL")
        options = ReleaseOptions(publication=args.publication, release=args.release, published=published,
                                 source_url=args.source_url)
        _print_run(ingest_file(db, args.path_or_url, options=options))
        return 0
    if args.path_or_url:
        raise UsageError(f"ingest {args.source} takes no PATH_OR_URL")
    if any((args.publication, args.release, args.published, args.source_url)):
        raise UsageError("--publication, --release, --published and --source-url are for ingest file")
    return _ingest_sources(db, args.source, since, until)


def _ingest_sources(db: Path, source: str, since, until) -> int:
    """Run parliament and/or statistics; with `all`, a failure of one does not stop the other."""
    from kinmon.ingest import IngestError

    jobs = []
    if source in ("parliament", "all"):
        from kinmon.ingest.parliament import ingest_parliament

        jobs.append(lambda: ingest_parliament(db, since=since, until=until))
    if source in ("statistics", "all"):
        from kinmon.ingest.statistics import ingest_statistics

        jobs.append(lambda: ingest_statistics(db))
    failures = []
    for job in jobs:
        try:
            _print_run(job())
        except IngestError as exc:
            if len(jobs) == 1:
                raise
            failures.append(" ".join(str(exc).split()))
    for failure in failures:
        print(f"kinmon: error: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _print_run(r) -> None:
    print(f"{r.source}: {r.status}, {r.rows_added} added, {r.rows_updated} updated"
          + (f", cursor {r.cursor}" if r.cursor else ""))
    for note in (getattr(r, "notes", None) or "").splitlines():
        if note:
            print(f"  note: {note}")


def cmd_extract_statistics(args: argparse.Namespace) -> int:
    from kinmon.ingest.extract import write_extract

    values, releases, n = write_extract(args.source, args.output)
    print(f"wrote {n} values to {values} and their provenance to {releases}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from kinmon.queries.status import source_status

    db = config.db_path(args.db)
    table = source_status(db)
    print(f"store: {db}")
    print(table.to_string(index=False))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from kinmon import exports, store
    from kinmon.queries import sources, tables

    db = config.db_path(args.db)
    con = store.connect_readonly(db)
    try:
        df = tables.frame(con, args.name)
        readme = exports.readme_lines(tables.TABLES[args.name].title, df, sources.sources_of(con, df))
        path = exports.export_table(df, readme, args.name, args.format, args.output)
    finally:
        con.close()
    if path is not None:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_feeds(args: argparse.Namespace) -> int:
    from kinmon import feeds, store

    con = store.connect_readonly(config.db_path(args.db))
    try:
        written = feeds.write_feeds(con, Path(args.output), args.base_url)
    finally:
        con.close()
    print(f"wrote {len(written)} feed files to {args.output}")
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    from kinmon.classify import explain

    print(explain(" ".join(args.text)))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from kinmon import bench

    if args.scale is not None and args.scale <= 0:
        raise UsageError("--scale must be more than 0")
    if args.reuse and args.out and Path(args.reuse).resolve() == Path(args.out).resolve():
        raise UsageError("--reuse and --out must be different folders: the reused store stays unchanged")
    scale = args.scale if args.scale is not None or args.reuse else 100
    return bench.main(scale, args.out, args.sample, pages=not args.no_pages, reuse=args.reuse)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _report_bug(args: argparse.Namespace, argv: Sequence[str] | None, exc: Exception) -> None:
    """A bug: one line on stderr, the traceback kept in the error log beside the store."""
    import traceback

    from kinmon.store import journal

    db = config.db_path(args.db) if hasattr(args, "db") else None
    command = " ".join(argv if argv is not None else sys.argv[1:])
    kept = journal.keep_traceback(db, command, traceback.format_exc())
    print(f"kinmon: error: a bug in kinmon, {type(exc).__name__}: {_one_line(exc)} (the traceback is in {kept}; "
          "please report it)", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    from kinmon.errors import is_bug

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"python -m kinmon: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kinmon: interrupted; the published store is unchanged", file=sys.stderr)
        return 130
    except Exception as exc:  # expected failures are one line; so is a bug, whose traceback is kept
        if is_bug(exc):
            _report_bug(args, argv, exc)
        else:
            print(f"kinmon: error: {_one_line(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
