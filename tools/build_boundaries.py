"""Build approximate, schematic boundaries of huyện Tân Hồng's nine units (2020–2025).

No real polygon of these communes is available to the project. This script draws
plausible stand-ins that respect every fact in ``data/reference/tan_hong_communes_2020_2025.csv``
(from ``vietnamadminunits`` 1.0.4: the centroid and the bounding box of each unit, as
``bbox_south, bbox_west, bbox_north, bbox_east``; from a generalised public boundary set:
the approximate area and border length) and the two known ends of the district's stretch
of the Việt Nam – Campuchia border. It writes:

- ``data/boundaries/units_2020.geojson``: nine polygons that tile the district;
- ``data/boundaries/border.geojson``: the district's stretch of the national border.

What each unit must do (checked before anything is written, printed as a table):

- lie inside its bounding box, and touch each of the box's four sides within 300 m;
- have its centroid within 500 m of the facts' centroid and its area within 5 % of the
  reference area;
- lie south of the border line (zero area beyond it); only the plan communes touch it;
- hold the facts' centroid.

How. The map is a planar drawing (``NODES``, ``FACES``): named nodes where units meet,
each unit a cycle of nodes. A node that stands for a unit touching a side of its box
stays within 120 m of that side; every node stays inside the boxes of the units that
meet there. Each edge between two nodes is the straight chord bent by two smooth
harmonics (``BENDS``) and given a gentle deterministic wiggle (canals, field edges); the
district's northern edge is the border line instead. A bounded least-squares solve moves
the nodes and bends until each unit's area and centroid match the facts. The positions and
bends in the tables are the result of an earlier solve from a hand sketch, kept so that
the build only polishes them; change a fact and the solve fits the drawing again.

The facts' boxes disagree among themselves by a few tens of metres where Bình Phú, Tân
Thành B, Sa Rài and Tân Hộ Cơ meet (Bình Phú's east 105.45888 lies west of Tân Thành B's
west 105.459137; Sa Rài's north 10.887675 lies south of Tân Hộ Cơ's south 10.888012): no
drawing in which each 2025 commune is one piece can keep those four strictly inside their
boxes. Their meeting point ``Q`` sits in the middle of the gap, at most
:data:`BOX_TOLERANCE_M` outside each box; the table prints how far.

The border runs from the western end (on Bình Phú's box, 58 m east of the point in
DOMAIN.md, so that Bình Phú stays in its box) along the northern edges of the plan
communes' boxes (DOMAIN.md): Bình Phú's stretch to the junction with Tân Hộ Cơ, up Tân
Hộ Cơ's west side, along its top through its northernmost point, down to Thông Bình's
north-west corner, along Thông Bình's top to the eastern end. Each commune's stretch
meanders so that it is as long as the facts' ``border_km_approx``.

Every step is plain arithmetic on small arrays in a local metric frame (an
equirectangular projection at the district's latitude, where the facts' boxes are
rectangles) and on Python's own ``math`` functions: no CPU-dependent vector maths, no
noding. The solve's result is rounded to 1 cm before the geometry is drawn and the output
to 6 decimals of a degree, so the files are the same on every x86-64 machine.

Run from the repository root: ``python tools/build_boundaries.py`` (``--help`` for options;
``--solve`` fits the drawing from the tables and prints the new tables: several minutes).
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

METRIC_CRS = "EPSG:32648"  # WGS 84 / UTM zone 48N: where the checks measure
#: Known ends of the international border along the district (lon, lat), see DOMAIN.md.
BORDER_WEST_END = (105.3708, 10.9002)  # meets thị xã Hồng Ngự
BORDER_EAST_END = (105.4982, 10.9531)  # meets tỉnh Long An
#: Plan communes along the border, west to east.
BORDER_ORDER = ("29935", "29929", "29932")  # Bình Phú, Tân Hộ Cơ, Thông Bình
SEED = 869  # GSO code of huyện Tân Hồng; fixes every pseudo-random wiggle
DECIMALS = 6  # output precision in degrees (about 0.1 m)

#: What each unit must meet (section 4 of the boundary issue): checked and printed.
SIDE_REACH_M = 300.0  # each side of the box touched within this distance
CENTROID_M = 500.0  # the centroid this close to the facts' centroid
AREA_REL = 0.05  # the area within this fraction of the reference area
BOX_TOLERANCE_M = 25.0  # how far outside its box a unit may reach (only at Q, see above)
#: A node standing for a unit touching a side stays this close to it (well within 300 m).
ANCHOR_BAND_M = 120.0
#: The solve aims well inside the limits above: area within 0.5 %, centroid within 50 m.
AREA_SCALE, CENTROID_SCALE_M = 0.005, 50.0
#: ... and leaves a centroid alone once it is this close (a tighter fit only pinches shapes).
CENTROID_SLACK_M = 150.0

SOURCE_UNIT = (
    "Ranh giới gần đúng, dạng sơ đồ, do BorderPlan Geo dựng từ tọa độ tâm, khung bao (gói "
    "vietnamadminunits 1.0.4) và diện tích gần đúng của đơn vị; KHÔNG phải ranh giới hành chính "
    "chính thức."
)
METHOD_UNIT = (
    "Planar drawing inside the facts' bounding boxes (each side touched), nodes and bends solved "
    "so that area and centroid match the facts; shared edges drawn once for both neighbours."
)
BORDER_NAME = "Đường biên giới quốc gia Việt Nam – Campuchia (đoạn huyện Tân Hồng)"
SOURCE_BORDER = (
    "Vị trí gần đúng, do BorderPlan Geo vẽ từ hai điểm đầu mút đã biết và khung bao của các xã; "
    "không phải đường biên giới pháp lý."
)

_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)

SR, THC, TB, BP, TTA, TTB, TP, TCC, AP = (
    "29926", "29929", "29932", "29935", "29938", "29941", "29944", "29947", "29950",
)  # fmt: skip


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
    for u in units:
        if not (u.south < u.lat < u.north and u.west < u.lon < u.east):
            raise BuildError(f"{u.name}: its centroid is outside its box (south, west, north, east?)")
    return units


# --------------------------------------------------------------------------- local frame

#: Origin and reference latitude of the local frame.
LON0, LAT0, LAT_REF = 105.37, 10.78, 10.88
_PHI = math.radians(LAT_REF)
#: Metres per degree at the district's latitude (WGS84 series), so boxes stay rectangles.
M_PER_DEG_LAT = 111132.92 - 559.82 * math.cos(2 * _PHI) + 1.175 * math.cos(4 * _PHI)
M_PER_DEG_LON = 111412.84 * math.cos(_PHI) - 93.5 * math.cos(3 * _PHI) + 0.118 * math.cos(5 * _PHI)


def to_frame(lon: float, lat: float) -> np.ndarray:
    """Lon/lat → local metres (x east, y north)."""
    return np.array([(lon - LON0) * M_PER_DEG_LON, (lat - LAT0) * M_PER_DEG_LAT])


def frame_to_lonlat(xy: np.ndarray) -> np.ndarray:
    """Local metres → lon/lat, for an (n, 2) array."""
    return np.column_stack([LON0 + xy[:, 0] / M_PER_DEG_LON, LAT0 + xy[:, 1] / M_PER_DEG_LAT])


def to_metric(geom: Any) -> Any:
    """Project a WGS84 lon/lat geometry to UTM 48N metres (for measuring)."""

    def f(c: np.ndarray) -> np.ndarray:
        x, y = _TO_METRIC.transform(c[:, 0], c[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, f)


@dataclass(frozen=True)
class Box:
    """A unit's bounding box in the local frame."""

    lo: np.ndarray  # west, south
    hi: np.ndarray  # east, north

    @classmethod
    def of(cls, u: UnitFacts) -> Box:
        return cls(to_frame(u.west, u.south), to_frame(u.east, u.north))


