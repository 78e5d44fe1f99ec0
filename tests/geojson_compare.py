"""Compare GeoJSON built on one machine with GeoJSON built on another, as a user would.

Floating-point output differs in the last digit between CPUs (a rounding that falls
on ``...5`` goes one way on one machine and the other way on the next), so no test
compares coordinates byte for byte. Two collections are *the same data* when they
hold the same features in the same order, the same properties (numbers equal within
a relative tolerance), the same geometry types and ring counts, and every geometry
lies within ``tolerance_m`` metres of its counterpart (Hausdorff distance, UTM 48N).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape

_TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True)


def _metric(geom: Any) -> Any:
    def f(c: np.ndarray) -> np.ndarray:
        return np.column_stack(_TO_METRIC.transform(c[:, 0], c[:, 1]))

    return shapely.transform(geom, f)


def _same_value(a: object, b: object, rel: float) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            return True
        return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_value(a[k], b[k], rel) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_value(x, y, rel) for x, y in zip(a, b, strict=True))
    return a == b


def _parts(geom: Any) -> list[int]:
    """Rings per polygon part (or 1 per line/point part): the topology a user sees."""
    out = []
    for part in getattr(geom, "geoms", [geom]):
        out.append(1 + len(part.interiors) if part.geom_type == "Polygon" else 1)
    return out


def geojson_differences(
    one: dict[str, Any], two: dict[str, Any], *, tolerance_m: float = 0.5, rel: float = 1e-6
) -> list[str]:
    """What differs between two feature collections, beyond float noise (empty: the same)."""
    fa, fb = one.get("features", []), two.get("features", [])
    if len(fa) != len(fb):
        return [f"{len(fa)} features vs {len(fb)}"]
    out: list[str] = []
    for i, (a, b) in enumerate(zip(fa, fb, strict=True)):
        where = f"feature {i} ({a.get('properties', {}).get('code') or a.get('properties', {}).get('id')})"
        pa, pb = a.get("properties") or {}, b.get("properties") or {}
        if pa.keys() != pb.keys():
            out.append(f"{where}: properties {sorted(pa)} vs {sorted(pb)}")
        else:
            for key in pa:
                if not _same_value(pa[key], pb[key], rel):
                    out.append(f"{where}: {key} = {pa[key]!r} vs {pb[key]!r}")
        ga, gb = a.get("geometry"), b.get("geometry")
        if (ga is None) != (gb is None):
            out.append(f"{where}: geometry present in one only")
            continue
        if ga is None:
            continue
        sa, sb = shape(ga), shape(gb)
        if sa.geom_type != sb.geom_type or _parts(sa) != _parts(sb):
            out.append(f"{where}: {sa.geom_type} {_parts(sa)} vs {sb.geom_type} {_parts(sb)}")
            continue
        distance = shapely.hausdorff_distance(_metric(sa), _metric(sb))
        if distance > tolerance_m:
            out.append(f"{where}: geometries {distance:.2f} m apart (tolerance {tolerance_m} m)")
    return out


def read_geojson(path: Path | str) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))
