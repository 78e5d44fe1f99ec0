"""The boundary loader: the 2025 dissolve and an official file in place of the approximate one."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from borderplan_geo.boundaries import (
    METRIC,
    dissolve_2025,
    load_units,
    read_units,
    total_bounds_to_folium,
)
from borderplan_geo.store import DataSource

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def units() -> gpd.GeoDataFrame:
    return load_units(DataSource(ROOT / "data"))


def test_dissolve_gives_the_four_2025_communes_exactly(units: gpd.GeoDataFrame) -> None:
    new = dissolve_2025(units).set_index("code")
    assert list(new.index) == ["29926", "29929", "29938", "29944"]
    assert new.loc["29926", "members"] == "29926;29935;29947"
    assert new.loc["29938", "plan_members"] == "29932"
    metric_old = units.to_crs(METRIC).set_index("code")
    metric_new = new.to_crs(METRIC)
    for code, row in metric_new.iterrows():
        parts = metric_old.loc[row["members"].split(";")]
        union = parts.geometry.union_all()
        assert row.geometry.symmetric_difference(union).area < 1.0, code  # an exact union, m²
        assert row.geometry.area == pytest.approx(parts.geometry.area.sum(), rel=1e-6)
    # The official areas of the new communes (vietnamadminunits) agree within 2 %.
    official = {"29926": 102.8, "29929": 77.5, "29938": 64.8, "29944": 64.9}
    for code, area in official.items():
        assert metric_new.loc[code].geometry.area / 1e6 == pytest.approx(area, rel=0.02)


def test_dissolve_is_computed_not_stored() -> None:
    files = [p.name for p in (ROOT / "data" / "boundaries").iterdir()]
    assert not any("2025" in name for name in files)


def test_an_official_file_replaces_the_approximate_polygons(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    doc = json.loads((data / "boundaries" / "units_2020.geojson").read_text(encoding="utf-8"))
    for feature in doc["features"]:
        props = feature["properties"]
        feature["properties"] = {"Tên xã": props["name"].replace("Xã ", "X. "), "ghi_chu": "Sở TN&MT"}
    official = data / "boundaries" / "official"
    official.mkdir()
    (official / "ranh_gioi_chinh_thuc.geojson").write_text(
        json.dumps(doc, ensure_ascii=False), encoding="utf-8"
    )
    frame, problems = read_units(DataSource(data))
    assert not [p for p in problems if p.severity == "error"], problems
    assert set(frame["accuracy"]) == {"official"}
    assert len(frame) == 9


def test_an_official_file_missing_a_commune_says_which(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    doc = json.loads((data / "boundaries" / "units_2020.geojson").read_text(encoding="utf-8"))
    doc["features"] = [f for f in doc["features"] if f["properties"]["code"] != "29932"]
    (data / "boundaries" / "official").mkdir()
    (data / "boundaries" / "official" / "a.geojson").write_text(json.dumps(doc), encoding="utf-8")
    _, problems = read_units(DataSource(data))
    assert any("Xã Thông Bình" in p.message and p.severity == "error" for p in problems)


def test_bounds_conversion_for_folium() -> None:
    assert total_bounds_to_folium((105.37, 10.78, 105.61, 10.97)) == [[10.78, 105.37], [10.97, 105.61]]


def test_the_library_never_imports_streamlit() -> None:
    modules = sorted(p.stem for p in (ROOT / "borderplan_geo").glob("*.py") if p.stem != "__main__")
    code = (
        "import sys\n"
        + "".join(f"import borderplan_geo.{m}\n" for m in modules if m != "__init__")
        + "bad = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.') or m.startswith('streamlit_'))\n"
        + "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"borderplan_geo pulled in: {result.stdout.strip()}"
