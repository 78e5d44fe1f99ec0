"""Imports and edits that would weaken the data's rules (issue 14 §4), on every way in.

* Defence and security items are always sensitive; changing a sensitive item's
  sector (kind) or flag needs an administrator and is logged: import of
  projects, import of a layer, the data page's editor, undo, the command line.
* Formula-looking text is stored as text and made inert in every CSV a person
  may open in a spreadsheet (``status --format csv``, the app's table downloads).
* Control characters and terminal escapes are removed where text enters
  (the table readers, the editors) and from the command line's tables.

Every refusal is checked to give a Vietnamese message naming the file, the row
and the problem, and to leave the store and the data folder byte for byte as
they were.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from borderplan_geo import cli
from borderplan_geo._errors import DataError
from borderplan_geo._text import clean_text, is_formula_like, spreadsheet_cell, spreadsheet_frame
from borderplan_geo.auth import User, add_user, verify
from borderplan_geo.dataset import load_dataset
from borderplan_geo.editing import PROJECTS_FILE, load_projects, load_values, save_projects, save_values, undo
from borderplan_geo.importing import commit, preview
from borderplan_geo.indicators import VALUES_FILE
from borderplan_geo.layers import layer_file, read_layer
from borderplan_geo.store import DataSource, Store

PASSWORD = "mật-khẩu-đủ-dài-2025"
DEFENCE_ID = "DA-051"  # a shipped defence project, sensitive
POST_ID = "DD-09"  # a shipped border post, sensitive
PUBLIC_ID = "DA-001"  # a shipped transport project, public


def users_file() -> Path:
    return Path(os.environ["BORDERPLAN_USERS"])


def store_file() -> Path:
    return Path(os.environ["BORDERPLAN_STORE"])


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def store_digest() -> str | None:
    path = store_file()
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@pytest.fixture
def source(data_copy: Path) -> DataSource:
    return DataSource(data_copy, Store(store_file()))


@pytest.fixture
def editor() -> User:
    add_user(users_file(), "bien.tap", PASSWORD, role="editor")
    user = verify(users_file(), "bien.tap", PASSWORD)
    assert user is not None
    return user


@pytest.fixture
def admin() -> User:
    add_user(users_file(), "quan.tri", PASSWORD, role="admin")
    user = verify(users_file(), "quan.tri", PASSWORD)
    assert user is not None
    return user


@pytest.fixture
def unchanged(source: DataSource) -> Iterator[None]:
    """The data folder and the store are byte for byte the same after the test's refusals."""
    folder, store = tree_digest(source.data_dir), store_digest()
    yield
    assert tree_digest(source.data_dir) == folder
    assert store_digest() == store


def feature(source: DataSource, key: str, fid: str) -> dict[str, object]:
    content = source.read_bytes(layer_file(key))
    assert content is not None
    props: dict[str, object] = next(
        f["properties"] for f in json.loads(content)["features"] if f["properties"]["id"] == fid
    )
    return props


def refused(exc: DataError, *, file: str, row: int | None, words: str) -> None:
    """One Vietnamese message naming file, row and problem."""
    assert exc.problems, exc
    p = exc.problems[0]
    assert p.file == file and p.row == row, str(p)
    assert words in p.message and "chưa lưu gì" in p.message, p.message


# --- defence and security are always sensitive -------------------------------------------------------

HEADER = "Mã;Tên dự án;Lĩnh vực;Xã;Tình trạng;Tiến độ (%);Kinh độ;Vĩ độ;Nguồn;Nhạy cảm"


def test_a_new_defence_project_imported_as_public_is_stored_sensitive(
    source: DataSource, editor: User
) -> None:
    text = (
        HEADER
        + "\nQP-9;Đường tuần tra mới;Quốc phòng – an ninh;Tân Hộ Cơ;Đang thi công;10;105,45;10,95;BC;không\n"
    )
    pv = preview("projects", "moi.csv", text.encode(), source)
    assert pv.can_commit, pv.report()
    assert any("luôn được đánh dấu nhạy cảm" in p.message and p.row == 2 for p in pv.warnings)
    commit(pv, Store(store_file()), editor)
    assert feature(source, "projects", "QP-9")["sensitive"] is True
    shown = load_dataset(source).projects
    assert bool(shown[shown["id"] == "QP-9"]["sensitive"].iloc[0])


