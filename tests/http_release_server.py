"""A real HTTP server on 127.0.0.1 laid out like GitHub Releases, with faults on demand.

``/download/<tag>/<asset>`` serves a built release folder; ``/latest/download/<asset>``
redirects (302) to the latest tag, as GitHub does. Range requests are honoured so DuckDB's
httpfs can read Parquet files in place. Faults are per asset name: ``tampered`` serves a
byte flipped (same length), ``replaced`` serves other bytes (the file changed after
SHA256SUMS was published), ``truncated`` announces the full Content-Length but closes
half-way, ``reset`` sends half the body then resets the connection (TCP RST),
``unsized_drop`` sends half the body with no Content-Length and closes (the client cannot
tell), ``length_delta`` announces a Content-Length off by that many bytes, ``slow`` sleeps
before answering, ``stall`` sends half the body then sleeps, ``fail_first`` answers 503
(or ``fail_status``) that many times. ``redirects`` maps any path to a Location, so a
redirect loop is two entries. ``drip`` sends the body one byte per that many seconds (each
read returns quickly, only the whole file is slow); ``reason`` answers that (status, reason
phrase), e.g. a phrase with terminal escape codes; ``sent`` counts body bytes written per
asset. Each fault counts the times it fired in ``fired``; with ``budget[asset] = n`` the
asset's faults fire on its first n answers only (a transient fault).
"""

from __future__ import annotations

import contextlib
import http.server
import io
import re
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

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
    fail_status: int = 503
    replaced: dict[str, bytes] = field(default_factory=dict)
    reset: set[str] = field(default_factory=set)
    unsized_drop: set[str] = field(default_factory=set)
    length_delta: dict[str, int] = field(default_factory=dict)
    stall: dict[str, float] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    fired: dict[str, int] = field(default_factory=dict)
    budget: dict[str, int] = field(default_factory=dict)
    drip: dict[str, float] = field(default_factory=dict)
    reason: dict[str, tuple[int, str]] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)

    def fire(self, fault: str) -> None:
        self.fired[fault] = self.fired.get(fault, 0) + 1

    def faulty(self, asset: str, faults) -> bool:
        """Whether ``asset`` gets this fault on this answer (spending its budget when it has one)."""
        if asset not in faults or self.budget.get(asset, 1) <= 0:
            return False
        if asset in self.budget:
            self.budget[asset] -= 1
        return True

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
        if path in state.redirects:
            state.fire("redirect")
            return self._redirect(state.redirects[path])
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[:2] == ["latest", "download"]:
            return self._redirect(f"/download/{state.latest}/{parts[2]}")
        if len(parts) != 3 or parts[0] != "download" or parts[1] not in state.releases:
            return self._not_found()
        asset = parts[2]
        file = state.releases[parts[1]] / asset
        if "/" in asset or asset.startswith(".") or not file.is_file():
            return self._not_found()
        if asset in state.reason:
            state.fire("reason")
            code, phrase = state.reason[asset]
            self.send_response_only(code, phrase)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if state.fail_first.get(asset, 0) > 0:
            state.fail_first[asset] -= 1
            state.fire("fail_first")
            self.send_error(state.fail_status)
            return
        if state.faulty(asset, state.slow):
            state.fire("slow")
            time.sleep(state.slow[asset])
        data = file.read_bytes()
        if asset in state.tampered:
            state.fire("tampered")
            data = data[:-1] + bytes([data[-1] ^ 0x01])
        if asset in state.replaced:
            state.fire("replaced")
            data = state.replaced[asset]
        start, end, status = 0, len(data) - 1, 200
        match = RANGE.match(self.headers.get("Range", ""))
        if match:
            start = int(match.group(1))
            end = min(int(match.group(2)) if match.group(2) else end, len(data) - 1)
            status = 206
        chunk = data[start : end + 1]
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        if body and state.faulty(asset, state.unsized_drop):
            state.fire("unsized_drop")
            self.end_headers()
            return self._drop(chunk[: len(chunk) // 2])
        announced = len(chunk)
        if body and state.faulty(asset, state.length_delta):
            state.fire("length_delta")
            announced += state.length_delta[asset]
        self.send_header("Content-Length", str(announced))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.end_headers()
        if not body:
            return
        if state.faulty(asset, state.truncated):
            state.fire("truncated")
            return self._drop(chunk[: len(chunk) // 2])
        if state.faulty(asset, state.reset):
            state.fire("reset")
            self.wfile.write(chunk[: len(chunk) // 2])
            self.wfile.flush()
            time.sleep(0.05)  # let the half arrive, then abort: with no linger, close sends RST
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            real, self.wfile = self.wfile, io.BytesIO()  # the handler's later writes go nowhere
            real.close()
            self.rfile.close()
            self.connection.close()  # the last reference: RST now, before shutdown() sends a FIN
            self.close_connection = True
            return
        if state.faulty(asset, state.stall):
            state.fire("stall")
            half = len(chunk) // 2
            self.wfile.write(chunk[:half])
            self.wfile.flush()
            time.sleep(state.stall[asset])
            chunk, announced = chunk[half:], announced - half
        if asset in state.drip:
            state.fire("drip")
            for i in range(len(chunk)):
                try:
                    self.wfile.write(chunk[i : i + 1])
                    self.wfile.flush()
                except OSError:  # the client gave up: that is the point
                    return
                state.sent[asset] = state.sent.get(asset, 0) + 1
                time.sleep(state.drip[asset])
            return
        try:
            self.wfile.write(chunk[: max(announced, 0)])
        except OSError:  # the client stopped reading (a body past its declared size)
            self.close_connection = True
            return
        state.sent[asset] = state.sent.get(asset, 0) + min(len(chunk), max(announced, 0))
        if announced != len(chunk):
            self.close_connection = True

    def _drop(self, part: bytes) -> None:
        self.wfile.write(part)
        self.wfile.flush()
        self.close_connection = True

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_found(self) -> None:
        self.send_error(404, "Not Found")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """Stay quiet: a client that gave up (timeout, test over) is one of the faults, and a
        traceback here would land in whatever stderr a later CliRunner is capturing."""


@contextlib.contextmanager
def serve_release(releases: dict[str, Path], latest: str | None = None) -> Iterator[ReleaseServer]:
    """Serve ``{tag: release folder}`` on an ephemeral port for the duration of the block."""
    state = ReleaseServer(releases=dict(releases), latest=latest or sorted(releases)[-1])
    handler = type("Handler", (_Handler,), {"state": state})
    server = _Server(("127.0.0.1", 0), handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )  # a quick shutdown: tests start many servers
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
