"""District reports import as offices write them: no hand edits (issue 8 §1).

Every file is built by the test (``tests/district_reports.py``): titles and the
"Kèm theo Báo cáo số …" line, headers merged over two rows, Times New Roman,
numbers typed the Vietnamese way, totals, notes and a signature block. Each
test asserts the figures that land, the rows and columns skipped (and why),
and where the year and the source came from.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from borderplan_geo import cli
from borderplan_geo.importing import Preview, add_import_command, cli_hint, commit, preview, save_layout
from borderplan_geo.indicators import VALUES_FILE, read_values
from borderplan_geo.sheet_layout import (
    LAYOUTS_FILE,
    fingerprint,
    guess_header,
    header_period,
    label_kind,
    parse_mapping,
    row_kind,
    title_source,
)
from borderplan_geo.store import DataSource, Store
from borderplan_geo.targets import TARGETS_FILE, read_targets
from tests import district_reports as reports

THC, BP, TB = "29929", "29935", "29932"


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "state" / "store.sqlite"
    monkeypatch.setenv("BORDERPLAN_STORE", str(path))
    return path


@pytest.fixture
def source(data_copy: Path, store_path: Path) -> DataSource:
    return DataSource(data_copy, Store(store_path))


def stored_values(source: DataSource) -> dict[tuple[str, str, int], dict[str, object]]:
    targets, _ = read_targets(source.read_bytes(TARGETS_FILE), TARGETS_FILE)
    frame, problems = read_values(source.read_bytes(VALUES_FILE), VALUES_FILE, targets)
    assert not [p for p in problems if p.severity == "error"]
    return {(r["unit_code"], r["indicator"], int(r["year"])): r for r in frame.to_dict("records")}


def skipped_rows(pv: Preview) -> dict[int, str]:
    return {s.row: s.reason for s in pv.skipped if s.row is not None and not s.column}


def skipped_columns(pv: Preview) -> dict[str, str]:
    return {s.column: s.reason for s in pv.skipped if s.column}


# --- the rules, one by one ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "year", "kind"),
    [
        ("Thực hiện năm 2024", 2024, "actual"),
        ("TH 2024", 2024, "actual"),
        ("Năm 2021", 2021, "actual"),
        (2022, 2022, "actual"),
        ("Năm 2024 (%)", 2024, "actual"),
        ("Ước thực hiện năm 2024", 2024, "estimate"),
        ("Ước TH 2024", 2024, "estimate"),
        ("Kế hoạch năm 2025", 2025, "plan"),
        ("KH 2025", 2025, "plan"),
        ("6 tháng đầu năm 2024", 2024, "partial"),
    ],
)
def test_header_period(header: object, year: int, kind: str) -> None:
    period = header_period(header)
    assert period is not None and (period.year, period.kind) == (year, kind)


@pytest.mark.parametrize("header", ["Dân số 2024", "2024/2023", "Giai đoạn 2020-2025", "Ghi chú", None, 17])
def test_header_without_a_period(header: object) -> None:
    assert header_period(header) is None


def test_total_average_note_and_signature_words() -> None:
    assert [label_kind(t) for t in ("Cộng", "Cộng 3 xã", "TỔNG CỘNG", "Toàn huyện", "Chung 3 xã")] == [
        "total"
    ] * 5
    assert [label_kind(t) for t in ("Bình quân", "Bình quân 3 xã", "Trung bình")] == ["average"] * 3
    assert label_kind("Thu nhập bình quân đầu người") is None and label_kind("Tân Hộ Cơ") is None
    assert row_kind(["NGƯỜI LẬP BIỂU", None, "TRƯỞNG PHÒNG"], has_values=False, after_table=False) == (
        "signature",
        "khối chữ ký (người lập biểu, lãnh đạo ký)",
    )
    assert row_kind(["Ghi chú: số ước"], has_values=False, after_table=False)[0] == "note"  # type: ignore[index]
    assert row_kind(["Nguyễn Văn An"], has_values=False, after_table=True)[0] == "after"  # type: ignore[index]
    assert row_kind(["1", "Xã Bình Phú", "96,2"], has_values=True, after_table=False) is None
    assert title_source([f"(Kèm theo {reports.ATTACHED_TO})"]) == reports.ATTACHED_TO


def test_the_layout_key_ignores_years_and_report_numbers() -> None:
    """Next year's file of the same layout has the same fingerprint; another layout does not."""
    from borderplan_geo.io import read_xlsx_sheets

    def key(content: bytes) -> str:
        sheet = read_xlsx_sheets(content, "x.xlsx")[0]
        return fingerprint(sheet.cells, guess_header(sheet.cells))

    this_year = key(reports.unknown_headers(2023))
    assert this_year and this_year == key(reports.unknown_headers(2024, ("81", "82", "79,5")))
    assert this_year != key(reports.communes_in_rows())


