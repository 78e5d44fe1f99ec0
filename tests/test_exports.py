"""Exports for meetings: self-contained HTML, 1920×1080 PNG, A4 PDF handout, ``export`` command.

The shipped data (``data/``) is read through a store in a temporary folder.
Sensitivity is checked on a copy of the data folder to which one defence
project and one border post, both sensitive, are added with names found
nowhere else; the shipped sensitive items are checked too when there are any.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import pypdf
import pytest
from PIL import Image

from borderplan_geo import cli
from borderplan_geo._export_cli import add_export_command
from borderplan_geo.dataset import Dataset, load_dataset
from borderplan_geo.exports import (
    FEATURES_CHUNK,
    ExportError,
    export_html,
    export_pdf,
    export_png,
    resolve_options,
    write_atomic,
)
from borderplan_geo.maps import MapOptions
from borderplan_geo.settings import get_settings
from borderplan_geo.store import DataSource, Store
from borderplan_geo.units import PLAN_CODES, get_unit, units

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

SECRET_PROJECT = "Kho hậu cần thử nghiệm Hoa Sen Tím"
SECRET_POST = "Trạm kiểm soát thử nghiệm Sen Hồng Bạc"
PUBLIC_PROJECT = "Nhà văn hóa ấp thử nghiệm Cỏ May"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


# --- fixtures ------------------------------------------------------------------------------


def _load(data_dir: Path, state: Path) -> Dataset:
    return load_dataset(DataSource(data_dir, Store(state / "store.sqlite")))


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """The shipped data, with the users' store in a temporary folder."""
    return _load(DATA, tmp_path_factory.mktemp("store"))


def _feature(geom: dict[str, object], **props: object) -> dict[str, object]:
    return {"type": "Feature", "properties": props, "geometry": geom}


def _append(path: Path, features: Sequence[dict[str, object]]) -> None:
    doc = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"type": "FeatureCollection"}
    doc["features"] = [*doc.get("features", []), *features]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def sensitive_dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """A copy of the data with a sensitive project, a sensitive border post and a public project added."""
    base = tmp_path_factory.mktemp("data")
    target = base / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("store.sqlite*", "users.json", ".history"))
    (target / "projects").mkdir(exist_ok=True)
    communes = gpd.read_file(target / "boundaries" / "units_2020.geojson")
    code = "29929"
    point = communes[communes["code"].astype(str) == code].geometry.iloc[0].representative_point()
    near = {"type": "Point", "coordinates": [round(point.x + 0.004, 6), round(point.y + 0.003, 6)]}
    common = {
        "commune_code": code,
        "source": "Kiểm thử BorderPlan Geo",
        "accuracy": "approximate",
        "illustrative": True,
    }
    project = {
        "status": "under_construction",
        "progress": 40,
        "budget_vnd": 3_000_000_000,
        "funding_source": "Kiểm thử",
        "start_year": 2023,
        "end_year": 2025,
        "agency": "Kiểm thử",
    }
    _append(
        target / "projects" / "projects.geojson",
        [
            _feature(
                near,
                id="TEST-QP-1",
                name=SECRET_PROJECT,
                sector="defence_security",
                sensitive=True,
                **project,
                **common,
            ),
            _feature(
                {"type": "Point", "coordinates": [round(point.x, 6), round(point.y, 6)]},
                id="TEST-VH-1",
                name=PUBLIC_PROJECT,
                sector="culture_sports",
                sensitive=False,
                **project,
                **common,
            ),
        ],
    )
    _append(
        target / "projects" / "sites.geojson",
        [_feature(near, id="TEST-BP-1", name=SECRET_POST, kind="border_post", sensitive=True, **common)],
    )
    return _load(target, base)


def _sensitive(dataset: Dataset) -> dict[str, str]:
    """Id → name of every sensitive layer feature and project."""
    out: dict[str, str] = {}
    for frame in dataset.layers.values():
        if not frame.empty:
            hits = frame[frame["sensitive"].astype(bool)]
            out.update(zip(hits["id"].astype(str), hits["name"].astype(str), strict=True))
    return out


