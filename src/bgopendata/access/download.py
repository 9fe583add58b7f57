"""``download``: fetch a release's files, check each against SHA256SUMS, then move them in.

The layout is GitHub Releases' (``{base}/download/{tag}/{asset}``, and
``{base}/latest/download/{asset}``), so a mirror only needs the same paths. Files are
streamed into a temporary folder inside the destination, hashed while they arrive, and
renamed into place only once every file has matched: a 404, a timeout, a truncated body
or a wrong hash leaves nothing behind. ``--format parquet`` saves the release's Parquet
descriptor as the folder's ``datapackage.json`` and writes a SHA256SUMS of what the folder
holds, so the folder is a data package that checks with ``sha256sum -c``. Transient faults
(timeouts, dropped connections, 5xx) are retried a few times with back-off; a 404, a
redirect loop or a wrong hash is not.
Redirects are followed (GitHub sends assets to another host) but only to http(s), and
never from https down to http.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import re
import shutil
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from time import monotonic

from bgopendata import __version__
from bgopendata.atomic import remove_dead_staging, special_file_kind
from bgopendata.checksums import format_sums, parse_sums
from bgopendata.errors import InvalidData, UnusableInput
from bgopendata.names import name_problem
from bgopendata.publish import assets as assets

VERSION = re.compile(r"^v\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")
ATTEMPTS = 3
BACKOFF_SECONDS = 0.5  # doubled after each failed attempt
TIMEOUT_SECONDS = 30.0
CHUNK = 1 << 16
MAX_SUMS_BYTES = 1 << 20
MAX_DESCRIPTOR_BYTES = 16 << 20
MAX_ASSET_BYTES = 4 << 30  # an asset whose size the release does not declare: no release is near 4 GiB
FILE_DEADLINE_SECONDS = 600.0  # one file, all its bytes; ``timeout`` bounds each wait for the server
STAGING_PREFIX = ".bgopendata-download-"
UNREACHABLE = re.compile(r"cannot connect|Connection|TimeoutError|timed out")
REACHABLE_HINT = f"is the release reachable? --base-url (or {assets.BASE_URL_ENV}) names a mirror"

# progress(asset, bytes received so far, total bytes or None)
Progress = Callable[[str, int, "int | None"], None]


class TransientError(Exception):
    """A fault worth another attempt: timeout, dropped connection, truncated body, HTTP 5xx."""


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """urllib's redirects, minus the schemes it also follows (ftp) and https-to-http downgrades."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        scheme = urllib.parse.urlsplit(newurl).scheme.lower()
        if scheme not in {"http", "https"} or (req.full_url.startswith("https:") and scheme == "http"):
            raise UnusableInput(
                f"refused a redirect (HTTP {code}) to {newurl!r}: only http(s) is "
                "followed, and never from https to http",
                path=req.full_url,
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_CheckedRedirects)


def base_url(explicit: str | None = None) -> str:
    """The option, else the environment variable, else GitHub; only http(s) is accepted."""
    url = explicit or os.environ.get(assets.BASE_URL_ENV) or assets.DEFAULT_BASE_URL
    if not url.startswith(("http://", "https://")):
        raise UnusableInput(f"base URL {url!r} must start with http:// or https://")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as exc:
        raise UnusableInput(f"base URL {url!r} is malformed: {exc}") from None
    if not parts.hostname or any(c in url for c in " \t\r\n\x00") or any(ord(c) < 32 or ord(c) == 127 for c in url):
        raise UnusableInput(f"base URL {url!r} is malformed: no host, or a space or control character in it")
    return url.rstrip("/")


def asset_url(base: str, version: str, asset: str) -> str:
    if version == "latest":
        return f"{base}/latest/download/{asset}"
    return f"{base}/download/{version}/{asset}"


def normalise_version(version: str) -> str:
    """``latest`` or a tag ``vX.Y.Z`` (a bare ``X.Y.Z`` gets its ``v``)."""
    if version == "latest":
        return version
    tag = version if version.startswith("v") else f"v{version}"
    if not VERSION.match(tag):
        raise UnusableInput(f"version {version!r} is not 'latest' or vX.Y.Z")
    return tag