def test_parse_mapping_in_english_and_vietnamese() -> None:
    assert parse_mapping(["Đơn vị=xã", "Kỳ BC=năm", "Kết quả=value", "TH 2024=year:2024"]) == {
        "Đơn vị": "commune",
        "Kỳ BC": "year",
        "Kết quả": "value",
        "TH 2024": "year:2024",
    }
    assert parse_mapping(["Cột D=commune:X. Bình Phú"]) == {"Cột D": f"commune:{BP}"}
    with pytest.raises(ValueError, match="không hiểu vai trò 'dân số'"):
        parse_mapping(["Cột E=dân số"])
    with pytest.raises(ValueError, match="thiếu dấu '='"):
        parse_mapping(["Cột E"])


# --- layout A: indicators in rows, communes in columns ------------------------------------------------------


def test_indicators_in_rows_communes_in_columns(source: DataSource) -> None:
    pv = preview("values", "bieu_01.xlsx", reports.indicators_in_rows(), source)
    assert pv.can_commit, pv.report()
    assert pv.question is None
    # The year comes from the merged header "Thực hiện năm 2024"; every change is of 2024.
    assert {c.record.split("/")[2] for c in pv.changes} == {"2024"}
    # Rows skipped, each with why.
    rows = skipped_rows(pv)
    assert "tiêu đề mục" in rows[9]  # "I. CHỈ TIÊU XÃ HỘI": a heading
    assert "không có trong Kế hoạch" in rows[14]  # an indicator the plan does not track
    assert "ghi chú" in rows[16]
    assert "chữ ký" in rows[18] and "chữ ký" in rows[19]
    assert "sau ghi chú/chữ ký" in rows[22]  # the names under the signatures
    assert not {10, 11, 12, 13} & set(rows)
    columns = skipped_columns(pv)
    assert "kế hoạch" in columns["Kế hoạch năm 2025"]
    assert "đối chiếu" in columns["Bình quân 3 xã"]
    # The source is the report the table is attached to, and the report says so.
    assert any("Kèm theo" in p.message and reports.ATTACHED_TO in p.message for p in pv.warnings)
    # The average that disagrees is a warning naming both ways of averaging; the others agree.
    (mismatch,) = [p for p in pv.warnings if "kiểm tra lại" in p.message]
    assert mismatch.row == 12 and mismatch.column == "Bình quân 3 xã"
    assert "ghi 70" in mismatch.message and "bình quân theo số dân" in mismatch.message
    assert "bình quân cộng 60,43" in mismatch.message
    commit(pv, source.store, "anh")  # type: ignore[arg-type]
    got = stored_values(source)
    for code, figures in reports.INDICATOR_ROWS.items():
        for unit, value in zip((THC, BP, TB), figures, strict=True):
            row = got[(unit, code, 2024)]
            assert row["value"] == pytest.approx(value), (code, unit)
            assert row["source"] == reports.ATTACHED_TO and not row["illustrative"]
    assert got[(THC, "income_per_capita", 2024)]["note"] == "Số ước"


@pytest.mark.parametrize(
    ("header", "checked"),
    [("Chung 3 xã", True), ("Toàn huyện", False)],  # the district counts nine units: nothing to check
)
def test_the_common_column_as_offices_name_it(source: DataSource, header: str, checked: bool) -> None:
    pv = preview("values", "bieu_01.xlsx", reports.indicators_in_rows(common_header=header), source)
    assert pv.can_commit, pv.report()
    reason = skipped_columns(pv)[header]
    assert reason.startswith("tổng/bình quân của các xã" if checked else "số chung của toàn huyện")
    mismatches = [p for p in pv.warnings if "kiểm tra lại" in p.message]
    assert [(p.row, p.column) for p in mismatches] == ([(12, header)] if checked else [])
    values = {(c.record, c.new) for c in pv.changes if c.field == "value"}
    assert (f"{BP}/clean_water/2024", "96.2") in values and len(values) == 12


def test_the_review_names_communes_and_speaks_vietnamese(source: DataSource) -> None:
    pv = preview("values", "bieu_01.xlsx", reports.indicators_in_rows(), source)
    review = pv.review()
    first = next(r for r in review if r.field == "Giá trị" and "Tân Hộ Cơ" in r.record)
    assert first.record == "Xã Tân Hộ Cơ · Hộ dân sử dụng nước sạch, hợp vệ sinh · năm 2024"
    assert first.new == "95,6"
    jobs = next(
        r for r in review if r.field == "Giá trị" and "Tạo việc làm" in r.record and "Tân Hộ Cơ" in r.record
    )
    assert jobs.new == "1.020"  # typed "1.020" in the file: one thousand and twenty, shown the same way
    text = pv.report(max_changes=1000)
    assert "29929" not in text and "clean_water" not in text and "value:" not in text
    # The change every figure shares is said once, with how many figures it touches.
    assert "12 số liệu (như nhau) · Số liệu minh họa: có → không" in text
    assert "12 số liệu (như nhau) · Nguồn: " in text and text.count(reports.ATTACHED_TO) == 2  # + the warning


