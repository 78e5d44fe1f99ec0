"""The approximate boundaries in ``data/boundaries/`` against the facts they were built from.

The polygons are schematic (``tools/build_boundaries.py``), so these tests check what the
product relies on: one polygon per unit, a clean tiling, each unit inside its bounding box
touching its four sides, its centroid and area near the facts, nothing beyond the border
line, the three plan communes (and only they) on the border, the border's known ends, and a
build that gives the shipped files on any machine. Geometry is measured in UTM 48N
(EPSG:32648) unless a test says otherwise.
"""

from __future__ import annotations

import csv
import importlib.util
import itertools
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import shapely
import shapely.affinity
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon, shape

from tests.geojson_compare import geojson_differences, read_geojson


def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


ROOT = repo_root()
FACTS_CSV = ROOT / "data" / "reference" / "tan_hong_communes_2020_2025.csv"
UNITS_GEOJSON = ROOT / "data" / "boundaries" / "units_2020.geojson"
BORDER_GEOJSON = ROOT / "data" / "boundaries" / "border.geojson"
PLAN_CODES = {"29929", "29932", "29935"}  # Tân Hộ Cơ, Thông Bình, Bình Phú
WEST_END = (105.3708, 10.9002)  # lon, lat: the border meets Hồng Ngự
EAST_END = (105.4982, 10.9531)  # meets Long An
SA_RAI = "29926"

_TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True)


def metric(geom: Any) -> Any:
    """Lon/lat geometry to UTM 48N metres."""

    def f(c: np.ndarray) -> np.ndarray:
        return np.column_stack(_TO_METRIC.transform(c[:, 0], c[:, 1]))

    return shapely.transform(geom, f)


def metric_point(lon: float, lat: float) -> Point:
    return Point(_TO_METRIC.transform(lon, lat))


