"""``python -m borderplan_geo history`` and ``undo``: repair the data from a terminal (issue 14 §0).

A broken save can stop the app before its history tab; these two commands need
neither the app nor a readable data set.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from borderplan_geo.auth import add_user
from borderplan_geo.cli import main
from borderplan_geo.indicators import VALUES_FILE
from borderplan_geo.layers import layer_file
from borderplan_geo.store import DataSource, Store, sha256

ROOT = Path(__file__).resolve().parents[1]


def store_file() -> Path:
    return Path(os.environ["BORDERPLAN_STORE"])


def digest() -> str | None:
    path = store_file()
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def source(data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> DataSource:
    monkeypatch.delenv("BORDERPLAN_USER", raising=False)
    return DataSource(data_copy, Store(store_file()))


def save_values(source: DataSource, content: bytes, author: str, note: str) -> None:
    assert source.store is not None
    source.store.save(
        VALUES_FILE,
        content,
        base_sha=source.version(VALUES_FILE),
        folder_content=source.folder_bytes(VALUES_FILE),
        author=author,
        note=note,
    )


def test_history_of_an_empty_store_says_so(source: DataSource, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "history", "--data", str(source.data_dir))
    assert code == 0 and "Chưa có phiên bản nào" in out
    assert not store_file().exists()  # a read creates nothing


def test_history_lists_versions_newest_first_and_filters(
    source: DataSource, capsys: pytest.CaptureFixture[str]
) -> None:
    original = source.read_bytes(VALUES_FILE) or b""
    save_values(source, original + b"", "chị Lan", "nhập số liệu 2024")
    save_values(source, original.replace(b"97", b"96", 1), "anh Minh", "sửa số liệu")
    assert source.store is not None
    source.store.save(
        layer_file("sites"),
        b'{"type": "FeatureCollection", "features": []}',
        base_sha=source.version(layer_file("sites")),
        folder_content=source.folder_bytes(layer_file("sites")),
        author="chị Lan",
        note="xóa hết địa điểm",
    )
    code, out, _ = run(capsys, "history", "--data", str(source.data_dir))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["Tệp", "Phiên", "bản", "Lúc", "(UTC)", "Người", "lưu", "Ghi", "chú"]
    body = lines[2:]
    assert len(body) == 3 and "projects/sites.geojson" in body[0] and "anh Minh" in body[1]
    code, out, _ = run(capsys, "history", VALUES_FILE, "--data", str(source.data_dir), "--format", "json")
    rows = json.loads(out)
    assert [(r["path"], r["version"], r["author"], r["note"]) for r in rows] == [
        (VALUES_FILE, 2, "anh Minh", "sửa số liệu"),
        (VALUES_FILE, 1, "chị Lan", "nhập số liệu 2024"),
    ]
    assert all(r["saved_at"] and r["removed"] is False for r in rows)


def test_undo_repairs_a_save_that_broke_the_app(
    source: DataSource, capsys: pytest.CaptureFixture[str]
) -> None:
    original = source.read_bytes(VALUES_FILE)
    save_values(source, b"unit_code,indicator\n29929,clean_water\n", "chị Lan", "nhập tệp hỏng")
    code, _, _ = run(capsys, "status", "--data", str(source.data_dir))
    assert code == 1  # the data set no longer loads: the app's pages stop too
    code, out, err = run(capsys, "undo", VALUES_FILE, "--as", "kỹ thuật viên", "--data", str(source.data_dir))
    assert code == 0, err
    assert "Đã hoàn tác phiên bản 1 của indicators/values.csv" in out
    assert "chị Lan" in out and "nhập tệp hỏng" in out and "tệp gốc trong thư mục dữ liệu" in out
    assert "người hoàn tác: kỹ thuật viên" in out
    assert source.read_bytes(VALUES_FILE) == original
    code, out, _ = run(capsys, "validate", "--data", str(source.data_dir))
    assert code == 0, out
    assert source.store is not None
    newest = source.store.history(VALUES_FILE)[0]
    assert (newest.version, newest.author, newest.note) == (2, "kỹ thuật viên", "hoàn tác phiên bản 1")


def test_undo_brings_back_the_version_before(source: DataSource, capsys: pytest.CaptureFixture[str]) -> None:
    original = source.read_bytes(VALUES_FILE) or b""
    first = original.replace(b"97", b"96", 1)
    save_values(source, first, "a", "một")
    save_values(source, first.replace(b"96", b"95", 1), "b", "hai")
    code, out, _ = run(capsys, "undo", VALUES_FILE, "--as", "c", "--data", str(source.data_dir))
    assert code == 0 and "như phiên bản 1 (một)" in out
    assert source.read_bytes(VALUES_FILE) == first


def test_undo_needs_an_author(
    source: DataSource, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    save_values(source, b"x", "a", "một")
    before = digest()
    code, _, err = run(capsys, "undo", VALUES_FILE, "--data", str(source.data_dir))
    assert code == 1 and "cần ghi tên người hoàn tác" in err and "chưa sửa gì" in err
    assert digest() == before
    monkeypatch.setenv("BORDERPLAN_USER", "chị Lan")
    code, out, _ = run(capsys, "undo", VALUES_FILE, "--data", str(source.data_dir))
    assert code == 0 and "người hoàn tác: chị Lan" in out


def test_undo_refuses_when_someone_saved_since_the_version_seen(
    source: DataSource, capsys: pytest.CaptureFixture[str]
) -> None:
    original = source.read_bytes(VALUES_FILE) or b""
    save_values(source, original.replace(b"97", b"96", 1), "a", "một")
    save_values(source, original.replace(b"97", b"95", 1), "b", "hai")  # saved after "history" was read
    before = digest()
    code, _, err = run(
        capsys, "undo", VALUES_FILE, "--as", "c", "--expect-version", "1", "--data", str(source.data_dir)
    )
    assert code == 1 and "người khác lưu" in err and "b" in err
    assert digest() == before
    code, _, err = run(
        capsys, "undo", VALUES_FILE, "--as", "c", "--expect-version", "9", "--data", str(source.data_dir)
    )
    assert code == 1 and "Không có phiên bản 9" in err
    code, _, _ = run(
        capsys, "undo", VALUES_FILE, "--as", "c", "--expect-version", "2", "--data", str(source.data_dir)
    )
    assert code == 0


def test_nothing_to_undo_is_said_in_vietnamese(
    source: DataSource, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "undo", VALUES_FILE, "--as", "c", "--data", str(source.data_dir))
    assert code == 1 and "Không có thay đổi nào của indicators/values.csv để hoàn tác" in err
    assert not store_file().exists()


def test_a_named_account_undoes_with_its_role(source: DataSource, capsys: pytest.CaptureFixture[str]) -> None:
    # An administrator made a public project sensitive; only an administrator may take that back.
    path = layer_file("projects")
    doc = json.loads(source.read_bytes(path) or b"{}")
    for f in doc["features"]:
        if f["properties"]["id"] == "DA-001":
            f["properties"]["sensitive"] = True
    assert source.store is not None
    source.store.save(
        path,
        json.dumps(doc, ensure_ascii=False).encode(),
        base_sha=source.version(path),
        folder_content=source.folder_bytes(path),
        author="quan.tri",
    )
    before = digest()
    code, _, err = run(capsys, "undo", path, "--as", "khach", "--data", str(source.data_dir))
    assert code == 1 and "cần quản trị viên" in err and "DA-001" not in err.split(":")[0]
    assert digest() == before
    add_user(Path(os.environ["BORDERPLAN_USERS"]), "quan.tri", "mật-khẩu-đủ-dài-2025", role="admin")
    code, _, err = run(capsys, "undo", path, "--as", "quan.tri", "--data", str(source.data_dir))
    assert code == 0, err
    assert sha256(source.read_bytes(path)) == sha256(source.folder_bytes(path))


def test_history_output_cannot_repaint_the_terminal(
    source: DataSource, capsys: pytest.CaptureFixture[str]
) -> None:
    save_values(source, b"x", "anh\x1b[2J\x1b[31m", "ghi chú\x1b]0;tiêu đề\x07\x9b2J\r\nhai dòng")
    code, out, _ = run(capsys, "history", "--data", str(source.data_dir))
    assert code == 0
    assert not any(ch in out for ch in "\x1b\x9b\x07\r")
    assert "ghi chú hai dòng" in out
    code, out, _ = run(capsys, "undo", VALUES_FILE, "--as", "c\x1b[2J", "--data", str(source.data_dir))
    assert code == 0 and "\x1b" not in out


def test_the_commands_run_as_a_module(source: DataSource) -> None:
    save_values(source, b"x", "chị Lan", "một")
    env = {**os.environ, "BORDERPLAN_USER": "kỹ thuật viên"}
    history = subprocess.run(
        [sys.executable, "-m", "borderplan_geo", "history", "--data", str(source.data_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert history.returncode == 0 and "chị Lan" in history.stdout
    done = subprocess.run(
        [sys.executable, "-m", "borderplan_geo", "undo", VALUES_FILE, "--data", str(source.data_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Đã hoàn tác phiên bản 1" in done.stdout
