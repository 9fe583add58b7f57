"""A real HTTP server on 127.0.0.1 laid out like GitHub Releases, with faults on demand.

``/download/<tag>/<asset>`` serves a built release folder; ``/latest/download/<asset>``
redirects (302) to the latest tag, as GitHub does. Range requests are honoured so DuckDB's
httpfs can read Parquet files in place. Faults are per asset name: ``tampered`` serves a
byte flipped (same length), ``truncated`` announces the full Content-Length but closes
half-way, ``slow`` sleeps before answering, ``fail_first`` answers 503 that many times.
"""

from __future__ import annotations

import contextlib
import http.server
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


@dataclass
class ReleaseServer:
    releases: dict[str, Path]
    latest: str
    base_url: str = ""
    tampered: set[str] = field(default_factory=set)
    truncated: set[str] = field(default_factory=set)
    slow: dict[str, float] = field(default_factory=dict)
    fail_first: dict[str, int] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def release_url(self, tag: str) -> str:
        return f"{self.base_url}/download/{tag}"


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "ReleaseServer/1"
    state: ReleaseServer  # set on the subclass made per server

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, *, body: bool) -> None:
        state = self.state
        path = self.path.split("?", 1)[0]
        state.requests.append((self.command, path))
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[:2] == ["latest", "download"]:
            self.send_response(302)
            self.send_header("Location", f"/download/{state.latest}/{parts[2]}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if len(parts) != 3 or parts[0] != "download" or parts[1] not in state.releases:
            return self._not_found()
        asset = parts[2]
        file = state.releases[parts[1]] / asset
        if "/" in asset or asset.startswith(".") or not file.is_file():
            return self._not_found()
        if state.fail_first.get(asset, 0) > 0:
            state.fail_first[asset] -= 1
            self.send_error(503, "Service Unavailable")
            return
        if asset in state.slow:
            time.sleep(state.slow[asset])
        data = file.read_bytes()
        if asset in state.tampered:
            data = data[:-1] + bytes([data[-1] ^ 0x01])
        start, end, status = 0, len(data) - 1, 200
        match = RANGE.match(self.headers.get("Range", ""))
        if match:
            start = int(match.group(1))
            end = min(int(match.group(2)) if match.group(2) else end, len(data) - 1)
            status = 206
        chunk = data[start:end + 1]
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(chunk)))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.end_headers()
        if not body:
            return
        if asset in state.truncated:
            self.wfile.write(chunk[: len(chunk) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(chunk)

    def _not_found(self) -> None:
        self.send_error(404, "Not Found")


@contextlib.contextmanager
def serve_release(releases: dict[str, Path], latest: str | None = None) -> Iterator[ReleaseServer]:
    """Serve ``{tag: release folder}`` on an ephemeral port for the duration of the block."""
    state = ReleaseServer(releases=dict(releases), latest=latest or sorted(releases)[-1])
    handler = type("Handler", (_Handler,), {"state": state})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