@pytest.fixture(scope="module")
def facts() -> dict[str, dict[str, str]]:
    with FACTS_CSV.open(encoding="utf-8", newline="") as f:
        return {row["gso_code"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def units_fc() -> dict[str, Any]:
    return json.loads(UNITS_GEOJSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def units(units_fc: dict[str, Any]) -> dict[str, Polygon]:
    """Code -> polygon in metres."""
    return {f["properties"]["code"]: metric(shape(f["geometry"])) for f in units_fc["features"]}


@pytest.fixture(scope="module")
def border_fc() -> dict[str, Any]:
    return json.loads(BORDER_GEOJSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def border(border_fc: dict[str, Any]) -> LineString:
    return metric(shape(border_fc["features"][0]["geometry"]))


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    """``tools/build_boundaries.py`` imported as a module (``tools`` is not a package)."""
    path = ROOT / "tools" / "build_boundaries.py"
    spec = importlib.util.spec_from_file_location("build_boundaries", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_boundaries"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(builder: ModuleType) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the builder makes now from the facts (units, border)."""
    result: tuple[dict[str, Any], dict[str, Any]] = builder.build(FACTS_CSV)
    return result


# --------------------------------------------------------------------------- content


def test_nine_valid_polygons_with_the_facts_codes(
    units_fc: dict[str, Any], units: dict[str, Polygon], facts: dict[str, dict[str, str]]
) -> None:
    assert units_fc["type"] == "FeatureCollection"
    assert len(units_fc["features"]) == 9
    assert set(units) == set(facts)
    for f in units_fc["features"]:
        assert f["geometry"]["type"] == "Polygon"
        assert units[f["properties"]["code"]].is_valid


def test_properties(units_fc: dict[str, Any], facts: dict[str, dict[str, str]]) -> None:
    expected = {"code", "name", "in_plan", "area_km2", "area_km2_reference", "accuracy", "source", "method"}
    for f in units_fc["features"]:
        p = f["properties"]
        row = facts[p["code"]]
        assert set(p) == expected
        assert isinstance(p["code"], str)
        assert p["name"] == row["name"]
        assert p["in_plan"] is (row["in_plan"] == "yes")
        assert p["area_km2_reference"] == float(row["area_km2_approx"])
        assert p["area_km2"] == pytest.approx(metric(shape(f["geometry"])).area / 1e6, abs=0.051)
        assert p["accuracy"] == "approximate"
        assert "vietnamadminunits 1.0.4" in p["source"] and "KHÔNG" in p["source"]
    assert {f["properties"]["code"] for f in units_fc["features"] if f["properties"]["in_plan"]} == PLAN_CODES


def test_coordinates_are_lon_lat_with_6_decimals(units_fc: dict[str, Any], border_fc: dict[str, Any]) -> None:
    coords = [c for f in units_fc["features"] for ring in f["geometry"]["coordinates"] for c in ring]
    coords += border_fc["features"][0]["geometry"]["coordinates"]
    for lon, lat in coords:
        assert 105.3 < lon < 105.7 and 10.7 < lat < 11.0
        assert round(lon, 6) == lon and round(lat, 6) == lat


def test_exterior_rings_are_counterclockwise(units_fc: dict[str, Any]) -> None:
    for f in units_fc["features"]:
        assert shape(f["geometry"]).exterior.is_ccw, f["properties"]["code"]


# --------------------------------------------------------------------------- tiling


def test_no_overlap(units: dict[str, Polygon]) -> None:
    for (a, pa), (b, pb) in itertools.combinations(units.items(), 2):
        assert pa.intersection(pb).area < 1.0, f"{a} overlaps {b}"


def test_no_gap(units: dict[str, Polygon]) -> None:
    union = shapely.union_all(list(units.values()))
    assert union.geom_type == "Polygon"
    assert len(union.interiors) == 0
    assert abs(union.area - sum(p.area for p in units.values())) < 1.0


def test_neighbours_share_edges_vertex_for_vertex(units_fc: dict[str, Any]) -> None:
    """Two units that touch along a line have that line's vertices in both rings."""
    rings = {f["properties"]["code"]: f["geometry"]["coordinates"][0] for f in units_fc["features"]}
    vertex_sets = {code: {tuple(c) for c in ring} for code, ring in rings.items()}
    shared_pairs = 0
    for a, b in itertools.combinations(rings, 2):
        common = vertex_sets[a] & vertex_sets[b]
        if len(common) > 2:
            shared_pairs += 1
            line = shapely.intersection(Polygon(rings[a]).boundary, Polygon(rings[b]).boundary)
            assert len(shapely.get_coordinates(line)) > 0
            on_line = [tuple(c) for c in shapely.get_coordinates(line)]
            assert set(on_line) <= common, f"{a} | {b}"
    assert shared_pairs >= 12


def test_areas_close_to_reference(units: dict[str, Polygon], facts: dict[str, dict[str, str]]) -> None:
    for code, poly in units.items():
        reference = float(facts[code]["area_km2_approx"])
        assert poly.area / 1e6 == pytest.approx(reference, rel=0.20), code
        assert poly.area / 1e6 == pytest.approx(reference, rel=0.05), f"{code}: build aims at 5 %"


def test_district_area_is_the_sum_of_reference_areas(
    units: dict[str, Polygon], facts: dict[str, dict[str, str]]
) -> None:
    total = sum(float(r["area_km2_approx"]) for r in facts.values())
    assert sum(p.area for p in units.values()) / 1e6 == pytest.approx(total, rel=0.02)


# --------------------------------------------------------------------------- border


def test_border_is_one_linestring(border_fc: dict[str, Any], border: LineString) -> None:
    assert border_fc["type"] == "FeatureCollection"
    assert len(border_fc["features"]) == 1
    f = border_fc["features"][0]
    assert f["geometry"]["type"] == "LineString"
    assert f["properties"]["name"] == "Đường biên giới quốc gia Việt Nam – Campuchia (đoạn huyện Tân Hồng)"
    assert f["properties"]["accuracy"] == "approximate"
    assert f["properties"]["source"]
    assert f["properties"]["length_km"] == pytest.approx(border.length / 1000, abs=0.051)
    assert border.is_simple


def test_border_ends(border: LineString, facts: dict[str, dict[str, str]]) -> None:
    """The known ends (approximate). The western one lies 58 m west of Bình Phú's box, so the
    line starts on the box's west side at that latitude instead."""
    start, end = Point(border.coords[0]), Point(border.coords[-1])
    assert start.distance(metric_point(*WEST_END)) < 100
    assert end.distance(metric_point(*EAST_END)) < 50
    lon, _ = shape_coords(BORDER_GEOJSON)[0]
    assert lon >= float(facts["29935"]["bbox_west"])


def shape_coords(path: Path) -> list[list[float]]:
    coords: list[list[float]] = json.loads(path.read_text(encoding="utf-8"))["features"][0]["geometry"][
        "coordinates"
    ]
    return coords


def test_border_lies_on_the_district_outline(units: dict[str, Polygon], border: LineString) -> None:
    outline = shapely.union_all(list(units.values())).exterior
    for x, y in border.coords:
        assert outline.distance(Point(x, y)) < 0.5
    assert border.difference(outline.buffer(0.5)).length < 1.0


def border_km(poly: Polygon, border: LineString) -> float:
    return poly.boundary.intersection(border.buffer(1.0)).length / 1000


def test_plan_communes_share_the_border(units: dict[str, Polygon], border: LineString) -> None:
    for code in PLAN_CODES:
        assert border_km(units[code], border) > 1.0, code


def test_plan_border_lengths_near_the_facts(
    units: dict[str, Polygon], border: LineString, facts: dict[str, dict[str, str]]
) -> None:
    for code in PLAN_CODES:
        assert border_km(units[code], border) == pytest.approx(
            float(facts[code]["border_km_approx"]), rel=0.30
        ), code
    total = sum(float(facts[c]["border_km_approx"]) for c in PLAN_CODES)
    assert border.length / 1000 == pytest.approx(total, rel=0.30)


def test_other_units_do_not_touch_the_border(units: dict[str, Polygon], border: LineString) -> None:
    for code, poly in units.items():
        if code not in PLAN_CODES:
            assert poly.distance(border) > 100, code


def test_plan_communes_in_order_west_to_east(units: dict[str, Polygon], border: LineString) -> None:
    """Bình Phú in the west, Tân Hộ Cơ in the middle, Thông Bình in the east."""

    def position(code: str) -> float:
        stretch = units[code].boundary.intersection(border.buffer(1.0))
        return border.project(stretch.centroid)

    assert position("29935") < position("29929") < position("29932")


def test_dinh_ba_gate_longitudes_on_tan_ho_co_stretch(
    units_fc: dict[str, Any], border_fc: dict[str, Any]
) -> None:
    """The Dinh Bà gate is on Tân Hộ Cơ's stretch, somewhere between 105.40 and 105.46 E."""
    tan_ho_co = next(shape(f["geometry"]) for f in units_fc["features"] if f["properties"]["code"] == "29929")
    line = shape(border_fc["features"][0]["geometry"])
    window = shapely.box(105.40, 10.8, 105.46, 11.0)
    stretch = metric(tan_ho_co.boundary.intersection(line.buffer(1e-5)).intersection(window))
    assert stretch.length > 1000


# --------------------------------------------------------------------------- facts


def test_facts_centroid_inside_its_unit(units: dict[str, Polygon], facts: dict[str, dict[str, str]]) -> None:
    for code, poly in units.items():
        row = facts[code]
        assert poly.contains(metric_point(float(row["centroid_lon"]), float(row["centroid_lat"]))), code


M_PER_DEG_LAT = 110574.0  # near enough for distances of a few hundred metres


def m_per_deg_lon(lat: float) -> float:
    return 111320.0 * float(np.cos(np.radians(lat)))


def box_of(row: dict[str, str]) -> tuple[float, float, float, float]:
    """The facts' box as (south, west, north, east): the columns say which is which."""
    return (
        float(row["bbox_south"]),
        float(row["bbox_west"]),
        float(row["bbox_north"]),
        float(row["bbox_east"]),
    )


def lonlat_units(units_fc: dict[str, Any]) -> dict[str, Polygon]:
    return {f["properties"]["code"]: shape(f["geometry"]) for f in units_fc["features"]}


#: Where Bình Phú, Tân Thành B, Sa Rài and Tân Hộ Cơ meet, the facts' own boxes leave a gap
#: of 28 m × 37 m; the meeting point sits in it, at most this far outside each of the four.
BOX_TOLERANCE_M = 25.0
MEET_IN_THE_GAP = {"29926", "29929", "29935", "29941"}


def test_each_unit_inside_its_bounding_box(
    units_fc: dict[str, Any], facts: dict[str, dict[str, str]]
) -> None:
    """Within 1 m (rounding), or 25 m for the four that meet in the facts' gap."""
    for code, poly in lonlat_units(units_fc).items():
        south, west, north, east = box_of(facts[code])
        c = np.array(poly.exterior.coords)
        out_lon = float(np.max(np.clip(np.maximum(west - c[:, 0], c[:, 0] - east), 0, None)))
        out_lat = float(np.max(np.clip(np.maximum(south - c[:, 1], c[:, 1] - north), 0, None)))
        outside = max(out_lon * m_per_deg_lon(south), out_lat * M_PER_DEG_LAT)
        limit = BOX_TOLERANCE_M if code in MEET_IN_THE_GAP else 1.0
        assert outside <= limit, f"{code} reaches {outside:.1f} m outside its box"


def test_each_unit_touches_the_four_sides_of_its_box(
    units_fc: dict[str, Any], facts: dict[str, dict[str, str]]
) -> None:
    for code, poly in lonlat_units(units_fc).items():
        south, west, north, east = box_of(facts[code])
        minx, miny, maxx, maxy = poly.bounds
        k = m_per_deg_lon(south)
        gaps = {
            "south": (miny - south) * M_PER_DEG_LAT,
            "west": (minx - west) * k,
            "north": (north - maxy) * M_PER_DEG_LAT,
            "east": (east - maxx) * k,
        }
        for side, gap in gaps.items():
            assert gap <= 300.0, f"{code} stays {gap:.0f} m short of its box's {side} side"


def test_centroids_within_500_m_of_the_facts(
    units: dict[str, Polygon], facts: dict[str, dict[str, str]]
) -> None:
    for code, poly in units.items():
        row = facts[code]
        d = poly.centroid.distance(metric_point(float(row["centroid_lon"]), float(row["centroid_lat"])))
        assert d <= 500.0, f"{code}: centroid {d:.0f} m from the facts"


def test_areas_within_5_percent(units: dict[str, Polygon], facts: dict[str, dict[str, str]]) -> None:
    for code, poly in units.items():
        assert poly.area / 1e6 == pytest.approx(float(facts[code]["area_km2_approx"]), rel=0.05), code


def test_no_area_beyond_the_border_line(units: dict[str, Polygon], border: LineString) -> None:
    """The land north of the line between its two ends is Cambodia: no unit has any of it."""
    c = np.array(border.coords)
    top = float(c[:, 1].max()) + 20000.0
    cambodia = Polygon(np.vstack([c, [[c[-1, 0], top], [c[0, 0], top]]]))
    assert cambodia.is_valid
    for code, poly in units.items():
        assert poly.intersection(cambodia).area < 1.0, f"{code} reaches beyond the border line"
    # the check can fail: a unit moved 200 m north crosses the line
    moved = shapely.affinity.translate(units["29929"], yoff=200.0)
    assert moved.intersection(cambodia).area > 1e5


def test_the_build_prints_and_meets_every_check(
    builder: ModuleType, built: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    """The builder measures the same things itself and prints them, one row per unit."""
    table = builder.summary(*built)
    assert table.count("\n") >= 11
    for name in ("Thị trấn Sa Rài", "Xã Tân Hộ Cơ", "Xã An Phước"):
        assert name in table
    units = builder.read_facts(FACTS_CSV)
    shapes = lonlat_units(built[0])
    border_line = shape(built[1]["features"][0]["geometry"])
    checks = builder.unit_checks(units, [shapes[u.code] for u in units], border_line)
    assert [c.problems() for c in checks] == [[] for _ in checks]
    # and it refuses a drawing that breaks one: a unit pushed off its box
    moved = [shapely.affinity.translate(shapes[u.code], xoff=0.01) for u in units]
    assert any(c.problems() for c in builder.unit_checks(units, moved, border_line))


def shared_km(a: Polygon, b: Polygon) -> float:
    return a.boundary.intersection(b.boundary).length / 1000


def test_sa_rai_neighbours(units: dict[str, Polygon]) -> None:
    """The town shares edges with Bình Phú, Tân Thành B and Tân Công Chí.

    Tân Hộ Cơ's box starts 37 m north of the town's: the two meet at one point only (where
    Bình Phú and Tân Thành B meet them too).
    """
    town = units[SA_RAI]
    touching = {code for code, poly in units.items() if code != SA_RAI and shared_km(town, poly) > 0.1}
    assert touching == {"29935", "29941", "29947"}
    assert town.distance(units["29929"]) < 1.0


@pytest.fixture(scope="module")
def communes_2025() -> list[dict[str, str]]:
    with (ROOT / "data" / "reference" / "communes_from_2025_07_01.csv").open(
        encoding="utf-8", newline=""
    ) as f:
        return list(csv.DictReader(f))


def test_2025_communes_are_one_piece_each(
    units: dict[str, Polygon], communes_2025: list[dict[str, str]], facts: dict[str, dict[str, str]]
) -> None:
    """Each commune since 1 July 2025 is an exact dissolve of old units: one polygon, no hole."""
    assert len(communes_2025) == 4
    for row in communes_2025:
        old = row["formed_from"].split(";")
        assert all(facts[code]["merged_2025_into_code"] == row["gso_code"] for code in old)
        merged = shapely.union_all([units[code] for code in old])
        assert merged.geom_type == "Polygon", row["name"]
        assert len(merged.interiors) == 0, row["name"]


def test_2025_communes_match_their_official_area_and_centroid(
    units: dict[str, Polygon], communes_2025: list[dict[str, str]]
) -> None:
    for row in communes_2025:
        merged = shapely.union_all([units[code] for code in row["formed_from"].split(";")])
        assert merged.area / 1e6 == pytest.approx(float(row["area_km2"]), rel=0.05), row["name"]
        assert merged.contains(metric_point(float(row["centroid_lon"]), float(row["centroid_lat"]))), row[
            "name"
        ]


def test_thong_binh_secondary_gate_corner_near_thong_binh(units: dict[str, Polygon]) -> None:
    """One corner of the Thông Bình gate zone: about 10.9502 N, 105.4972 E (low precision)."""
    assert units["29932"].distance(metric_point(105.4972, 10.9502)) < 500


# --------------------------------------------------------------------------- build


def test_build_is_reproducible_and_matches_the_data(
    builder: ModuleType, built: tuple[dict[str, Any], dict[str, Any]], tmp_path: Path
) -> None:
    """The shipped files are what the build makes now, on this machine as on the one that wrote them.

    The build is plain arithmetic (no CPU-dependent vector maths, no noding) rounded to 1 cm
    inside and 6 decimals outside, so another machine gives the same numbers; they are still
    compared as data (same units, properties, topology, positions within 0.5 m), never byte
    for byte.
    """
    builder.write_outputs(*built, tmp_path)
    for file in ("units_2020.geojson", "border.geojson"):
        rebuilt = read_geojson(tmp_path / file)
        shipped = read_geojson(ROOT / "data" / "boundaries" / file)
        # rerun tools/build_boundaries.py after changing it
        assert geojson_differences(rebuilt, shipped, tolerance_m=0.5) == [], f"{file} is stale"


def test_the_comparison_sees_a_real_change(built: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """The tolerant comparison still catches a moved unit and a changed property."""
    units_fc, _ = built
    moved = json.loads(json.dumps(units_fc))
    ring = moved["features"][0]["geometry"]["coordinates"][0]
    ring[1] = [ring[1][0] + 0.00002, ring[1][1] + 0.00002]  # about 3 m north-east
    assert geojson_differences(units_fc, moved, tolerance_m=0.5) != []
    renamed = json.loads(json.dumps(units_fc))
    renamed["features"][0]["properties"]["name"] = "Khác"
    assert geojson_differences(units_fc, renamed) != []
    jitter = json.loads(json.dumps(units_fc))
    for f in jitter["features"]:  # the 6th decimal (about 0.1 m): another CPU's rounding
        geom = shapely.transform(shape(f["geometry"]), lambda c: c + 1e-6)
        f["geometry"] = shapely.geometry.mapping(geom)
    assert geojson_differences(units_fc, jitter, tolerance_m=0.5) == []


def test_the_build_avoids_cpu_dependent_maths() -> None:
    """No NumPy transcendental kernels (they differ in the last bit between CPUs), no BLAS."""
    text = (ROOT / "tools" / "build_boundaries.py").read_text(encoding="utf-8")
    build_part = text.split("def solve(", 1)[0] + text.split("def tables(", 1)[1]
    for call in ("np.sin(", "np.cos(", "np.exp(", "np.log(", "np.arctan", "np.hypot(", "np.linalg"):
        assert call not in build_part, call


def test_main_writes_both_files(
    builder: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert builder.main(["--out-dir", str(tmp_path)]) == 0
    assert (tmp_path / "units_2020.geojson").is_file()
    assert (tmp_path / "border.geojson").is_file()
    out = capsys.readouterr().out
    assert "Tân Hộ Cơ" in out and "centroid m" in out and "beyond border m²" in out


def test_facts_with_swapped_box_columns_are_refused(builder: ModuleType, tmp_path: Path) -> None:
    """The facts give south, west, north, east; a file with them in another order is caught."""
    text = FACTS_CSV.read_text(encoding="utf-8")
    header, *rows = text.splitlines()
    swapped = header.replace("bbox_south,bbox_west", "bbox_west,bbox_south")
    bad = tmp_path / "facts.csv"
    bad.write_text("\n".join([swapped, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(builder.BuildError, match="outside its box"):
        builder.read_facts(bad)
