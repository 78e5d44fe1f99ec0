"""Hostile text in every field of the data: shown as text everywhere, never run as a template.

branca renders each map element's output again as a Jinja template, so a name
holding ``{{7*191}}`` once printed 1337 (and ran any Python an editor wrote),
and ``Trạm bơm {{ số 2`` raised on the map, the slides and the data page.
Here each template payload fills every text field of a copy of the data
folder (:func:`tests.hostile.poison`); the map, every slide's map, the HTML,
PNG and PDF exports and the app's pages must show it as text, and nothing may
print 1337. What only a browser shows (script injection) is in
``tests/test_browser_hostile.py``.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest
from jinja2.utils import htmlsafe_json_dumps
from PIL import Image
from streamlit.testing.v1 import AppTest

from borderplan_geo._html import html_text, js_value, markdown_text
from borderplan_geo.auth import add_user
from borderplan_geo.dataset import Dataset, load_dataset
from borderplan_geo.exports import export_html, export_pdf, export_png, resolve_options
from borderplan_geo.maps import STATUS_LAYER, MapOptions, build_map
from borderplan_geo.settings import get_settings
from borderplan_geo.slides import load_deck
from borderplan_geo.store import DataSource, Store, sha256
from tests.hostile import PAYLOADS, TEMPLATE_PAYLOADS, poison, rotation_offset, shows_1337

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
PASSWORD = "mật-khẩu-đủ-dài-2025"


def _copy(target: Path) -> Path:
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("store.sqlite*", "users.json", ".history"))
    return target


@pytest.fixture(scope="module", params=TEMPLATE_PAYLOADS, ids=["expression", "for", "comment", "unbalanced"])
def poisoned(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Dataset]:
    """The payload, and the data with it in every text field."""
    payload = str(request.param)
    folder = _copy(tmp_path_factory.mktemp("data") / "data")
    poison(folder, [payload])
    store = Store(tmp_path_factory.mktemp("store") / "store.sqlite")
    return payload, load_dataset(DataSource(folder, store))


def in_script(text: str) -> str:
    """How an escaped text appears inside the map's script (as our serialiser writes it)."""
    return js_value(html_text(text))[1:-1]


def _target_name(dataset: Dataset, code: str) -> str:
    return next(t.name for t in dataset.targets if t.code == code)


def test_the_map_shows_the_text_and_runs_no_template(poisoned: tuple[str, Dataset]) -> None:
    payload, dataset = poisoned
    assert _target_name(dataset, "clean_water") == payload
    page = build_map(dataset, MapOptions(title=payload), asset_base_url="/static/vendor").get_root().render()
    assert not shows_1337(page)
    assert in_script(payload) in page  # tooltips, popups, legend, labels, title
    # The layer control (folium writes the name with Jinja's tojson): escaped HTML, never a template.
    layer = html_text(f"{STATUS_LAYER}: {payload} (2025)")
    assert htmlsafe_json_dumps(layer)[1:-1] in page
    assert re.search(r"\{[{%#]", page) is None  # the page, rendered twice, holds no template syntax


def test_every_slide_map_shows_the_text_and_runs_no_template(poisoned: tuple[str, Dataset]) -> None:
    payload, dataset = poisoned
    deck = load_deck(dataset.source)
    assert deck.title == payload and {v.title for v in deck.views} == {payload}
    for view in deck.views:
        if view.kind == "criteria":
            continue
        options = view.map_options(
            year=view.year or 2025, palette="high_contrast", font_px=24, controls=False
        )
        page = build_map(dataset, options, asset_base_url="/static/vendor").get_root().render()
        assert not shows_1337(page), view.name
        assert in_script(payload) in page, view.name


