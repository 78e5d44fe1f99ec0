"""What only a browser shows: the map really draws offline, asks no other host,
runs no injected script, and keeps its legend and layer control across reruns.

Screenshots at 1366×768 and 1920×1080 land in ``.pytest_cache/screens/``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser import ROOT, browser_page, map_frame, needs_chromium, running_app

pytestmark = [pytest.mark.browser, needs_chromium]
SCREENS = ROOT / ".pytest_cache" / "screens"

TOOLTIPS_JS = """
() => {
  const out = [];
  const walk = (layer) => {
    if (layer.getTooltip && layer.getTooltip()) {
      const c = layer.getTooltip().getContent();
      out.push(typeof c === 'string' ? c : (c && c.textContent) || '');
    }
    if (layer.eachLayer) layer.eachLayer(walk);
  };
  Object.values(window.map._layers).forEach(walk);
  return out;
}
"""


def _own(url: str) -> str:
    return url.split("/")[2]


@pytest.fixture(scope="module")
def shipped_app() -> str:
    with running_app() as url:
        yield url


def test_map_draws_offline_with_every_layer_and_no_foreign_request(shipped_app: str) -> None:
    with browser_page(shipped_app) as (page, traffic):
        page.goto(shipped_app)
        frame = map_frame(page)
        frame.wait_for_selector(".bp-project, .marker-cluster", timeout=20_000)
        fills = frame.eval_on_selector_all(
            "path.leaflet-interactive", "ps => ps.map(p => p.getAttribute('fill'))"
        )
        strokes = frame.eval_on_selector_all(
            "path.leaflet-interactive", "ps => ps.map(p => p.getAttribute('stroke'))"
        )
        tooltips = " ".join(frame.evaluate(TOOLTIPS_JS))
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / "map-1366x768.png"))
    # The three communes, coloured by status (clean water 2025): one off track, two achieved.
    assert fills.count("#D55E00") == 1
    assert fills.count("#0072B2") >= 2
    assert "#C2185B" in strokes  # the national border
    assert "#B35806" in strokes  # roads to the border
    assert "#1B7837" in strokes  # the border patrol road
    assert "Cửa khẩu quốc tế Dinh Bà" in tooltips
    assert "Cụm dân cư" in tooltips or "Tuyến dân cư" in tooltips
    assert "Trạm cấp nước" in tooltips or "trạm cấp nước" in tooltips.lower()
    assert traffic.foreign_hosts(_own(shipped_app)) == set(), traffic.blocked
    assert not traffic.blocked


def test_legend_and_layer_control_survive_a_control_change(shipped_app: str) -> None:
    with browser_page(shipped_app) as (page, _traffic):
        page.goto(shipped_app)
        frame = map_frame(page)
        legend = frame.wait_for_selector(".bp-legend")
        assert "nước sạch" in legend.inner_text()
        assert frame.query_selector(".leaflet-control-layers")
        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
        page.get_by_role("option", name="II.(11) Tỷ lệ thu gom rác thải").click()
        # The rerun replaces the map's frame: read everything in one evaluation, retrying until the
        # new map answers (an old frame may vanish between two calls).
        snapshot = """() => ({
            legend: (document.querySelector('.bp-legend') || {}).innerText || '',
            layers: !!document.querySelector('.leaflet-control-layers'),
            scale: !!document.querySelector('.leaflet-control-scale'),
            overlays: [...document.querySelectorAll('.leaflet-control-layers-overlays label')]
                .map(l => l.textContent.trim()),
        })"""
        state: dict[str, object] = {}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                state = map_frame(page).evaluate(snapshot)
            except PlaywrightError:
                state = {}
            if "thu gom rác" in str(state.get("legend", "")):
                break
            page.wait_for_timeout(300)
        else:
            raise AssertionError("the legend did not follow the new indicator")
        assert state["layers"], "layer control lost after the rerun"
        assert state["scale"], "scale bar lost after the rerun"
        overlays = [str(o) for o in state["overlays"]]  # type: ignore[attr-defined]
        assert any("Dự án" in o for o in overlays) and any("Đường biên giới" in o for o in overlays)


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_screenshots(shipped_app: str, width: int, height: int) -> None:
    with browser_page(shipped_app, width=width, height=height) as (page, traffic):
        page.goto(shipped_app)
        frame = map_frame(page)
        frame.wait_for_selector(".bp-legend")
        page.wait_for_timeout(800)
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"app-{width}x{height}.png"))
        box = page.locator("iframe").first.bounding_box()
    assert box is not None and box["width"] > width * 0.4
    assert not traffic.blocked


EVIL = "<img src=x onerror=alert(1)>"


def test_a_project_named_like_html_shows_as_text_and_runs_nothing(data_copy: Path) -> None:
    path = data_copy / "projects" / "projects.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"] = [f for f in doc["features"] if not f["properties"].get("sensitive")][:5]
    doc["features"][0]["properties"]["name"] = EVIL
    doc["features"][0]["properties"]["description"] = "<script>alert(2)</script>"
    doc["features"][0]["properties"]["agency"] = '"><svg onload=alert(3)>'
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with running_app({"BORDERPLAN_DATA": str(data_copy)}) as url, browser_page(url) as (page, traffic):
        page.goto(url)
        frame = map_frame(page)
        frame.wait_for_selector(".bp-project")
        texts = frame.evaluate(
            """(evil) => {
              const out = {tooltip: null, popup: null};
              const walk = (layer) => {
                if (layer.getTooltip && layer.getTooltip()) {
                  const c = layer.getTooltip().getContent();
                  if (typeof c === 'string' && c.includes('onerror')) {
                    layer.openTooltip();
                    out.tooltip = document.querySelector('.leaflet-tooltip').textContent;
                    layer.openPopup();
                    out.popup = document.querySelector('.leaflet-popup-content').textContent;
                  }
                }
                if (layer.eachLayer) layer.eachLayer(walk);
              };
              Object.values(window.map._layers).forEach(walk);
              return out;
            }""",
            EVIL,
        )
        page.wait_for_timeout(1500)
        images = frame.eval_on_selector_all("img[src='x']", "xs => xs.length")
        svgs = frame.eval_on_selector_all("svg[onload]", "xs => xs.length")
        scripts = frame.eval_on_selector_all(
            "script",
            "ss => ss.filter(s => s.textContent.includes('alert(2)') && !s.textContent.includes('rows')).length",
        )
        main_images = page.eval_on_selector_all("img[src='x']", "xs => xs.length")
    assert texts["tooltip"] and EVIL in texts["tooltip"]
    assert texts["popup"] and EVIL in texts["popup"] and "<script>alert(2)</script>" in texts["popup"]
    assert images == 0 and svgs == 0 and main_images == 0 and scripts == 0
    assert traffic.dialogs == []


def _wait_text(locator: object, different_from: str, timeout_s: float = 30.0) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = locator.inner_text()  # type: ignore[attr-defined]
        if text and text != different_from:
            return str(text)
        time.sleep(0.25)
    raise AssertionError(f"still showing {different_from!r}")


def test_presentation_steps_with_the_arrow_keys_and_the_legend_is_readable(shipped_app: str) -> None:
    from borderplan_geo.dataset import data_source
    from borderplan_geo.slides import load_deck

    views = load_deck(data_source()).views
    with browser_page(shipped_app, width=1920, height=1080) as (page, traffic):
        page.goto(f"{shipped_app}/trinh-chieu")
        title = page.locator("p.bp-slide-title")
        title.wait_for(timeout=30_000)
        assert title.inner_text() == views[0].title
        frame = map_frame(page)
        frame.wait_for_selector(".bp-legend")
        legend_px = frame.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector('.bp-legend')).fontSize)"
        )
        label_px = frame.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector('.bp-label:not(.bp-context) div')).fontSize)"
        )
        assert legend_px >= 24 and label_px >= 24
        assert page.locator('[data-testid="stSidebar"]').is_hidden()
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / "present-1920x1080.png"))

        page.locator("body").press("ArrowRight")
        assert _wait_text(title, views[0].title) == views[1].title

        # With the focus inside the map, the arrow keys still step (the map does not pan).
        for _ in range(20):  # the slide's map frame is being replaced: retry until it takes the key
            try:
                map_frame(page).locator("body").press("ArrowRight", timeout=2_000)
                break
            except PlaywrightError:
                page.wait_for_timeout(300)
        assert _wait_text(title, views[1].title) == views[2].title
        page.locator("body").press("ArrowLeft")
        assert _wait_text(title, views[2].title) == views[1].title
    assert traffic.foreign_hosts(_own(shipped_app)) == set()


def test_the_app_exports_png_pdf_and_html(shipped_app: str, tmp_path: Path) -> None:
    from io import BytesIO

    from PIL import Image
    from pypdf import PdfReader

    files: dict[str, bytes] = {}
    with browser_page(shipped_app, width=1366, height=900) as (page, traffic):
        page.goto(shipped_app)
        map_frame(page)
        page.get_by_test_id("stExpander").get_by_text("Xuất bản đồ, tài liệu", exact=True).click()
        for fmt, label in (
            ("png", "Ảnh PNG 1920×1080"),
            ("pdf", "Tài liệu PDF A4"),
            ("html", "Bản đồ HTML dùng không cần mạng"),
        ):
            with page.expect_download(timeout=90_000) as info:
                page.get_by_role("button", name=label).click()
            target = tmp_path / f"export.{fmt}"
            info.value.save_as(target)
            files[fmt] = target.read_bytes()
    assert Image.open(BytesIO(files["png"])).size == (1920, 1080)
    pdf = PdfReader(BytesIO(files["pdf"]))
    assert len(pdf.pages) == 4  # overview + the 3 plan communes
    assert "Xã Thông Bình" in "".join(p.extract_text() for p in pdf.pages)
    html = files["html"].decode("utf-8")
    assert "leaflet" in html.lower() and "https://cdn" not in html
    assert traffic.foreign_hosts(_own(shipped_app)) == set()


def test_clicking_a_project_on_the_map_selects_its_row(shipped_app: str) -> None:
    with browser_page(shipped_app, width=1600, height=1000) as (page, _traffic):
        page.goto(shipped_app)
        frame = map_frame(page)
        frame.wait_for_selector(".bp-project, .marker-cluster")
        find = """() => {
              let found = null;
              const walk = (layer) => {
                if (found) return;
                if (layer.options && layer.options.title && layer.options.title.startsWith('[DA-')) {
                  found = layer; return;
                }
                if (layer.eachLayer) layer.eachLayer(walk);
              };
              Object.values(window.map._layers).forEach(walk);
              return found;
            }"""
        # Zoom onto one project so it stands alone (out of its cluster), as a user would.
        frame.evaluate(
            f"() => {{ const m = ({find})(); window.map.setView(m.getLatLng(), 18, {{animate: false}}); }}"
        )
        page.wait_for_timeout(1500)
        project_id = frame.evaluate(
            f"""() => {{
              const m = ({find})();
              m.fire('click', {{latlng: m.getLatLng()}}, true);  // a click, bubbling to its group
              return m.options.title.slice(1, m.options.title.indexOf(']'));
            }}"""
        )
        banner = page.get_by_text("Đang chọn:")
        banner.wait_for(timeout=30_000, state="attached")  # in the projects tab, which may be hidden
        assert project_id in banner.text_content()
