"""Downloading one source URL whole, or not at all: the only module of loaders/ that speaks HTTP.

Only the standard library (``urllib``): the service needs no HTTP client of its own. A download

- sends the validators of the previous fetch (``If-None-Match`` with the ETag,
  ``If-Modified-Since`` with the Last-Modified date), so an unchanged file costs a 304;
- streams to a file beside its final name, hashing as it goes (SHA-256), and stops with
  :class:`~supplygraph.graph.errors.FetchFailed` past ``max_bytes`` or ``timeout`` seconds in all
  (each read also times out), or when the body ends before the announced Content-Length (a cut
  connection reads as a shorter list);
- unpacks a ZIP archive of one file (GLEIF's golden copy comes zipped), within a bound on the
  unpacked size;
- is renamed into place only when complete, so a failed download leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import http.client
import shutil
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import supplygraph
from supplygraph.graph.errors import FetchFailed
from supplygraph.graph.model.records import Fetched

CHUNK = 1 << 16
ZIP_MAGIC = b"PK\x03\x04"
# A ZIP may unpack to this many times its limit on the download (XML packs about 10 to 1).
UNPACK_FACTOR = 20
USER_AGENT = f"supplygraph/{supplygraph.__version__} (+update)"


@dataclass(frozen=True)
class Download:
    """One URL's outcome: ``path`` is None when the server said it did not change (304)."""

    url: str
    path: Path | None
    fetched: Fetched | None  # what to keep in the load log (None when not modified)

    @property
    def not_modified(self) -> bool:
        return self.path is None


def fetch(
    url: str,
    dest: Path,
    previous: Fetched | None = None,
    max_bytes: int = 1 << 30,
    timeout: float = 300.0,
) -> Download:
    """Download ``url`` to ``dest`` (see the module docstring); ``previous`` makes the request
    conditional. Raises :class:`FetchFailed` and leaves ``dest`` absent on any failure."""
    scheme = urlparse(url).scheme
    if scheme not in ("http", "https"):
        raise FetchFailed(url, f"only http and https URLs are fetched, not {scheme or 'a path'}")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    if previous is not None and previous.url == url:
        if previous.etag:
            request.add_header("If-None-Match", previous.etag)
        if previous.last_modified:
            request.add_header("If-Modified-Since", previous.last_modified)
    partial = dest.with_name(dest.name + ".part")
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=min(timeout, 60.0)) as response:
            fetched = _stream(url, response, partial, max_bytes, deadline)
    except urllib.error.HTTPError as exc:
        partial.unlink(missing_ok=True)
        if exc.code == 304:
            return Download(url, None, None)
        raise FetchFailed(url, f"HTTP {exc.code} {exc.reason}") from None
    except FetchFailed:
        partial.unlink(missing_ok=True)
        raise
    except TimeoutError:
        partial.unlink(missing_ok=True)
        raise FetchFailed(url, f"timed out (limit {timeout:g} s)") from None
    except http.client.IncompleteRead as exc:
        partial.unlink(missing_ok=True)
        raise FetchFailed(
            url, f"truncated: the connection ended after {len(exc.partial):,} more bytes"
        ) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        partial.unlink(missing_ok=True)
        reason = getattr(exc, "reason", None) or exc
        raise FetchFailed(url, f"download failed: {reason}") from None
    try:
        final = _unpack(url, partial, dest, max_bytes * UNPACK_FACTOR)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Download(url, final, fetched)


def _stream(
    url: str,
    response: http.client.HTTPResponse,
    partial: Path,
    max_bytes: int,
    deadline: float,
) -> Fetched:
    announced = response.headers.get("Content-Length")
    expected = int(announced) if announced and announced.isdigit() else None
    if expected is not None and expected > max_bytes:
        raise FetchFailed(url, f"{expected:,} bytes announced, over the limit of {max_bytes:,}")
    digest = hashlib.sha256()
    size = 0
    with partial.open("wb") as out:
        while chunk := response.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise FetchFailed(url, f"more than the limit of {max_bytes:,} bytes")
            if time.monotonic() > deadline:
                raise TimeoutError
            digest.update(chunk)
            out.write(chunk)
    if expected is not None and size != expected:
        raise FetchFailed(url, f"truncated: {size:,} of the {expected:,} bytes announced")
    return Fetched(
        url=url,
        sha256=digest.hexdigest(),
        bytes=size,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
    )


def _unpack(url: str, partial: Path, dest: Path, limit: int) -> Path:
    """Move the download into place; a ZIP of one file becomes that file (named as in the
    archive, beside ``dest``)."""
    with partial.open("rb") as fh:
        zipped = fh.read(4) == ZIP_MAGIC
    if not zipped:
        partial.replace(dest)
        return dest
    try:
        with zipfile.ZipFile(partial) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise FetchFailed(url, f"a ZIP archive of {len(members)} files; expected one")
            member = members[0]
            if member.file_size > limit:
                raise FetchFailed(url, f"unpacks to {member.file_size:,} bytes, over {limit:,}")
            target = dest.with_name(Path(member.filename).name or dest.name)
            unpacking = target.with_name(target.name + ".part")
            with archive.open(member) as src, unpacking.open("wb") as out:
                shutil.copyfileobj(src, out, CHUNK)
            unpacking.replace(target)
    except zipfile.BadZipFile as exc:
        raise FetchFailed(url, f"a broken ZIP archive: {exc}") from None
    partial.unlink()
    return target
