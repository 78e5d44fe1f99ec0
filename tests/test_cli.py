"""The command line: targets, status, validate (names and fields are fixed)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from borderplan_geo.cli import main
from borderplan_geo.targets import INDICATOR_CODES

ROOT = Path(__file__).resolve().parents[1]
PLAN_COMMUNES = {"29929", "29932", "29935"}
COMMUNE_SCOPE = {
    "school_enrolment",
    "ntm_status",
    "poverty_reduction",
    "health_insurance",
    "clean_water",
    "waste_collection",
    "child_health_insurance",
    "birth_registration",
    "full_immunisation",
}
AREA_SCOPE = {
    "income_per_capita",
    "budget_revenue_growth",
    "exemplary_coops",
    "jobs_created",
    "overseas_workers",
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_targets_json_lists_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "targets", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    by_code = {}
    for r in rows:
        by_code.setdefault(r["code"], []).append(r)
    assert set(by_code) == set(INDICATOR_CODES)
    assert by_code["income_per_capita"][0]["target"] == 68
    assert by_code["income_per_capita"][0]["scope"] == "area"
    assert by_code["jobs_created"][0]["target"] == 2250
    assert by_code["clean_water"][0]["target"] == 99 and by_code["clean_water"][0]["target_year"] == 2025
    assert {r["unit_code"] for r in by_code["ntm_status"]} == PLAN_COMMUNES
    assert {r["section"] for r in by_code["full_immunisation"]} == {"III"}
    assert all(r["source"] and r["plan_text"] for r in rows)


def test_targets_table_is_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "targets")
    assert code == 0
    assert "Chỉ tiêu" in out and "≥ 2.250 lao động/năm" in out


def test_status_2025_covers_each_commune_and_the_area(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "status", "--year", "2025", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    required = {
        "unit_code",
        "unit_name",
        "indicator",
        "year",
        "value",
        "target",
        "status",
        "reason",
        "source",
        "illustrative",
    }
    assert all(required <= set(r) for r in rows)
    pairs = {(r["unit_code"], r["indicator"]) for r in rows}
    for unit in PLAN_COMMUNES:
        for indicator in COMMUNE_SCOPE:
            assert (unit, indicator) in pairs
    assert ("29929", "urban_type_v") in pairs
    for indicator in AREA_SCOPE:
        assert ("3XBG", indicator) in pairs
    assert all(r["year"] == 2025 for r in rows)
    assert all(r["status"] in {"achieved", "on_track", "at_risk", "off_track", "no_data"} for r in rows)
    with_value = [r for r in rows if r["value"] is not None]
    assert with_value and all(r["source"].strip() for r in with_value)
    assert any(r["illustrative"] for r in rows)
    illustrative = [r for r in with_value if r["illustrative"]]
    assert all("MINH HỌA" in r["source"] for r in illustrative)


def test_status_2025_units_gives_the_new_communes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "status",
        "--year",
        "2025",
        "--units",
        "2025",
        "--indicator",
        "clean_water",
        "--format",
        "json",
    )
    assert code == 0
    rows = json.loads(out)
    names = {r["unit_name"] for r in rows}
    assert {"Xã Tân Hồng", "Xã Tân Hộ Cơ", "Xã Tân Thành", "Xã An Phước"} <= names
    assert "Xã Bình Phú" not in names


def test_status_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "status", "--year", "2023", "--indicator", "waste_collection", "--format", "csv"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["unit_code"] for r in rows} == PLAN_COMMUNES


def test_validate_shipped_data_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate")
    assert code == 0, out + err
    assert "Dữ liệu hợp lệ" in out


def _replace_in(path: Path, old: str, new: str, *, line: int | None = None) -> int:
    """Replace text in one line of a file; returns the 1-based line number changed."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, text in enumerate(lines):
        if (line is None or i + 1 == line) and old in text:
            lines[i] = text.replace(old, new, 1)
            path.write_text("".join(lines), encoding="utf-8")
            return i + 1
    raise AssertionError(f"{old!r} not found in {path}")


def _validate(capsys: pytest.CaptureFixture[str], folder: Path) -> tuple[int, list[str]]:
    code, out, _ = run(capsys, "validate", "--data", str(folder))
    return code, out.splitlines()


def test_validate_unknown_commune_name(capsys: pytest.CaptureFixture[str], data_copy: Path) -> None:
    row = _replace_in(data_copy / "indicators" / "values.csv", "29935,", "Xã Bình Phúc Lộc,")
    code, lines = _validate(capsys, data_copy)
    assert code == 1
    assert (
        f"indicators/values.csv, dòng {row}, cột 'unit_code': lỗi: không nhận ra tên xã 'Xã Bình Phúc Lộc'"
        in "\n".join(lines)
    )


def test_validate_percentage_over_100(capsys: pytest.CaptureFixture[str], data_copy: Path) -> None:
    path = data_copy / "indicators" / "values.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    row = next(i + 1 for i, line in enumerate(text) if ",clean_water,2023," in line)
    fields = text[row - 1].split(",")
    fields[3] = "140"
    text[row - 1] = ",".join(fields)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    code, lines = _validate(capsys, data_copy)
    assert code == 1
    assert any(
        f"indicators/values.csv, dòng {row}, cột 'value'" in line and "140" in line and "100" in line
        for line in lines
    )


def test_validate_year_2031(capsys: pytest.CaptureFixture[str], data_copy: Path) -> None:
    row = _replace_in(data_copy / "indicators" / "criteria.csv", ",2022,", ",2031,")
    code, lines = _validate(capsys, data_copy)
    assert code == 1
    assert any(
        f"indicators/criteria.csv, dòng {row}, cột 'year'" in line and "2031" in line for line in lines
    )


def test_validate_point_50_km_outside(capsys: pytest.CaptureFixture[str], data_copy: Path) -> None:
    path = data_copy / "projects" / "projects.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    index = next(i for i, f in enumerate(doc["features"]) if f["geometry"]["type"] == "Point")
    lon, lat = doc["features"][index]["geometry"]["coordinates"]
    doc["features"][index]["geometry"]["coordinates"] = [lon, lat + 0.45]  # 50 km north, deep in Cambodia
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, lines = _validate(capsys, data_copy)
    assert code == 1
    hit = [
        line
        for line in lines
        if line.startswith(f"projects/projects.geojson, dòng {index + 1}, cột 'geometry'")
    ]
    assert hit and "nằm ngoài huyện Tân Hồng" in hit[0]
    km = float(hit[0].split("khoảng ")[1].split(" km")[0].replace(",", "."))
    assert 40 < km < 60


def test_validate_reports_every_problem_not_just_the_first(
    capsys: pytest.CaptureFixture[str], data_copy: Path
) -> None:
    _replace_in(data_copy / "indicators" / "values.csv", "29935,", "Nowhere,")
    _replace_in(data_copy / "indicators" / "criteria.csv", ",2022,", ",2031,")
    code, lines = _validate(capsys, data_copy)
    assert code == 1
    assert any("values.csv" in line for line in lines) and any("criteria.csv" in line for line in lines)


def test_data_folder_from_the_environment(
    capsys: pytest.CaptureFixture[str], data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _replace_in(data_copy / "indicators" / "values.csv", "29935,", "Nowhere,")
    monkeypatch.setenv("BORDERPLAN_DATA", str(data_copy))
    code, _, _ = run(capsys, "validate")
    assert code == 1


def test_module_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "borderplan_geo", "status", "--year", "2025", "--indicator", "clean_water"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Xã Thông Bình" in result.stdout and "Minh họa" in result.stdout