def test_layout_a_saved_as_csv_reads_the_same(source: DataSource) -> None:
    """Offices also "Save as CSV": merged cells keep their text in the first cell only."""
    pv = preview("values", "bieu_01.csv", reports.as_csv(reports.indicators_in_rows()), source)
    assert pv.can_commit, pv.report()
    xlsx = preview("values", "bieu_01.xlsx", reports.indicators_in_rows(), source)
    assert {(c.record, c.field, c.new) for c in pv.changes} == {
        (c.record, c.field, c.new) for c in xlsx.changes
    }


# --- layout B: communes in rows, years in columns ---------------------------------------------------------


def test_communes_in_rows_years_in_columns(source: DataSource) -> None:
    pv = preview("values", "ho_ngheo.xlsx", reports.communes_in_rows(), source)
    assert pv.can_commit, pv.report()
    rows = skipped_rows(pv)
    assert "đánh số cột" in rows[5]
    assert "dòng tổng" in rows[9]
    assert "ghi chú" in rows[11] and "ghi chú" in rows[12]
    assert "chữ ký" in rows[14] and "chữ ký" in rows[15] and "chữ ký" in rows[16]
    assert "sau ghi chú/chữ ký" in rows[19]
    # The total row agrees for 2020–2023 and not for 2024: one warning, on the 2024 cell.
    (mismatch,) = [p for p in pv.warnings if "kiểm tra lại" in p.message]
    assert (mismatch.row, mismatch.column) == (9, "Ước TH 2024")
    assert "ghi 4,9" in mismatch.message and "bình quân theo số hộ" in mismatch.message
    # No Nguồn column, no "Kèm theo": the footnote "Nguồn: …" is the source, and the report says so.
    assert any("ghi chú dòng 12" in p.message for p in pv.warnings)
    commit(pv, source.store, "anh")  # type: ignore[arg-type]
    got = stored_values(source)
    for year, figures in reports.POVERTY.items():
        for unit, value in zip((THC, BP, TB), figures, strict=True):
            row = got[(unit, "poverty_reduction", year)]
            assert row["value"] == pytest.approx(value) and row["source"] == reports.POVERTY_SOURCE
    assert got[(THC, "poverty_reduction", 2024)]["note"] == "ước thực hiện"  # "Ước TH 2024"
    assert got[(TB, "poverty_reduction", 2020)]["note"] == "chuẩn nghèo đa chiều từ 2022"


def test_a_total_that_matches_gives_no_warning(source: DataSource) -> None:
    total = reports.vn(sum(reports.POVERTY[2024]) / 3, 2)
    pv = preview("values", "ho_ngheo.xlsx", reports.communes_in_rows(total_2024=total), source)
    assert pv.can_commit, pv.report()
    assert not [p for p in pv.warnings if "kiểm tra lại" in p.message]


def test_a_sum_is_checked_as_a_sum(source: DataSource) -> None:
    text = "Xã;Chỉ tiêu;Năm;Giá trị;Nguồn\n"
    text += "Tân Hộ Cơ;jobs_created;2024;820;BC\nBình Phú;jobs_created;2024;760;BC\n"
    text += "Thông Bình;jobs_created;2024;690;BC\nCộng;jobs_created;2024;2.250;BC\n"
    pv = preview("values", "viec_lam.csv", text.encode(), source)
    (mismatch,) = [p for p in pv.warnings if "kiểm tra lại" in p.message]
    assert "ghi 2.250" in mismatch.message and "tổng 2.270" in mismatch.message and mismatch.row == 5
    assert pv.can_commit  # a warning, never an error
    fixed = preview("values", "viec_lam.csv", text.replace("2.250", "2.270").encode(), source)
    assert not [p for p in fixed.warnings if "kiểm tra lại" in p.message]


# --- when the importer cannot tell: it asks ---------------------------------------------------------------


def test_unknown_headers_ask_with_a_preview_and_a_best_guess(source: DataSource) -> None:
    pv = preview("values", "rac.xlsx", reports.unknown_headers(), source)
    assert not pv.can_commit and pv.question is not None
    q = pv.question
    assert q.headers == ("TT", "Đơn vị báo cáo", "Kỳ BC", "Kết quả đạt được", "Văn bản nguồn")
    assert q.guesses == ("skip", "commune", "year", "value", "source")
    assert q.rows[0][:4] == ("1", "Tân Hộ Cơ", "2023", "78,5")
    assert set(q.missing) == {"commune", "year", "value"}
    (error,) = pv.errors
    assert error.option == "map" and "--" not in error.message
    # The guesses as the answer: the file imports.
    answered = preview("values", "rac.xlsx", reports.unknown_headers(), source, mapping=q.mapping(q.guesses))
    assert answered.can_commit, answered.report()
    assert answered.layout is not None and answered.layout.fingerprint == q.fingerprint
    assert {c.record for c in answered.changes if c.field == "value"} == {
        f"{u}/waste_collection/2023" for u in (THC, BP, TB)
    }


