"""The stop condition every upstream list pager shares: nothing lost to a short page.

A list endpoint may return fewer results than asked for while more remain (a server that caps its
page size: the live APIs' maximum `take` is undocumented). So a skip/take listing advances by what
came back, stops only on an empty page or when the reported total is reached, and fails the run if
the listing ends before the total. A page-numbered listing (EES) is checked against its own
`totalResults` at the end.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from kinmon.http import UpstreamError

# A listing that needs more pages than this is a server looping (or one result a page of a huge total).
MAX_PAGES = 10_000

# fetch(skip) -> (results of that page, the total the server reports, the page's address for errors)
PageFetch = Callable[[int], tuple[list, int, str]]


def skip_take(fetch: PageFetch) -> Iterator[tuple[Any, str]]:
    """Every item of a skip/take listing, each with the address of the page it came from."""
    skip = 0
    for _ in range(MAX_PAGES):
        results, total, shown = fetch(skip)
        for item in results:
            yield item, shown
        skip += len(results)
        if skip >= total:
            return
        if not results:
            raise UpstreamError(shown, f"the listing ended after {skip} of the {total} results it reported; "
                                       "nothing was stored")
    raise UpstreamError(shown, f"the listing did not end after {MAX_PAGES} pages ({skip} of {total} results)")


def check_total(received: int, total: int | None, shown: str) -> None:
    """A finished page-numbered listing must hold as many results as it said it had."""
    if total is not None and received < total:
        raise UpstreamError(shown, f"the listing ended after {received} of the {total} results it reported "
                                   "(a page came back short); nothing was stored")