# --------------------------------------------------------------------------- helpers


def _densify(points: np.ndarray, step: float) -> np.ndarray:
    """Points along a polyline every ``step`` metres or less, keeping the given vertices."""
    out = [points[0]]
    for a, b in itertools.pairwise(points):
        n = max(1, math.ceil(_norm(b - a) / step))
        t = np.arange(1, n + 1)[:, None] / n
        out.extend(a + t * (b - a))
    return np.array(out)


def _norm(v: np.ndarray) -> float:
    return math.sqrt(float(v[0]) * float(v[0]) + float(v[1]) * float(v[1]))


def _length(points: np.ndarray) -> float:
    d = np.diff(points, axis=0)
    return float(np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]).sum())


def _sin(values: np.ndarray) -> np.ndarray:
    """Sine through Python's ``math`` (the C library), not NumPy's CPU-dispatched kernels."""
    return np.array([math.sin(float(v)) for v in values])


def _smoothstep(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def _snap(points: np.ndarray, grid: float = 0.01) -> np.ndarray:
    """Round local coordinates to a grid (1 cm): the last bits of a float never reach the output."""
    return np.round(points / grid) * grid


# --------------------------------------------------------------------------- border

#: Border control points between the fixed ones (lon, lat), per plan commune, west to east.
#: Bình Phú: straight from the western end to its junction with Tân Hộ Cơ. Tân Hộ Cơ: up its
#: box's west side, along its top through its northernmost point, down to Thông Bình's
#: north-west corner. Thông Bình: along its top to the eastern end.
BORDER_VIA: dict[str, tuple[tuple[tuple[float, float], ...], tuple[tuple[float, float], ...]]] = {
    BP: ((), ()),
    THC: (((105.40934, 10.95722), (105.42123, 10.96987)), ((105.45234, 10.96987),)),
    TB: (((105.47979, 10.96264),), ()),
}
#: Wiggles of the border, (wavelength m, weight): it follows canals and field edges.
BORDER_WAVES = ((1600.0, 1.0), (700.0, 0.5), (300.0, 0.15))


def _meander(
    points: np.ndarray, amplitude: float, rng_key: Sequence[int], waves: Sequence[tuple[float, float]]
) -> np.ndarray:
    """Push a densified open polyline sideways along its normals by a sum of sine waves.

    ``waves`` holds (wavelength in metres, relative weight); phases and small changes of
    wavelength come from a generator seeded by ``rng_key``. Displacement and slope are
    zero at both ends, so the ends and the directions there stay put.
    """
    d = np.diff(points, axis=0)
    s = np.concatenate([[0.0], np.cumsum(np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]))])
    rng = np.random.default_rng([SEED, *rng_key])
    wave = np.zeros_like(s)
    for wavelength, weight in waves:
        phase = float(rng.uniform(0, 2 * math.pi))
        wave += weight * _sin(2 * math.pi * s / (wavelength * float(rng.uniform(0.85, 1.15))) + phase)
    # a slow swell of the amplitude keeps the wiggles from looking regular
    wave *= 0.75 + 0.25 * _sin(2 * math.pi * s / 5000.0 + float(rng.uniform(0, 2 * math.pi)))
    ramp = min(400.0, float(s[-1]) / 4)
    taper = _smoothstep(s / ramp) * _smoothstep((s[-1] - s) / ramp)
    tangent = np.gradient(points, axis=0)
    tangent /= np.sqrt(tangent[:, 0] * tangent[:, 0] + tangent[:, 1] * tangent[:, 1])[:, None]
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    return points + (amplitude * taper * wave)[:, None] * normal


