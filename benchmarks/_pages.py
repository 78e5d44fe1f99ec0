"""What the page benchmarks share: start a Streamlit server, open pages in Debian's Chromium, time the map.

Every request outside the server's host is refused (an offline meeting hall), each visit gets a fresh
browser context (nothing cached from an earlier visit), and "map drawn" means a Leaflet polygon
(``path.leaflet-interactive``) exists in one of the page's frames.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402  (one place for the launch flags)

POLYGON = "path.leaflet-interactive"


@dataclass
class Server:
    """A running Streamlit server."""

    url: str
    proc: subprocess.Popen[bytes]

    def rss_mb(self) -> float:
        """Resident memory of the server process, in MB (from /proc)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


@contextlib.contextmanager
def floor_dir() -> Iterator[Path]:
    """A folder holding the floor page, the app's Streamlit config and a link to the served ``static``."""
    with tempfile.TemporaryDirectory(prefix="bp-floor-") as tmp:
        folder = Path(tmp)
        shutil.copy(ROOT / "benchmarks" / "floor_app.py", folder / "floor_app.py")
        (folder / "static").symlink_to(ROOT / "static")
        shutil.copytree(ROOT / ".streamlit", folder / ".streamlit")
        yield folder


@contextlib.contextmanager
def serve(kind: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Start the app (``kind="app"``) or the floor page (``kind="floor"``) on a free port."""
    port = free_port()
    with contextlib.ExitStack() as stack:
        if kind == "app":
            cwd, script, args = ROOT, ROOT / "app.py", []
        else:
            cwd = stack.enter_context(floor_dir())
            script, args = cwd / "floor_app.py", ["--", str(ROOT)]
        log = stack.enter_context(tempfile.TemporaryFile())
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(script),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                *args,
            ],
            cwd=cwd,
            env={**os.environ, "BORDERPLAN_BASEMAP": "none", **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                with (
                    contextlib.suppress(OSError),
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r,
                ):
                    if r.status == 200:
                        break
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(
                        f"{kind} did not start:\n{log.read().decode(errors='replace')[-2000:]}"
                    )
                time.sleep(0.1)
            yield Server(url, proc)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visit:
    page: Any
    context: Any
    requests: list[str]
    sizes: list[int]


def open_page(browser: Any, url: str, *, width: int = 1366, height: int = 768) -> Visit:
    """A fresh context and page; requests outside ``url``'s host are aborted and counted."""
    own = url.split("/")[2]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")

    def route(r: Any) -> None:
        u = r.request.url
        if u.startswith(("http://", "https://")) and u.split("/")[2] != own:
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    page = context.new_page()
    visit = Visit(page, context, [], [])
    page.on("request", lambda r: visit.requests.append(r.url))

    def on_finished(r: Any) -> None:
        with contextlib.suppress(Exception):
            visit.sizes.append(int((r.sizes() or {}).get("responseBodySize", 0)))

    page.on("requestfinished", on_finished)
    return visit


def drawn(page: Any, *, fresh: bool = False) -> bool:
    """Whether a frame of ``page`` holds a polygon (with ``fresh``: one not marked by :func:`mark_old`)."""
    selector = f"{POLYGON}:not([data-bp-old])" if fresh else POLYGON
    for frame in page.frames:
        with contextlib.suppress(Exception):
            if frame.query_selector(selector):
                return True
    return False


def mark_old(page: Any) -> None:
    """Mark every polygon drawn now, so that a redraw can be told from the old map."""
    for frame in page.frames:
        with contextlib.suppress(Exception):
            frame.evaluate(
                f"() => document.querySelectorAll('{POLYGON}').forEach(p => p.dataset.bpOld = '1')"
            )


def wait_drawn(page: Any, *, fresh: bool = False, timeout_s: float = 120.0, step_ms: int = 40) -> float:
    """Seconds until the map is drawn (polled every ``step_ms``); raises on timeout."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        if drawn(page, fresh=fresh):
            return time.perf_counter() - t0
        page.wait_for_timeout(step_ms)
    raise TimeoutError("the map did not draw")


def time_to_map(browser: Any, url: str) -> tuple[float, Visit]:
    """Open ``url`` in a fresh context; seconds from navigation to the first polygon."""
    visit = open_page(browser, url)
    t0 = time.perf_counter()
    visit.page.goto(url, wait_until="commit")
    wait_drawn(visit.page)
    return time.perf_counter() - t0, visit


def time_rerun(page: Any, kind: str) -> float:
    """Seconds from choosing a new value to the new map's first polygon."""
    page.wait_for_timeout(1500)  # let the first run settle (late reruns of the component)
    mark_old(page)
    if kind == "floor":
        page.locator('[data-testid="stSelectbox"]').first.click()
    else:
        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    name = "#D55E00" if kind == "floor" else "II.(11) Tỷ lệ thu gom rác thải"
    option = page.get_by_role("option", name=name)
    option.wait_for()
    t0 = time.perf_counter()
    option.click()
    wait_drawn(page, fresh=True)
    return time.perf_counter() - t0


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0–1) by the nearest-rank rule."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q * len(ordered) + 0.5)))
    return ordered[rank - 1]
