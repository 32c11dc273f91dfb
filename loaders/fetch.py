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
import re
import urllib.error
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import supplygraph
from supplygraph.graph.errors import FetchFailed
from supplygraph.graph.model.records import Fetched

from .deadline_http import Deadline, RedirectRefused, open_url

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
    deadline = Deadline(timeout)
    try:
        with open_url(request, deadline) as response:
            fetched = _stream(url, response, partial, max_bytes, deadline)
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        if deadline.fired:
            raise FetchFailed(url, f"timed out (limit {timeout:g} s for the whole file)") from None
        if isinstance(exc, urllib.error.HTTPError) and exc.code == 304:
            return Download(url, None, None)
        _explain(url, exc, timeout)
        raise
    finally:
        deadline.cancel()
    try:
        final = _unpack(url, partial, dest, max_bytes * UNPACK_FACTOR)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Download(url, final, fetched)


def _explain(url: str, exc: BaseException, timeout: float) -> None:
    """Raise the :class:`FetchFailed` that says what went wrong with a download (returns for
    exceptions that are not about the download, which the caller re-raises)."""
    if isinstance(exc, FetchFailed):
        raise exc
    if isinstance(exc, RedirectRefused):
        raise FetchFailed(url, f"HTTP {exc.code}: {exc.reason}") from None
    if isinstance(exc, urllib.error.HTTPError):
        raise FetchFailed(url, f"HTTP {exc.code} {exc.reason}") from None
    if isinstance(exc, TimeoutError):
        raise FetchFailed(url, f"timed out (limit {timeout:g} s)") from None
    if isinstance(exc, http.client.IncompleteRead):
        raise FetchFailed(
            url, f"truncated: the connection ended after {len(exc.partial):,} more bytes"
        ) from None
    if isinstance(exc, (urllib.error.URLError, http.client.HTTPException, OSError, ValueError)):
        reason = getattr(exc, "reason", None) or exc
        raise FetchFailed(url, f"download failed: {reason}") from None


def _stream(
    url: str,
    response: http.client.HTTPResponse,
    partial: Path,
    max_bytes: int,
    deadline: Deadline,
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
            digest.update(chunk)
            out.write(chunk)
    if deadline.fired:
        raise TimeoutError
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
    archive when that name is a plain, short file name; as ``dest`` otherwise).

    Every way an archive can be broken (bad CRC or data, encryption, an unknown compression
    method, a member name that is a path, too long, or holds a NUL, more bytes than it
    declares) fails this source with :class:`FetchFailed`, never anything else.
    """
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
            if member.flag_bits & 0x1:
                raise FetchFailed(url, f"the ZIP member {member.filename!r} is encrypted")
            if member.compress_type not in SUPPORTED_METHODS:
                raise FetchFailed(
                    url,
                    f"the ZIP member uses compression method {member.compress_type}, "
                    "which is not supported (stored, deflate, bzip2, lzma)",
                )
            if member.file_size > limit:
                raise FetchFailed(url, f"unpacks to {member.file_size:,} bytes, over {limit:,}")
            fallback = dest.stem if dest.suffix.lower() == ".zip" else dest.name
            target = dest.with_name(member_name(member.filename) or fallback)
            unpacking = target.with_name(target.name + ".unpacking")
            try:
                _copy_bounded(url, archive, member, unpacking, limit)
                unpacking.replace(target)
            finally:
                unpacking.unlink(missing_ok=True)
    except FetchFailed:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
        raise FetchFailed(url, f"a broken ZIP archive: {exc}") from None
    except (OSError, ValueError) as exc:
        raise FetchFailed(url, f"cannot unpack the ZIP archive: {exc}") from None
    partial.unlink()
    return target


SUPPORTED_METHODS = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,119}$")


def member_name(name: str) -> str | None:
    r"""The file name an archive member may be unpacked as, or None when it is not a plain,
    short name (``..``, a path, a NUL, 120+ characters): then the download's own name is used.

    >>> member_name("dir/lei2.xml"), member_name(".."), member_name("a\x00b")
    ('lei2.xml', None, None)
    >>> member_name("x" * 200) is None
    True
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base if _PLAIN_NAME.match(base) and base.strip(".") else None


def _copy_bounded(
    url: str, archive: zipfile.ZipFile, member: zipfile.ZipInfo, out_path: Path, limit: int
) -> None:
    """Unpack one member, counting what comes out: a header may understate the size."""
    written = 0
    with archive.open(member) as src, out_path.open("wb") as out:
        while chunk := src.read(CHUNK):
            written += len(chunk)
            if written > limit:
                raise FetchFailed(url, f"unpacks to more than {limit:,} bytes")
            out.write(chunk)