def _flat(text: str) -> str:
    """Whitespace collapsed: a value wrapped in a table cell reads as one line."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


# --- choices ------------------------------------------------------------------------------


def test_a_saved_view_gives_the_options_and_explicit_choices_win(shipped: Dataset) -> None:
    options = resolve_options(shipped, view="xa-tan-ho-co")
    assert options.commune == "29929"
    assert options.title and not options.show_sensitive
    changed = resolve_options(shipped, view="xa-tan-ho-co", indicator="clean_water", year=2023, units=2025)
    assert (changed.indicator, changed.year, changed.vintage) == ("clean_water", 2023, 2025)
    assert changed.commune == "29929"  # Tân Hộ Cơ keeps its code after 1/7/2025
    thong_binh = resolve_options(shipped, view="xa-thong-binh", units=2025)
    assert thong_binh.commune == "29938"  # merged into Xã Tân Thành
    with pytest.raises(ExportError, match="không có trang chiếu 'khong-co'"):
        resolve_options(shipped, view="khong-co")


# --- PNG ------------------------------------------------------------------------------------


def _png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_png_is_1920_by_1080_and_says_what_it_shows(shipped: Dataset) -> None:
    options = resolve_options(shipped, indicator="clean_water", year=2025)
    image = _png(export_png(shipped, options))
    assert image.format == "PNG" and image.size == (1920, 1080)
    text = image.text  # type: ignore[attr-defined]
    assert text["Title"] == "Hộ dân sử dụng nước sạch, hợp vệ sinh"
    assert "năm 2025" in text["Description"] and "01/7/2025" in text["Description"]
    assert shipped.data_date() in text["Description"]
    assert "Kế hoạch" in text["Source"] and "Ranh giới" in text["Source"]
    if shipped.any_approximate:
        assert "GẦN ĐÚNG" in text["Disclaimer"]
    ids = json.loads(text[FEATURES_CHUNK])
    assert isinstance(ids, list) and len(ids) == len(set(ids))
    public = {
        str(i) for f in shipped.layers.values() if not f.empty for i in f[~f["sensitive"].astype(bool)]["id"]
    }
    assert set(ids) <= public
    assert bool(ids) == bool(public)
    # Not a blank canvas: the status colours of the communes are on it.
    colours = {c for _, c in image.convert("RGB").getcolors(maxcolors=1 << 20) or []}
    assert len(colours) > 500


def test_png_leaves_sensitive_features_out_unless_asked(sensitive_dataset: Dataset) -> None:
    secret = _sensitive(sensitive_dataset)
    assert {"TEST-QP-1", "TEST-BP-1"} <= set(secret)
    options = resolve_options(sensitive_dataset, indicator="ntm_status", year=2025)
    hidden = json.loads(_png(export_png(sensitive_dataset, options)).text[FEATURES_CHUNK])  # type: ignore[attr-defined]
    assert "TEST-VH-1" in hidden
    assert not set(secret) & set(hidden)
    shown = json.loads(
        _png(export_png(sensitive_dataset, replace(options, show_sensitive=True))).text[FEATURES_CHUNK]  # type: ignore[attr-defined]
    )
    assert set(secret) <= set(shown)


# --- PDF ------------------------------------------------------------------------------------


def _pdf_pages(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [_flat(page.extract_text()) for page in reader.pages]


@pytest.mark.parametrize("vintage", [2020, 2025])
def test_pdf_has_an_overview_then_one_page_per_commune_with_its_figures(
    shipped: Dataset, vintage: int
) -> None:
    options = resolve_options(shipped, indicator="clean_water", year=2025, units=vintage)
    pages = _pdf_pages(export_pdf(shipped, options, dpi=110))
    communes = [get_unit(c) for c in PLAN_CODES] if vintage == 2020 else list(units(2025))
    assert len(pages) == 1 + len(communes)
    assert f"Trang 1/{len(pages)}" in pages[0]
    assert "Hộ dân sử dụng nước sạch, hợp vệ sinh" in pages[0]
    assert shipped.data_date() in pages[0]
    table = shipped.status(vintage)
    for page, unit in zip(pages[1:], communes, strict=True):
        assert unit.name in page
        rows = table[(table["unit_code"] == unit.code) & (table["year"] == 2025) & table["in_scope"]]
        for r in rows.to_dict("records"):
            expected = str(r["value_text"])  # the one text every surface shows (status table)
            assert _flat(expected) in page, (unit.name, r["indicator"], expected)
            assert r["indicator_name"] in page
        # The overview ranks the commune with the same figure.
        water = rows[rows["indicator"] == "clean_water"]
        if len(water):
            assert str(water.iloc[0]["value_text"]) in pages[0]
    if bool(table["illustrative"].any()):
        assert all("MINH HỌA" in p for p in pages)


def test_pdf_handout_shows_96_9_percent_clean_water_for_thong_binh_as_printed(shipped: Dataset) -> None:
    table = shipped.status(2020)
    row = table[
        (table["unit_code"] == "29932") & (table["indicator"] == "clean_water") & (table["year"] == 2025)
    ]
    value = float(row.iloc[0]["value"])
    pages = _pdf_pages(
        export_pdf(shipped, resolve_options(shipped, indicator="clean_water", year=2025), dpi=90)
    )
    printed = f"{value:.1f}".replace(".", ",") + " %"
    thong_binh = next(p for p in pages[1:] if "Xã Thông Bình" in p.split("Mã")[0])
    assert printed in thong_binh


def test_pdf_leaves_sensitive_projects_out_unless_asked(sensitive_dataset: Dataset) -> None:
    options = resolve_options(sensitive_dataset, indicator="ntm_status", year=2025)
    secret_projects = {
        str(n)
        for n in sensitive_dataset.projects[sensitive_dataset.projects["sensitive"].astype(bool)]["name"]
    }
    assert SECRET_PROJECT in secret_projects
    # The handout ignores the on-screen switch: only include_sensitive puts them on paper.
    hidden = " ".join(
        _pdf_pages(export_pdf(sensitive_dataset, replace(options, show_sensitive=True), dpi=80))
    )
    assert PUBLIC_PROJECT in hidden
    for name in secret_projects:
        assert _flat(name) not in hidden
    shown = " ".join(_pdf_pages(export_pdf(sensitive_dataset, options, include_sensitive=True, dpi=80)))
    for name in secret_projects:
        assert _flat(name) in shown
    assert "quốc phòng – an ninh" in shown


# --- HTML ------------------------------------------------------------------------------------


class _Links(HTMLParser):
    """Every src and href of the page's tags (a script's text is not parsed as tags)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_title = tag == "title"
        self.urls += [v or "" for k, v in attrs if k in ("src", "href", "srcset", "poster", "data")]

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False