@dataclass(frozen=True)
class Border:
    """The border line in the local frame, west to east, and its fixed points."""

    stretches: tuple[np.ndarray, np.ndarray, np.ndarray]  # Bình Phú, Tân Hộ Cơ, Thông Bình
    west: np.ndarray
    j1: np.ndarray  # Bình Phú | Tân Hộ Cơ
    j2: np.ndarray  # Tân Hộ Cơ | Thông Bình
    east: np.ndarray

    @property
    def line(self) -> np.ndarray:
        a, b, c = self.stretches
        return np.vstack([a, b[1:], c[1:]])


def build_border(units: dict[str, UnitFacts]) -> Border:
    """The border line: fixed points, control points, then a meander per commune's stretch.

    Fixed points: the western end (on Bình Phú's box); Bình Phú's northernmost latitude
    at Tân Hộ Cơ's westernmost longitude (junction Bình Phú | Tân Hộ Cơ); Tân Hộ Cơ's
    northernmost point at its centroid's longitude; Thông Bình's north-west box corner
    (junction Tân Hộ Cơ | Thông Bình); the eastern end. Each stretch stays inside its
    commune's box; its meander amplitude is solved (bisection) so that its length is the
    facts' ``border_km_approx``.
    """
    bp, thc, tb = (units[c] for c in BORDER_ORDER)
    west = to_frame(max(BORDER_WEST_END[0], bp.west + 1e-6), BORDER_WEST_END[1])
    east = to_frame(*BORDER_EAST_END)
    j1, j2 = to_frame(thc.west, bp.north), to_frame(tb.west, tb.north)
    peak = to_frame(thc.lon, thc.north)
    fixed = {BP: (west, j1, None), THC: (j1, j2, peak), TB: (j2, east, None)}
    stretches = []
    for key, code in enumerate(BORDER_ORDER):
        start, end, middle = fixed[code]
        before, after = BORDER_VIA[code]
        pts = [start, *(to_frame(*p) for p in before)]
        if middle is not None:
            pts.append(middle)
        pts += [*(to_frame(*p) for p in after), end]
        controls = np.array(pts)
        box = Box.of(units[code])
        target = units[code].border_km * 1000.0

        def stretch(
            amp: float, controls: np.ndarray = controls, key: int = key, box: Box = box
        ) -> np.ndarray:
            parts = [
                _meander(_densify(controls[i : i + 2], 40.0), amp, (key, i), BORDER_WAVES)
                for i in range(len(controls) - 1)
            ]
            line = np.vstack([parts[0], *[p[1:] for p in parts[1:]]])
            return np.clip(line, box.lo + 0.5, box.hi - 0.5)  # inside the commune's box

        lo, hi = 0.0, 600.0
        if _length(stretch(0.0)) >= target:
            hi = 0.0  # the straight line is already long enough
        for _ in range(40):  # bisection on the meander amplitude
            mid = 0.5 * (lo + hi)
            if _length(stretch(mid)) < target:
                lo = mid
            else:
                hi = mid
        line = _snap(stretch(hi))
        line[0], line[-1] = _snap(start), _snap(end)
        stretches.append(line)
    border = Border(
        (stretches[0], stretches[1], stretches[2]), stretches[0][0], stretches[0][-1], stretches[1][-1], east
    )
    if not LineString(border.line).is_simple:
        raise BuildError("the meandering border line crosses itself")
    return border


# --------------------------------------------------------------------------- the drawing

