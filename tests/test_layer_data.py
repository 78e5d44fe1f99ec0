"""The shipped map layers and projects in ``data/projects/`` (built by ``tools/build_layers.py``).

Read through the library (``read_dataset``), as the app reads them, then checked for what the
product promises: every feature in (one of) its communes, the gates on the border line, Dinh Bà
in Tân Hộ Cơ, every sector of the plan present, defence items sensitive, completed projects at
100 %, nothing invented passed off as a fact, nothing claimed as surveyed. Geometry is measured
in UTM 48N (EPSG:32648).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import geopandas as gpd
import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from borderplan_geo.dataset import Dataset, data_source, read_dataset
from borderplan_geo.layers import LAYERS, PROJECTS_KEY, SECTORS, layer_file
from tests.geojson_compare import geojson_differences, read_geojson

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
METRIC = "EPSG:32648"
THC, TB, BP = "29929", "29932", "29935"
PLAN_CODES = {THC, TB, BP}
KEYS = [*LAYERS, PROJECTS_KEY]
TOLERANCE_M = 100.0
ILLUSTRATIVE_MARK = "MINH HỌA"

#: The records that stand for a fact the project holds (DOMAIN.md), by layer and id, with a
#: word their source must contain. Everything else is invented and must say so.
FACTS: dict[tuple[str, str], str] = {
    ("border_gates", "CK-01"): "Kế hoạch",  # cửa khẩu quốc tế Dinh Bà
    ("border_gates", "CK-02"): "Kế hoạch",  # cửa khẩu phụ Bình Phú
    ("border_gates", "CK-03"): "1114/QĐ-UBND",  # cửa khẩu phụ Thông Bình
    ("border_gates", "CK-04"): "232",  # cặp mốc 232
    ("economic_zones", "KKT-01"): "Kế hoạch",  # khu công nghiệp Dinh Bà
    ("economic_zones", "KKT-02"): "Kế hoạch",  # khu đô thị cửa khẩu Dinh Bà
    ("sites", "DD-04"): "Kế hoạch",  # chợ gia súc, cửa khẩu phụ Bình Phú
    ("sites", "DD-05"): "Kế hoạch",  # Bàu Dong
    ("sites", "DD-06"): "Kế hoạch",  # Gò Côn Ét
    ("roads", "DG-02"): "Quốc lộ 30",  # Quốc lộ 30, Sa Rài – Dinh Bà
}


@pytest.fixture(scope="module")
def read() -> Iterator[tuple[Dataset | None, list[Any]]]:
    """The shipped data folder, without any user's store."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BORDERPLAN_STORE", str(ROOT / "tests" / "_no_store_here.sqlite"))
        mp.delenv("BORDERPLAN_DATA", raising=False)
        yield read_dataset(data_source(data_dir=DATA))


@pytest.fixture(scope="module")
def dataset(read: tuple[Dataset | None, list[Any]]) -> Dataset:
    ds, problems = read
    if ds is None:
        pytest.fail("the shipped data do not load:\n" + "\n".join(str(p) for p in problems))
    return ds


@pytest.fixture(scope="module")
def raw() -> dict[str, list[dict[str, Any]]]:
    """Each file's features as written (before the validator normalises them)."""
    out = {}
    for key in KEYS:
        doc = json.loads((DATA / layer_file(key)).read_text(encoding="utf-8"))
        out[key] = doc["features"]
    return out


@pytest.fixture(scope="module")
def units(dataset: Dataset) -> dict[str, BaseGeometry]:
    frame = dataset.units_2020.to_crs(METRIC)
    return dict(zip(frame["code"], frame.geometry, strict=True))


@pytest.fixture(scope="module")
def border(dataset: Dataset) -> BaseGeometry:
    return shapely.union_all(list(dataset.border.to_crs(METRIC).geometry))


@pytest.fixture(scope="module")
def metric_layers(dataset: Dataset) -> dict[str, gpd.GeoDataFrame]:
    return {key: dataset.layers[key].to_crs(METRIC) for key in KEYS}


def all_records(dataset: Dataset) -> Iterator[tuple[str, dict[str, Any]]]:
    for key in KEYS:
        for rec in dataset.layers[key].to_dict("records"):
            yield key, rec


def test_no_errors(read: tuple[Dataset | None, list[Any]]) -> None:
    ds, problems = read
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    listing = "\n".join(f"[{p.severity}] {p}" for p in problems)
    assert ds is not None and not errors, f"{len(errors)} errors, {len(warnings)} warnings:\n{listing}"


def test_no_warnings_on_the_layer_files(read: tuple[Dataset | None, list[Any]]) -> None:
    """Warnings are allowed elsewhere, but the layer files themselves should raise none."""
    _, problems = read
    files = {layer_file(k) for k in KEYS}
    mine = [p for p in problems if p.severity != "error" and p.file in files]
    assert not mine, "warnings on the layer files:\n" + "\n".join(str(p) for p in mine)