def download(
    version: str = "latest",
    fmt: str = "csv",
    dest: str | Path = ".",
    base: str | None = None,
    *,
    progress: Progress | None = None,
    timeout: float = TIMEOUT_SECONDS,
    attempts: int = ATTEMPTS,
    deadline: float | None = None,
) -> list[Path]:
    """Download one format of a release into ``dest``; returns the files written.

    Each file must arrive within ``deadline`` seconds (``FILE_DEADLINE_SECONDS``) and no
    larger than the release declares (a CSV's ``bytes`` in the release descriptor; others
    ``MAX_ASSET_BYTES``): a server that drips bytes or sends too many is cut off.
    """
    deadline = FILE_DEADLINE_SECONDS if deadline is None else deadline
    if fmt not in assets.FORMATS:
        raise UnusableInput(f"format {fmt!r} is not one of {', '.join(assets.FORMATS)}")
    version = normalise_version(version)
    root = base_url(base)
    folder = Path(dest)
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        remove_dead_staging(folder, (STAGING_PREFIX,))  # left by a download that was killed
        staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=folder))
    except OSError as exc:
        raise UnusableInput(f"cannot write the files here: {exc.strerror or exc}", path=str(dest)) from None
    done = False
    try:
        sums_url = asset_url(root, version, assets.CHECKSUMS)
        sums_file = staging / assets.CHECKSUMS
        try:
            fetch(
                sums_url,
                sums_file,
                name=assets.CHECKSUMS,
                timeout=timeout,
                attempts=attempts,
                limit=MAX_SUMS_BYTES,
                deadline=deadline,
            )
        except UnusableInput as exc:
            if not UNREACHABLE.search(str(exc)):
                raise
            raise UnusableInput(f"{exc}; {REACHABLE_HINT}") from None
        sums = parse_sums(sums_file.read_text(encoding="utf-8", errors="replace"), shown=sums_url)
        wanted = assets.assets_for(fmt, list(sums))
        for name in wanted:
            if name not in sums:
                raise UnusableInput(f"the release lists no {name}", path=sums_url)
        declared: dict[str, int] = {}
        for name in wanted:
            url = asset_url(root, version, name)
            is_descriptor = name in assets.DESCRIPTORS
            limit = MAX_DESCRIPTOR_BYTES if is_descriptor else declared.get(name, MAX_ASSET_BYTES)
            digest = fetch(
                url,
                staging / name,
                name=name,
                timeout=timeout,
                attempts=attempts,
                progress=progress,
                limit=limit,
                deadline=deadline,
                size_declared=name in declared,
            )
            if digest != sums[name]:
                raise InvalidData(
                    f"SHA-256 mismatch: expected {sums[name][:12]}…, got {digest[:12]}…; "
                    "the file is corrupt or was tampered with, nothing was written",
                    path=url,
                )
            if is_descriptor:  # verified: its ``bytes`` now bound the data files that follow
                declared = _declared_sizes(staging / name)
        if any(assets.local_name(n) != n for n in wanted):  # a renamed file: the sums follow the names
            sums_file.write_text(format_sums({assets.local_name(n): sums[n] for n in wanted}), encoding="utf-8")
        for name in wanted:
            os.replace(staging / name, staging / assets.local_name(name))
        local = [assets.local_name(n) for n in wanted] + [assets.CHECKSUMS]
        for name in local:  # check all before moving any in
            _check_destination(folder / name, name)
        written = []
        for name in local:
            os.replace(staging / name, folder / name)
            written.append(folder / name)
        done = True
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not done:
            with contextlib.suppress(OSError):
                folder.rmdir()


def _too_large(url: str, limit: int, size_declared: bool, message: str) -> None:
    if size_declared:
        raise InvalidData(
            f"SHA-256 mismatch: larger than the {limit} bytes the release declares (reading "
            "stopped there); the file is corrupt or was tampered with, nothing was written",
            path=url,
        )
    raise UnusableInput(message, path=url)


def _declared_sizes(descriptor_file: Path) -> dict[str, int]:
    """``{asset: bytes}`` from a verified release descriptor (nothing when it declares none)."""
    try:
        descriptor = json.loads(descriptor_file.read_text(encoding="utf-8"))
    except (ValueError, OSError, RecursionError):
        return {}
    sizes = {}
    for res in descriptor.get("resources", []) if isinstance(descriptor, dict) else []:
        if (
            isinstance(res, dict)
            and isinstance(res.get("path"), str)
            and isinstance(res.get("bytes"), int)
            and not isinstance(res.get("bytes"), bool)
            and res["bytes"] >= 0
        ):
            sizes[res["path"]] = res["bytes"]
    return sizes


