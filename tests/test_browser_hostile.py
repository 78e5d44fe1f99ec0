"""Script injection, as only a browser shows it: HTML exports from file:// and the running app.

Every text field of a copy of the data folder holds one of the payloads of
:mod:`tests.hostile` (rotated by ``BORDERPLAN_PAYLOAD_OFFSET`` or the date,
printed on failure). Each saved view is exported as HTML and opened from
file:// in Chromium; every tooltip and popup is put into the page as Leaflet
would. Nothing may open a dialog, create an element, set ``window.__pwned``
or ask for anything but file: and data: URLs; every payload must be shown,
somewhere, as the text it is.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from borderplan_geo.dataset import Dataset, load_dataset
from borderplan_geo.exports import export_html, resolve_options
from borderplan_geo.settings import get_settings
from borderplan_geo.slides import load_deck
from borderplan_geo.store import DataSource, Store
from tests.browser import CHROMIUM, CHROMIUM_ARGS, browser_page, map_frame, needs_chromium, running_app
from tests.hostile import (
    APP_FORBIDDEN,
    EXPORT_FORBIDDEN,
    OPEN_ALL_JS,
    PAYLOADS,
    PROBE_JS,
    poison,
    rotation_offset,
)

pytestmark = [pytest.mark.browser, needs_chromium]

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

#: Every text node of a page outside scripts and styles, as shown.
TEXT_JS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const p = walker.currentNode.parentElement;
    if (p && !p.closest('script, style')) out.push(walker.currentNode.nodeValue);
  }
  return out.join('\\n');
}"""


@dataclass
class Findings:
    """What the payloads did in one page."""

    name: str
    dialogs: list[str] = field(default_factory=list)
    elements: list[str] = field(default_factory=list)
    pwned: str | None = None
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    text: str = field(default="", repr=False)
    title: str = ""

    @property
    def bad(self) -> bool:
        return bool(self.dialogs or self.elements or self.pwned or self.requests)


