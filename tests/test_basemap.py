"""The ``auto`` basemap: the browser tries the tiles, the server never asks a tile host (issue 14 §3c).

Before, the app's server sent a request to tile.openstreetmap.org at each
session to decide; the rules of the house say the server makes no outside
request unless a user chose an online basemap.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from borderplan_geo.dataset import data_source, load_dataset
from borderplan_geo.maps import OFFLINE_NOTE, MapOptions, build_map
from tests.browser import browser_page, map_frame, needs_chromium, running_app

LOCAL = {"127.0.0.1", "::1", "localhost", None, ""}


@pytest.fixture
def outbound(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every attempt to resolve or reach a host other than this machine, refused and recorded."""
    tried: list[str] = []
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo
    real_create = socket.create_connection

    def connect(self: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and address[0] not in LOCAL:
            tried.append(f"connect {address}")
            raise OSError("no outside connection in this test")
        real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in LOCAL:
            tried.append(f"resolve {host}")
            raise socket.gaierror("no outside name in this test")
        return real_getaddrinfo(host, *args, **kwargs)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        if address[0] not in LOCAL:
            tried.append(f"create_connection {address}")
            raise OSError("no outside connection in this test")
        return real_create(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    yield tried


def test_building_the_auto_map_asks_no_host(outbound: list[str]) -> None:
    html = (
        build_map(load_dataset(data_source()), MapOptions(basemap="auto"), asset_base_url="/static")
        .get_root()
        .render()
    )
    assert outbound == []
    assert "tile.openstreetmap.org" in html  # the browser may try the tiles…
    assert "tileerror" in html and "bp-offline-note" in html  # …and drops them if they do not load
    assert OFFLINE_NOTE in html or json.dumps(OFFLINE_NOTE) in html


def test_no_basemap_means_no_tile_url() -> None:
    html = build_map(load_dataset(data_source()), MapOptions(basemap="none"), asset_base_url="/static")
    rendered = html.get_root().render()
    assert "tile.openstreetmap.org" not in rendered and "tileerror" not in rendered


@pytest.mark.parametrize("page", ["map_page", "present_page"])
def test_the_app_with_default_settings_asks_no_host(
    page: str, outbound: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BORDERPLAN_BASEMAP", "auto")  # the shipped default
    at = AppTest.from_string(f"from app_ui import {page}\n{page}.render()\n", default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    at.run()  # a second run (a rerun, or another session) asks no host either
    assert outbound == []


@pytest.mark.browser
@needs_chromium
def test_the_browser_drops_tiles_it_cannot_load_and_says_so() -> None:
    with running_app({"BORDERPLAN_BASEMAP": "auto"}) as url, browser_page(url) as (page, traffic):
        page.goto(url)
        frame = map_frame(page)
        note = frame.wait_for_selector(".bp-offline-note", timeout=20_000)
        assert note is not None and "Không tải được nền bản đồ trực tuyến" in note.inner_text()
        assert frame.query_selector_all("img.leaflet-tile-loaded") == []
        assert frame.evaluate("() => document.querySelectorAll('.leaflet-tile-pane img').length") == 0
        assert any(
            "tile.openstreetmap.org" in u for u in traffic.blocked
        )  # the browser asked, not the server