class _Title(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.title: str | None = None
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in = tag == "title"

    def handle_data(self, data: str) -> None:
        if self._in:
            self.title = (self.title or "") + data

    def handle_endtag(self, tag: str) -> None:
        self._in = False


def test_every_html_export_shows_the_text_and_runs_no_template(poisoned: tuple[str, Dataset]) -> None:
    if not get_settings().vendor_dir.is_dir():
        pytest.skip("offline assets missing: run `python -m borderplan_geo.assets fetch`")
    payload, dataset = poisoned
    for view in load_deck(dataset.source).views:
        page = export_html(dataset, resolve_options(dataset, view=view.name))
        assert not shows_1337(page), view.name
        parser = _Title()
        parser.feed(page)
        assert parser.title == payload, view.name  # the <title> is text
        assert in_script(payload) in page, view.name
        assert f'content="{html_text(payload)}' in page  # the description


def test_png_and_pdf_show_the_text(poisoned: tuple[str, Dataset]) -> None:
    payload, dataset = poisoned
    options = resolve_options(dataset, view="tong-quan")
    image = Image.open(io.BytesIO(export_png(dataset, options)))
    chunks = image.text  # type: ignore[attr-defined]
    assert chunks["Title"] == payload
    assert not any(shows_1337(str(v)) for v in chunks.values())
    pages = [
        re.sub(r"\s+", " ", p.extract_text())
        for p in pypdf.PdfReader(io.BytesIO(export_pdf(dataset, options))).pages
    ]
    assert payload in pages[0]
    assert not any(shows_1337(p) for p in pages)


# --- the app -----------------------------------------------------------------------------------------


@pytest.fixture
def app_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder with the four template payloads in turn in every text field, for the app."""
    folder = _copy(tmp_path / "data")
    poison(folder, TEMPLATE_PAYLOADS)
    monkeypatch.setenv("BORDERPLAN_DATA", str(folder))
    return folder


def _strings(at: AppTest, kinds: tuple[str, ...]) -> list[str]:
    """Every text field of the page's elements of these kinds, as the browser receives it."""
    out: list[str] = []
    for kind in kinds:
        for element in at.get(kind):
            for _field, value in element.proto.ListFields():
                if isinstance(value, str):
                    out.append(value)
    return out


def _texts(at: AppTest) -> list[str]:
    """Every Markdown-read text the page shows (markdown, captions, alerts, metrics, labels)."""
    kinds = ("markdown", "caption", "alert", "metric", "expandable", "tab", "heading")
    return _strings(at, kinds) + _strings(at, ("info", "warning", "error", "success", "expander"))


def _component_args(at: AppTest) -> list[str]:
    """What custom components and HTML frames get (the map's script, a slide's whole page)."""
    out = []
    for text in _strings(at, ("component_instance", "iframe")):
        try:
            args = json.loads(text)
        except json.JSONDecodeError:
            out.append(text)
            continue
        out += [v for v in args.values() if isinstance(v, str)] if isinstance(args, dict) else [text]
    return out


def _run(script: str) -> AppTest:
    at = AppTest.from_string(script, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_map_page_shows_the_text_and_runs_no_template(app_data: Path) -> None:
    at = _run("from app_ui import map_page\nmap_page.render()\n")
    dataset = load_dataset(DataSource(app_data, Store(Path(os.environ["BORDERPLAN_STORE"]))))
    target = next(t for t in dataset.targets if t.code == "clean_water")
    texts = _texts(at)
    assert any(markdown_text(f"{target.clause} {target.name}") in t for t in texts)
    scripts = _component_args(at)
    assert scripts and not any(shows_1337(s) for s in scripts + texts)
    assert any(in_script(target.name) in s for s in scripts)


def test_the_presentation_shows_the_text_and_runs_no_template(app_data: Path) -> None:
    at = _run("from app_ui import present_page\npresent_page.render()\n")
    deck = load_deck(DataSource(app_data, None))
    title = html_text(deck.views[0].title)
    assert any(f'id="bp-slide-title">{title}</p>' in t for t in _texts(at))
    frames = _component_args(at)
    assert frames and not any(shows_1337(f) for f in frames)
    for _ in range(3):  # step through a few slides
        next(b for b in at.button if b.key == "bp_next").click()
        at.run()
        assert not at.exception, at.exception
        assert not any(shows_1337(t) for t in _texts(at) + _component_args(at))


def test_the_data_page_and_its_history_work_and_undo_repairs_the_data(app_data: Path, tmp_path: Path) -> None:
    # The poisoned projects are a saved version in the store; the folder's file is the clean one.
    rel = "projects/projects.geojson"
    poisoned_content = (app_data / rel).read_bytes()
    clean = (DATA / rel).read_bytes()
    (app_data / rel).write_bytes(clean)
    store = Store(Path(os.environ["BORDERPLAN_STORE"]))
    store.save(
        rel, poisoned_content, base_sha=sha256(clean), folder_content=clean, author=TEMPLATE_PAYLOADS[3]
    )
    add_user(Path(os.environ["BORDERPLAN_USERS"]), "anh", PASSWORD, role="editor")
    at = _run("from app_ui import data_page\ndata_page.render()\n")
    at.sidebar.text_input(key="login_name").input("anh")
    at.sidebar.text_input(key="login_password").input(PASSWORD)
    next(b for b in at.sidebar.button if b.label == "Đăng nhập").click()
    at.run()
    assert not at.exception, at.exception
    assert not any(shows_1337(t) for t in _texts(at) + _component_args(at))
    at.selectbox(key="hist_path").set_value(rel)
    at.run()
    assert not at.exception, at.exception
    history = next(df.value for df in at.dataframe if "Phiên bản" in df.value.columns)
    assert TEMPLATE_PAYLOADS[3] in set(history["Người lưu"])
    next(b for b in at.button if b.key == "hist_undo").click()
    at.run()
    assert not at.exception, at.exception
    held = store.current(rel)
    assert held is not None and held[0] == clean


def test_png_and_pdf_show_script_payloads_as_text(tmp_path: Path) -> None:
    """Every payload of the browser tests, in every field: the PNG and the PDF are made, showing text."""
    offset = rotation_offset()
    folder = _copy(tmp_path / "data")
    poison(folder, PAYLOADS, offset=offset)
    dataset = load_dataset(DataSource(folder, Store(tmp_path / "store.sqlite")))
    options = resolve_options(dataset, view="tong-quan")
    title = load_deck(dataset.source).get("tong-quan").title
    chunks = Image.open(io.BytesIO(export_png(dataset, options))).text  # type: ignore[attr-defined]
    assert chunks["Title"] == title, offset
    reader = pypdf.PdfReader(io.BytesIO(export_pdf(dataset, options)))
    first = re.sub(r"\s+", "", reader.pages[0].extract_text())
    assert re.sub(r"\s+", "", title) in first, offset  # reportlab's markup shows it as text (wrapped)
