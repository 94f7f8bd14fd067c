"""The snapshot's statistics: DfE's figures from the shipped extract of its real files, then the curated
published figures, with their releases, series and which vintage of each figure is the latest."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from kinmon.licences import OGL, OPL, QUOTED
from kinmon.snapshot.parse import (Snapshot, SnapshotError, add_source, checked, parse_figure_value, parse_period_end,
                                   parse_priorities, parse_url, read_csv, required, unique)

# Who published the page a curated figure was read from (the original publisher is in its title).
HOST_PUBLISHERS = {
    "explore-education-statistics.service.gov.uk": "Department for Education",
    "www.gov.uk": "GOV.UK",
    "www.ons.gov.uk": "Office for National Statistics",
    "cafcass.gov.uk": "Cafcass",
    "www.cafcass.gov.uk": "Cafcass",
    "frg.org.uk": "Family Rights Group",
    "www.frg.org.uk": "Family Rights Group",
    "kinship.org.uk": "Kinship (charity)",
    "foundations.org.uk": "Foundations",
    "www.parallelparliament.co.uk": "Parallel Parliament",
    "parallelparliament.co.uk": "Parallel Parliament",
    "www.communitycare.co.uk": "Community Care",
    "www.cypnow.co.uk": "Children & Young People Now",
    "www.ncb.org.uk": "National Children's Bureau",
    "www.adoptionuk.org": "Adoption UK",
    "adoptionengland.co.uk": "Adoption England",
}
OGL_HOSTS = frozenset({"explore-education-statistics.service.gov.uk", "www.gov.uk", "www.ons.gov.uk",
                       "cafcass.gov.uk", "www.cafcass.gov.uk"})
PARLIAMENT_HOSTS = frozenset({"hansard.parliament.uk", "questions-statements.parliament.uk",
                              "www.parallelparliament.co.uk", "parallelparliament.co.uk", "www.theyworkforyou.com"})

GEOGRAPHIES = {
    "England": ("National", "E92000001"),
    "England and Wales": ("National", "K04000001"),
    "Wales": ("National", "W92000004"),
    "UK": ("National", "K02000001"),
    "North East": ("Regional", "E12000001"),
    "North West": ("Regional", "E12000002"),
    "Yorkshire and The Humber": ("Regional", "E12000003"),
    "East Midlands": ("Regional", "E12000004"),
    "West Midlands": ("Regional", "E12000005"),
    "East of England": ("Regional", "E12000006"),
    "London": ("Regional", "E12000007"),
    "South East": ("Regional", "E12000008"),
    "South West": ("Regional", "E12000009"),
}
LA_PATTERN = re.compile(r"^(?P<name>.+?) \((?P<code>E0[6-9]\d{6}|E10\d{6})\)$")
QUALIFIED = re.compile(r"^(?P<name>.+?) \((?P<qualifier>[^)]*)\)$")


def _read_measures(data_dir: Path) -> dict[str, tuple]:
    """Plain titles, descriptions and priorities of the curated figures' measures (data/measures.csv)."""
    path = data_dir / "measures.csv"
    out: dict[str, tuple] = {}
    for line, r in read_csv(path, ["series_id", "title", "description", "priorities", "is_context"]):
        def build(r: dict) -> tuple:
            required(r, "series_id", "title", "priorities", "is_context")
            if r["is_context"] not in ("true", "false"):
                raise ValueError(f"is_context must be true or false, got {r['is_context']!r}")
            return (r["title"].strip(), r["description"].strip() or None, parse_priorities(r["priorities"]),
                    r["is_context"] == "true")
        row = checked(path, line, build, r)
        unique(path, line, set(out), r["series_id"], "series_id")
        out[r["series_id"]] = row
    return out


def release_id_for(url: str, publication: str) -> str:
    return "curated-" + hashlib.sha1(f"{url}|{publication}".encode()).hexdigest()[:12]


def _release_year(publication: str) -> int:
    """Later reporting years restate earlier ones: the year named in the title orders vintages."""
    years = [int(y) for y in re.findall(r"(?:reporting year|year ending 31 March|year)\s+(\d{4})", publication)]
    return max(years) if years else 0


