"""Bounded reading of one file for `ingest file`: a local path or an http(s) URL, never more than it should.

An overall deadline, a size cap on what is read and on what a gzip unpacks to, local regular files only
(no FIFO, device, /proc or /sys file, whatever a symlink points at), http(s) redirects only and never to
another local address, and a cap on the header's columns. Each limit is set in kinmon/config.py and is
named in the error, so a hostile or broken input fails with one line instead of running until killed.
"""

from __future__ import annotations

import csv
import gzip
import io
import ipaddress
import os
import socket
import stat
import time
import zlib
from dataclasses import replace
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from kinmon.config import FileLimits, file_limits
from kinmon.http import Client, UpstreamError

GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 64 * 1024
MAX_REDIRECTS = 5
HTTP_SCHEMES = ("http", "https")
# Kernel pseudo-files are "regular" yet endless or secret: never a data file.
PSEUDO_ROOTS = ("/proc", "/sys", "/dev")


class FileLimitError(ValueError):
    """An input broke one of the limits of `ingest file`; the message names the limit and its setting."""


def read_address(path_or_url: str, client: Client | None = None,
                 limits: FileLimits | None = None) -> tuple[str, str, bytes]:
    """(address, file name, bytes) of a local file or an http(s) resource, gzip unpacked, within the limits."""
    limits = limits or file_limits()
    deadline = time.monotonic() + limits.deadline
    if urlsplit(path_or_url).scheme.lower() in HTTP_SCHEMES:
        address, name, data = _download(path_or_url, client or Client(), limits, deadline)
    elif "://" in path_or_url:
        raise FileLimitError(f"{path_or_url}: only local paths and http(s) URLs can be loaded")
    else:
        address, name, data = _read_local(path_or_url, limits, deadline)
    data = _gunzip(data, address, limits, deadline)
    _check_columns(data, address, limits)
    return address, name, data


# ---------------------------------------------------------------- local files


def _read_local(path_or_url: str, limits: FileLimits, deadline: float) -> tuple[str, str, bytes]:
    path = Path(path_or_url).expanduser().resolve()
    if any(str(path) == root or str(path).startswith(root + "/") for root in PSEUDO_ROOTS):
        raise FileLimitError(f"{path}: not a regular file (a system pseudo-file); give a CSV file")
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not hang; the fstat below then refuses it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such file") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise FileLimitError(f"{path}: not a regular file (a FIFO, device or folder); give a CSV file")
    with os.fdopen(fd, "rb", buffering=0) as fh:
        if info.st_size > limits.max_bytes:
            raise _too_big(str(path), limits, info.st_size)
        data = _read_capped(fh.read, str(path), limits, deadline)
    return str(path), path.name, data


# ---------------------------------------------------------------- downloads


def _download(url: str, client: Client, limits: FileLimits, deadline: float) -> tuple[str, str, bytes]:
    # Every wait is bounded by what is left of the deadline, and a slow server is not retried for long.
    settings = replace(client.settings, timeout=min(client.settings.timeout, limits.deadline),
                       max_retries=min(client.settings.max_retries, 2))
    bounded = Client(settings, sleep=client.sleep, session=client.session)
    origin = _endpoint(url)
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        _check_deadline(url, limits, deadline)
        resp = bounded.request("GET", current, headers={"Accept": "text/csv, */*"}, stream=True,
                               allow_redirects=False)
        if resp.is_redirect:
            location = resp.headers.get("Location", "")
            resp.close()
            current = _redirect_target(url, current, location, origin)
            continue
        try:
            declared = resp.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limits.max_bytes:
                raise _too_big(url, limits, int(declared))
            data = _read_capped(partial(resp.raw.read1, decode_content=True), url, limits, deadline)
        finally:
            resp.close()
        return url, name_from_response(current, resp.headers.get("Content-Disposition")), data
    raise FileLimitError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _redirect_target(url: str, current: str, location: str, origin: tuple[str, int]) -> str:
    target = urljoin(current, location)
    scheme = urlsplit(target).scheme.lower()
    if scheme not in HTTP_SCHEMES:
        raise FileLimitError(f"{url}: redirected to a {scheme or 'schemeless'}: address ({target[:80]}); "
                             "only http(s) redirects are followed")
    endpoint = _endpoint(target)
    if endpoint != origin and _is_local(endpoint[0]):
        raise FileLimitError(f"{url}: redirected to a local address ({endpoint[0]}:{endpoint[1]}); refused")
    return target


