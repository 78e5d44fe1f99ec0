"""Editing in the app, through the library: concurrent saves, undo, the audit log."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from borderplan_geo._errors import DataError, StaleSaveError
from borderplan_geo.editing import (
    CRITERIA_FILE,
    PROJECTS_FILE,
    VALUES_FILE,
    load_criteria,
    load_projects,
    load_values,
    save_criteria,
    save_projects,
    save_values,
    undo,
)
from borderplan_geo.io import from_wgs84, to_wgs84
from borderplan_geo.store import DataSource, Store


@pytest.fixture
def source(data_copy: Path, tmp_path: Path) -> DataSource:
    return DataSource(data_copy, Store(tmp_path / "store.sqlite"))


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def row_of(frame: pd.DataFrame, unit: str, indicator: str, year: int) -> int:
    hit = frame[(frame["unit"] == unit) & (frame["indicator"] == indicator) & (frame["year"] == year)]
    assert len(hit) == 1
    return int(hit.index[0])


def test_two_people_edit_at_once_the_stale_save_is_refused(source: DataSource) -> None:
    anh = load_values(source)
    binh = load_values(source)  # both opened the same version
    a = anh.frame.copy()
    a.loc[row_of(a, "Xã Thông Bình", "clean_water", 2025), "value"] = 97.4
    a.loc[row_of(a, "Xã Thông Bình", "clean_water", 2025), "source"] = "Báo cáo UBND xã Thông Bình 12/2025"
    assert save_values(source, a, base_sha=anh.base_sha, author="anh") is not None

    b = binh.frame.copy()
    b.loc[row_of(b, "Xã Thông Bình", "clean_water", 2025), "value"] = 95.0
    store_bytes = digest(source.store.path)
    with pytest.raises(StaleSaveError, match="người khác lưu"):
        save_values(source, b, base_sha=binh.base_sha, author="binh")
    assert digest(source.store.path) == store_bytes  # refused without touching the store
    fresh = load_values(source).frame
    assert (
        fresh.loc[row_of(fresh, "Xã Thông Bình", "clean_water", 2025), "value"] == 97.4
    )  # Anh's edit survives


def test_undo_restores_exactly_the_previous_state(source: DataSource) -> None:
    before = source.read_bytes(VALUES_FILE)
    table = load_values(source)
    edited = table.frame.copy()
    edited.loc[row_of(edited, "Xã Bình Phú", "waste_collection", 2024), "value"] = 90
    save_values(source, edited, base_sha=table.base_sha, author="anh")
    assert source.read_bytes(VALUES_FILE) != before
    undo(source, VALUES_FILE, author="anh")
    assert source.read_bytes(VALUES_FILE) == before
    with pytest.raises(StaleSaveError):
        undo(source, VALUES_FILE, author="anh")  # nothing left to undo: the folder's file is back


def test_the_audit_log_lists_each_change(source: DataSource) -> None:
    table = load_values(source)
    edited = table.frame.copy()
    i = row_of(edited, "Xã Tân Hộ Cơ", "health_insurance", 2023)
    edited.loc[i, "value"] = 93.1
    edited.loc[i, "source"] = "Báo cáo BHXH huyện 2023"
    edited.loc[i, "illustrative"] = False
    save_values(source, edited, base_sha=table.base_sha, author="anh")
    log = source.store.audit_log(VALUES_FILE)
    fields = {(e["record"], e["field"]): (e["old"], e["new"]) for e in log}
    record = "Xã Tân Hộ Cơ/health_insurance/2023"
    assert fields[(record, "value")] == ("92.4", "93.1")
    assert fields[(record, "source")][1] == "Báo cáo BHXH huyện 2023"
    assert fields[(record, "illustrative")] == ("true", "false")
    assert all(e["author"] == "anh" and e["at"] for e in log)
    undo(source, VALUES_FILE, author="binh")
    assert source.store.audit_log(VALUES_FILE)[-1]["action"] == "undo"


def test_a_bad_value_is_refused_by_editor_row_and_nothing_is_saved(source: DataSource) -> None:
    table = load_values(source)
    edited = table.frame.copy()
    i = row_of(edited, "Xã Thông Bình", "clean_water", 2024)
    edited.loc[i, "value"] = 140
    with pytest.raises(DataError) as err:
        save_values(source, edited, base_sha=table.base_sha, author="anh")
    problem = err.value.problems[0]
    assert problem.row == i + 1 and problem.column == "value" and "100" in problem.message
    assert not source.store.path.exists()


def test_an_unknown_commune_is_refused(source: DataSource) -> None:
    table = load_values(source)
    edited = table.frame.copy()
    edited.loc[0, "unit"] = "Xã Không Có"
    with pytest.raises(DataError, match="không nhận ra tên xã"):
        save_values(source, edited, base_sha=table.base_sha, author="anh")


def test_nothing_changed_saves_nothing(source: DataSource) -> None:
    table = load_values(source)
    assert save_values(source, table.frame, base_sha=table.base_sha, author="anh") is None
    assert not source.store.path.exists()


def test_criteria_edit_needs_a_source_and_is_audited(source: DataSource) -> None:
    table = load_criteria(source, 2025)
    edited = table.frame.copy()
    edited.loc[edited["criterion"] == 14, "29932"] = "Đạt"
    with pytest.raises(DataError, match="nguồn"):
        save_criteria(source, 2025, edited, base_sha=table.base_sha, author="anh", source_text="")
    save_criteria(
        source, 2025, edited, base_sha=table.base_sha, author="anh", source_text="Biên bản thẩm định 2025"
    )
    again = load_criteria(source, 2025).frame
    assert again.loc[again["criterion"] == 14, "29932"].iloc[0] == "Đạt"
    log = source.store.audit_log(CRITERIA_FILE)
    assert any(e["field"] == "level" and e["old"] == "co_ban_dat" and e["new"] == "dat" for e in log)


def test_move_a_project_typed_in_vn2000_and_add_one(source: DataSource) -> None:
    table = load_projects(source)
    frame = table.frame.copy()
    i = int(frame.index[frame["lon"].notna()][0])
    lon, lat = float(frame.loc[i, "lon"]), float(frame.loc[i, "lat"])
    x, y = from_wgs84(lon + 0.002, lat + 0.001, "EPSG:5897")  # as a surveyor would type it
    new_lon, new_lat = to_wgs84(x, y, "EPSG:5897")
    frame.loc[i, ["lon", "lat"]] = [new_lon, new_lat]
    added = frame.iloc[[i]].copy()
    added["id"] = "DA-NEW"
    added["name"] = "Trạm cấp nước mới"
    frame = pd.concat([frame, added], ignore_index=True)
    save_projects(source, frame, base_sha=table.base_sha, author="anh")
    again = load_projects(source).frame.set_index("id")
    assert again.loc[table.frame.loc[i, "id"], "lon"] == pytest.approx(lon + 0.002, abs=1e-6)
    assert "DA-NEW" in again.index
    moved = [e for e in source.store.audit_log(PROJECTS_FILE) if e["field"] == "geometry"]
    assert moved and moved[0]["record"] == table.frame.loc[i, "id"]


def test_a_project_moved_50_km_away_is_refused(source: DataSource) -> None:
    table = load_projects(source)
    frame = table.frame.copy()
    i = int(frame.index[frame["lon"].notna()][0])
    frame.loc[i, "lat"] = float(frame.loc[i, "lat"]) + 0.45
    with pytest.raises(DataError, match="nằm ngoài huyện Tân Hồng"):
        save_projects(source, frame, base_sha=table.base_sha, author="anh")
    assert not source.store.path.exists()


def test_saving_an_unchanged_project_table_changes_nothing_and_loses_nothing(source: DataSource) -> None:
    before = source.read_bytes(PROJECTS_FILE)
    table = load_projects(source)
    assert save_projects(source, table.frame, base_sha=table.base_sha, author="anh") is None
    assert source.read_bytes(PROJECTS_FILE) == before  # length_km and every other property kept