@pytest.mark.parametrize(
    "update",
    [
        "Mã;Lĩnh vực;Nhạy cảm;Nguồn\nDA-051;Cấp nước;không;BC\n",  # the case: now "water", public
        "Mã;Nhạy cảm;Nguồn\nDA-051;false;BC\n",  # same sector, flag cleared: forced back, nothing to change
        "Mã;Lĩnh vực;Nguồn\nDA-051;Giao thông;BC\n",  # sector changed, flag kept
    ],
)
def test_an_editor_cannot_make_a_defence_project_public_by_import(
    source: DataSource, editor: User, update: str, unchanged: None
) -> None:
    pv = preview("projects", "sua.csv", update.encode(), source)
    assert not pv.errors, pv.report()
    if "Lĩnh vực" not in update:  # the flag alone: the rule puts it back, the rest may be saved
        assert not pv.admin_changes and not any(c.field == "sensitive" for c in pv.changes)
        return
    with pytest.raises(DataError) as caught:
        commit(pv, Store(store_file()), editor)
    refused(caught.value, file="sua.csv", row=2, words="cần quản trị viên")
    # The person at the terminal is no administrator either.
    with pytest.raises(DataError, match="cần quản trị viên"):
        commit(pv, Store(store_file()), "ai đó (dòng lệnh)")


def test_an_administrator_may_and_the_change_is_logged(source: DataSource, admin: User) -> None:
    update = "Mã;Lĩnh vực;Nhạy cảm;Nguồn\nDA-051;Cấp nước;không;Quyết định điều chỉnh 2025\n"
    pv = preview("projects", "sua.csv", update.encode(), source)
    version = commit(pv, Store(store_file()), admin)
    assert version is not None and version.author == "quan.tri"
    props = feature(source, "projects", DEFENCE_ID)
    assert props["sector"] == "water" and props["sensitive"] is False
    log = Store(store_file()).audit_log(PROJECTS_FILE)
    assert any(
        e["record"] == DEFENCE_ID and e["field"] == "(mục nhạy cảm)" and "quan.tri" in str(e["new"])
        for e in log
    )
    assert any(e["record"] == DEFENCE_ID and e["field"] == "sensitive" for e in log)


def test_a_border_post_is_sensitive_on_a_layer_import(
    source: DataSource, editor: User, unchanged: None
) -> None:
    new = "Mã;Tên;Loại;Xã;Kinh độ;Vĩ độ;Nguồn;Nhạy cảm\nDD-99;Trạm biên phòng mới;Đồn, trạm biên phòng;Tân Hộ Cơ;105,44;10,95;BC;0\n"
    pv = preview("layer", "dia_diem.csv", new.encode(), source, layer="sites")
    assert pv.can_commit, pv.report()
    content = json.loads(pv.content or b"{}")
    assert (
        next(f for f in content["features"] if f["properties"]["id"] == "DD-99")["properties"]["sensitive"]
        is True
    )
    demote = "Mã;Loại;Nhạy cảm;Nguồn\nDD-09;Chợ;không;BC\n"
    pv = preview("layer", "dia_diem.csv", demote.encode(), source, layer="sites")
    with pytest.raises(DataError) as caught:
        commit(pv, Store(store_file()), editor)
    refused(caught.value, file="dia_diem.csv", row=2, words="cần quản trị viên")


def test_the_layer_reader_keeps_a_border_post_sensitive(source: DataSource) -> None:
    content = source.read_bytes(layer_file("sites"))
    assert content is not None
    doc = json.loads(content)
    for f in doc["features"]:
        f["properties"]["sensitive"] = False
    frame, problems = read_layer(json.dumps(doc).encode(), "sites")
    posts = frame[frame["kind"] == "border_post"]
    assert len(posts) >= 1 and posts["sensitive"].all()
    assert any("luôn được đánh dấu nhạy cảm" in p.message for p in problems)