@pytest.mark.parametrize("key", KEYS)
def test_each_layer_non_empty(dataset: Dataset, raw: dict[str, list[dict[str, Any]]], key: str) -> None:
    assert len(dataset.layers[key]) > 0, key
    assert len(dataset.layers[key]) == len(raw[key]), f"{key}: the validator dropped features"


@pytest.mark.parametrize("key", KEYS)
def test_ids_unique_in_each_file(raw: dict[str, list[dict[str, Any]]], key: str) -> None:
    ids = [f["properties"]["id"] for f in raw[key]]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"{key}: duplicate ids {dupes}"


def test_every_feature_in_its_commune(
    metric_layers: dict[str, gpd.GeoDataFrame], units: dict[str, BaseGeometry]
) -> None:
    """Points within 100 m of (one of) their communes; lines and polygons at least 90 % inside."""
    bad = []
    for key, frame in metric_layers.items():
        for rec in frame.to_dict("records"):
            codes = str(rec["commune_code"]).split(";")
            area = shapely.union_all([units[c] for c in codes]).buffer(TOLERANCE_M)
            geom = rec["geometry"]
            if geom.geom_type == "Point":
                ok, share = area.contains(geom), 1.0 if area.contains(geom) else 0.0
            elif geom.geom_type in ("LineString", "MultiLineString"):
                share = geom.intersection(area).length / geom.length
                ok = share >= 0.9
            else:
                share = geom.intersection(area).area / geom.area
                ok = share >= 0.9
            if not ok:
                bad.append(f"{key} {rec['id']} ({rec['name']}): {share:.0%} inside {codes}")
    assert not bad, "\n".join(bad)


def test_patrol_road_inside_plan_communes_south_of_the_border(
    metric_layers: dict[str, gpd.GeoDataFrame], units: dict[str, BaseGeometry], border: BaseGeometry
) -> None:
    roads = metric_layers["roads"]
    patrol = roads[roads["kind"] == "patrol_road"]
    assert len(patrol) == 1
    line = patrol.geometry.iloc[0]
    plan = shapely.union_all([units[c] for c in PLAN_CODES]).buffer(1.0)
    assert line.intersection(plan).length / line.length > 0.999
    assert not line.intersects(border), "the patrol road crosses the border"
    dists = [border.distance(shapely.Point(c)) for c in line.coords]
    assert min(dists) >= 300 and max(dists) <= 800, (min(dists), max(dists))


def test_gates_on_the_border_line(metric_layers: dict[str, gpd.GeoDataFrame], border: BaseGeometry) -> None:
    for rec in metric_layers["border_gates"].to_dict("records"):
        d = border.distance(rec["geometry"])
        assert d <= 60.0, f"{rec['id']} {rec['name']} is {d:.0f} m from the border line"


def test_secondary_gates_on_their_own_stretch(
    dataset: Dataset, metric_layers: dict[str, gpd.GeoDataFrame], units: dict[str, BaseGeometry]
) -> None:
    gates = metric_layers["border_gates"]
    sec = gates[gates["kind"] == "secondary"]
    assert sorted(sec["commune_code"]) == sorted([BP, TB])
    for rec in sec.to_dict("records"):
        assert units[rec["commune_code"]].distance(rec["geometry"]) <= 1.0, rec["name"]


def test_dinh_ba_in_tan_ho_co(
    dataset: Dataset, metric_layers: dict[str, gpd.GeoDataFrame], units: dict[str, BaseGeometry]
) -> None:
    gates = dataset.layers["border_gates"]
    intl = gates[gates["kind"] == "international"]
    assert len(intl) == 1
    rec = intl.iloc[0]
    assert "Dinh Bà" in rec["name"]
    assert rec["commune_code"] == THC
    assert 105.40 <= rec.geometry.x <= 105.46, rec.geometry.x
    point = metric_layers["border_gates"].loc[intl.index[0], "geometry"]
    assert units[THC].distance(point) <= 1.0
    assert rec["accuracy"] == "approximate"


def test_every_sector_among_projects(dataset: Dataset) -> None:
    present = set(dataset.projects["sector"])
    assert not set(SECTORS) - present, f"sectors missing: {sorted(set(SECTORS) - present)}"
    assert present <= set(SECTORS)


def test_defence_projects_sensitive(dataset: Dataset, raw: dict[str, list[dict[str, Any]]]) -> None:
    defence = dataset.projects[dataset.projects["sector"] == "defence_security"]
    assert len(defence) >= 3
    assert defence["sensitive"].all()
    # in the file itself, not only after the validator forced it
    for f in raw[PROJECTS_KEY]:
        if f["properties"]["sector"] == "defence_security":
            assert f["properties"]["sensitive"] is True, f["properties"]["id"]
    posts = dataset.layers["sites"]
    posts = posts[posts["kind"] == "border_post"]
    assert len(posts) >= 1 and posts["sensitive"].all()


