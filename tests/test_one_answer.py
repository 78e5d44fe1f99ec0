"""One answer on every surface (issue 9 §1–§3).

A planner asking one question — where does Thông Bình stand on rural
development, is Xã Tân Hồng's water target met, what must this view disclose —
gets the same answer from the ranking, the legend, the tooltip, the status
table and command line, the PDF, the PNG, the HTML export and the slides.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pypdf
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from borderplan_geo._html import markdown_text
from borderplan_geo.cli import main
from borderplan_geo.dataset import Dataset, load_dataset
from borderplan_geo.disclosures import CATALOGUE, Disclosure, disclosures, keys, view_status_rows
from borderplan_geo.exports import (
    CRITERIA_HEADING,
    DISCLOSURES_CHUNK,
    STATUS_CHUNK,
    export_html,
    export_pdf,
    export_png,
)
from borderplan_geo.maps import MapOptions, build_map
from borderplan_geo.settings import get_settings
from borderplan_geo.slides import View, read_deck, view_disclosures
from borderplan_geo.store import DataSource, Store
from borderplan_geo.views import PARTIAL_LEGEND, STANDING_ROW, criteria_matrix, legend_counts, ranking_view

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
APP = str(ROOT / "app.py")

THONG_BINH = "29932"
TAN_HONG_2025 = "29926"
#: What every surface says of Thông Bình in 2025: the count by level, then its own level.
NTM_TEXT = "17 đạt, 2 cơ bản đạt — đạt mức “cơ bản đạt 19 tiêu chí” Kế hoạch giao"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """The shipped data, with the users' store in a temporary folder."""
    return load_dataset(DataSource(DATA, Store(tmp_path_factory.mktemp("store") / "store.sqlite")))


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


def _script_text(page: str) -> str:
    """A rendered map with the JavaScript escapes of ``<``, ``>`` and ``&`` undone (for reading)."""
    return page.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&").replace('\\"', '"')


def _map_page(dataset: Dataset, options: MapOptions) -> str:
    """The map as the browser gets it, escapes undone for reading."""
    return _script_text(build_map(dataset, options, asset_base_url="/static/vendor").get_root().render())