def read_figures(data_dir: Path, snap: Snapshot, retrieved: datetime) -> None:
    """DfE's statistics from the shipped extract of its real files, then the curated figures.

    A curated figure whose URL is a registered DfE release's page is recorded under that release
    (its title, publication date and licence); others get a release of their own. The latest
    vintage of each period and place is the one from the newest dated release, then the newest
    reporting year named in the publication, then the first listed.
    """
    from kinmon.ingest.registry import load_registry, load_releases

    specs = {s.series_id: s for s in load_registry(data_dir / "series.json")}
    registered = {r.release_id: r for r in load_releases(data_dir / "series.json", list(specs.values()))}
    by_url = {r.url: r for r in registered.values()}
    releases: dict[str, dict] = {}
    series: dict[str, dict] = {}
    obs = _read_extract(data_dir, snap, specs, registered, releases, series)
    path = data_dir / "figures.csv"
    cols = ["measure", "geography", "period", "value", "unit", "source_publication", "source_url", "notes"]
    measures = _read_measures(data_dir)
    curated: list[dict] = []
    for line, r in read_csv(path, cols):
        def build(r: dict) -> dict:
            required(r, "measure", "geography", "period", "value", "unit", "source_publication", "source_url")
            if not re.fullmatch(r"[a-z0-9_]+", r["measure"]):
                raise ValueError(f"measure {r['measure']!r} must be lower_snake_case")
            geo, qualifier = r["geography"].strip(), None
            if (q := QUALIFIED.match(geo)) and q.group("name") in GEOGRAPHIES:
                geo, qualifier = q.group("name"), q.group("qualifier")  # e.g. "England (124 responding councils)"
            if geo in GEOGRAPHIES:
                level, code = GEOGRAPHIES[geo]
                name = geo
            elif m := LA_PATTERN.match(geo):
                level, code, name = "Local authority", m.group("code"), m.group("name")
            else:
                raise ValueError(f"geography {geo!r} is not a known country or region, or 'Name (GSS code)'")
            value, words, suppression = parse_figure_value(r["value"])
            url = parse_url(r["source_url"])
            host = urlsplit(url).netloc.lower()
            publisher = HOST_PUBLISHERS.get(host, host)
            licence = OPL if host in PARLIAMENT_HOSTS else OGL if host in OGL_HOSTS else QUOTED
            known = by_url.get(url)
            rid = known.release_id if known else release_id_for(url, r["source_publication"])
            if known:  # a DfE figure of a registered release: cited as that release (its notes say where it was read)
                sid = _registered_release(known, snap, releases)
            else:
                sid = add_source(snap, f"figure:{rid}", publisher, r["source_publication"].strip(), url, licence, retrieved)
                stated = _published_on(r["source_publication"])
                releases.setdefault(rid, dict(release_id=rid, publication=r["source_publication"].strip(),
                                              title=r["source_publication"].strip(), published_on=stated,
                                              published_note="as the source states it" if stated else None,
                                              url=url, is_latest=True, source_id=sid, retrieved_at=retrieved))
            return dict(series_id=r["measure"], time_period=r["period"].strip(), time_identifier=None,
                        period_end=parse_period_end(r["period"]), geographic_level=level, geography_code=code,
                        geography_name=name, filter_key="", filters=None, indicator=None, value=value, value_text=words,
                        suppression=suppression, unit=r["unit"].strip(), release_id=rid, is_latest=False,
                        notes="; ".join(x for x in (f"coverage: {qualifier}" if qualifier else "", r["notes"].strip())
                                        if x) or None,
                        source_id=sid, source_url=url, retrieved_at=retrieved,
                        _year=_release_year(r["source_publication"]))
        o = checked(path, line, build, r)
        o["_line"] = line
        if o["series_id"] not in measures and o["series_id"] not in specs:
            raise SnapshotError(path, line, f"measure {o['series_id']!r} has no row in measures.csv (title, priorities)")
        if o["series_id"] not in specs:
            title, description, prios, is_context = measures[o["series_id"]]
            series.setdefault(o["series_id"], dict(
                series_id=o["series_id"], title=title, unit=o["unit"], description=description, priorities=prios,
                publisher="Curated published figures", is_context=is_context, source_id="snapshot-figures"))
        curated.append(o)
    add_source(snap, "snapshot-figures", "kinmon", "Published figures on kinship care, curated with their sources",
            None, QUOTED, retrieved)
    seen: dict[tuple, int] = {}
    for o in obs + curated:
        key = tuple(o[k] for k in ("series_id", "time_period", "geographic_level", "geography_code", "filter_key",
                                   "release_id"))
        if key in seen:
            raise SnapshotError(path, o.get("_line"), f"duplicate figure {key[:4]} from release {key[5]} "
                                f"(also {'line ' + str(seen[key]) if seen[key] else 'in the statistics extract'})")
        seen[key] = o.get("_line") or 0
    _mark_latest(obs + curated, releases)
    snap.tables["observation"] = [{k: v for k, v in o.items() if not k.startswith("_")} for o in obs + curated]
    snap.tables["release"] = list(releases.values())
    snap.tables["series"] = list(series.values())