def test_project_figures_consistent(dataset: Dataset) -> None:
    bad = []
    for rec in dataset.projects.to_dict("records"):
        status, progress = rec["status"], rec["progress"]
        if status == "completed" and progress != 100:
            bad.append(f"{rec['id']}: completed at {progress} %")
        if status == "planned" and progress > 10:
            bad.append(f"{rec['id']}: planned at {progress} %")
        if status != "completed" and progress >= 100:
            bad.append(f"{rec['id']}: {status} at 100 %")
        if not 0.5e9 <= rec["budget_vnd"] <= 150e9:
            bad.append(f"{rec['id']}: budget {rec['budget_vnd']:,.0f}")
        if not 2019 <= rec["start_year"] <= rec["end_year"] <= 2027:
            bad.append(f"{rec['id']}: years {rec['start_year']}–{rec['end_year']}")
        for field in ("funding_source", "agency", "name"):
            if not str(rec[field]).strip():
                bad.append(f"{rec['id']}: no {field}")
    assert not bad, "\n".join(bad)


def test_project_count_and_status_mix(dataset: Dataset) -> None:
    projects = dataset.projects
    assert 40 <= len(projects) <= 60
    assert set(projects["status"]) == {"completed", "under_construction", "planned", "suspended"}


def test_only_the_known_facts_are_not_illustrative(dataset: Dataset) -> None:
    bad = []
    for key, rec in all_records(dataset):
        fact = FACTS.get((key, rec["id"]))
        source = str(rec["source"])
        if rec["illustrative"]:
            if ILLUSTRATIVE_MARK not in source:
                bad.append(f"{key} {rec['id']}: illustrative, but its source does not say so")
        elif fact is None:
            bad.append(f"{key} {rec['id']} ({rec['name']}): not illustrative without a citable source")
        elif fact not in source or ILLUSTRATIVE_MARK in source:
            bad.append(f"{key} {rec['id']}: source should cite '{fact}'")
    for (key, fid), _ in FACTS.items():
        frame = dataset.layers[key]
        rows = frame[frame["id"] == fid]
        if len(rows) != 1 or bool(rows["illustrative"].iloc[0]):
            bad.append(f"{key} {fid}: the fact is missing or flagged illustrative")
    assert not dataset.projects["illustrative"].isna().any()
    assert dataset.projects["illustrative"].all(), "every project record is invented"
    assert not bad, "\n".join(bad)


def test_fact_positions_say_they_are_approximate(dataset: Dataset) -> None:
    for (key, fid), _ in FACTS.items():
        frame = dataset.layers[key]
        rec = frame[frame["id"] == fid].iloc[0]
        assert rec["accuracy"] in ("approximate", "schematic"), fid
        text = rec["description"].upper()
        assert any(w in text for w in ("GẦN ĐÚNG", "SƠ ĐỒ", "CHƯA")), f"{fid}: {rec['description']}"


def test_nothing_surveyed(dataset: Dataset) -> None:
    for key, rec in all_records(dataset):
        assert rec["accuracy"] in ("approximate", "schematic"), f"{key} {rec['id']}: {rec['accuracy']}"


def test_clusters_mostly_near_the_border(
    metric_layers: dict[str, gpd.GeoDataFrame], border: BaseGeometry
) -> None:
    clusters = metric_layers["residential_clusters"]
    assert 10 <= len(clusters) <= 14
    near = [g for g in clusters.geometry if 300 <= border.distance(g) <= 2000]
    assert len(near) >= len(clusters) / 2, (
        f"only {len(near)} of {len(clusters)} within 0.3–2 km of the border"
    )
    for rec in clusters.to_dict("records"):
        g = rec["geometry"]
        if g.geom_type == "Polygon":
            assert 5e4 <= g.area <= 20e4, f"{rec['id']}: {g.area / 1e4:.1f} ha"
        elif g.geom_type == "LineString":
            assert 500 <= g.length <= 2000, f"{rec['id']}: {g.length:.0f} m"


def _builder() -> ModuleType:
    path = ROOT / "tools" / "build_layers.py"
    spec = importlib.util.spec_from_file_location("build_layers", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_shipped_files_are_what_the_builder_makes() -> None:
    """Deterministic build; if this fails after a boundary change, run ``python tools/build_layers.py``."""
    builder = _builder()
    built = builder.build(builder.UNITS_GEOJSON, builder.BORDER_GEOJSON)
    for key in builder.LAYER_ORDER:
        text = builder.to_feature_collection(key, built.layers[key])
        shipped = read_geojson(DATA / layer_file(key))
        # as data, within 0.5 m: never byte for byte (the last digit differs between CPUs)
        differences = geojson_differences(json.loads(text), shipped)
        assert differences == [], f"{layer_file(key)} differs from tools/build_layers.py's output"