def open_exports(pages: dict[str, str], folder: Path) -> Iterator[Findings]:
    """Open each HTML page from file:// in Chromium; what each payload did, page by page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, html in pages.items():
                path = folder / f"{name}.html"
                path.write_text(html, encoding="utf-8")
                yield _open(browser, path, name)
        finally:
            browser.close()


def _open(browser: Any, path: Path, name: str) -> Findings:
    found = Findings(name)
    context = browser.new_context(viewport={"width": 1366, "height": 768})

    def route(r: Any) -> None:
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on(
        "request",
        lambda r: found.requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None,
    )
    page.on("pageerror", lambda e: found.errors.append(str(e)))

    def on_dialog(d: Any) -> None:
        found.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    try:
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_selector(".leaflet-container", timeout=15_000)
        shown = page.evaluate(OPEN_ALL_JS)
        page.wait_for_timeout(600)  # onerror, ontoggle, onfocus, onstart fire a moment later
        probe = page.evaluate(PROBE_JS, EXPORT_FORBIDDEN)
        found.elements, found.pwned = probe["found"], probe["pwned"]
        found.text = page.evaluate(TEXT_JS) + "\n" + "\n".join(shown)
        found.title = page.title()
    finally:
        context.close()
    return found


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Dataset]:
    offset = rotation_offset()
    folder = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("store.sqlite*", "users.json", ".history"))
    poison(folder, PAYLOADS, offset=offset)
    return offset, load_dataset(DataSource(folder, Store(tmp_path_factory.mktemp("store") / "store.sqlite")))


def _visible(payload: str) -> str:
    """A payload as a page shows it: loaders strip surrounding whitespace, HTML collapses none of it."""
    return payload.strip()


def _ascii_collapsed(text: str) -> str:
    """Text as ``document.title`` gives it: ASCII whitespace collapsed and stripped."""
    return re.sub(r"[ \t\n\f\r]+", " ", text).strip(" \t\n\f\r")


def test_html_exports_from_file_run_no_payload_and_show_each_as_text(
    hostile: tuple[int, Dataset], tmp_path: Path
) -> None:
    if not get_settings().vendor_dir.is_dir():
        pytest.skip("offline assets missing: run `python -m borderplan_geo.assets fetch`")
    offset, dataset = hostile
    deck = load_deck(dataset.source)
    pages = {v.name: export_html(dataset, resolve_options(dataset, view=v.name)) for v in deck.views}
    pages["sensitive"] = export_html(dataset, replace(resolve_options(dataset), show_sensitive=True))
    results = list(open_exports(pages, tmp_path))
    note = f"(BORDERPLAN_PAYLOAD_OFFSET={offset})"
    bad = [r for r in results if r.bad]
    assert bad == [], f"{note} " + "; ".join(
        f"{r.name}: dialogs {r.dialogs[:3]}, elements {r.elements[:3]}, pwned {r.pwned}, requests {r.requests[:3]}"
        for r in bad
    )
    assert all(r.errors == [] for r in results), [(r.name, r.errors[:2]) for r in results if r.errors]
    titles = {v.name: v.title for v in deck.views}
    for r in results:
        if r.name in titles:
            assert r.title == _ascii_collapsed(titles[r.name]), (note, r.name)  # <title> is text
    text = "\n".join(r.text for r in results)
    missing = [p for p in PAYLOADS if _visible(p) not in text]
    assert missing == [], f"{note} not shown as text: {missing}"


def _no_payload_ran(page: Any, frame: Any, traffic: Any, own: str) -> None:
    for where in (page, frame):
        probe = where.evaluate(PROBE_JS, APP_FORBIDDEN)
        assert probe["found"] == [] and probe["pwned"] is None, probe
    assert traffic.dialogs == []
    assert traffic.foreign_hosts(own) == set(), traffic.blocked


def test_the_app_shows_payload_names_as_text_and_runs_none(hostile: tuple[int, Dataset]) -> None:
    offset, dataset = hostile
    name = next(t.name for t in dataset.targets if t.code == "clean_water")
    layer_names = {str(n) for f in dataset.layers.values() if not f.empty for n in f["name"]}
    with running_app({"BORDERPLAN_DATA": str(dataset.data_dir)}) as url, browser_page(url) as (page, traffic):
        own = url.split("/")[2]
        page.goto(url)
        frame = map_frame(page)
        frame.wait_for_selector(".bp-legend")
        frame.evaluate(OPEN_ALL_JS)
        page.wait_for_timeout(800)
        overlays = frame.eval_on_selector_all(
            ".leaflet-control-layers-overlays label", "ls => ls.map(l => l.textContent.trim())"
        )
        legend = frame.inner_text(".bp-legend h4")
        shown = frame.evaluate(TEXT_JS)
        heading = page.locator("[data-testid='stMarkdownContainer'] h4").first.text_content() or ""
        _no_payload_ran(page, frame, traffic, own)

        page.goto(f"{url}/trinh-chieu")
        title = page.locator("p.bp-slide-title")
        title.wait_for(timeout=30_000)
        slide_title = title.text_content() or ""
        slide_frame = map_frame(page)
        _no_payload_ran(page, slide_frame, traffic, own)
    note = f"(BORDERPLAN_PAYLOAD_OFFSET={offset})"
    assert any(_visible(name) in o for o in overlays), (note, overlays)  # the layer control: text
    assert _visible(name) in legend, note
    assert any(_visible(n) in shown for n in layer_names), note  # tooltips and popups
    # Markdown shows the name as written (an invisible word joiner keeps URLs from becoming links).
    assert " ".join(_visible(name).split()) in " ".join(re.sub("\u2060", "", heading).split()), (
        note,
        heading,
    )
    assert slide_title.strip() == _visible(load_deck(dataset.source).views[0].title), note


def test_the_export_policy_runs_only_the_page_own_scripts(tmp_path: Path) -> None:
    """The last line of defence: markup that got into an export anyway would run nothing."""
    if not get_settings().vendor_dir.is_dir():
        pytest.skip("offline assets missing: run `python -m borderplan_geo.assets fetch`")
    dataset = load_dataset(DataSource(DATA, Store(tmp_path / "store.sqlite")))
    page = export_html(dataset, resolve_options(dataset, indicator="clean_water", year=2025))
    injected = (
        '<img src=x onerror="window.__pwned=1"><a id=pwn-a href="javascript:window.__pwned=2">a</a>'
        '<div id=pwn-div onclick="window.__pwned=3">d</div><script>window.__pwned=4</script>'
        '<iframe srcdoc="<script>parent.__pwned=5</script>"></iframe>'
    )
    assert page.count("<body>") == 1
    path = tmp_path / "ban-do.html"
    path.write_text(page.replace("<body>", "<body>" + injected, 1), encoding="utf-8")
    from playwright.sync_api import sync_playwright

    refused: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page()
            tab.on(
                "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
            )
            tab.goto(path.as_uri(), wait_until="load")
            tab.wait_for_function(
                "document.querySelectorAll('path.leaflet-interactive').length >= 3", timeout=15_000
            )
            tab.click("#pwn-a")
            tab.click("#pwn-div")
            tab.wait_for_timeout(500)
            pwned = tab.evaluate("() => window.__pwned === undefined ? null : window.__pwned")
            legend = tab.inner_text(".bp-legend")
        finally:
            browser.close()
    assert pwned is None
    assert "Đã đạt" in legend  # the page's own scripts ran
    assert len(refused) >= 4, refused  # handler, javascript: URL, inline script, each refused