_PUBLISHED = re.compile(r"\(published (\d{1,2} [A-Z][a-z]{2} \d{4})\)")


def _published_on(publication: str) -> date | None:
    """A curated figure's release date where its publication says "(published 14 Nov 2024)"."""
    m = _PUBLISHED.search(publication)
    return datetime.strptime(m.group(1), "%d %b %Y").date() if m else None


def _registered_release(release, snap: Snapshot, releases: dict[str, dict]) -> str:
    """The store rows of a registered DfE release (kinmon.ingest.registry.ReleaseSpec): its source and release."""
    sid = f"file:{release.release_id}"
    retrieved = datetime.combine(min(f.retrieved_on for f in release.files), datetime.min.time())
    add_source(snap, sid, release.publisher, release.title, release.url, (release.licence, release.licence_url), retrieved)
    releases.setdefault(release.release_id, dict(
        release_id=release.release_id, publication=release.publication_title, title=release.title,
        published_on=release.published_on, published_note=release.published_note, url=release.url, is_latest=True,
        source_id=sid, retrieved_at=retrieved))
    return sid


def _read_extract(data_dir: Path, snap: Snapshot, specs: dict, registered: dict, releases: dict[str, dict],
                  series: dict[str, dict]) -> list[dict]:
    """Observations from data/statistics_extract.csv, as `ingest file` stores the same rows of the real files."""
    from kinmon.ingest.extract import EXTRACT_COLUMNS, EXTRACT_RELEASES_PATH, RELEASE_COLUMNS
    from kinmon.ingest.geography import read_geography
    from kinmon.ingest.observations import series_record

    rel_path = data_dir / EXTRACT_RELEASES_PATH.name
    taken: dict[tuple[str, str], dict] = {}
    for line, r in read_csv(rel_path, RELEASE_COLUMNS):
        if r["release_id"] not in registered or r["series_id"] not in specs:
            raise SnapshotError(rel_path, line, f"release {r['release_id']!r} or series {r['series_id']!r} is not "
                                "in series.json: run `python -m kinmon extract-statistics`")
        taken[(r["release_id"], r["series_id"])] = r
    names = {g["code"]: g["name"] for g in read_geography(data_dir / "geography.csv")}
    path = data_dir / "statistics_extract.csv"
    out = []
    for line, r in read_csv(path, EXTRACT_COLUMNS):
        def build(r: dict) -> dict:
            how = taken.get((r["release_id"], r["series_id"]))
            if how is None:
                raise ValueError(f"{r['series_id']} from {r['release_id']} is not in {rel_path.name}")
            spec, release = specs[r["series_id"]], registered[r["release_id"]]
            end = date.fromisoformat(r["time_period"][-10:])
            if how["time_identifier"] != "Reporting year":
                raise ValueError(f"time identifier {how['time_identifier']!r}: only reporting years are extracted")
            sid = _registered_release(release, snap, releases)
            series.setdefault(spec.series_id, series_record(spec, sid))
            value = float(r["value"]) if r["value"] else None
            return dict(series_id=spec.series_id, time_period=r["time_period"], time_identifier=how["time_identifier"],
                        period_end=end, geographic_level=r["geographic_level"], geography_code=r["geography_code"],
                        geography_name=r["geography_name"] or names.get(r["geography_code"])
                        or r["geography_code"].partition(":")[2] or None,
                        filter_key="", filters=how["filters"] or None, indicator=how["indicator"], value=value,
                        value_text=None, suppression=r["suppression"] or None, unit=spec.unit,
                        release_id=release.release_id, is_latest=False,
                        notes=f"published as Reporting year {end.year}", source_id=sid, source_url=release.url,
                        retrieved_at=releases[release.release_id]["retrieved_at"], _year=0)
        out.append(checked(path, line, build, r))
    return out


def _mark_latest(obs: list[dict], releases: dict[str, dict]) -> None:
    """is_latest: per period and place, the newest dated release, then the newest reporting year, then the first."""
    best: dict[tuple, dict] = {}
    def rank(o: dict) -> tuple:
        published = releases[o["release_id"]]["published_on"]
        return (published is not None, published or date.min, o["_year"])
    for o in obs:
        slot = (o["series_id"], o["time_period"], o["geographic_level"], o["geography_code"], o["filter_key"])
        if slot not in best or rank(o) > rank(best[slot]):
            best[slot] = o
    for o in best.values():
        o["is_latest"] = True
