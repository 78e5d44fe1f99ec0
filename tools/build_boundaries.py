"""Build approximate, schematic boundaries of huyện Tân Hồng's nine units (2020–2025).

No real polygon of these communes is available to the project. This script draws
plausible stand-ins from the facts in ``data/reference/tan_hong_communes_2020_2025.csv``
(centroid and bounding box of each unit from ``vietnamadminunits`` 1.0.4; approximate
area and border length from a generalised public boundary set) and the two known ends of
the district's stretch of the Việt Nam – Campuchia border. It writes:

- ``data/boundaries/units_2020.geojson``: nine polygons that tile the district;
- ``data/boundaries/border.geojson``: the district's stretch of the national border.

How (all in UTM 48N metres, EPSG:32648):

1. The border line runs from the western end (meets Hồng Ngự) through the junction
   Bình Phú | Tân Hộ Cơ (Bình Phú's northernmost latitude at Tân Hộ Cơ's westernmost
   longitude), the top of Tân Hộ Cơ's box, the junction Tân Hộ Cơ | Thông Bình (the
   north-west corner of Thông Bình's box) to the eastern end (meets Long An). Each
   commune's stretch gets a deterministic meander whose amplitude is solved so that the
   stretch is as long as the facts' ``border_km_approx``.
2. The rest of the district outline passes through the outward bounding-box extremes of
   the units on the district's edge, scaled about the district's centre so that the
   outline's area equals the sum of the reference areas, smoothed and gently wiggled.
3. Thị trấn Sa Rài, which fills 96 % of its box, is drawn as that box (gently wiggled,
   at its reference area). The rest of the outline is cut by a power diagram (weighted
   Voronoi) of the other facts centroids, plus two extra sites that shape Thông Bình and
   Tân Thành B near the town as their boxes say (see ``build_sites``). The two edges
   between plan communes are pinned to the junctions of step 1, each shared edge is
   wiggled once and the line-work is polygonised again, so neighbours share their edges
   vertex for vertex. Damped Newton steps on the weights bring each unit's area to its
   reference area (within 0.1 %).
4. Polygons go back to WGS84, coordinates are rounded to 6 decimals and the result is
   checked (valid, no overlap, no gap, only the plan communes on the border, each 2025
   commune in one piece) before anything is written.

Everything is deterministic: the wiggles come from NumPy generators with fixed seeds.
Run from the repository root: ``python tools/build_boundaries.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FACTS_CSV = REPO_ROOT / "data" / "reference" / "tan_hong_communes_2020_2025.csv"
DEFAULT_OUT_DIR = REPO_ROOT / "data" / "boundaries"
UNITS_FILE = "units_2020.geojson"
BORDER_FILE = "border.geojson"

METRIC_CRS = "EPSG:32648"  # WGS 84 / UTM zone 48N
#: Known ends of the international border along the district (lon, lat), see DOMAIN.md.
BORDER_WEST_END = (105.3708, 10.9002)  # meets thị xã Hồng Ngự
BORDER_EAST_END = (105.4982, 10.9531)  # meets tỉnh Long An
#: Plan communes along the border, west to east.
BORDER_ORDER = ("29935", "29929", "29932")  # Bình Phú, Tân Hộ Cơ, Thông Bình
SEED = 869  # GSO code of huyện Tân Hồng; fixes every pseudo-random wiggle
GRID_M = 0.01  # snap-rounding grid of the metric line-work
TOLERANCE = 0.001  # relative area difference the weight solver aims at
ACCEPTABLE = 0.01  # ... and the most it accepts when its steps stall
BOXED_CODES = ("29926",)  # drawn as their box: Thị trấn Sa Rài (see build_boxed)
AUX_SITES = {"29932": 0.10, "29941": 0.03}  # share of the unit's area taken by its extra site
BOXED_WIGGLE_M = 60.0  # amplitude of the wiggles of a boxed unit's sides
DECIMALS = 6  # output precision in degrees (about 0.1 m)

SOURCE_UNIT = (
    "Ranh giới gần đúng, dạng sơ đồ, do BorderPlan Geo dựng từ tọa độ tâm, khung bao (gói "
    "vietnamadminunits 1.0.4) và diện tích gần đúng của đơn vị; KHÔNG phải ranh giới hành chính "
    "chính thức."
)
METHOD_UNIT = (
    "Power diagram of the facts centroids inside an outline built from the facts, weights solved "
    "to match the reference areas, each shared edge wiggled once and the line-work re-polygonised."
)
METHOD_BOXED = (
    "The unit's facts bounding box, gently wiggled and scaled about its centre to the reference area."
)
BORDER_NAME = "Đường biên giới quốc gia Việt Nam – Campuchia (đoạn huyện Tân Hồng)"
SOURCE_BORDER = (
    "Vị trí gần đúng, do BorderPlan Geo vẽ từ hai điểm đầu mút đã biết và khung bao của các xã; "
    "không phải đường biên giới pháp lý."
)

_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
_TO_LONLAT = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)


class BuildError(RuntimeError):
    """The construction did not meet one of its own checks."""


@dataclass(frozen=True)
class UnitFacts:
    """One row of the facts file."""

    code: str
    name: str
    in_plan: bool
    border_km: float
    area_km2: float
    lon: float
    lat: float
    south: float
    west: float
    north: float
    east: float
    merged_into: str
    """Code of the commune it became part of on 1 July 2025."""


# --------------------------------------------------------------------------- input


def read_facts(path: Path) -> list[UnitFacts]:
    """Read the nine units of the facts CSV, in file order."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    units = [
        UnitFacts(
            code=r["gso_code"].strip(),
            name=r["name"].strip(),
            in_plan=r["in_plan"].strip().lower() == "yes",
            border_km=float(r["border_km_approx"]),
            area_km2=float(r["area_km2_approx"]),
            lon=float(r["centroid_lon"]),
            lat=float(r["centroid_lat"]),
            south=float(r["bbox_south"]),
            west=float(r["bbox_west"]),
            north=float(r["bbox_north"]),
            east=float(r["bbox_east"]),
            merged_into=r["merged_2025_into_code"].strip(),
        )
        for r in rows
    ]
    codes = {u.code for u in units}
    if len(units) != 9 or len(codes) != 9 or not set(BORDER_ORDER) <= codes:
        raise BuildError(f"{path}: expected the 9 units of huyện Tân Hồng, got {sorted(codes)}")
    return units


