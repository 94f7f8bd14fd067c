"""kinmon's exception types: what went wrong decides what the user is told.

Three kinds, so callers never classify an error by matching its text:

- UpstreamError: a service kinmon reads (Parliament, DfE's EES, a file's URL) failed or answered with
  something kinmon cannot use. It carries the URL, a reason and, when the service answered, the HTTP status.
- BadInput: something handed to kinmon is wrong: a file, a command-line argument, a snapshot row, a store
  that is missing, damaged or newer than this code. The message says what and where.
- Anything else is a bug in kinmon. The command line prints a one-line summary on stderr and keeps the
  traceback (see kinmon.cli).

KinmonError is the base of the first two (and of StoreError and IngestError), so a caller can catch "an
expected failure" in one clause. is_bug() says, from an exception's type alone, which kind it is: a
ValueError is bad input, an OSError the machine (a full disk, a read-only folder), a duckdb.Error the store;
a KeyError, TypeError, AttributeError and the like are bugs. Nothing is classified by matching its text.
"""

from __future__ import annotations


class KinmonError(Exception):
    """An expected failure with a message for the user: never a bug."""


class UpstreamError(KinmonError, RuntimeError):
    """An upstream service failed or answered with something kinmon cannot use."""

    def __init__(self, url: str, reason: str, status: int | None = None):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status  # the HTTP status, when the service answered with an error

    @property
    def not_found(self) -> bool:
        """The service answered 404: the thing asked for does not exist there."""
        return self.status == 404


class BadInput(KinmonError, ValueError):
    """Something given to kinmon (a file, an argument, a row) is wrong; the message says what and where."""


class StoreError(KinmonError, RuntimeError):
    """The store is missing, unreadable, newer than this code, or another writer holds it."""


class IngestError(KinmonError, RuntimeError):
    """An ingest run failed; the published store was left untouched.

    `bug` is true when the cause was a bug in kinmon rather than an upstream failure or bad input; the
    run journal then keeps the traceback (RunResult.traceback)."""

    def __init__(self, message: str, *, bug: bool = False):
        super().__init__(message)
        self.bug = bug


def is_bug(exc: BaseException) -> bool:
    """Whether an exception is a bug in kinmon (not an upstream failure, bad input or the machine)."""
    import duckdb

    return not isinstance(exc, (KinmonError, ValueError, OSError, duckdb.Error))