@pytest.fixture(scope="module")
def shipped_html(shipped: Dataset) -> str:
    if not get_settings().vendor_dir.is_dir():
        pytest.skip("offline assets missing: run `python -m borderplan_geo.assets fetch`")
    return export_html(shipped, resolve_options(shipped, indicator="clean_water", year=2025))


def test_html_is_one_self_contained_file(shipped: Dataset, shipped_html: str) -> None:
    page = shipped_html
    links = _Links()
    links.feed(page)
    outside = [u for u in links.urls if re.match(r"^\s*(https?:)?//", u, re.IGNORECASE)]
    assert outside == []
    assert not re.search(r"<script[^>]+\bsrc=", page, re.IGNORECASE)
    assert not re.search(r"<link[^>]+stylesheet", page, re.IGNORECASE)
    assert "tile.openstreetmap.org" not in page and "basemaps.cartocdn.com" not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert links.title.strip() == "Hộ dân sử dụng nước sạch, hợp vệ sinh"
    assert '<html lang="vi">' in page
    assert shipped.data_date() in page
    assert "Nguồn" in page and "Kế hoạch" in page
    if shipped.any_approximate:
        assert "GẦN ĐÚNG" in page
    assert "__borderplan_vendor__" not in page


def test_html_leaves_sensitive_items_out_unless_asked(sensitive_dataset: Dataset) -> None:
    if not get_settings().vendor_dir.is_dir():
        pytest.skip("offline assets missing: run `python -m borderplan_geo.assets fetch`")
    options = resolve_options(sensitive_dataset, indicator="ntm_status", year=2025)
    hidden = export_html(sensitive_dataset, options)
    assert PUBLIC_PROJECT in hidden
    assert SECRET_PROJECT not in hidden and SECRET_POST not in hidden
    shown = export_html(sensitive_dataset, replace(options, show_sensitive=True))
    assert SECRET_PROJECT in shown and SECRET_POST in shown