#: Nodes: name → (lon, lat, the units that meet there, the box sides it stands for).
#: ``W0``, ``J1``, ``J2``, ``E0`` are the border's fixed points (their positions here are
#: ignored); ``Q`` is fixed where four boxes fail to meet (see the module docstring).
NODES: dict[str, tuple[float, float, tuple[str, ...], tuple[str, ...]]] = {
    # the border's fixed points
    "W0": (0.0, 0.0, (BP,), (f"{BP}W",)),
    "J1": (0.0, 0.0, (BP, THC), (f"{BP}N", f"{THC}W")),
    "J2": (0.0, 0.0, (THC, TB), (f"{TB}N", f"{TB}W")),
    "E0": (0.0, 0.0, (TB,), ()),
    "Q": (105.459009, 10.887844, (BP, THC, TTB, SR), (f"{BP}E", f"{THC}S", f"{TTB}W", f"{SR}N")),
    # the district's outline, clockwise from the border's eastern end
    "o1a": (105.532884, 10.956457, (TB,), (f"{TB}E",)),
    "o1b": (105.532884, 10.951037, (TB,), (f"{TB}E",)),
    "o2": (105.519648, 10.901858, (TB, TTA), ()),
    "o34": (105.581860, 10.912481, (TTA,), (f"{TTA}N", f"{TTA}E")),
    "o5": (105.571489, 10.865515, (TTA, TP), ()),
    "o67": (105.614915, 10.889625, (TP,), (f"{TP}N", f"{TP}E")),
    "o9": (105.526600, 10.803981, (TP, AP), (f"{TP}S", f"{AP}E")),
    "o11a": (105.479713, 10.784579, (AP,), (f"{AP}S",)),
    "o11b": (105.474223, 10.784579, (AP,), (f"{AP}S",)),
    "o13": (105.436522, 10.815441, (AP, TCC), (f"{AP}W", f"{TCC}S")),
    "o16": (105.401290, 10.860705, (TCC, BP), (f"{TCC}W", f"{BP}S")),
    # inside
    "T3": (105.508190, 10.898800, (THC, TB, TTB), (f"{THC}E", f"{TTB}N")),
    "T4": (105.519729, 10.888589, (TB, TTB, TTA), (f"{TB}S", f"{TTA}W")),
    "T5": (105.532414, 10.855433, (TTA, TTB, TP), (f"{TTB}E",)),
    "T6": (105.513125, 10.841930, (TTB, TP, TCC), ()),
    "T7": (105.508644, 10.814426, (TCC, TP, AP), (f"{TP}W",)),
    "k1": (105.447893, 10.880508, (SR, BP, TCC), (f"{SR}W", f"{TCC}N")),
    "k3": (105.434894, 10.863217, (BP, TCC), ()),
    "k4": (105.542308, 10.844577, (TTA, TP), (f"{TTA}S",)),
    "k5": (105.474304, 10.841905, (TTB, TCC), (f"{TTB}S",)),
    "k6": (105.513125, 10.819855, (TCC, TP), (f"{TCC}E",)),
    "k7": (105.459679, 10.820968, (TCC, AP), (f"{AP}N",)),
    "m1": (105.441350, 10.913569, (BP, THC), ()),
    "m2": (105.473388, 10.898801, (THC, TTB), ()),
    "m3": (105.467212, 10.940867, (THC, TB), ()),
    "m4": (105.484402, 10.908582, (THC, TB), ()),
    "m5": (105.509974, 10.865899, (TTB, TCC), ()),
    "m6": (105.532381, 10.843317, (TTB, TP), ()),
    "srnw": (105.447894, 10.887675, (SR, BP), (f"{SR}W", f"{SR}N")),
    "srne": (105.473724, 10.887672, (SR, TTB), (f"{SR}E", f"{SR}N")),
    "srse": (105.472630, 10.863277, (SR, TCC, TTB), (f"{SR}E", f"{SR}S")),
    "srsw": (105.448124, 10.862231, (SR, TCC), (f"{SR}W", f"{SR}S")),
}
#: Each unit as a cycle of nodes; ``=X`` reaches X along the border line.
FACES: dict[str, str] = {
    SR: "Q srne srse srsw k1 srnw",
    BP: "W0 =J1 m1 Q srnw k1 k3 o16",
    THC: "J1 =J2 m3 m4 T3 m2 Q m1",
    TB: "J2 =E0 o1a o1b o2 T4 T3 m4 m3",
    TTA: "o2 o34 o5 k4 T5 T4",
    TTB: "Q m2 T3 T4 T5 m6 T6 m5 k5 srse srne",
    TP: "o5 o67 o9 T7 k6 T6 m6 T5 k4",
    TCC: "k1 srsw srse k5 m5 T6 k6 T7 k7 o13 o16 k3",
    AP: "o9 o11a o11b o13 k7 T7",
}
#: Bends of each edge (first harmonic, second harmonic), as fractions of its chord.
BENDS: dict[tuple[str, str], tuple[float, float]] = {
    ("Q", "srne"): (0.007186, -0.000947),
    ("srne", "srse"): (-0.007943, 0.036762),
    ("srse", "srsw"): (0.023845, 0.003761),
    ("k1", "srsw"): (0.012215, 0.018383),
    ("k1", "srnw"): (0.001769, -0.001967),
    ("Q", "srnw"): (-0.006618, -0.003894),
    ("J1", "m1"): (-0.149964, -0.079982),
    ("Q", "m1"): (-0.149999, -0.045402),
    ("k1", "k3"): (-0.056088, -0.054020),
    ("k3", "o16"): (0.059528, 0.019658),
    ("W0", "o16"): (0.072626, 0.079991),
    ("J2", "m3"): (-0.006061, -0.007907),
    ("m3", "m4"): (0.004885, 0.000473),
    ("T3", "m4"): (-0.007951, -0.032626),
    ("T3", "m2"): (-0.018029, 0.002847),
    ("Q", "m2"): (0.149460, 0.004853),
    ("E0", "o1a"): (-0.206812, -0.004688),
    ("o1a", "o1b"): (-0.002975, 0.000452),
    ("o1b", "o2"): (-0.248794, 0.078049),
    ("T4", "o2"): (0.016640, 0.002569),
    ("T3", "T4"): (0.074484, 0.009619),
    ("o2", "o34"): (0.088794, 0.023047),
    ("o34", "o5"): (-0.017903, 0.017950),
    ("k4", "o5"): (0.012476, -0.000284),
    ("T5", "k4"): (0.003444, -0.000919),
    ("T4", "T5"): (-0.036964, -0.054738),
    ("T5", "m6"): (0.011727, -0.007866),
    ("T6", "m6"): (-0.054384, 0.012245),
    ("T6", "m5"): (-0.101575, 0.041646),
    ("k5", "m5"): (0.018680, -0.079999),
    ("k5", "srse"): (0.149449, 0.076543),
    ("o5", "o67"): (-0.022681, -0.006984),
    ("o67", "o9"): (0.142443, -0.006665),
    ("T7", "o9"): (0.053128, 0.004657),
    ("T7", "k6"): (-0.037764, 0.002000),
    ("T6", "k6"): (0.020365, 0.004743),
    ("T7", "k7"): (0.097829, -0.027975),
    ("k7", "o13"): (-0.004976, 0.035983),
    ("o13", "o16"): (0.036047, -0.065565),
    ("o11a", "o9"): (-0.106863, 0.050624),
    ("o11a", "o11b"): (-0.000014, 0.000016),
    ("o11b", "o13"): (0.042246, -0.024668),
}
#: Pairs of nodes that move together (a unit's stretch along a side of its box).
PAIRS = {"o1b": "o1a", "o11b": "o11a"}
#: Largest bends: the outline's first harmonic, an inner edge's, any second harmonic.
BEND_MAX_OUTLINE, BEND_MAX_INNER, BEND_MAX_2 = 0.25, 0.15, 0.08
#: How far the solve may move a node from the table (metres).
NODE_FREEDOM_M = 1200.0
#: Wiggle of every edge: amplitude (at most this share of its length, and this many metres).
WIGGLE_SHARE, WIGGLE_MAX_M = 0.02, 70.0
WIGGLE_WAVES = ((1400.0, 1.0), (600.0, 0.45))
STEP_M = 80.0  # spacing of the points along an edge