def _endpoint(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.port or (443 if parts.scheme.lower() == "https" else 80)


def _is_local(host: str) -> bool:
    """Loopback, private, link-local or unspecified: an address a public file has no business sending us to."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        return False  # unresolvable: the request itself will fail with its own message
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_unspecified or ip.is_reserved:
            return True
    return False


def name_from_response(url: str, disposition: str | None) -> str:
    """The file's name: Content-Disposition's, else the URL's last segment (EES `.../data-set/{id}/csv` as {id}.csv)."""
    import re

    m = re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", disposition or "", re.IGNORECASE)
    if m:
        return Path(unquote(m.group(1))).name
    parts = [unquote(p) for p in urlsplit(url).path.split("/") if p] or ["download"]
    if "." not in parts[-1]:
        return f"{parts[-2] if len(parts) > 1 and parts[-1].casefold() == 'csv' else parts[-1]}.csv"
    return parts[-1]


# ---------------------------------------------------------------- limits


def _read_capped(read, address: str, limits: FileLimits, deadline: float) -> bytes:
    """Read until EOF, stopping at the size cap or the deadline (checked after every read, so a trickle ends)."""
    buf = bytearray()
    while True:
        _check_deadline(address, limits, deadline)
        try:
            chunk = read(CHUNK)
        except BlockingIOError:
            time.sleep(0.05)
            continue
        except OSError as exc:  # a broken or reset download
            raise UpstreamError(address, f"the download broke off ({type(exc).__name__}: {exc})") from None
        except Exception as exc:  # urllib3's own protocol and decoding errors
            raise UpstreamError(address, f"the download broke off ({type(exc).__name__})") from None
        if not chunk:
            return bytes(buf)
        buf += chunk
        if len(buf) > limits.max_bytes:
            raise _too_big(address, limits)


def _gunzip(data: bytes, address: str, limits: FileLimits, deadline: float) -> bytes:
    """A gzipped file unpacked here, never to more than the size cap (a gzip bomb stops at the cap)."""
    if data[:2] != GZIP_MAGIC:
        return data
    unpack = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    out = bytearray()
    pending = data
    try:
        while pending:
            _check_deadline(address, limits, deadline)
            out += unpack.decompress(pending, CHUNK)
            if len(out) > limits.max_bytes:
                raise _too_big(address, limits, unpacked=True)
            pending = unpack.unconsumed_tail
            if not pending and unpack.eof and unpack.unused_data[:2] == GZIP_MAGIC:  # concatenated members
                pending, unpack = unpack.unused_data, zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        if not unpack.eof:
            raise gzip.BadGzipFile("the gzip stream ends early")
    except (zlib.error, gzip.BadGzipFile, EOFError) as exc:
        raise FileLimitError(f"{address}: looks gzipped but cannot be unpacked ({exc})") from None
    return bytes(out)


def _check_columns(data: bytes, address: str, limits: FileLimits) -> None:
    first = data.split(b"\n", 1)[0][: limits.max_bytes]
    for encoding in ("utf-8-sig", "utf-16", "latin-1"):
        try:
            line = first.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    try:
        columns = len(next(csv.reader(io.StringIO(line)), []))
    except csv.Error:
        return  # the CSV parser reports unreadable headers itself
    if columns > limits.max_columns:
        raise FileLimitError(f"{address}: {columns:,} columns in the header, more than the limit of "
                             f"{limits.max_columns:,} (KINMON_FILE_MAX_COLUMNS)")


def _check_deadline(address: str, limits: FileLimits, deadline: float) -> None:
    if time.monotonic() > deadline:
        raise FileLimitError(f"{address}: not read within {limits.deadline:g} s (KINMON_FILE_DEADLINE); "
                             "a download that slow or endless is refused")


def _too_big(address: str, limits: FileLimits, size: int | None = None, unpacked: bool = False) -> FileLimitError:
    what = "unpacks to" if unpacked else "is"
    seen = f" ({_size(size)})" if size else ""
    return FileLimitError(f"{address}: {what} more than the limit of {_size(limits.max_bytes)}{seen} "
                          "(KINMON_FILE_MAX_BYTES)")


def _size(n: int) -> str:
    return f"{n:,} bytes" if n < 1_000_000 else f"{n / 1e6:,.1f} MB".replace(".0 MB", " MB")