def _check_destination(target: Path, name: str) -> None:
    """A folder, a named pipe or a device in the way is refused before any file moves in."""
    try:
        mode = os.lstat(target).st_mode
    except OSError:
        return
    kind = special_file_kind(mode)
    if kind is None or os.path.islink(target):
        return
    what = "a folder" if kind == "a directory" else kind
    raise UnusableInput(
        f"{name} is {what} here, so the release cannot be written; nothing was written", path=str(target)
    )


def fetch(
    url: str,
    target: Path,
    *,
    name: str,
    timeout: float,
    attempts: int,
    progress: Progress | None = None,
    limit: int | None = None,
    deadline: float = FILE_DEADLINE_SECONDS,
    size_declared: bool = False,
) -> str:
    """Stream ``url`` into ``target`` with retries; returns the SHA-256 of what arrived.

    With ``size_declared``, ``limit`` is the size the verified release descriptor gives: a
    larger file cannot be the published one, so it is a mismatch (exit 1), found without
    reading past the limit."""
    delay = BACKOFF_SECONDS
    if name_problem(name) and name != assets.CHECKSUMS:
        raise UnusableInput(f"{name!r} is not a release file name", path=url)
    for attempt in range(1, attempts + 1):
        try:
            return _fetch_once(
                url,
                target,
                name=name,
                timeout=timeout,
                progress=progress,
                limit=limit,
                deadline=deadline,
                size_declared=size_declared,
            )
        except TransientError as exc:
            target.unlink(missing_ok=True)
            if attempt == attempts:
                raise UnusableInput(f"{exc} (gave up after {attempts} attempts)", path=url) from None
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def _fetch_once(
    url: str,
    target: Path,
    *,
    name: str,
    timeout: float,
    progress: Progress | None,
    limit: int | None,
    deadline: float = FILE_DEADLINE_SECONDS,
    size_declared: bool = False,
) -> str:
    request = urllib.request.Request(url, headers={"User-Agent": f"bgopendata/{__version__}"})
    digest = hashlib.sha256()
    received = 0
    stop_at = monotonic() + deadline
    try:
        with _opener().open(request, timeout=timeout) as response, open(target, "wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if limit is not None and total is not None and total > limit:
                _too_large(url, limit, size_declared, f"is {total} bytes, more than the {limit} expected")
            while chunk := response.read1(CHUNK):  # what has arrived, not a full CHUNK: a drip is seen
                if monotonic() > stop_at:
                    raise UnusableInput(
                        f"took more than {deadline:g} s, the deadline for one file "
                        f"({received} bytes had arrived); nothing was written",
                        path=url,
                    )
                received += len(chunk)
                if limit is not None and received > limit:
                    _too_large(url, limit, size_declared, f"is larger than the {limit} bytes expected")
                digest.update(chunk)
                out.write(chunk)
                if progress:
                    progress(name, received, total)
            if total is not None and received != total:
                raise TransientError(f"truncated: received {received} of {total} bytes")
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code == 429:
            raise TransientError(f"HTTP {exc.code} {exc.reason}") from None
        if 300 <= exc.code < 400:  # urllib gives up on a loop, or on a scheme it never follows
            if "infinite loop" in str(exc.reason):
                raise UnusableInput(
                    f"redirect loop: the server kept redirecting (HTTP {exc.code}); nothing was written", path=url
                ) from None
            raise UnusableInput(
                f"refused a redirect (HTTP {exc.code}): {str(exc.reason).split(' - ')[-1]}", path=url
            ) from None
        hint = " (no such release or asset)" if exc.code == 404 else ""
        raise UnusableInput(f"HTTP {exc.code} {exc.reason}{hint}", path=url) from None
    except http.client.InvalidURL as exc:  # a malformed URL is not a network fault: no retry
        raise UnusableInput(f"malformed URL: {exc}", path=url) from None
    except http.client.IncompleteRead as exc:
        raise TransientError(
            f"truncated: received {received + len(exc.partial)} bytes, {exc.expected} more expected"
        ) from None
    except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
        raise TransientError(f"{type(exc).__name__}: {exc or 'timed out'}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, ConnectionError)):
            raise TransientError(f"{type(exc.reason).__name__}: {exc.reason}") from None
        raise UnusableInput(f"cannot connect: {exc.reason}", path=url) from None
    except ValueError as exc:  # urllib on a URL it cannot parse (``http://[::1``)
        raise UnusableInput(f"malformed URL: {exc}", path=url) from None
    return digest.hexdigest()
