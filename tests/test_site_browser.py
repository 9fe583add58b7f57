"""The built site in a real browser: Debian's headless chromium, driven over the DevTools
protocol, opens the site from a local HTTP server on 127.0.0.1, follows every internal link,
and finds no console error, no broken image, no failed request and no request leaving the
machine. Screenshots of the landing page and a table page are saved in the test's tmp folder.

No driver library that downloads browsers: ``websocket-client`` talks CDP to the system
chromium (selenium's current release cannot be installed next to our pinned certifi).
"""

from __future__ import annotations

import base64
import http.server
import json
import shutil
import subprocess
import threading
import time
import urllib.request
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from bgopendata.site import build_site

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--remote-debugging-port=0", "--window-size=1280,900", "--hide-scrollbars"]
PAGE_TIMEOUT_S = 30


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium with apt-get)")
    return path


@pytest.fixture(scope="module")
def served_site(tmp_path_factory):
    """The site built from the real package, served by http.server; yields (base URL, request log)."""
    site = build_site(ROOT, tmp_path_factory.mktemp("site") / "site")
    log: list[tuple[str, int]] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(site), **kwargs)

        def log_request(self, code="-", size="-"):
            log.append((self.path, int(code)))

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", log, site
    finally:
        server.shutdown()
        server.server_close()


class Browser:
    """A headless chromium and one page target, spoken to over the DevTools protocol."""

    def __init__(self, executable: str, profile: Path) -> None:
        import websocket

        self.proc = subprocess.Popen([executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + PAGE_TIMEOUT_S
        while not (port_file.is_file() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
            target = next(t for t in json.load(resp) if t["type"] == "page")
        self.ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=PAGE_TIMEOUT_S,
                                              suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, method: str) -> dict:
        for i, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(i)
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == method:
                return msg
            self.events.append(msg)

    def open(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions, browser log errors and failed loads since ``open``."""
        found = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in {"error", "assert"}:
                found.append(f"console: {p.get('args')}")
            elif m == "Runtime.exceptionThrown":
                found.append(f"exception: {p.get('exceptionDetails', {}).get('text')}")
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                found.append(f"log: {p['entry'].get('text')} {p['entry'].get('url', '')}")
            elif m == "Network.loadingFailed":
                found.append(f"failed load: {p.get('errorText')}")
        return found

    def requested(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            if getattr(self, "ws", None) is not None:
                self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


LINKS_JS = "[...document.querySelectorAll('a[href]')].map(a => a.href)"
BROKEN_IMAGES_JS = "[...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
IDS_JS = "[...document.querySelectorAll('[id]')].map(e => e.id)"


def test_every_internal_page_loads_cleanly_in_chromium(chromium, served_site, tmp_path):
    base, server_log, site = served_site
    browser = Browser(chromium, tmp_path / "profile")
    visited: dict[str, list[str]] = {}
    fragments: list[tuple[str, str, str]] = []
    files: set[str] = set()
    images = 0
    try:
        queue = deque([base + "index.html"])
        while queue:
            url = queue.popleft()
            if url in visited:
                continue
            browser.open(url)
            assert browser.problems() == [], url
            outside = [u for u in browser.requested() if not u.startswith(base) and not u.startswith("data:")]
            assert outside == [], f"{url} reaches outside the site: {outside}"
            assert browser.evaluate(BROKEN_IMAGES_JS) == [], url
            images += browser.evaluate("document.images.length")
            visited[url] = browser.evaluate(IDS_JS)
            for href in browser.evaluate(LINKS_JS):
                target, fragment = urldefrag(href)
                if not target.startswith(base):
                    continue  # licence and homepage links leave the site on purpose
                if fragment:
                    fragments.append((url, target, fragment))
                if target.endswith(".html"):
                    queue.append(target)
                else:
                    files.add(target)
            if url.endswith("/en/index.html"):
                browser.screenshot(tmp_path / "landing.png")
            if url.endswith("/en/resources/province_exports.html"):
                browser.screenshot(tmp_path / "resource.png")
    finally:
        browser.close()

    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert {urlparse(u).path.lstrip("/") for u in visited} == pages, "every page is reachable by a link"
    assert len(pages) == 1 + 2 * (2 + len(list((site / "en" / "resources").iterdir())))
    assert images >= 20, "the charts are shown as images"
    for page, target, fragment in fragments:
        assert fragment in visited[target], f"{page} links to a missing anchor {target}#{fragment}"
    # Downloads and other files linked from the pages exist and are served whole.
    assert files, "the pages link the release files"
    for url in sorted(files):
        with urllib.request.urlopen(url, timeout=10) as resp:
            body = resp.read()
        assert body == (site / urlparse(url).path.lstrip("/")).read_bytes()
    assert [entry for entry in server_log if entry[1] >= 400] == []
    for shot in ("landing.png", "resource.png"):
        png = (tmp_path / shot).read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 20_000