def _fixed_nodes(border: Border) -> dict[str, np.ndarray]:
    return {
        "W0": border.west,
        "J1": border.j1,
        "J2": border.j2,
        "E0": border.line[-1],
        "Q": _snap(to_frame(*NODES["Q"][:2])),
    }


class Drawing:
    """The planar drawing: nodes, bends, and the polygons they make (local frame)."""

    def __init__(self, units: list[UnitFacts], border: Border) -> None:
        self.units = units
        self.by_code = {u.code: u for u in units}
        self.boxes = {u.code: Box.of(u) for u in units}
        self.border = border
        self.names = list(NODES)
        self.index = {n: i for i, n in enumerate(self.names)}
        fixed = _fixed_nodes(border)
        self.fixed = set(fixed)
        self.home = np.array([fixed.get(n, to_frame(*NODES[n][:2])) for n in self.names])
        self.free = [i for i, n in enumerate(self.names) if n not in self.fixed and n not in PAIRS]
        self.pair_offset = {
            self.index[b]: (self.index[a], self.home[self.index[b]] - self.home[self.index[a]])
            for b, a in PAIRS.items()
        }
        self.lo, self.hi = self._bounds()
        self.edges: dict[tuple[str, str], list[str]] = {}
        for code, cycle in FACES.items():
            tokens = cycle.split()
            for a, b in zip(tokens, tokens[1:] + tokens[:1], strict=True):
                if not b.startswith("="):
                    self.edges.setdefault(_key(a, b), []).append(code)
        self.edge_keys = list(self.edges)
        self.edge_box = {k: self._box_of(self.edges[k]) for k in self.edge_keys}
        self.border_parts = {
            ("W0", "J1"): border.stretches[0],
            ("J1", "J2"): border.stretches[1],
            ("J2", "E0"): border.stretches[2],
        }
        self.edge_slot = {k: i for i, k in enumerate(self.edge_keys)}
        self._patterns: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}

    # -- parameters: free node coordinates, then two bends per edge --------------------------
    def initial(self) -> np.ndarray:
        bends = [BENDS.get(k, (0.0, 0.0)) for k in self.edge_keys]
        return np.concatenate([self.home[self.free].ravel(), np.array(bends).ravel()])

    def limits(self) -> tuple[np.ndarray, np.ndarray]:
        first = [BEND_MAX_OUTLINE if len(self.edges[k]) == 1 else BEND_MAX_INNER for k in self.edge_keys]
        bend = np.array([[f, BEND_MAX_2] for f in first]).ravel()
        return (
            np.concatenate([self.lo[self.free].ravel(), -bend]),
            np.concatenate([self.hi[self.free].ravel(), bend]),
        )

    def unpack(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        nodes = self.home.copy()
        n = 2 * len(self.free)
        nodes[self.free] = params[:n].reshape(-1, 2)
        for i, (j, offset) in self.pair_offset.items():
            nodes[i] = nodes[j] + offset
        return nodes, params[n:].reshape(-1, 2)

    def _box_of(self, codes: Sequence[str]) -> Box:
        lo = np.max([self.boxes[c].lo for c in codes], axis=0)
        hi = np.min([self.boxes[c].hi for c in codes], axis=0)
        return Box(lo, hi)

    def _bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Each node inside its units' boxes, near the sides it stands for, near the table."""
        lo, hi = self.home.copy(), self.home.copy()
        for i, name in enumerate(self.names):
            if name in self.fixed:
                continue
            _, _, codes, sides = NODES[name]
            box = self._box_of(codes)
            lo[i] = np.maximum(box.lo, self.home[i] - NODE_FREEDOM_M)
            hi[i] = np.minimum(box.hi, self.home[i] + NODE_FREEDOM_M)
            for side in sides:
                b, s = self.boxes[side[:-1]], side[-1]
                if s == "W":
                    hi[i, 0] = min(hi[i, 0], b.lo[0] + ANCHOR_BAND_M)
                elif s == "E":
                    lo[i, 0] = max(lo[i, 0], b.hi[0] - ANCHOR_BAND_M)
                elif s == "S":
                    hi[i, 1] = min(hi[i, 1], b.lo[1] + ANCHOR_BAND_M)
                else:
                    lo[i, 1] = max(lo[i, 1], b.hi[1] - ANCHOR_BAND_M)
            if np.any(lo[i] > hi[i]):
                raise BuildError(f"node {name}: its boxes and sides leave it no room")
        return lo, hi

    # -- geometry -------------------------------------------------------------------------------
    def _pattern(self, key: tuple[str, str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Fixed per edge: where its points sit along the chord, its two bend shapes, its wiggle.

        The number of points and the wiggle's wavelengths come from the edge's length in the
        tables, so the geometry is a smooth function of the parameters the solve moves.
        """
        if key not in self._patterns:
            a, b = self.home[self.index[key[0]]], self.home[self.index[key[1]]]
            length = _norm(b - a)
            n = max(8, math.ceil(length / STEP_M))
            t = np.arange(1, n) / n
            s1 = _sin(math.pi * t)
            rng = np.random.default_rng([SEED, *(ord(ch) for ch in "|".join(key))])
            r = rng.uniform(0.0, 1.0, 2 * len(WIGGLE_WAVES))
            wave = np.zeros_like(t)
            for k, (wavelength, weight) in enumerate(WIGGLE_WAVES):
                cycles = max(1.0, round(length / (wavelength * (0.8 + 0.4 * float(r[2 * k])))))
                wave += weight * _sin(2 * math.pi * (cycles * t + float(r[2 * k + 1])))
            self._patterns[key] = (t, s1, _sin(2 * math.pi * t), s1 * s1 * wave)
        return self._patterns[key]

    def edge_points(self, nodes: np.ndarray, bends: np.ndarray, key: tuple[str, str]) -> np.ndarray:
        """Inner points of an edge, from ``key[0]`` to ``key[1]``, inside its units' boxes."""
        a, b = nodes[self.index[key[0]]], nodes[self.index[key[1]]]
        d = b - a
        length = _norm(d)
        t, s1, s2, wiggle = self._pattern(key)
        b1, b2 = bends[self.edge_slot[key]]
        offset = (b1 * length) * s1 + (b2 * length) * s2 + min(WIGGLE_SHARE * length, WIGGLE_MAX_M) * wiggle
        normal = np.array([-d[1], d[0]]) / length
        pts = a + t[:, None] * d + offset[:, None] * normal
        box = self.edge_box[key]
        return np.clip(pts, box.lo, box.hi)

    def ring(self, nodes: np.ndarray, bends: np.ndarray, code: str) -> np.ndarray:
        """A unit's boundary as an open ring of points (local frame)."""
        tokens = FACES[code].split()
        parts = []
        for a, b in zip(tokens, tokens[1:] + tokens[:1], strict=True):
            a, b_name = a.lstrip("="), b.lstrip("=")
            parts.append(nodes[self.index[a]][None, :])
            if b.startswith("="):
                line = self.border_parts.get((a, b_name))
                parts.append(line[1:-1] if line is not None else self.border_parts[(b_name, a)][-2:0:-1])
            else:
                key = _key(a, b_name)
                pts = self.edge_points(nodes, bends, key)
                parts.append(pts if key[0] == a else pts[::-1])
        return np.vstack(parts)

    def rings(self, params: np.ndarray) -> dict[str, np.ndarray]:
        nodes, bends = self.unpack(params)
        return {u.code: self.ring(nodes, bends, u.code) for u in self.units}

    # -- the solve --------------------------------------------------------------------------------
    def residuals(self, params: np.ndarray) -> np.ndarray:
        """Area and centroid misfits (scaled), necks, then small pulls toward the table and straight edges."""
        out = []
        necks = []
        for code, ring in self.rings(params).items():
            u = self.by_code[code]
            area, centre = _area_centroid(ring)
            out.append((area / (u.area_km2 * 1e6) - 1) / AREA_SCALE)
            off = centre - to_frame(u.lon, u.lat)
            dist = max(_norm(off), 1e-9)
            out.extend(off / dist * max(0.0, dist - CENTROID_SLACK_M) / CENTROID_SCALE_M)
            necks.append(30.0 * _neck_shortfall(ring))
        out.extend(necks)
        nodes, bends = self.unpack(params)
        pull = (nodes[self.free] - self.home[self.free]).ravel() / 10000.0
        return np.concatenate([out, pull, bends.ravel() * 10.0])

    def sparsity(self) -> np.ndarray:
        """Which residuals each parameter can move (lets the solve difference many at once)."""
        codes = [u.code for u in self.units]
        n_free, n_edges = len(self.free), len(self.edge_keys)
        rows = 4 * len(codes) + 2 * n_free + 2 * n_edges
        pattern = np.zeros((rows, 2 * n_free + 2 * n_edges), dtype=int)
        moved_by = {i: {self.names[i]} for i in self.free}

        def touch(code: str, col: int, width: int) -> None:
            k = codes.index(code)
            pattern[3 * k : 3 * k + 3, col : col + width] = 1
            pattern[3 * len(codes) + k, col : col + width] = 1

        for i, (j, _) in self.pair_offset.items():
            moved_by[j].add(self.names[i])
        for col, i in enumerate(self.free):
            for key, faces in self.edges.items():
                if moved_by[i] & set(key):
                    for c in faces:
                        touch(c, 2 * col, 2)
            for c, cycle in FACES.items():
                if moved_by[i] & {t.lstrip("=") for t in cycle.split()}:
                    touch(c, 2 * col, 2)
            pattern[4 * len(codes) + 2 * col, 2 * col] = 1
            pattern[4 * len(codes) + 2 * col + 1, 2 * col + 1] = 1
        for e, key in enumerate(self.edge_keys):
            col = 2 * n_free + 2 * e
            for c in self.edges[key]:
                touch(c, col, 2)
            pattern[4 * len(codes) + 2 * n_free + 2 * e, col] = 1
            pattern[4 * len(codes) + 2 * n_free + 2 * e + 1, col + 1] = 1
        return pattern

    def solve(self, *, max_evaluations: int = 400) -> np.ndarray:
        """Fit the drawing to the facts (bounded least squares), rounded to 1 cm / 1e-6."""
        from scipy.optimize import least_squares  # a development dependency: only this tool uses it

        lo, hi = self.limits()
        start = np.clip(self.initial(), lo, hi)
        n = 2 * len(self.free)
        scale = np.concatenate([np.full(n, 100.0), np.full(len(start) - n, 0.01)])
        result = least_squares(
            self.residuals,
            start,
            bounds=(lo, hi),
            method="trf",
            x_scale=scale,
            jac_sparsity=self.sparsity(),
            max_nfev=max_evaluations,
        )
        params = np.clip(result.x, lo, hi)
        params[:n] = _snap(params[:n])
        params[n:] = np.round(params[n:], 6)
        return params

    def tables(self, params: np.ndarray) -> str:
        """The solved positions and bends as the Python tables of this module."""
        nodes, bends = self.unpack(params)
        lonlat = frame_to_lonlat(nodes)
        lines = ["NODES positions (lon, lat):"]
        for i, name in enumerate(self.names):
            if name not in self.fixed:
                lines.append(f'    "{name}": ({lonlat[i, 0]:.6f}, {lonlat[i, 1]:.6f}),')
        lines.append("BENDS = {")
        for key, (b1, b2) in zip(self.edge_keys, bends, strict=True):
            if b1 or b2:
                lines.append(f'    ("{key[0]}", "{key[1]}"): ({b1:.6f}, {b2:.6f}),')
        lines.append("}")
        return "\n".join(lines)


#: No unit is narrower than this anywhere (two parts of its boundary far apart along it).
NECK_M = 450.0


def _neck_shortfall(ring: np.ndarray) -> float:
    """How far a unit falls short of :data:`NECK_M` in width (0 when it never does).

    Pairs of boundary points more than ``3 * NECK_M`` apart along the boundary must be at
    least ``NECK_M`` apart in the plane; the shortfalls, relative, are summed in squares.
    """
    pts = ring[:: max(1, len(ring) // 160)]
    seg = np.diff(np.vstack([pts, pts[:1]]), axis=0)
    arc = np.concatenate([[0.0], np.cumsum(np.sqrt(seg[:, 0] * seg[:, 0] + seg[:, 1] * seg[:, 1]))])
    perimeter, arc = arc[-1], arc[:-1]
    along = np.abs(arc[:, None] - arc[None, :])
    along = np.minimum(along, perimeter - along)
    dx = pts[:, None, 0] - pts[None, :, 0]
    dy = pts[:, None, 1] - pts[None, :, 1]
    short = np.clip(1.0 - np.sqrt(dx * dx + dy * dy) / NECK_M, 0.0, None)
    short[along < 3 * NECK_M] = 0.0
    return math.sqrt(float((short * short).sum()) / 2)


def _key(a: str, b: str) -> tuple[str, str]:
    a, b = a.lstrip("="), b.lstrip("=")
    return (a, b) if a < b else (b, a)


def _area_centroid(ring: np.ndarray) -> tuple[float, np.ndarray]:
    """Area (counter-clockwise positive, taken absolute) and centroid of a closed ring."""
    x, y = ring[:, 0], ring[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    a = float(cross.sum()) / 2
    centre = np.array([float(((x + x1) * cross).sum()), float(((y + y1) * cross).sum())]) / (6 * a)
    return abs(a), centre


# --------------------------------------------------------------------------- output


def _lonlat_polygon(ring: np.ndarray) -> Polygon:
    """A local ring → a WGS84 polygon, rounded to :data:`DECIMALS`, counter-clockwise."""
    c = np.round(frame_to_lonlat(ring), DECIMALS)
    keep = np.ones(len(c), dtype=bool)
    keep[1:] = np.any(c[1:] != c[:-1], axis=1)
    c = c[keep]
    if np.all(c[0] == c[-1]):
        c = c[:-1]
    return shapely.orient_polygons(Polygon(c))


def _coords(geom: Any) -> Any:
    mapping = shapely.geometry.mapping(geom)
    return json.loads(json.dumps(mapping["coordinates"]))


def build(
    facts_csv: Path = DEFAULT_FACTS_CSV, *, solve: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the two GeoJSON FeatureCollections (units, border) from the facts file.

    ``solve`` fits the drawing to the facts first (slow; ``--solve``); otherwise the
    tables are drawn as they are, and the checks say whether they still fit the facts.
    """
    units = read_facts(Path(facts_csv))
    border = build_border({u.code: u for u in units})
    drawing = Drawing(units, border)
    params = drawing.solve() if solve else drawing.initial()
    if solve:
        print(drawing.tables(params))
    rings = drawing.rings(params)
    ll = [_lonlat_polygon(rings[u.code]) for u in units]
    border_ll = LineString(np.round(frame_to_lonlat(border.line), DECIMALS))
    checks = unit_checks(units, ll, border_ll)
    failures = [f"{c.name}: {problem}" for c in checks for problem in c.problems()]
    if failures:
        raise BuildError("; ".join(failures))
    _check_tiling(units, ll, border_ll)
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
                    "method": METHOD_UNIT,
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


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class UnitCheck:
    """How one unit meets the facts, measured in UTM 48N metres (printed by the build)."""

    code: str
    name: str
    area_km2: float
    area_ref_km2: float
    centroid_m: float
    outside_box_m: float
    side_gaps_m: tuple[float, float, float, float]  # south, west, north, east
    beyond_border_m2: float
    holds_centroid: bool = True
    """The facts' centroid lies inside the unit (labels and lookups by position rely on it)."""

    @property
    def area_diff(self) -> float:
        return self.area_km2 / self.area_ref_km2 - 1

    def problems(self) -> list[str]:
        """What this unit fails (empty: it meets every fact)."""
        out = []
        if abs(self.area_diff) > AREA_REL:
            out.append(f"area {self.area_km2:.2f} km² is {self.area_diff:+.1%} off the reference")
        if self.centroid_m > CENTROID_M:
            out.append(f"centroid {self.centroid_m:.0f} m from the facts")
        if self.outside_box_m > BOX_TOLERANCE_M:
            out.append(f"reaches {self.outside_box_m:.0f} m outside its box")
        for side, gap in zip("SWNE", self.side_gaps_m, strict=True):
            if gap > SIDE_REACH_M:
                out.append(f"stays {gap:.0f} m short of the box's {side} side")
        if self.beyond_border_m2 > 1.0:
            out.append(f"{self.beyond_border_m2:.0f} m² beyond the border line")
        if not self.holds_centroid:
            out.append("the facts' centroid falls outside it")
        return out


def cambodia_side(border: LineString) -> Polygon:
    """The land north of the border line, between its two ends (lon/lat, far enough north)."""
    c = np.array(border.coords)
    top = float(c[:, 1].max()) + 0.2
    return Polygon(np.vstack([c, [[c[-1, 0], top], [c[0, 0], top]]]))


def unit_checks(
    units: Sequence[UnitFacts], polygons: Sequence[Polygon], border: LineString
) -> list[UnitCheck]:
    """Measure each unit against its facts: area, centroid, box, sides, the border."""
    beyond = to_metric(cambodia_side(border))
    out = []
    for u, poly in zip(units, polygons, strict=True):
        metric = to_metric(poly)
        coords = np.array(poly.exterior.coords)
        lon, lat = coords[:, 0], coords[:, 1]
        m_lat = 110574.0  # metres per degree, near enough for distances of a few hundred metres
        m_lon = 111320.0 * math.cos(math.radians(u.lat))
        # straight edges between vertices inside a lon/lat box stay inside it: vertices suffice
        outside = max(
            float(np.max(np.maximum(u.west - lon, lon - u.east).clip(0.0))) * m_lon,
            float(np.max(np.maximum(u.south - lat, lat - u.north).clip(0.0))) * m_lat,
        )
        gaps = (
            (float(lat.min()) - u.south) * m_lat,
            (float(lon.min()) - u.west) * m_lon,
            (u.north - float(lat.max())) * m_lat,
            (u.east - float(lon.max())) * m_lon,
        )
        centre = to_metric(Point(u.lon, u.lat))
        out.append(
            UnitCheck(
                u.code,
                u.name,
                metric.area / 1e6,
                u.area_km2,
                metric.centroid.distance(centre),
                outside,
                (max(gaps[0], 0.0), max(gaps[1], 0.0), max(gaps[2], 0.0), max(gaps[3], 0.0)),
                metric.intersection(beyond).area,
                metric.contains(centre),
            )
        )
    return out


def _check_tiling(units: list[UnitFacts], polygons: list[Polygon], border: LineString) -> None:
    metric = [to_metric(p) for p in polygons]
    for u, p in zip(units, metric, strict=True):
        if not p.is_valid:
            raise BuildError(f"{u.name}: invalid polygon ({shapely.is_valid_reason(p)})")
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


# --------------------------------------------------------------------------- writing


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


def summary(units_fc: dict[str, Any], border_fc: dict[str, Any], facts_csv: Path = DEFAULT_FACTS_CSV) -> str:
    """A plain-text table: each unit against its facts (section 4 of the boundary issue)."""
    units = read_facts(Path(facts_csv))
    by_code = {f["properties"]["code"]: shapely.geometry.shape(f["geometry"]) for f in units_fc["features"]}
    border = shapely.geometry.shape(border_fc["features"][0]["geometry"])
    checks = unit_checks(units, [by_code[u.code] for u in units], border)
    line = to_metric(border)
    near = line.buffer(1.0)
    head = (
        f"{'unit':<17} {'code':>5} {'km²':>6} {'ref':>5} {'diff':>6} {'centroid m':>10} "
        f"{'out of box m':>12} {'gap S':>6} {'W':>5} {'N':>5} {'E':>5} {'beyond border m²':>16} {'border km':>9}"
    )
    rows = [head, "-" * len(head)]
    for c in checks:
        touched = to_metric(by_code[c.code]).boundary.intersection(near).length / 1000
        s, w, n, e = c.side_gaps_m
        rows.append(
            f"{c.name:<17} {c.code:>5} {c.area_km2:>6.2f} {c.area_ref_km2:>5.1f} {c.area_diff:>+6.1%} "
            f"{c.centroid_m:>10.0f} {c.outside_box_m:>12.1f} {s:>6.0f} {w:>5.0f} {n:>5.0f} {e:>5.0f} "
            f"{c.beyond_border_m2:>16.1f} {touched:>9.2f}"
        )
    rows.append(
        f"limits: area ±{AREA_REL:.0%}, centroid ≤ {CENTROID_M:.0f} m, box ≤ {BOX_TOLERANCE_M:.0f} m, "
        f"sides ≤ {SIDE_REACH_M:.0f} m, beyond the border 0 m²; border line {line.length / 1000:.2f} km"
    )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: build and write the boundaries, print the per-unit table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=Path, default=DEFAULT_FACTS_CSV, help="facts CSV (9 units)")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR, help="output folder")
    parser.add_argument(
        "--solve", action="store_true", help="fit the drawing to the facts and print the new tables"
    )
    args = parser.parse_args(argv)
    units_fc, border_fc = build(args.facts, solve=args.solve)
    for path in write_outputs(units_fc, border_fc, args.out_dir):
        print(f"wrote {path}")
    print(summary(units_fc, border_fc, args.facts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