def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str]:
    def build() -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(prog="borderplan_geo")
        common = argparse.ArgumentParser(add_help=False)
        common.add_argument("--data", default=None)
        sub = parser.add_subparsers(dest="command", required=True)
        add_import_command(sub, common)
        return parser

    monkeypatch.setattr(cli, "build_parser", build)
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out + err


def test_command_line_map_then_saved_layout_for_the_next_file(
    tmp_path: Path,
    data_copy: Path,
    store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = tmp_path / "rac_2023.xlsx"
    first.write_bytes(reports.unknown_headers(2023))
    code, out = run_cli(monkeypatch, capsys, "import", "values", str(first), "--data", str(data_copy))
    assert code == 1
    assert "cột 'Đơn vị báo cáo' (ví dụ: Tân Hộ Cơ) → có vẻ là: Tên hoặc mã xã" in out
    assert '--map "Đơn vị báo cáo=commune"' in out
    maps = ["Đơn vị báo cáo=commune", "Kỳ BC=year", "Kết quả đạt được=value", "Văn bản nguồn=nguồn"]
    args = [x for m in maps for x in ("--map", m)]
    code, out = run_cli(
        monkeypatch,
        capsys,
        "import",
        "values",
        str(first),
        *args,
        "--save-map",
        "--user",
        "anh",
        "--data",
        str(data_copy),
    )
    assert code == 0, out
    assert "Đã lưu cách đọc bảng này" in out
    source = DataSource(data_copy, Store(store_path))
    saved = json.loads(source.read_bytes(LAYOUTS_FILE) or b"{}")["layouts"]
    (entry,) = saved.values()
    assert entry["mapping"]["Đơn vị báo cáo"] == "commune" and entry["saved_by"] == "anh"
    # Next year's file of the same layout: read with the saved layout, no --map.
    second = tmp_path / "rac_2024.xlsx"
    second.write_bytes(reports.unknown_headers(2024, ("81", "82,5", "79")))
    code, out = run_cli(
        monkeypatch, capsys, "import", "values", str(second), "--user", "anh", "--data", str(data_copy)
    )
    assert code == 0, out
    assert "đọc theo cách đọc đã lưu cho mẫu bảng này (lưu bởi anh" in out
    got = stored_values(source)
    assert got[(BP, "waste_collection", 2024)]["value"] == 82.5
    assert got[(BP, "waste_collection", 2023)]["value"] == 80.2


def test_save_layout_needs_a_layout_and_saves_it_once(source: DataSource) -> None:
    plain = preview("values", "bieu_01.xlsx", reports.indicators_in_rows(), source)
    assert save_layout(source, plain, "anh") is None  # read without help: nothing to save
    q = preview("values", "rac.xlsx", reports.unknown_headers(), source).question
    assert q is not None
    pv = preview("values", "rac.xlsx", reports.unknown_headers(), source, mapping=q.mapping(q.guesses))
    assert save_layout(source, pv, "anh") is not None
    assert save_layout(source, pv, "anh") is None  # the same layout again: no new version
    assert source.store is not None and len(source.store.history(LAYOUTS_FILE)) == 1


def test_the_command_line_adds_its_flags_the_library_does_not(source: DataSource) -> None:
    pv = preview("values", "rac.xlsx", reports.unknown_headers(), source)
    (error,) = pv.errors
    assert "--map" in cli_hint(error) and "--map" not in pv.report()


def test_a_district_total_is_not_compared_with_three_communes(source: DataSource) -> None:
    """ "Toàn huyện" counts the nine units: three communes' figures cannot check it."""
    text = "Xã;Năm 2023;Nguồn\nTân Hộ Cơ;820;BC\nBình Phú;760;BC\nThông Bình;690;BC\nToàn huyện;5.900;BC\n"
    pv = preview("values", "viec_lam.csv", text.encode(), source, indicator="jobs_created")
    assert pv.can_commit, pv.report()
    assert not [p for p in pv.warnings if "kiểm tra lại" in p.message]
    assert skipped_rows(pv)[5].startswith("dòng tổng, số chung của toàn huyện: không nhập")
    summed = text.replace("Toàn huyện", "Cộng 3 xã")
    pv = preview("values", "viec_lam.csv", summed.encode(), source, indicator="jobs_created")
    assert [p for p in pv.warnings if "tổng 2.270" in p.message]