def _pdf_pages(data: bytes) -> list[str]:
    return [_flat(p.extract_text()) for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def _cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main(["status", *args, "--format", "json"]) == 0
    out: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return out


# --- §1: the plan's own target for each commune --------------------------------------------


def test_ntm_2025_every_surface_says_thong_binhs_own_level_and_count(
    shipped: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    # Ranking.
    table = ranking_view(shipped, "ntm_status", 2025)
    row = table[table["Mã xã"] == THONG_BINH].iloc[0]
    assert row["Giá trị"] == "17 đạt, 2 cơ bản đạt"
    assert str(row["Mục tiêu"]).startswith("cơ bản đạt 19 tiêu chí")
    assert str(row["Nhận định"]).startswith(NTM_TEXT)
    assert not (table["Giá trị"].astype(str).str.contains("19/19")).any()

    # Legend and tooltip of the map page.
    page = _map_page(shipped, MapOptions(indicator="ntm_status", year=2025))
    assert f"Thông Bình: {NTM_TEXT}" in page  # the legend names each commune's own target
    assert "Mục tiêu Kế hoạch giao từng xã" in page
    tips = re.findall(r"<b>Xã Thông Bình</b><br>[^\"]*", page)
    assert tips and all(NTM_TEXT in t and "Mục tiêu: cơ bản đạt 19 tiêu chí" in t for t in tips), tips

    # Command line: the reason, the value as read and the standing.
    rows = {r["unit_code"]: r for r in _cli_json(capsys, "--indicator", "ntm_status", "--year", "2025")}
    tb = rows[THONG_BINH]
    assert str(tb["reason"]).startswith(NTM_TEXT) and tb["standing"] == NTM_TEXT
    assert tb["value_text"] == "17 đạt, 2 cơ bản đạt"
    assert "đạt mức “đạt chuẩn nông thôn mới” Kế hoạch giao" in str(rows["29929"]["standing"])

    # PDF: the overview ranks it with the count, its page says the standing; the old heading that
    # a met level contradicted is gone.
    pages = _pdf_pages(export_pdf(shipped, MapOptions(indicator="ntm_status", year=2025), dpi=60))
    assert "17 đạt, 2 cơ bản đạt" in pages[0]
    own = next(p for p in pages[1:] if "Xã Thông Bình" in p[:300])
    assert f"Xã Thông Bình: {NTM_TEXT}" in own
    assert CRITERIA_HEADING in own
    assert not any("chưa đạt mức Kế hoạch yêu cầu" in p for p in pages)

    # The slides: the map slide's legend and tooltip, and the criteria slide's last row.
    parsed, _ = read_deck((DATA / "views" / "slides.json").read_bytes())
    view = next(v for v in parsed.views if v.kind == "map" and v.indicator == "ntm_status" and not v.commune)
    slide_page = _map_page(
        shipped, view.map_options(year=2025, palette="high_contrast", font_px=24, controls=False)
    )
    assert f"Thông Bình: {NTM_TEXT}" in slide_page
    assert re.search(rf"<b>Xã Thông Bình</b><br>[^\"]*{re.escape(NTM_TEXT)}", slide_page)
    matrix = criteria_matrix(shipped, 2025).set_index("Tiêu chí")
    assert matrix.loc[STANDING_ROW, "Thông Bình"] == NTM_TEXT


# --- §2: a merged commune measured in part --------------------------------------------------


def test_status_json_and_csv_say_tan_hong_2025_is_measured_in_part(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ("--units", "2025", "--indicator", "clean_water", "--year", "2025")
    rows = {r["unit_name"]: r for r in _cli_json(capsys, *args)}
    tan_hong = rows["Xã Tân Hồng"]
    assert tan_hong["complete"] is False
    assert (tan_hong["parts"], tan_hong["parts_measured"]) == (3, 1)
    assert main(["status", *args, "--format", "csv"]) == 0
    csv = capsys.readouterr().out.splitlines()
    header = csv[0].split(",")
    line = next(r for r in csv if "Xã Tân Hồng" in r)
    assert "complete" in header
    assert line.split(",")[header.index("unit_code")] == TAN_HONG_2025
    assert "False" in line or "false" in line


def test_partial_commune_is_hatched_labelled_and_counted_apart_in_every_export(shipped: Dataset) -> None:
    options = MapOptions(indicator="clean_water", year=2025, vintage=2025)
    page = _map_page(shipped, options)
    feature = re.search(
        rf'"unit_code": "{TAN_HONG_2025}", "status": "(\w+)", "fill": "[^"]+", "complete": (\w+)', page
    )
    assert feature is not None and feature.group(2) == "false"
    assert "url(#bp-partial-" in page and "số liệu 1/3 xã cũ" in page
    counts, partial = legend_counts(view_status_rows(shipped, options))
    assert partial >= 1 and f"{PARTIAL_LEGEND} ({partial})" in page
    assert sum(counts.values()) + partial == 3  # counted apart, not twice; An Phước not at all
    # "Cả vùng (3 xã biên giới)" lists the communes holding the three, never Xã An Phước.
    table = ranking_view(shipped, "clean_water", 2025, vintage=2025)
    assert "Xã An Phước" not in set(table["Xã"])
    assert table.set_index("Xã").loc["Xã Tân Hồng", "Tình trạng"] == "Đã đạt · số liệu 1/3 xã cũ"

    png = Image.open(io.BytesIO(export_png(shipped, options, width=960, height=540)))
    status = {r["unit_code"]: r for r in json.loads(png.text[STATUS_CHUNK])}  # type: ignore[attr-defined]
    assert status[TAN_HONG_2025]["complete"] is False
    pdf = _pdf_pages(export_pdf(shipped, options, dpi=60))
    assert "số liệu 1/3 xã cũ" in pdf[0]


# --- §3: one place decides what is disclosed --------------------------------------------------

#: Saved views of the shipped deck: the overview (every layer), a figure map without layers, the
#: project map, the 2025 communes (partial coverage).
VIEWS = ("tong-quan", "chi-tieu-income-per-capita", "du-an-theo-linh-vuc", "xa-moi-2025")


def _present() -> None:
    from app_ui import present_page

    present_page.render()


@pytest.fixture(scope="module")
def deck() -> dict[str, tuple[int, View]]:
    """The shipped saved views by name, with their place in the deck (the slide's number)."""
    parsed, problems = read_deck((DATA / "views" / "slides.json").read_bytes())
    assert not problems
    return {v.name: (i, v) for i, v in enumerate(parsed.views)}


def _keys_in_html(page: str) -> list[str]:
    return re.findall(r'class=\\?"bp-disclosure[^"\\]*\\?" data-key=\\?"([a-z_0-9]+)\\?"', page)


def _texts_in(text: str, found: list[Disclosure]) -> None:
    """Every disclosure's sentence is in ``text``, and no other disclosure's."""
    flat = _flat(text)
    for d in found:
        assert _flat(d.text) in flat, d.key
    for other in CATALOGUE.values():
        if other not in found:
            assert _flat(other.text) not in flat, other.key


@pytest.mark.parametrize("name", VIEWS)
def test_every_surface_carries_the_same_disclosures_for_a_view(
    shipped: Dataset, deck: dict[str, tuple[int, View]], name: str
) -> None:
    index, view = deck[name]
    year = view.year or shipped.latest_year() or 2025
    options = view.map_options(year=year)
    found = disclosures(shipped, options, kind=view.kind)
    expected = keys(found)
    assert expected, "every shipped view has something to disclose (illustrative figures at least)"
    assert keys(view_disclosures(shipped, view, year)) == expected

    # The slide on the presentation page.
    at = AppTest.from_function(_present, default_timeout=120)
    at.session_state["slide"] = index
    at.run()
    assert not at.exception, at.exception
    header = " ".join(m.value for m in at.markdown if "bp-slide-" in m.value)  # title, subtitle, notes
    assert re.findall(r'data-key="([a-z_0-9]+)"', header) == expected

    # The HTML export: one line per disclosure, none repeated.
    if get_settings().vendor_dir.is_dir():
        html = export_html(shipped, options)
        assert _keys_in_html(html) == expected
        for d in found:
            assert html.count(d.text) == 1, d.key

    # The PNG: its notes panel (as its Disclaimer chunk) and the keys it printed.
    png = Image.open(io.BytesIO(export_png(shipped, options, width=960, height=540)))
    assert json.loads(png.text[DISCLOSURES_CHUNK]) == expected  # type: ignore[attr-defined]
    _texts_in(png.text["Disclaimer"], found)  # type: ignore[attr-defined]

    # The PDF: the overview page's footer.
    pages = _pdf_pages(export_pdf(shipped, options, dpi=60))
    _texts_in(pages[0], found)


@pytest.mark.parametrize("vintage", [2020, 2025])
def test_the_map_page_banner_says_the_disclosures_of_its_view(shipped: Dataset, vintage: int) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if vintage == 2025:
        at.sidebar.radio(key="vintage").set_value("Từ 1/7/2025 (xã sau sắp xếp)")
        at.run()
    assert not at.exception, at.exception
    found = disclosures(shipped, MapOptions(indicator="clean_water", year=2025, vintage=vintage))
    banner = next(w.value for w in [*at.warning, *at.error] if "⚠" in w.value)
    assert banner.count("**⚠**") == len(found)
    for d in found:
        assert markdown_text(d.text) in banner, d.key
    assert ("partial_coverage" in keys(found)) == (vintage == 2025)