@pytest.mark.browser
def test_html_draws_offline_in_chromium_without_asking_any_host(shipped_html: str, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    path = tmp_path / "ban-do.html"
    path.write_text(shipped_html, encoding="utf-8")
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_selector(".leaflet-container", timeout=15_000)
            page.wait_for_function(
                "document.querySelectorAll('path.leaflet-interactive').length >= 3", timeout=15_000
            )
            page.wait_for_timeout(300)
            legend = page.inner_text(".bp-legend")
            title = page.inner_text(".bp-title")
            live_links = page.eval_on_selector_all(
                "[src], [href]", "els => els.map(e => e.getAttribute('src') || e.getAttribute('href'))"
            )
        finally:
            browser.close()
    assert requests and requests[0] == path.as_uri()
    assert [u for u in requests if not u.startswith(("file://", "data:"))] == []
    assert errors == []
    assert "Đã đạt" in legend
    assert "Hộ dân sử dụng nước sạch" in title
    assert [u for u in live_links if re.match(r"^\s*(https?:)?//", u or "")] == []


# --- writing and the command line --------------------------------------------------------------


def test_write_atomic_replaces_whole_and_refuses_a_missing_folder(tmp_path: Path) -> None:
    out = tmp_path / "ban-do.html"
    write_atomic(out, "cũ")
    write_atomic(out, "mới")
    assert out.read_text(encoding="utf-8") == "mới"
    assert [p.name for p in tmp_path.iterdir()] == ["ban-do.html"]  # no temporary file left
    with pytest.raises(ExportError, match="không tồn tại"):
        write_atomic(tmp_path / "khong-co" / "x.png", b"x")
    with pytest.raises(ExportError, match="là một thư mục"):
        write_atomic(tmp_path, b"x")


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., int]:
    """``cli.main``; until cli.py registers ``export`` itself, its parser gets it here."""
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "export" not in sub.choices:
        original = cli.build_parser

        def build() -> argparse.ArgumentParser:
            built = original()
            subs = next(a for a in built._actions if isinstance(a, argparse._SubParsersAction))
            common = argparse.ArgumentParser(add_help=False)
            common.add_argument("--data", type=Path, default=None)
            add_export_command(subs, common)
            return built

        monkeypatch.setattr(cli, "build_parser", build)

    def run(*args: str) -> int:
        return cli.main(list(args))

    return run


@pytest.mark.parametrize("fmt", ["html", "png", "pdf"])
def test_export_command_writes_each_format(
    run_cli: Callable[..., int], tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    if fmt == "html" and not get_settings().vendor_dir.is_dir():
        pytest.skip("offline assets missing: run `python -m borderplan_geo.assets fetch`")
    out = tmp_path / f"hop.{fmt}"
    view = {"html": "tong-quan", "png": "xa-thong-binh", "pdf": "tong-quan"}[fmt]
    code = run_cli("export", "--format", fmt, "--out", str(out), "--view", view, "--data", str(DATA))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert f"Đã ghi {out}" in captured.out
    data = out.read_bytes()
    magic = {"html": b"<!DOCTYPE html>", "png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}[fmt]
    assert data.startswith(magic)
    if fmt == "png":
        assert _png(data).size == (1920, 1080)
    if fmt == "pdf":
        assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == 1 + len(PLAN_CODES)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_export_command_refuses_a_bad_view_or_folder_in_vietnamese(
    run_cli: Callable[..., int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.png"
    code = run_cli("export", "--format", "png", "--out", str(out), "--view", "khong-co-that")
    captured = capsys.readouterr()
    assert code == 1
    assert "Lỗi: không có trang chiếu 'khong-co-that'" in captured.err
    assert "tong-quan" in captured.err  # lists the views there are
    assert "Traceback" not in captured.err and not out.exists()
    code = run_cli("export", "--format", "pdf", "--out", str(tmp_path / "khong-co" / "x.pdf"))
    captured = capsys.readouterr()
    assert code == 1
    assert "thư mục" in captured.err and "không tồn tại" in captured.err


def test_export_options_are_a_map_options(shipped: Dataset) -> None:
    options = resolve_options(shipped, include_sensitive=True)
    assert isinstance(options, MapOptions) and options.show_sensitive
    assert options.year == shipped.latest_year()