def test_an_editor_cannot_demote_a_sensitive_project_in_the_table(
    source: DataSource, editor: User, unchanged: None
) -> None:
    table = load_projects(source)
    row = int(table.frame.index[table.frame["id"] == DEFENCE_ID][0])
    for column, value in (("sector", "Cấp nước"), ("sensitive", False)):
        frame = table.frame.copy()
        frame.loc[row, column] = value
        if column == "sensitive":  # the flag alone on a defence project: put back, nothing changes
            assert save_projects(source, frame, base_sha=table.base_sha, author=editor) is None
            continue
        with pytest.raises(DataError) as caught:
            save_projects(source, frame, base_sha=table.base_sha, author=editor)
        refused(caught.value, file="bảng sửa trên ứng dụng", row=row + 1, words="cần quản trị viên")


def test_a_flag_an_administrator_set_stays_unless_an_administrator_clears_it(
    source: DataSource, editor: User, admin: User
) -> None:
    table = load_projects(source)
    row = int(table.frame.index[table.frame["id"] == PUBLIC_ID][0])
    frame = table.frame.copy()
    frame.loc[row, "sensitive"] = True
    save_projects(source, frame, base_sha=table.base_sha, author=admin)
    table = load_projects(source)
    frame = table.frame.copy()
    frame.loc[row, "sensitive"] = False
    before = store_digest()
    with pytest.raises(DataError) as caught:
        save_projects(source, frame, base_sha=table.base_sha, author=editor)
    refused(caught.value, file="bảng sửa trên ứng dụng", row=row + 1, words="dấu nhạy cảm")
    assert store_digest() == before
    save_projects(source, frame, base_sha=table.base_sha, author=admin)
    assert feature(source, "projects", PUBLIC_ID)["sensitive"] is False


def test_the_table_stores_a_new_defence_project_sensitive(source: DataSource, editor: User) -> None:
    table = load_projects(source)
    new = dict.fromkeys(table.frame.columns)
    new.update(
        id="QP-NEW",
        name="Chốt dân quân",
        sector="Quốc phòng – an ninh",
        commune_code="29929",
        status="Chuẩn bị đầu tư",
        progress=0,
        source="BC",
        accuracy="approximate",
        illustrative=False,
        sensitive=False,
        lon=105.44,
        lat=10.95,
    )
    frame = pd.concat([table.frame, pd.DataFrame([new])], ignore_index=True)
    save_projects(source, frame, base_sha=table.base_sha, author=editor)
    assert feature(source, "projects", "QP-NEW")["sensitive"] is True


def test_the_table_lets_an_administrator_and_logs_it(source: DataSource, admin: User) -> None:
    table = load_projects(source)
    frame = table.frame.copy()
    frame.loc[frame["id"] == DEFENCE_ID, "sector"] = "Giao thông"
    save_projects(source, frame, base_sha=table.base_sha, author=admin)
    assert feature(source, "projects", DEFENCE_ID)["sector"] == "transport"
    log = Store(store_file()).audit_log(PROJECTS_FILE)
    assert [e["author"] for e in log if e["field"] == "(mục nhạy cảm)"] == ["quan.tri"]


def test_an_undo_cannot_clear_a_flag_an_administrator_set(
    source: DataSource, admin: User, editor: User
) -> None:
    table = load_projects(source)
    frame = table.frame.copy()
    frame.loc[frame["id"] == PUBLIC_ID, "sensitive"] = True
    save_projects(source, frame, base_sha=table.base_sha, author=admin)
    before = store_digest()
    with pytest.raises(DataError) as caught:
        undo(source, PROJECTS_FILE, author=editor)
    refused(caught.value, file=PROJECTS_FILE, row=None, words="cần quản trị viên")
    assert caught.value.problems[0].value == PUBLIC_ID
    assert store_digest() == before
    undo(source, PROJECTS_FILE, author=admin)
    assert feature(source, "projects", PUBLIC_ID)["sensitive"] is False
    log = Store(store_file()).audit_log(PROJECTS_FILE)
    assert [e["action"] for e in log if e["field"] == "(mục nhạy cảm)"] == ["undo"]


