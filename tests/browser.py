"""Helpers for the browser tests: start the app, drive Debian's Chromium.

Chromium is Debian's (``/usr/bin/chromium``, installed by ``scripts/test.sh``);
Playwright never downloads a browser. Every request the page makes is recorded
and any request to a host other than the app's own is aborted, so a test sees
exactly what an offline meeting hall would.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_app(env: dict[str, str] | None = None, *, timeout: float = 60.0) -> Iterator[str]:
    """Start ``streamlit run app.py`` on a free port; yield its URL; stop it after."""
    port = free_port()
    full_env = {**os.environ, "BORDERPLAN_BASEMAP": "none", **(env or {})}
    logs = ROOT / ".pytest_cache"
    logs.mkdir(exist_ok=True)
    log = open(logs / f"streamlit-{port}.log", "w", encoding="utf-8")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start (see {log.name})")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@dataclass
class Traffic:
    """What the page asked for."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def foreign_hosts(self, own: str) -> set[str]:
        hosts = set()
        for url in self.requests:
            if url.startswith(("http://", "https://", "ws://", "wss://")):
                host = url.split("/")[2]
                if host != own:
                    hosts.add(host)
        return hosts


@contextlib.contextmanager
def browser_page(url: str, *, width: int = 1366, height: int = 768) -> Iterator[tuple[Any, Traffic]]:
    """A Chromium page whose requests outside ``url``'s host are recorded and aborted."""
    from playwright.sync_api import sync_playwright

    own = url.split("/")[2]
    traffic = Traffic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")

        def route(r: Any) -> None:
            req_url = r.request.url
            if req_url.startswith(("http://", "https://")) and req_url.split("/")[2] != own:
                traffic.blocked.append(req_url)
                r.abort()
            else:
                r.continue_()

        context.route("**/*", route)
        page = context.new_page()
        page.on("request", lambda r: traffic.requests.append(r.url))
        page.on("console", lambda m: traffic.console_errors.append(m.text) if m.type == "error" else None)

        def on_dialog(d: Any) -> None:
            traffic.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)
        try:
            yield page, traffic
        finally:
            context.close()
            browser.close()


def map_frame(page: Any, *, timeout_s: float = 90.0) -> Any:
    """The iframe that holds the Leaflet map, once the map has drawn."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            with contextlib.suppress(Exception):  # a frame may be detached by a rerun meanwhile
                if frame.query_selector(".leaflet-container path.leaflet-interactive"):
                    return frame
        page.wait_for_timeout(250)
    raise AssertionError("the map did not draw")
