"""An in-process stand-in for kinmon.http.Client that replays a fixed set of Parliament records (no HTTP).

It answers the calls kinmon's Parliament sources make, in the API's documented shapes: the written
questions list (the records, for the 'kinship' term's tabled pass, paged by skip/take with the list
endpoint's 255-character cut; nothing for other terms and passes), the single-question endpoint (the
full record), empty statement and Hansard listings, and 404 for members (the items keep their own names).
The benchmark runs `ingest_parliament` through it, so it times parsing, keeping, writing and tagging
without the network.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from kinmon.http import UpstreamError
from kinmon.sources import questions

CUT = questions.TRUNCATED_AT


def _listed(value: dict) -> dict:
    """The list endpoint's view of a full record: text cut at 255 characters, the answer as cut plain text."""
    out = dict(value)
    out["questionText"] = (value.get("questionText") or "")[:CUT]
    answer = value.get("answerText")
    if answer:
        out["answerText"] = answer[:CUT] + questions.ELLIPSIS
    return out


class ReplayClient:
    def __init__(self, values: list[dict], term: str = "kinship"):
        self.values = {v["id"]: v for v in values}
        self.listed = [_listed(v) for v in values]
        self.term = term
        self.requests_made = 0

    def get_json(self, url: str, params: dict | list | None = None) -> Any:
        self.requests_made += 1
        params = dict(params or {})
        path = urlsplit(url).path
        if path.endswith(questions.QUESTIONS_PATH):
            rows = self.listed if params.get("searchTerm") == self.term and "tabledWhenFrom" in params else []
            skip, take = int(params.get("skip", 0)), int(params.get("take", questions.PAGE_SIZE))
            return {"results": [{"value": v} for v in rows[skip:skip + take]], "totalResults": len(rows)}
        if questions.QUESTIONS_PATH + "/" in path:
            qid = int(path.rsplit("/", 1)[1])
            if qid not in self.values:
                raise UpstreamError(url, "HTTP 404: no such question", 404)
            return {"value": self.values[qid]}
        if questions.STATEMENTS_PATH in path:
            return {"results": [], "totalResults": 0}
        if "/members/" in path.lower() or "members-api" in url or "/api/Members" in path:
            raise UpstreamError(url, "HTTP 404: not in the replay", 404)
        return {"Results": [], "TotalResultCount": 0}  # Hansard contributions and debate titles