def test_the_command_line_needs_an_administrators_name(
    source: DataSource, admin: User, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sua.csv"
    path.write_text("Mã;Lĩnh vực;Nhạy cảm;Nguồn\nDA-051;Cấp nước;không;BC\n", encoding="utf-8")
    before = store_digest()
    code = cli.main(["import", "projects", str(path), "--data", str(source.data_dir), "--as", "khach"])
    assert code == 1 and "cần quản trị viên" in capsys.readouterr().err
    assert store_digest() == before
    code = cli.main(["import", "projects", str(path), "--data", str(source.data_dir), "--as", "quan.tri"])
    assert code == 0, capsys.readouterr()
    assert feature(source, "projects", DEFENCE_ID)["sensitive"] is False


# --- formula-looking text ----------------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://example.invalid/?x="&A1,"Bấm vào")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C notepad'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_text_is_neutralised_for_a_spreadsheet(text: str) -> None:
    assert is_formula_like(text)
    assert spreadsheet_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["-1,5", "-2.250", "+84 912 345 678", "-1,5 điểm %", -1.5, 3, None, "Trạm bơm"]
)
def test_numbers_and_plain_text_stay_as_they_are(value: object) -> None:
    assert spreadsheet_cell(value) == value


def test_formula_text_is_stored_as_text_exactly(source: DataSource, editor: User) -> None:
    text = "Xã;Chỉ tiêu;Năm;Giá trị;Nguồn;Ghi chú\n" + "".join(
        f'Bình Phú;clean_water;{2020 + i};-1,5;"{t.replace(chr(34), chr(34) * 2)}";@ghi chú {i}\n'
        for i, t in enumerate(FORMULAS[:4])
    )
    pv = preview("values", "cong_thuc.csv", text.encode(), source)
    assert any(p.column for p in pv.errors) or pv.can_commit, pv.report()
    # -1,5 % is refused as a share below 0: the number stays a number and is checked as one.
    assert any("-1.5" in str(p.value) or "-1,5" in p.message or "nhỏ hơn" in p.message for p in pv.errors)
    pv = preview("values", "cong_thuc.csv", text.replace(";-1,5;", ";97,5;").encode(), source)
    assert pv.can_commit, pv.report()
    commit(pv, Store(store_file()), editor)
    stored = list(csv.DictReader(io.StringIO((source.read_bytes(VALUES_FILE) or b"").decode("utf-8"))))
    sources = {r["source"] for r in stored}
    assert set(FORMULAS[:4]) <= sources  # as typed, no apostrophe added to the stored data
    values = load_values(source).frame
    assert set(FORMULAS[:4]) <= set(values["source"])


def _hostile_copy(data_copy: Path) -> Path:
    path = data_copy / "indicators" / "values.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for i, row in enumerate(r for r in rows if r["indicator"] == "clean_water"):
        row["source"] = FORMULAS[i % len(FORMULAS)].replace("\r", "")
        row["note"] = "-ghi chú"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return data_copy


def test_status_csv_makes_formulas_inert_and_keeps_numbers(
    data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _hostile_copy(data_copy)
    code = cli.main(["status", "--data", str(folder), "--indicator", "clean_water", "--format", "csv"])
    out = capsys.readouterr().out
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows
    for row in rows:
        for name, cell in row.items():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), (name, cell)
            if cell.startswith("-"):
                float(cell)  # a minus sign only before a number
    assert any(r["source"].startswith("'=HYPERLINK(") for r in rows)
    float(rows[0]["value"])  # numbers stay numbers


