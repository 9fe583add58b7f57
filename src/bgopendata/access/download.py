"""``download``: fetch a release's files, check each against SHA256SUMS, then move them in.

The layout is GitHub Releases' (``{base}/download/{tag}/{asset}``, and
``{base}/latest/download/{asset}``), so a mirror only needs the same paths. Files are
streamed into a temporary folder inside the destination, hashed while they arrive, and
renamed into place only once every file has matched: a 404, a timeout, a truncated body
or a wrong hash leaves nothing behind. Transient faults (timeouts, dropped connections,
5xx) are retried a few times with back-off; a 404, a redirect loop or a wrong hash is not.
Redirects are followed (GitHub sends assets to another host) but only to http(s), and
never from https down to http.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
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

from bgopendata import __version__
from bgopendata.publish import assets as assets
from bgopendata.checksums import parse_sums
from bgopendata.errors import InvalidData, UnusableInput
from bgopendata.atomic import remove_dead_staging

VERSION = re.compile(r"^v\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")
ATTEMPTS = 3
BACKOFF_SECONDS = 0.5  # doubled after each failed attempt
TIMEOUT_SECONDS = 30.0
CHUNK = 1 << 16
MAX_SUMS_BYTES = 1 << 20
STAGING_PREFIX = ".bgopendata-download-"

# progress(asset, bytes received so far, total bytes or None)
Progress = Callable[[str, int, "int | None"], None]


class TransientError(Exception):
    """A fault worth another attempt: timeout, dropped connection, truncated body, HTTP 5xx."""


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """urllib's redirects, minus the schemes it also follows (ftp) and https-to-http downgrades."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        scheme = urllib.parse.urlsplit(newurl).scheme.lower()
        if scheme not in {"http", "https"} or (req.full_url.startswith("https:") and scheme == "http"):
            raise UnusableInput(f"refused a redirect (HTTP {code}) to {newurl!r}: only http(s) is "
                                "followed, and never from https to http", path=req.full_url)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_CheckedRedirects)


def base_url(explicit: str | None = None) -> str:
    """The option, else the environment variable, else GitHub; only http(s) is accepted."""
    url = explicit or os.environ.get(assets.BASE_URL_ENV) or assets.DEFAULT_BASE_URL
    if not url.startswith(("http://", "https://")):
        raise UnusableInput(f"base URL {url!r} must start with http:// or https://")
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


def download(version: str = "latest", fmt: str = "csv", dest: str | Path = ".",
             base: str | None = None, *, progress: Progress | None = None,
             timeout: float = TIMEOUT_SECONDS, attempts: int = ATTEMPTS) -> list[Path]:
    """Download one format of a release into ``dest``; returns the files written."""
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
        fetch(sums_url, sums_file, name=assets.CHECKSUMS, timeout=timeout, attempts=attempts,
              limit=MAX_SUMS_BYTES)
        sums = parse_sums(sums_file.read_text(encoding="utf-8", errors="replace"), shown=sums_url)
        wanted = assets.assets_for(fmt, list(sums))
        for name in wanted:
            if name not in sums:
                raise UnusableInput(f"the release lists no {name}", path=sums_url)
        for name in wanted:
            url = asset_url(root, version, name)
            digest = fetch(url, staging / name, name=name, timeout=timeout, attempts=attempts,
                           progress=progress)
            if digest != sums[name]:
                raise InvalidData(f"SHA-256 mismatch: expected {sums[name][:12]}…, got {digest[:12]}…; "
                                  "the file is corrupt or was tampered with, nothing was written", path=url)
        for name in wanted + [assets.CHECKSUMS]:  # check all before moving any in
            if (folder / name).is_dir() and not (folder / name).is_symlink():
                raise UnusableInput(f"{name} is a folder here, so the release cannot be written; "
                                    "nothing was written", path=str(folder / name))
        written = []
        for name in wanted + [assets.CHECKSUMS]:
            os.replace(staging / name, folder / name)
            written.append(folder / name)
        done = True
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not done:
            with contextlib.suppress(OSError):
                folder.rmdir()


def fetch(url: str, target: Path, *, name: str, timeout: float, attempts: int,
          progress: Progress | None = None, limit: int | None = None) -> str:
    """Stream ``url`` into ``target`` with retries; returns the SHA-256 of what arrived."""
    delay = BACKOFF_SECONDS
    for attempt in range(1, attempts + 1):
        try:
            return _fetch_once(url, target, name=name, timeout=timeout, progress=progress, limit=limit)
        except TransientError as exc:
            target.unlink(missing_ok=True)
            if attempt == attempts:
                raise UnusableInput(f"{exc} (gave up after {attempts} attempts)", path=url) from None
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def _fetch_once(url: str, target: Path, *, name: str, timeout: float, progress: Progress | None,
                limit: int | None) -> str:
    request = urllib.request.Request(url, headers={"User-Agent": f"bgopendata/{__version__}"})
    digest = hashlib.sha256()
    received = 0
    try:
        with _opener().open(request, timeout=timeout) as response, open(target, "wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if limit is not None and total is not None and total > limit:
                raise UnusableInput(f"is {total} bytes, more than the {limit} expected", path=url)
            while chunk := response.read(CHUNK):
                received += len(chunk)
                if limit is not None and received > limit:
                    raise UnusableInput(f"is larger than the {limit} bytes expected", path=url)
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
                raise UnusableInput(f"redirect loop: the server kept redirecting (HTTP {exc.code}); "
                                    "nothing was written", path=url) from None
            raise UnusableInput(f"refused a redirect (HTTP {exc.code}): {str(exc.reason).split(' - ')[-1]}",
                                path=url) from None
        hint = " (no such release or asset)" if exc.code == 404 else ""
        raise UnusableInput(f"HTTP {exc.code} {exc.reason}{hint}", path=url) from None
    except http.client.IncompleteRead as exc:
        raise TransientError(f"truncated: received {received + len(exc.partial)} bytes, "
                             f"{exc.expected} more expected") from None
    except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
        raise TransientError(f"{type(exc).__name__}: {exc or 'timed out'}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, ConnectionError)):
            raise TransientError(f"{type(exc.reason).__name__}: {exc.reason}") from None
        raise UnusableInput(f"cannot connect: {exc.reason}", path=url) from None
    return digest.hexdigest()
