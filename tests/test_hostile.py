"""Hostile and careless files and data folders: a Vietnamese message, never a hang or a traceback.

Every row of :data:`tests.hostile_cases.CASES` runs in a child process killed
at 30 s (which fails the case), through the command line (``import``,
``validate``, ``status``, ``export``) or the library's ``preview``. Each one
asserts: a message with Vietnamese diacritics that names the file and holds the
expected words, exit code 1 (0 for the case that must still succeed), no
traceback, every file of the data folder and the store unchanged (SHA-256
before and after), and for the cases that point at local files or URLs: no
line of the secret file nor of ``/etc/passwd`` in the output or the data, no
request to the local server.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyogrio
import pytest

from borderplan_geo import _gdal
from borderplan_geo._errors import DataError
from borderplan_geo.io import read_user_file
from borderplan_geo.settings import ImportLimits, get_settings
from tests import hostile_cases as cases
from tests import hostile_corpus as corpus
from tests import hostile_files as hf
from tests.test_importing import BAD_INPUTS

SYNONYMS = {"name": ("tên",), "id": ("mã",)}


@pytest.mark.parametrize("case", cases.CASES, ids=[c.name for c in cases.CASES])
def test_hostile_case(case: corpus.Case, tmp_path: Path) -> None:
    outcome = corpus.run_case(case, tmp_path)
    assert not outcome.failures(), f"{outcome.failures()}\n--- output ---\n{outcome.output[-3000:]}"


def test_the_corpus_covers_every_section_and_the_existing_cases() -> None:
    sections = {c.section for c in cases.CASES}
    assert {"§2", "§3", "§3b", "§4", "existing"} <= sections
    existing = [c for c in cases.CASES if c.name.startswith("test_importing: ")]
    assert len(existing) == len(BAD_INPUTS) == 27
    assert len({c.name for c in cases.CASES}) == len(cases.CASES)


@pytest.mark.parametrize(
    "case",
    [c for c in cases.CASES if c.name.startswith(("VRT saved as .geojson", "corrupt store / status"))],
)
def test_the_real_entry_point_too(case: corpus.Case, tmp_path: Path) -> None:
    """Two cases again as ``python -m borderplan_geo`` in a fresh interpreter, not a fork."""
    outcome = corpus.run_case(case, tmp_path, python=sys.executable, cwd=corpus.ROOT)
    assert not outcome.failures(), f"{outcome.failures()}\n{outcome.output[-3000:]}"


def test_a_case_that_hangs_is_killed_and_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The watchdog itself: a command still running at the deadline is a hang, not a pass."""
    monkeypatch.setattr(corpus, "TIMEOUT_S", 0.5)
    case = corpus.Case(
        "sleeps", "test", "preview", cases.preview_file("values", "a.csv", lambda ws: b"x"), "", "a.csv"
    )
    monkeypatch.setattr(corpus, "_PREVIEW", "import time\ntime.sleep(30)\n")
    outcome = corpus.run_case(case, tmp_path)
    assert outcome.hung and "killed after" in outcome.failures()[0]


# --- GDAL locked down ----------------------------------------------------------------------------------------


def test_only_the_allowed_drivers_are_left() -> None:
    _gdal.harden()
    assert set(pyogrio.list_drivers()) <= _gdal.ALLOWED_DRIVERS
    assert {"OGR_VRT", "CSV", "GML", "WFS", "OAPIF", "SQLite"}.isdisjoint(pyogrio.list_drivers())


def test_gdal_makes_no_request_even_when_asked_directly(tmp_path: Path) -> None:
    """Below the readers' own checks: /vsicurl/ opens no URL at all."""
    _gdal.harden()
    url = corpus.http_base() + "/direct-gdal-check/x.geojson"
    with pytest.raises(Exception):  # noqa: B017 - pyogrio raises DataSourceError, or an OSError
        pyogrio.read_info("/vsicurl/" + url)
    assert not [h for h in corpus._Recorder.hits if "direct-gdal-check" in h]