def test_the_app_tables_download_formulas_inert(data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BORDERPLAN_DATA", str(_hostile_copy(data_copy)))
    at = AppTest.from_string("from app_ui import map_page\nmap_page.render()\n", default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    cells = [str(v) for df in at.dataframe for v in pd.DataFrame(df.value).astype(str).to_numpy().ravel()]
    # The ranking is a st.table (cells are Markdown, escaped): shown as written once the escapes are read.
    shown = [
        str(v).replace("\\", "")
        for t in at.table
        for v in pd.DataFrame(t.value).astype(str).to_numpy().ravel()
    ]
    assert {"'=1+1", "'-2+3+cmd|' /C calc'!A0"} <= set(shown)  # the ranking's sources, made inert
    cells += shown
    assert not [c for c in cells if c.startswith(("=", "@", "+", "\t"))]


def test_spreadsheet_frame_reaches_headers_and_text_only() -> None:
    frame = pd.DataFrame({"=A1": ["=1+1", "ok"], "n": [-1.5, 2.0]})
    out = spreadsheet_frame(frame)
    assert list(out.columns) == ["'=A1", "n"]
    assert list(out["'=A1"]) == ["'=1+1", "ok"] and list(out["n"]) == [-1.5, 2.0]
    assert list(frame["=A1"]) == ["=1+1", "ok"]  # the frame given is left as it was


# --- control characters and terminal escapes ----------------------------------------------------------

ESCAPES = "\x1b[2J\x1b[H\x1b[31mĐỎ\x1b[0m\x1b]0;tiêu đề\x07\x9b2J\x08\u202e"
#: What a worksheet can hold (XML forbids C0 controls): C1 escapes and a bidirectional override.
XLSX_ESCAPES = "\x9b2J\x9b31mĐỎ\x9b0m\x9d0;tiêu đề\x9c\u202e"


def test_clean_text_removes_controls_and_escape_sequences() -> None:
    assert clean_text(f"Trạm {ESCAPES}\x00 bơm") == "Trạm ĐỎ bơm"
    assert clean_text(f"Trạm {XLSX_ESCAPES} bơm") == "Trạm ĐỎ bơm"
    assert clean_text("dòng 1\r\ndòng 2\rdòng 3\tcột") == "dòng 1\ndòng 2\ndòng 3\tcột"
    assert clean_text("Tân Hộ Cơ") == "Tân Hộ Cơ"


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_imported_text_loses_escapes(source: DataSource, editor: User, kind: str) -> None:
    escapes = ESCAPES if kind == "csv" else XLSX_ESCAPES
    header = ["Mã", "Tên dự án", "Lĩnh vực", "Xã", "Tình trạng", "Tiến độ (%)", "Kinh độ", "Vĩ độ", "Nguồn"]
    row = [
        "DA-ESC",
        f"Trạm bơm{escapes}",
        "Cấp nước",
        "Tân Hộ Cơ",
        "Đang thi công",
        5,
        105.45,
        10.9,
        f"BC{escapes}",
    ]
    if kind == "csv":
        buf = io.StringIO()
        csv.writer(buf, delimiter=";", lineterminator="\n").writerows([header, row])
        content = buf.getvalue().encode()
    else:
        content = _xlsx([header, row])
    pv = preview("projects", f"tram{ESCAPES}.{kind}", content, source)
    assert pv.can_commit, pv.report()
    assert "\x1b" not in pv.report() and "\x9b" not in pv.report()
    commit(pv, Store(store_file()), editor)
    props = feature(source, "projects", "DA-ESC")
    assert props["name"] == "Trạm bơmĐỎ" and props["source"] == "BCĐỎ"
    assert "\x1b" not in (Store(store_file()).history(PROJECTS_FILE)[0].note)


def test_edited_text_loses_escapes(source: DataSource, editor: User) -> None:
    table = load_values(source)
    frame = table.frame.copy()
    frame.loc[0, "note"] = f"ghi chú{ESCAPES}"
    save_values(source, frame, base_sha=table.base_sha, author=editor)
    assert "ghi chúĐỎ" in set(load_values(source).frame["note"])
    projects = load_projects(source)
    frame = projects.frame.copy()
    frame.loc[frame["id"] == PUBLIC_ID, "name"] = f"Đường{ESCAPES}"
    save_projects(source, frame, base_sha=projects.base_sha, author=editor)
    assert feature(source, "projects", PUBLIC_ID)["name"] == "ĐườngĐỎ"


def test_cli_tables_cannot_repaint_the_terminal(data_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A data folder edited by hand (not through the importer) with escapes in a note the table shows.
    path = data_copy / "indicators" / "values.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["indicator"] == "clean_water":
            row["note"] = f"ghi chú{ESCAPES}"
    with path.open("w", encoding="utf-8", newline="") as out_file:
        writer = csv.DictWriter(out_file, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    code = cli.main(["status", "--data", str(data_copy), "--indicator", "clean_water"])
    out = capsys.readouterr().out
    assert code == 0
    assert "ghi chúĐỎ" in out  # the note is shown, without its escapes
    assert not any(ch in out for ch in "\x1b\x9b\x07\x00\x08\u202e")
    table = cli.render_table([{"a": f"x{ESCAPES}\ny"}], [("a", f"Cột{ESCAPES}")])
    assert "\x1b" not in table and "\n" not in table.splitlines()[2] and "CộtĐỎ" in table