# --------------------------------------------------------------------------- helpers


def _xy(lon: float, lat: float) -> np.ndarray:
    x, y = _TO_METRIC.transform(lon, lat)
    return np.array([x, y])


def _to_lonlat(geom: Any) -> Any:
    def f(c: np.ndarray) -> np.ndarray:
        lon, lat = _TO_LONLAT.transform(c[:, 0], c[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, f)


def to_metric(geom: Any) -> Any:
    """Project a WGS84 lon/lat geometry to UTM 48N metres."""

    def f(c: np.ndarray) -> np.ndarray:
        x, y = _TO_METRIC.transform(c[:, 0], c[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, f)


def _densify(points: np.ndarray, step: float) -> np.ndarray:
    """Points along a polyline every ``step`` metres or less, keeping the given vertices."""
    out = [points[0]]
    for a, b in itertools.pairwise(points):
        n = max(1, math.ceil(float(np.hypot(*(b - a))) / step))
        t = np.arange(1, n + 1)[:, None] / n
        out.extend(a + t * (b - a))
    return np.array(out)


def _chaikin(points: np.ndarray, rounds: int) -> np.ndarray:
    """Corner-cutting smoothing of an open chain; the two end points stay put."""
    for _ in range(rounds):
        a, b = points[:-1], points[1:]
        q, r = 0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b
        mid = np.empty((2 * len(a), 2))
        mid[0::2], mid[1::2] = q, r
        points = np.vstack([points[:1], mid[1:-1], points[-1:]])
    return points


def _smoothstep(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def _snap(points: np.ndarray) -> np.ndarray:
    """Round metric coordinates to the line-work grid."""
    return np.round(points / GRID_M) * GRID_M


def _length(points: np.ndarray) -> float:
    return float(np.hypot(*np.diff(points, axis=0).T).sum())


# --------------------------------------------------------------------------- border


def _meander(
    points: np.ndarray, amplitude: float, rng_key: Sequence[int], waves: Sequence[tuple[float, float]]
) -> np.ndarray:
    """Push a densified open polyline sideways along its normals by a sum of sine waves.

    ``waves`` holds (wavelength in metres, relative weight); phases and small changes of
    wavelength come from a generator seeded by ``rng_key``. Displacement and slope are
    zero at both ends, so the ends and the directions there stay put.
    """
    s = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
    rng = np.random.default_rng([SEED, *rng_key])
    wave = np.zeros_like(s)
    for wavelength, weight in waves:
        phase = rng.uniform(0, 2 * math.pi)
        wave += weight * np.sin(2 * math.pi * s / (wavelength * rng.uniform(0.85, 1.15)) + phase)
    # a slow swell of the amplitude keeps the wiggles from looking regular
    wave *= 0.75 + 0.25 * np.sin(2 * math.pi * s / 5000.0 + rng.uniform(0, 2 * math.pi))
    ramp = min(400.0, s[-1] / 4)
    taper = _smoothstep(s / ramp) * _smoothstep((s[-1] - s) / ramp)
    tangent = np.gradient(points, axis=0)
    tangent /= np.hypot(*tangent.T)[:, None]
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    return points + (amplitude * taper * wave)[:, None] * normal


#: Wiggles of the border, (wavelength m, weight): it follows canals and field edges.
BORDER_WAVES = ((1600.0, 1.0), (700.0, 0.5), (300.0, 0.15))
#: Gentler wiggles of the district's other sides (canals and rivers with Hồng Ngự, Long An).
OUTLINE_WAVES = ((4500.0, 1.0), (1900.0, 0.5), (800.0, 0.15))
OUTLINE_WIGGLE_M = 180.0


def _stretch(controls: np.ndarray, amplitude: float, key: int) -> np.ndarray:
    parts = [
        _meander(_densify(controls[i : i + 2], 40.0), amplitude, (key, i), BORDER_WAVES)
        for i in range(len(controls) - 1)
    ]
    return np.vstack([parts[0], *[p[1:] for p in parts[1:]]])


def build_border(units: dict[str, UnitFacts]) -> tuple[np.ndarray, list[int]]:
    """The border line (metric, west to east) and the vertex indices of its junctions.

    Control points, west to east: the western end; Bình Phú's northernmost latitude at
    Tân Hộ Cơ's westernmost longitude (junction Bình Phú | Tân Hộ Cơ); the top of Tân Hộ
    Cơ's box at its centroid's longitude; Thông Bình's northernmost latitude at its
    westernmost longitude (junction Tân Hộ Cơ | Thông Bình); the eastern end.
    """
    bp, thc, tb = (units[c] for c in BORDER_ORDER)
    west, east = _xy(*BORDER_WEST_END), _xy(*BORDER_EAST_END)
    j1 = _xy(thc.west, bp.north)
    peak = _xy(thc.lon, thc.north)
    j2 = _xy(tb.west, tb.north)
    stretches = [np.array([west, j1]), np.array([j1, peak, j2]), np.array([j2, east])]
    lines: list[np.ndarray] = []
    for key, (controls, unit) in enumerate(zip(stretches, (bp, thc, tb), strict=True)):
        target = unit.border_km * 1000.0
        lo, hi = 0.0, 600.0
        if _length(controls) >= target:
            hi = 0.0  # the straight line is already long enough
        for _ in range(50):  # bisection on the meander amplitude
            mid = 0.5 * (lo + hi)
            if _length(_stretch(controls, mid, key)) < target:
                lo = mid
            else:
                hi = mid
        lines.append(_stretch(controls, hi, key))
    junctions = [len(lines[0]) - 1, len(lines[0]) + len(lines[1]) - 2]
    border = _snap(np.vstack([lines[0], lines[1][1:], lines[2][1:]]))
    if not LineString(border).is_simple:
        raise BuildError("the meandering border line crosses itself")
    return border, junctions


# --------------------------------------------------------------------------- outline


def _outer_extremes(units: list[UnitFacts]) -> list[np.ndarray]:
    """Bounding-box extremes of the units that lie in no other unit's box.

    Each unit's box touches the unit at four points; we guess each at the box edge level
    with the centroid. Those outside every other box are on the district's edge.
    """
    boxes = {u.code: shapely.box(u.west, u.south, u.east, u.north) for u in units}
    points = []
    for u in units:
        for lon, lat in ((u.lon, u.north), (u.east, u.lat), (u.lon, u.south), (u.west, u.lat)):
            p = Point(lon, lat)
            if not any(b.contains(p) for c, b in boxes.items() if c != u.code):
                points.append(_xy(lon, lat))
    return points


def build_outline(units: list[UnitFacts], border: np.ndarray) -> Polygon:
    """District outline: the border line in the north, closed through the outer extremes.

    Extremes north of the border's chord belong to the border itself and are dropped. The
    closing chain runs clockwise from the eastern end; its inner points are scaled about
    the district's centre (area-weighted mean of the centroids) until the outline's area is
    the sum of the reference areas, then it is smoothed and given a gentle wiggle.
    """
    west, east = border[0], border[-1]
    chord = east - west

    def side(p: np.ndarray) -> float:
        return float(chord[0] * (p - west)[1] - chord[1] * (p - west)[0])

    weights = np.array([u.area_km2 for u in units])
    centre = (np.array([_xy(u.lon, u.lat) for u in units]) * weights[:, None]).sum(0) / weights.sum()
    south = [p for p in _outer_extremes(units) if side(p) < 0]
    # clockwise (seen from above) from the eastern end round the south to the western end
    start = math.atan2(*(east - centre)[::-1])

    def bearing(p: np.ndarray) -> float:
        return (start - math.atan2(*(p - centre)[::-1])) % (2 * math.pi)

    chain = np.array([east, *sorted(south, key=bearing), west])
    target = sum(u.area_km2 for u in units) * 1e6

    def outline(scale: float) -> Polygon:
        scaled = chain.copy()
        scaled[1:-1] = centre + scale * (chain[1:-1] - centre)
        smooth = _densify(_chaikin(scaled, 3), 100.0)
        wiggly = _meander(smooth, OUTLINE_WIGGLE_M, (0,), OUTLINE_WAVES)
        return Polygon(np.vstack([border, _snap(wiggly[1:-1])]))

    lo, hi = 0.5, 1.5
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if outline(mid).area < target:
            lo = mid
        else:
            hi = mid
    poly = outline(0.5 * (lo + hi))
    if not poly.is_valid:
        raise BuildError("district outline is not a valid polygon")
    return poly


# --------------------------------------------------------------------------- partition


def _half_plane(p: np.ndarray, q: np.ndarray, wp: float, wq: float) -> Polygon:
    """Points whose power distance to ``p`` (weight wp) is at most that to ``q``."""
    d = q - p
    dist = float(np.hypot(*d))
    n = d / dist
    x0 = (p + q) / 2 + n * (wp - wq) / (2 * dist)
    t = np.array([-n[1], n[0]])
    big = 1e5
    return Polygon([x0 + big * t, x0 + big * t - 2 * big * n, x0 - big * t - 2 * big * n, x0 - big * t])


def _power_cells(sites: np.ndarray, w: np.ndarray, region: Polygon) -> list[Any]:
    """Power cells of the sites, clipped to ``region`` (convex cells first: fewer vertices)."""
    x0, y0, x1, y1 = region.bounds
    frame = shapely.box(x0 - 1.0, y0 - 1.0, x1 + 1.0, y1 + 1.0)
    cells = []
    for i in range(len(sites)):
        cell = frame
        for j in range(len(sites)):
            if i != j:
                cell = cell.intersection(_half_plane(sites[i], sites[j], w[i], w[j]))
        cells.append(cell.intersection(region))
    return cells


def build_sites(units: list[UnitFacts]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Generator points of the power diagram (metric), their unit and their target area (m²).

    One site per unit at its facts centroid (the boxed units have none, see
    ``build_boxed``), and two extra sites that shape the units round the town's north-east
    corner as their boxes say:

    - Thông Bình's box reaches south to 10.8875 N, the town's northern edge: a site about
      1.3 km above the town's north-east corner draws a tongue of Thông Bình down to it;
    - Tân Thành B's box reaches west to 105.459 E and north to 10.899 N, over the town's
      north-east corner: a site just above that corner keeps Tân Thành B there, so that it
      still meets Tân Hộ Cơ (the two merged into one commune in 2025) and Thông Bình's
      tongue stops short of the town (it cannot touch both without cutting them apart).

    Each extra site takes a fixed share of its unit's area (``AUX_SITES``).
    """
    index = {u.code: i for i, u in enumerate(units)}
    own = [i for i, u in enumerate(units) if u.code not in BOXED_CODES]
    points = [_xy(units[i].lon, units[i].lat) for i in own]
    areas = [units[i].area_km2 * 1e6 for i in own]
    town, tb, ttb = (units[index[c]] for c in ("29926", "29932", "29941"))
    extra = {
        tb.code: (town.east, tb.south + 0.012),
        ttb.code: ((ttb.west + town.east) / 2, town.north + 0.002),
    }
    for code, (lon, lat) in extra.items():
        k = own.index(index[code])
        points.append(_xy(lon, lat))
        areas.append(AUX_SITES[code] * areas[k])
        areas[k] *= 1 - AUX_SITES[code]
        own.append(index[code])
    return np.array(points), np.array(own), np.array(areas)


def build_boxed(units: list[UnitFacts]) -> dict[int, Polygon]:
    """Units drawn as their own bounding box, gently wiggled, at their reference area.

    Thị trấn Sa Rài fills 96 % of its box (7.6 of 7.9 km²): it is, near enough, that box.
    A power cell of so small a unit next to large ones would drift off it instead. The
    box is wiggled side by side (corners kept), then scaled about its centre so that its
    area is exactly the reference area; the power diagram then fills the rest.
    """
    boxed = {}
    for i, u in enumerate(units):
        if u.code not in BOXED_CODES:
            continue
        corners = [_xy(u.west, u.south), _xy(u.east, u.south), _xy(u.east, u.north), _xy(u.west, u.north)]
        sides = [
            _meander(_densify(np.array([a, b]), 50.0), BOXED_WIGGLE_M, (int(u.code), n), OUTLINE_WAVES)[:-1]
            for n, (a, b) in enumerate(itertools.pairwise([*corners, corners[0]]))
        ]
        ring = np.vstack(sides)
        centre = np.mean(corners, axis=0)
        scale = math.sqrt(u.area_km2 * 1e6 / Polygon(ring).area)
        boxed[i] = Polygon(_snap(centre + scale * (ring - centre)))
    return boxed


def _wiggle(edge: np.ndarray, key: Sequence[int], amp_factor: float) -> np.ndarray:
    """One smooth sideways wiggle of an inner edge, its two end nodes kept in place.

    Points move across the chord (end to end) by a sum of sine waves of the fraction of
    arclength, tapered to zero with zero slope at both ends. That depends continuously on
    the edge, so the area solver sees a smooth change from one step to the next.
    """
    pts = _densify(edge, 60.0)
    s = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(pts, axis=0).T))])
    t = s / s[-1]
    chord = edge[-1] - edge[0]
    length = float(np.hypot(*chord))
    normal = np.array([-chord[1], chord[0]]) / length
    rng = np.random.default_rng([SEED, *key])
    wave = sum(rng.normal() / k * np.sin(math.pi * k * t + rng.uniform(0, 2 * math.pi)) for k in (1, 2, 3, 5))
    wave = wave / max(1e-9, float(np.abs(wave).max()))
    amp = amp_factor * min(0.06 * length, 250.0)
    for _ in range(6):  # a wiggle must not make the edge cross itself
        out = pts + (amp * np.sin(math.pi * t) ** 2 * wave)[:, None] * normal
        out[0], out[-1] = pts[0], pts[-1]
        if LineString(out).is_simple:
            return out
        amp /= 2
    return pts


@dataclass
class _Partition:
    polygons: list[Polygon]  # final, one per unit
    site_cells: list[Polygon]  # plain power cells, one per site, noded
    unit_cells: list[Polygon]  # plain power cells merged per unit


def _partition(
    units: list[UnitFacts],
    sites: tuple[np.ndarray, np.ndarray, np.ndarray],
    boxed: dict[int, Polygon],
    w: np.ndarray,
    outline: Polygon,
    pins: dict[frozenset[int], np.ndarray],
    amp_factor: float,
) -> _Partition:
    """Cut the outline into one polygon per unit for the given power weights (one per site).

    ``pins`` moves a node on the outline, named by the two units that meet there, to a
    given point. The outline and the boxed units' rings are fixed line-work; every other
    shared edge is wiggled once.
    """
    points, owners, _ = sites
    domain = outline.difference(shapely.union_all(list(boxed.values())))
    raw = _power_cells(points, w, domain)
    if any(c.is_empty for c in raw):
        raise BuildError("a power cell vanished")
    # A cell may wrap round a boxed unit and come out in two parts: the site keeps the part
    # it stands in (or the largest), a stray part goes to the neighbour it shares most with.
    main, strays = [], []
    for cell, site in zip(raw, points, strict=True):
        parts = sorted(shapely.get_parts(cell), key=lambda p: (not p.contains(Point(site)), -p.area))
        main.append(parts[0])
        strays.extend(parts[1:])
    # cells computed one by one disagree in the last bits: node them into one line-work
    cells = main + list(boxed.values()) + strays
    faces = _faces(shapely.union_all([c.boundary for c in cells], grid_size=GRID_M), cells)
    cell_owners = [*owners, *boxed]
    for stray in faces[len(cell_owners) :]:
        shared = [stray.boundary.intersection(f.boundary).length for f in faces[: len(owners)]]
        cell_owners.append(owners[int(np.argmax(shared))])
    unit_cells = []
    for i, u in enumerate(units):
        cell = shapely.union_all([f for f, o in zip(faces, cell_owners, strict=True) if o == i])
        if cell.geom_type != "Polygon":
            raise BuildError(f"the power cells of {u.name} are {cell.geom_type}, not one polygon")
        unit_cells.append(cell)
    rings = [outline.exterior, *(b.exterior for b in boxed.values())]
    edges = []
    for i, j in itertools.combinations(range(len(units)), 2):
        if i in boxed or j in boxed:
            continue  # that edge is part of the boxed unit's ring
        shared = shapely.line_merge(shapely.intersection(unit_cells[i].boundary, unit_cells[j].boundary))
        for n, part in enumerate(p for p in shapely.get_parts(shared) if p.length > 1e-6):
            coords = np.array(part.coords)
            a, b = coords[0], coords[1]
            left = (a + b) / 2 + 0.5 * np.array([a[1] - b[1], b[0] - a[0]]) / float(np.hypot(*(b - a)))
            if not unit_cells[i].contains(Point(left)):  # orient each edge with unit i on its left,
                coords = coords[::-1]  # so that its wiggle does not flip from one solve step to the next
            for end in (0, -1):
                meeting = frozenset(
                    k for k, c in enumerate(unit_cells) if c.distance(Point(coords[end])) < 1e-3
                )
                if meeting in pins:
                    coords[end] = pins[meeting]
            edges.append(LineString(_wiggle(coords, (int(units[i].code), int(units[j].code), n), amp_factor)))
    noded = shapely.union_all([*rings, *edges], grid_size=GRID_M)
    return _Partition(_faces(noded, unit_cells), faces[: len(points)], unit_cells)


def _faces(noded: Any, cells: list[Any]) -> list[Polygon]:
    """Polygonise noded line-work and give each face to the cell it lies in (or overlaps most)."""
    faces, cuts, dangles, invalid = shapely.polygonize_full(shapely.get_parts(noded))
    faces = list(shapely.get_parts(faces))
    if len(faces) != len(cells) or any(not g.is_empty for g in (cuts, dangles, invalid)):
        raise BuildError(f"line-work gave {len(faces)} faces, expected {len(cells)}")
    inside = [np.flatnonzero(shapely.contains(cells, f.representative_point())) for f in faces]
    owner = [int(k[0]) if len(k) == 1 else -1 for k in inside]
    if sorted(owner) != list(range(len(cells))):  # a face strays from its cell: measure overlaps
        owner = [int(np.argmax(shapely.area(shapely.intersection(f, cells)))) for f in faces]
        if sorted(owner) != list(range(len(cells))):
            raise BuildError("two faces fall in one cell")
    polygons: list[Polygon] = [Polygon()] * len(cells)
    for face, i in zip(faces, owner, strict=True):
        polygons[i] = face
    return polygons


def _site_areas(part: _Partition, owners: np.ndarray) -> np.ndarray:
    """Area of each site's share of the final polygons (pinning and wiggles shared pro rata)."""
    site = np.array([c.area for c in part.site_cells])
    unit_plain = np.array([c.area for c in part.unit_cells])
    unit_final = np.array([p.area for p in part.polygons])
    return site * (unit_final / unit_plain)[owners]


def _jacobian(points: np.ndarray, cells: list[Polygon]) -> np.ndarray:
    """d(area_i)/d(weight_j) of a power diagram: shared edge length / (2 * site distance)."""
    n = len(points)
    jac = np.zeros((n, n))
    for i, j in itertools.combinations(range(n), 2):
        shared = shapely.intersection(cells[i].boundary, cells[j].boundary).length
        if shared > 0:
            c = shared / (2 * float(np.hypot(*(points[i] - points[j]))))
            jac[i, j] = jac[j, i] = -c
            jac[i, i] += c
            jac[j, j] += c
    return jac


def build_partition(
    units: list[UnitFacts], outline: Polygon, border: np.ndarray, junctions: list[int]
) -> list[Polygon]:
    """Nine polygons tiling ``outline`` with areas close to the reference areas."""
    sites = build_sites(units)
    boxed = build_boxed(units)
    points, owners, target = sites
    index = {u.code: i for i, u in enumerate(units)}
    bp, thc, tb = (index[c] for c in BORDER_ORDER)
    pins = {frozenset((bp, thc)): border[junctions[0]], frozenset((thc, tb)): border[junctions[1]]}

    def error(part: _Partition) -> float:
        return float(np.abs(_site_areas(part, owners) / target - 1).max())

    def merit(part: _Partition) -> float:
        return float(np.square(_site_areas(part, owners) / target - 1).sum())

    def solve(w: np.ndarray, amp_factor: float) -> tuple[np.ndarray, _Partition]:
        """Damped Newton iterations on the weights until every area is within TOLERANCE.

        A step is kept when it lowers the sum of squared relative errors. If the steps
        stall, a result within ACCEPTABLE is still taken.
        """
        part = _partition(units, sites, boxed, w, outline, pins, amp_factor)
        for _ in range(40):
            if error(part) < TOLERANCE:
                return w, part
            residual = target - _site_areas(part, owners)
            step = np.linalg.lstsq(_jacobian(points, part.site_cells), residual, rcond=None)[0]
            step -= step.mean()
            for damping in (1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125):
                try:
                    trial = _partition(units, sites, boxed, w + damping * step, outline, pins, amp_factor)
                except BuildError:
                    continue  # a cell vanished or edges crossed: shorter step
                if merit(trial) < merit(part):
                    w, part = w + damping * step, trial
                    break
            else:
                break
        if error(part) < ACCEPTABLE:
            return w, part
        raise BuildError(f"areas did not converge (worst {error(part):.1%})")

    # straight edges first (plain power diagram), then the wiggled edges from those weights
    w, part = solve(np.zeros(len(points)), 0.0)
    for amp_factor in (1.0, 0.5, 0.25):  # smaller wiggles if they ever cross
        try:
            return solve(w, amp_factor)[1].polygons
        except BuildError:
            continue
    return part.polygons


# --------------------------------------------------------------------------- output


def _round_polygon(poly: Polygon) -> Polygon:
    def clean(coords: np.ndarray) -> np.ndarray:
        c = np.round(coords, DECIMALS)
        keep = np.ones(len(c), dtype=bool)
        keep[1:] = np.any(c[1:] != c[:-1], axis=1)
        return c[keep]

    return shapely.orient_polygons(
        Polygon(clean(np.array(poly.exterior.coords)), [clean(np.array(r.coords)) for r in poly.interiors])
    )


def _coords(geom: Any) -> Any:
    mapping = shapely.geometry.mapping(geom)
    return json.loads(json.dumps(mapping["coordinates"]))


def build(facts_csv: Path = DEFAULT_FACTS_CSV) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the two GeoJSON FeatureCollections (units, border) from the facts file."""
    units = read_facts(Path(facts_csv))
    by_code = {u.code: u for u in units}
    border, junctions = build_border(by_code)
    outline = build_outline(units, border)
    polygons = build_partition(units, outline, border, junctions)
    ll = [_round_polygon(_to_lonlat(p)) for p in polygons]
    border_ll = _border_from_faces(ll)
    _check(units, ll, border_ll)
    features = []
    for u, poly in zip(units, ll, strict=True):
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": u.code,
                    "name": u.name,
                    "in_plan": u.in_plan,
                    "area_km2": round(to_metric(poly).area / 1e6, 1),
                    "area_km2_reference": u.area_km2,
                    "accuracy": "approximate",
                    "source": SOURCE_UNIT,
                    "method": METHOD_BOXED if u.code in BOXED_CODES else METHOD_UNIT,
                },
                "geometry": {"type": "Polygon", "coordinates": _coords(poly)},
            }
        )
    units_fc = {"type": "FeatureCollection", "features": features}
    border_fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "name": BORDER_NAME,
                    "accuracy": "approximate",
                    "source": SOURCE_BORDER,
                    "length_km": round(to_metric(border_ll).length / 1000, 1),
                },
                "geometry": {"type": "LineString", "coordinates": _coords(border_ll)},
            }
        ],
    }
    return units_fc, border_fc


def _border_from_faces(polygons: list[Polygon]) -> LineString:
    """The district's outer ring from the western to the eastern end, the northern way."""
    outer = shapely.union_all(polygons)
    ring = np.array(shapely.orient_polygons(outer, exterior_cw=True).exterior.coords)[:-1]
    west = int(np.argmin(np.hypot(*(ring - np.array(BORDER_WEST_END)).T)))
    east = int(np.argmin(np.hypot(*(ring - np.array(BORDER_EAST_END)).T)))
    ring = np.roll(ring, -west, axis=0)  # clockwise from the west end: north first
    return LineString(ring[: (east - west) % len(ring) + 1])


def _check(units: list[UnitFacts], polygons: list[Polygon], border: LineString) -> None:
    metric = [to_metric(p) for p in polygons]
    for u, p in zip(units, metric, strict=True):
        if not p.is_valid:
            raise BuildError(f"{u.name}: invalid polygon after rounding")
    for a, b in itertools.combinations(range(len(metric)), 2):
        if metric[a].intersection(metric[b]).area > 1.0:
            raise BuildError(f"{units[a].name} overlaps {units[b].name}")
    union = shapely.union_all(metric)
    if (
        union.geom_type != "Polygon"
        or len(union.interiors)
        or abs(union.area - sum(p.area for p in metric)) > 1
    ):
        raise BuildError("the units do not tile the district")
    line = to_metric(border)
    near = line.buffer(1.0)
    for u, p in zip(units, metric, strict=True):
        if not u.in_plan and p.distance(line) < 100:
            raise BuildError(f"{u.name} touches the border")
        if u.in_plan and p.boundary.intersection(near).length < 1000:
            raise BuildError(f"{u.name} has less than 1 km of the border")
    for code in sorted({u.merged_into for u in units}):
        merged = shapely.union_all([p for u, p in zip(units, metric, strict=True) if u.merged_into == code])
        if merged.geom_type != "Polygon" or len(merged.interiors):
            raise BuildError(f"the 2025 commune {code} would not be one piece")
    vertices = {
        tuple(c) for p, u in zip(polygons, units, strict=True) if u.in_plan for c in p.exterior.coords
    }
    if not all(tuple(c) in vertices for c in border.coords):
        raise BuildError("the border line is not drawn on the communes' own vertices")


def write_outputs(units_fc: dict[str, Any], border_fc: dict[str, Any], out_dir: Path) -> list[Path]:
    """Write the two collections as UTF-8 GeoJSON, one feature per line."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fc in ((UNITS_FILE, units_fc), (BORDER_FILE, border_fc)):
        lines = [json.dumps(f, ensure_ascii=False) for f in fc["features"]]
        text = '{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n"
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def summary(units_fc: dict[str, Any], border_fc: dict[str, Any]) -> str:
    """A plain-text table: built vs reference area and border length per unit."""
    line = to_metric(shapely.geometry.shape(border_fc["features"][0]["geometry"]))
    near = line.buffer(1.0)
    rows = [f"{'unit':<18} {'code':>6} {'built km²':>10} {'ref km²':>8} {'diff %':>7} {'border km':>10}"]
    for f in units_fc["features"]:
        p = f["properties"]
        poly = to_metric(shapely.geometry.shape(f["geometry"]))
        touched = poly.boundary.intersection(near).length / 1000
        diff = 100 * (poly.area / 1e6 / p["area_km2_reference"] - 1)
        rows.append(
            f"{p['name']:<18} {p['code']:>6} {poly.area / 1e6:>10.2f} {p['area_km2_reference']:>8.1f} "
            f"{diff:>+7.1f} {touched:>10.2f}"
        )
    rows.append(f"border line: {line.length / 1000:.2f} km")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: build and write the boundaries, print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=Path, default=DEFAULT_FACTS_CSV, help="facts CSV (9 units)")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR, help="output folder")
    args = parser.parse_args(argv)
    units_fc, border_fc = build(args.facts)
    for path in write_outputs(units_fc, border_fc, args.out_dir):
        print(f"wrote {path}")
    print(summary(units_fc, border_fc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