def test_a_vrt_is_refused_whatever_its_suffix(tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text(hf.SECRET_CSV, encoding="utf-8")
    for name in ("a.geojson", "a.json", "a.kml", "a.csv", "a.gpkg"):
        with pytest.raises(DataError, match="VRT") as exc:
            read_user_file(name, hf.vrt(str(secret), "secret"), SYNONYMS)
        assert not any(line in str(exc.value) for line in hf.SECRET_LINES)


# --- what is still read -----------------------------------------------------------------------------------


def test_geojson_crs_by_epsg_code_is_read_and_removed_before_gdal() -> None:
    content = hf.geojson(
        [hf.project_feature(1)], crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::5897"}}
    )
    (table,), _ = read_user_file("a.geojson", content, SYNONYMS)
    assert table.crs is not None and table.crs.to_epsg() == 5897
    crs84 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    (table,), _ = read_user_file("b.geojson", hf.geojson([hf.project_feature(1)], crs=crs84), SYNONYMS)
    assert table.crs is not None and table.crs.to_epsg() == 4326
    (table,), _ = read_user_file("c.geojson", hf.geojson([hf.project_feature(1)]), SYNONYMS)
    assert table.crs is None


def test_kml_with_a_web_icon_and_a_local_style_is_read() -> None:
    body = (
        "<Style id='s'><IconStyle><Icon><href>http://maps.google.com/mapfiles/kml/paddle/red-circle.png</href>"
        "</Icon></IconStyle></Style><Placemark><name>Trạm bơm</name><styleUrl>#s</styleUrl>"
        f"<Point><coordinates>{hf.LON},{hf.LAT}</coordinates></Point></Placemark>"
    )
    (table,), _ = read_user_file("tram.kml", hf.kml(body), SYNONYMS)
    assert table.records[0].cells["name"] == "Trạm bơm"


def test_kmz_reads_its_doc_kml() -> None:
    content = hf.zip_of({"doc.kml": hf.kml(hf.placemark("Trạm KMZ")), "files/icon.png": b"\x89PNG"})
    (table,), _ = read_user_file("tram.kmz", content, SYNONYMS)
    assert table.records[0].cells["name"] == "Trạm KMZ"


def test_a_merged_title_and_a_styled_empty_cell_far_away_are_read() -> None:
    """Limits count cells with a value: a formatted empty cell at XFD1048576 is no reason to refuse."""
    cells = {
        "A1": "BÁO CÁO NƯỚC SẠCH",
        **{"A2": "Xã", "B2": "Chỉ tiêu", "C2": "Năm", "D2": "Giá trị", "E2": "Nguồn"},
        **{"A3": "Tân Hộ Cơ", "B3": "clean_water", "C3": 2023, "D3": 96, "E3": "BC 12"},
    }
    sheet = hf.sheet_xml(cells, merges=("A1:E1",))
    sheet = sheet.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="1"/></row></sheetData>')
    synonyms = {"unit": ("xã",), "value": ("giá trị",), "year": ("năm",)}
    (table,), _ = read_user_file("bao_cao.xlsx", hf.xlsx(sheet), synonyms)
    assert [r.cells["unit"] for r in table.records] == ["Tân Hộ Cơ"]
    assert table.header_rows == (2,) and "BÁO CÁO NƯỚC SẠCH" in table.title


def test_limits_come_from_the_settings_and_can_be_lowered() -> None:
    assert get_settings().limits == ImportLimits()
    text = ("Mã;Tên\n" + "".join(f"M{i};Tên {i}\n" for i in range(20))).encode()
    with pytest.raises(DataError, match="hơn 10 dòng"):
        read_user_file("a.csv", text, SYNONYMS, limits=ImportLimits(max_rows=10))
    (table,), _ = read_user_file("a.csv", text, SYNONYMS, limits=ImportLimits(max_rows=21))
    assert len(table.records) == 20


def test_a_csv_of_the_row_limit_is_read() -> None:
    limits = get_settings().limits
    rows = "".join(f"M{i};Tên {i}\n" for i in range(limits.max_rows - 1))
    (table,), _ = read_user_file("a.csv", ("Mã;Tên\n" + rows).encode(), SYNONYMS)
    assert len(table.records) == limits.max_rows - 1


def test_geojson_nan_is_refused_not_passed_on() -> None:
    """Python reads NaN in JSON; GDAL and browsers do not: refused with a message."""
    text = hf.geojson([hf.project_feature(1)]).decode().replace('"progress": 0', '"progress": NaN')
    with pytest.raises(DataError, match=r"a\.geojson: lỗi: GeoJSON có giá trị không hợp lệ"):
        read_user_file("a.geojson", text.encode(), SYNONYMS)


def test_sniffing_a_csv_with_a_huge_field_does_not_raise() -> None:
    from borderplan_geo.io import sniff_delimiter

    assert sniff_delimiter("a;b;c\n1;2;3\n" + "x" * 200_000 + ";1;2\n") == ";"


# --- the same rules on the app's surfaces ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (cases.cut_utf8, "indicators/values.csv"),
        (cases.corrupt_store, "store.sqlite"),
        (lambda ws: (ws.data / "views" / "slides.json").write_bytes(b"{"), None),
    ],
    ids=["values.csv cut inside a character", "corrupt store", "broken slides.json"],
)
def test_a_broken_data_folder_shows_messages_on_the_map_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: object, needle: str | None
) -> None:
    """No traceback on the page: the errors the readers found, in Vietnamese, naming the file."""
    from streamlit.testing.v1 import AppTest

    ws = corpus.Workspace(tmp_path, "app")
    change(ws)  # type: ignore[operator]
    monkeypatch.setenv("BORDERPLAN_DATA", str(ws.data))
    monkeypatch.setenv("BORDERPLAN_STORE", str(ws.store))
    at = AppTest.from_file(str(corpus.ROOT / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    if needle is None:  # the map does not need the slides: it still draws
        assert not at.error
        return
    assert at.error and "Dữ liệu có lỗi" in at.error[0].value
    assert any(needle in block.value for block in at.code)


def test_validate_reads_the_slides_and_meta_with_the_apps_readers(tmp_path: Path) -> None:
    """One rule, one place: validate's answer on slides.json and meta.json is the readers' own."""
    from borderplan_geo.dataset import META_FILE, read_meta, validate
    from borderplan_geo.slides import SLIDES_FILE, read_deck
    from borderplan_geo.store import DataSource, Store

    ws = corpus.Workspace(tmp_path, "validate")
    (ws.data / SLIDES_FILE).write_bytes(b'{"views": [{"name": "a", "kind": "bieu_do"}]}')
    (ws.data / META_FILE).write_bytes(b'{"data_date": "2025-13-01"}')
    problems = validate(DataSource(ws.data, Store(ws.store)))
    assert read_deck((ws.data / SLIDES_FILE).read_bytes())[1][0] in problems
    assert read_meta((ws.data / META_FILE).read_bytes())[1][0] in problems


# --- the last nets: an error no check foresaw ----------------------------------------------------------------


def test_preview_turns_an_unforeseen_error_into_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from borderplan_geo import importing
    from borderplan_geo.store import DataSource, Store

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a reader's bug")

    monkeypatch.setattr(importing, "read_user_file", broken)
    ws = corpus.Workspace(tmp_path, "net")
    pv = importing.preview("values", "so_lieu.csv", b"a;b\n1;2\n", DataSource(ws.data, Store(ws.store)))
    assert not pv.can_commit
    assert pv.errors[0].file == "so_lieu.csv" and "lỗi không lường trước" in pv.errors[0].message
    assert "KeyError" in pv.errors[0].detail and "KeyError" not in pv.errors[0].message  # for the technician


def test_the_command_line_turns_an_unforeseen_error_into_a_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from borderplan_geo import cli

    def broken(args: object) -> int:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli, "cmd_validate", broken)
    assert cli.main(["validate"]) == 1
    err = capsys.readouterr().err
    assert (
        "Lỗi không lường trước khi chạy lệnh 'validate' (ZeroDivisionError" in err and "Traceback" not in err
    )
    monkeypatch.setenv("BORDERPLAN_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        cli.main(["validate"])
