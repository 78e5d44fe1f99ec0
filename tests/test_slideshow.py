"""The presenters' tools without a browser: the offline slideshow, its command, the words on the
slides, the symbols and scale bars of the exports, the measuring tool's Vietnamese.

What only a browser shows (keys, text sizes, requests) is in ``test_browser_presenters.py``.
"""

from __future__ import annotations

import itertools
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from borderplan_geo.dataset import Dataset, data_source, load_dataset
from borderplan_geo.exports import _POINT_SYMBOLS, _text_width, scale_labels
from borderplan_geo.maps import CONTROL_TEXT, MEASURE_UNITS
from borderplan_geo.settings import get_settings
from borderplan_geo.slides import SLIDE_WORD, load_deck, slide_header
from borderplan_geo.styles import symbol_svg

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shipped() -> Dataset:
    return load_dataset(data_source())


@pytest.fixture(scope="module")
def slideshow(shipped: Dataset) -> str:
    if not get_settings().vendor_dir.is_dir():
        pytest.skip("offline assets missing: run `python -m borderplan_geo.assets fetch`")
    from borderplan_geo.slideshow import export_slideshow

    return export_slideshow(shipped)


def test_the_slideshow_holds_every_slide_in_one_file_that_asks_no_host(
    shipped: Dataset, slideshow: str
) -> None:
    deck = load_deck(shipped.source)
    titles = re.findall(r'<section class="bp-slide" data-title="([^"]*)"', slideshow)
    assert len(titles) == len(deck.views)
    assert all(f"<h1>{v.title}</h1>" in slideshow or v.title in titles for v in deck.views)
    # Nothing is fetched: no script, style, image or font from an address (links may be written as text).
    tag = r"""<(script|link|img|iframe|source|video|audio)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//"""
    assert not re.search(tag, slideshow, re.I)
    assert not re.search(r"""url\(\s*["']?(https?:)?//""", slideshow, re.I)
    assert not re.search(r"@import", slideshow)
    assert "Content-Security-Policy" in slideshow
    # Every clicker key steps the slides.
    for key in ("ArrowRight", "PageDown", "'.'", "ArrowLeft", "PageUp", "b:", "'Home'", "'End'"):
        assert key in slideshow, key


def test_slides_are_called_trang_chieu_on_every_surface(shipped: Dataset, slideshow: str) -> None:
    deck = load_deck(shipped.source)
    header = slide_header(shipped, deck.views[2], index=2, count=len(deck.views), year=2025)
    assert header.position == f"{SLIDE_WORD} 3/{len(deck.views)}" and SLIDE_WORD == "Trang chiếu"
    assert "Trang chiếu 1/" in slideshow
    page = (ROOT / "app_ui" / "present_page.py").read_text(encoding="utf-8")
    assert not re.search(r"\bkhung( nhìn|\s*\d)", page + slideshow, re.I)  # "khung bao" (a bbox) is right


def test_the_export_command_writes_the_slideshow_and_refuses_one_view_options(tmp_path: Path) -> None:
    if not get_settings().vendor_dir.is_dir():
        pytest.skip("offline assets missing")
    out = tmp_path / "bo-trang-chieu.html"
    run = [sys.executable, "-m", "borderplan_geo", "export", "--format", "slides", "--out"]
    done = subprocess.run([*run, str(out)], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert f"Đã ghi {out}" in done.stdout and "MB" in done.stdout
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    bad = subprocess.run(
        [*run, str(tmp_path / "x.html"), "--view", "tong-quan"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert bad.returncode == 1 and "bỏ --view" in bad.stderr and not (tmp_path / "x.html").exists()


def test_a_residential_line_and_a_cluster_have_distinct_symbols() -> None:
    assert symbol_svg("line") != symbol_svg("cluster")
    assert _POINT_SYMBOLS["line"][0] != _POINT_SYMBOLS["cluster"][0]


def test_every_english_word_of_the_measuring_tool_has_its_vietnamese() -> None:
    """leaflet-measure's English strings (no build of it has Vietnamese) are all translated by us."""
    vendor = get_settings().vendor_dir
    found = sorted(vendor.glob("leaflet-measure@*/dist/leaflet-measure.min.js"))
    if not found:
        pytest.skip("offline assets missing")
    source = found[0].read_text(encoding="utf-8")
    english = re.search(r'\{measure:"Measure",.*?\}', source)
    assert english, "leaflet-measure's English strings not found"
    strings = dict(re.findall(r'(\w+):"([^"]*)"', english.group(0)))
    units = {"acres", "feet", "kilometers", "hectares", "meters", "miles", "sqfeet", "sqmeters", "sqmiles"}
    wanted = {v for k, v in strings.items() if k not in units and k not in ("decPoint", "thousandsSep")}
    assert wanted - set(CONTROL_TEXT) == set()
    assert all(not re.search(r"[A-Za-z]{3,}", str(u["display"])) for u in MEASURE_UNITS.values())


@pytest.mark.parametrize("width_m", [900, 2_400, 5_000, 12_000, 30_000, 70_000])
def test_scale_bar_labels_never_run_together_and_write_decimal_commas(width_m: int) -> None:
    """As the PNG and PDF draw them: 9 pt DejaVu Sans on a 300 pt wide bar area."""
    from borderplan_geo.exports import _nice_length

    per_point = width_m / 300
    length = _nice_length(width_m * 0.2)
    lead = round(length / 10 ** math.floor(math.log10(length)))
    segments = {5: 5, 2: 4}.get(lead, 2)
    labels = scale_labels(length, segments, 0.0, length / segments, lambda t: _text_width(t, 9) * per_point)
    boxes = []
    for x, text, align in labels:
        w = _text_width(text, 9) * per_point
        boxes.append((x - w / 2, x + w / 2) if align == "center" else (x, x + w))
    for (_, right), (left, _) in itertools.pairwise(boxes):
        assert right < left, labels
    assert labels[-1][1].endswith((" km", " m"))
    assert all("." not in text for _, text, _ in labels)
    if length == 500:
        assert labels[-1][1] == "500 m"
    assert any("," in text for _, text, _ in scale_labels(2000, 4, 0, 500, lambda t: 1.0))


def test_the_international_gate_is_written_one_way_everywhere() -> None:
    """ "Cửa khẩu quốc tế Dinh Bà": a capital only where a sentence or a name starts, on every surface."""
    files = [*ROOT.glob("data/**/*.geojson"), *ROOT.glob("data/**/*.json"), *ROOT.glob("data/**/*.csv")]
    files += [*ROOT.glob("borderplan_geo/*.py"), *ROOT.glob("app_ui/*.py"), *ROOT.glob("tools/*.py")]
    files += [ROOT / "README.md"]
    seen = []
    for path in files:
        for match in re.finditer(r"cửa khẩu quốc tế dinh bà", path.read_text(encoding="utf-8"), re.I):
            seen.append(match.group(0))
    assert seen, "the gate is named nowhere"
    assert {s[1:] for s in seen} == {"ửa khẩu quốc tế Dinh Bà"}, sorted(set(seen))


def test_every_slide_of_the_slideshow_discloses_what_its_view_must(shipped: Dataset, slideshow: str) -> None:
    """The slideshow renders :func:`~borderplan_geo.slides.view_disclosures`, as the app's slide does."""
    from borderplan_geo.disclosures import keys
    from borderplan_geo.slides import view_disclosures

    deck = load_deck(shipped.source)
    sections = slideshow.split('<section class="bp-slide"')[1:]
    assert len(sections) == len(deck.views)
    for view, section in zip(deck.views, sections, strict=True):
        year = view.year or shipped.latest_year() or 2025
        header = section.split("</header>")[0]
        assert re.findall(r'data-key="([a-z_0-9]+)"', header) == keys(
            view_disclosures(shipped, view, year)
        ), view.name
