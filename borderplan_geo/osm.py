"""OpenStreetMap boundaries of the nine units, for users with Internet access.

The shipped commune polygons are approximate schematics. Where the machine can
reach the Overpass API, :func:`replace_boundaries_with_osm` fetches the nine
units' boundary relations (ranh giới hành chính cấp xã) by their OpenStreetMap
relation ids (``osm_relation_id`` in ``reference/tan_hong_communes_2020_2025.csv``),
assembles them into polygons, checks them and saves them as
``boundaries/official/osm.geojson`` in the users' store, where
:func:`borderplan_geo.boundaries.read_units` picks them up in place of the
approximate ones. The data are © OpenStreetMap contributors, under the ODbL;
every feature says so in ``source``.

Nothing is written unless all nine units are there and plausible. Without
Internet, or when the answer is wrong, the approximate boundaries stay and the
caller gets a message saying why.

The steps are separate so that each can be tested without a network:

:func:`overpass_query`
    the Overpass QL query for the relation ids;
:func:`fetch_overpass`
    the only function that touches the network;
:func:`units_from_overpass`
    pure: an Overpass JSON response → one polygon per unit;
:func:`check_osm_units`
    pure: the frame through :func:`~borderplan_geo.boundaries.normalise_units`
    plus plausibility checks against the reference facts.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import http.client
import io
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from . import __version__
from ._errors import DataError, OverpassError, Problem
from .auth import User, accounts_file, check_writer
from .boundaries import METRIC, OFFICIAL_DIR, WGS84, normalise_units
from .formatting import format_number
from .settings import REPO_ROOT, get_settings
from .store import DataSource, Store, Version, sha256
from .units import UNITS_2020, get_unit

#: The public Overpass API instance used unless another is given.
DEFAULT_ENDPOINT = "https://overpass-api.de/api/interpreter"
#: Seconds to wait for the Overpass server (also sent as the query's own timeout).
DEFAULT_TIMEOUT_S = 90.0
#: Sent with every request, as the Overpass usage policy asks (ASCII: it is an HTTP header).
USER_AGENT = f"BorderPlanGeo/{__version__} (Tan Hong border communes plan map; Python urllib)"
#: Largest response read, in bytes (nine communes take well under 5 MB).
MAX_RESPONSE_BYTES = 64 * 1024 * 1024

#: Where the assembled boundaries are saved, in the users' store.
OSM_FILE = f"{OFFICIAL_DIR}/osm.geojson"
#: The reference facts holding each unit's relation id, inside the data folder.
FACTS_FILE = "reference/tan_hong_communes_2020_2025.csv"
#: Attribution the ODbL requires, written into each feature's ``source``.
ATTRIBUTION = "© OpenStreetMap contributors, ODbL"
#: Note of the stored version.
NOTE = "OpenStreetMap, ODbL"
#: ``accuracy`` of the saved features.
ACCURACY = "osm"

#: A unit's area may differ from the reference area by this fraction.
AREA_TOLERANCE = 0.30
#: The district's area (union) may differ from the sum of the reference areas by this fraction.
DISTRICT_AREA_TOLERANCE = 0.15
#: Units may overlap, or leave holes between them, by this fraction of the district.
OVERLAP_TOLERANCE = 0.02
#: How far (km) a unit's centre may lie outside its reference bounding box, and the
#: district's outline outside (or short of) the reference bounding box.
BBOX_TOLERANCE_KM = 3.0

#: Files in ``boundaries/official/`` that :func:`~borderplan_geo.boundaries.official_file` would read.
_VECTOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".zip")

OFFLINE_MESSAGE = "không có kết nối Internet: giữ ranh giới gần đúng"
_KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class UnitFact:
    """What the reference facts say about one unit: enough to find and check its boundary."""

    code: str
    name: str
    relation_id: int
    area_km2: float
    #: south, west, north, east (WGS84)
    bbox: tuple[float, float, float, float]


@dataclass(frozen=True)
class OsmBoundaries:
    """The outcome of :func:`replace_boundaries_with_osm`."""

    #: The checked units (``code, name, in_plan, accuracy, source, osm_relation_id, geometry``).
    units: gpd.GeoDataFrame
    #: Warnings only (an error stops before this is built).
    problems: list[Problem]
    #: The GeoJSON saved (or that would be saved, on a dry run).
    content: bytes
    #: The stored version; ``None`` on a dry run or when the store already held these bytes.
    version: Version | None
    #: Where it is stored.
    path: str = OSM_FILE

    @property
    def saved(self) -> bool:
        """True when a new version was stored."""
        return self.version is not None


# --- the reference facts ------------------------------------------------------------------------------


def read_facts(source: DataSource | None = None) -> list[UnitFact]:
    """The nine units' relation ids, areas and bounding boxes.

    Read from the data folder's ``reference/`` when it has the file, else from
    the repository's copy.

    Raises
    ------
    DataError
        When the file is missing, or a row lacks a usable relation id, area or box.
    """
    path = source.data_dir / FACTS_FILE if source is not None else None
    if path is None or not path.is_file():
        path = REPO_ROOT / "data" / FACTS_FILE
    label = FACTS_FILE
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DataError(Problem(label, f"không đọc được dữ kiện tham chiếu: {exc}")) from exc
    facts: list[UnitFact] = []
    for row, rec in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        column = "gso_code"
        try:
            unit = get_unit(str(rec.get("gso_code", "")).strip(), 2020)
            column = "osm_relation_id"
            relation_id = int(str(rec.get("osm_relation_id", "")).strip())
            column = "area_km2_approx"
            area = float(str(rec.get("area_km2_approx", "")).strip())
            column = "bbox_*"
            south, west, north, east = (
                float(str(rec.get(f"bbox_{k}", "")).strip()) for k in ("south", "west", "north", "east")
            )
        except (KeyError, ValueError) as exc:
            raise DataError(
                Problem(label, "giá trị không dùng được", row=row, column=column, value=rec.get(column))
            ) from exc
        facts.append(UnitFact(unit.code, unit.name, relation_id, area, (south, west, north, east)))
    if sorted(f.code for f in facts) != sorted(u.code for u in UNITS_2020):
        raise DataError(Problem(label, "dữ kiện tham chiếu phải có đủ 9 đơn vị của huyện Tân Hồng"))
    return sorted(facts, key=lambda f: f.code)


# --- fetching -------------------------------------------------------------------------------------------


def overpass_query(relation_ids: Iterable[int], *, timeout_s: float = DEFAULT_TIMEOUT_S) -> str:
    """The Overpass QL query for these boundary relations, their ways and nodes.

    It can also be pasted into overpass-turbo.eu on another machine; save the
    result as JSON and give it to ``osm-boundaries --from-file``.
    """
    ids = ",".join(str(int(i)) for i in sorted(set(relation_ids)))
    return f"[out:json][timeout:{int(timeout_s)}];relation(id:{ids});out body;>;out skel qt;"


def fetch_overpass(
    relation_ids: Iterable[int],
    *,
    endpoint: str = DEFAULT_ENDPOINT,
    timeout: float = DEFAULT_TIMEOUT_S,
    user_agent: str = USER_AGENT,
) -> dict[str, Any]:
    """Ask the Overpass API for the relations: the only call here that uses the network.

    Raises
    ------
    OverpassError
        No connection (:data:`OFFLINE_MESSAGE`), no answer in time, an HTTP error,
        an Overpass runtime error or an answer that is not JSON.
    """
    scheme = urllib.parse.urlsplit(endpoint).scheme
    if scheme not in ("http", "https"):
        raise OverpassError(f"địa chỉ máy chủ Overpass phải bắt đầu bằng http:// hoặc https://: {endpoint}")
    body = urllib.parse.urlencode({"data": overpass_query(relation_ids, timeout_s=timeout)}).encode("ascii")
    request = urllib.request.Request(
        endpoint,
        data=body,
        headers={
            "User-Agent": user_agent,
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        busy = " (máy chủ đang quá tải, thử lại sau vài phút)" if exc.code in (429, 503, 504) else ""
        raise OverpassError(
            f"máy chủ Overpass {endpoint} trả lỗi HTTP {exc.code}{busy}: giữ ranh giới gần đúng"
        ) from exc
    except TimeoutError as exc:
        raise OverpassError(
            f"{OFFLINE_MESSAGE} (không nhận được trả lời từ {endpoint} sau {format_number(timeout)} giây)"
        ) from exc
    except urllib.error.URLError as exc:
        raise OverpassError(f"{OFFLINE_MESSAGE} (không kết nối được {endpoint}: {exc.reason})") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise OverpassError(f"{OFFLINE_MESSAGE} (kết nối tới {endpoint} bị ngắt: {exc})") from exc
    if len(raw) > MAX_RESPONSE_BYTES:
        raise OverpassError(
            f"phản hồi của {endpoint} quá lớn (> {MAX_RESPONSE_BYTES} byte): giữ ranh giới gần đúng"
        )
    return parse_response(raw, label=endpoint)


def parse_response(raw: bytes, *, label: str) -> dict[str, Any]:
    """Decode an Overpass JSON answer (from the network or a file).

    Raises
    ------
    OverpassError
        When it is not JSON, not an Overpass answer, or reports a runtime error.
    """
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OverpassError(
            f"{label}: phản hồi không phải JSON của Overpass ({exc}); giữ ranh giới gần đúng"
        ) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("elements"), list):
        raise OverpassError(
            f"{label}: phản hồi không có danh sách 'elements' của Overpass; giữ ranh giới gần đúng"
        )
    remark = str(doc.get("remark") or "")
    if "error" in remark.lower():
        raise OverpassError(f"{label}: máy chủ Overpass báo lỗi: {remark}; giữ ranh giới gần đúng")
    return doc


# --- assembling -----------------------------------------------------------------------------------------

_Point = tuple[float, float]  # (lon, lat)


def units_from_overpass(
    response: Mapping[str, Any],
    *,
    facts: Sequence[UnitFact] | None = None,
    label: str = "OpenStreetMap",
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Turn an Overpass JSON answer into one polygon per unit (pure: no network, no files).

    Each relation's ``outer`` (or unlabelled) and ``inner`` member ways are
    joined end to end into closed rings, whatever their direction or how they
    were split; each inner ring goes into the smallest outer ring around it; a
    relation with several outer rings becomes a MultiPolygon. A relation whose
    rings do not close, or that the answer lacks, is left out with a problem
    naming the unit.

    The answer may be ``out body; >; out skel qt;`` (ways and nodes as separate
    elements) or ``out geom;`` (coordinates inside each member).

    Returns
    -------
    The frame (``code, name, osm_relation_id, osm_name, accuracy, source, geometry``,
    WGS84) and the problems found.
    """
    facts = list(facts) if facts is not None else read_facts()
    problems: list[Problem] = []
    nodes: dict[int, _Point] = {}
    ways: dict[int, Mapping[str, Any]] = {}
    relations: dict[int, Mapping[str, Any]] = {}
    elements = response.get("elements")
    if not isinstance(elements, list):
        return _empty(), [Problem(label, "phản hồi không có danh sách 'elements' của Overpass")]
    for el in elements:
        if not isinstance(el, Mapping) or not isinstance(el.get("id"), int):
            continue
        kind = el.get("type")
        if (
            kind == "node"
            and isinstance(el.get("lat"), int | float)
            and isinstance(el.get("lon"), int | float)
        ):
            nodes[el["id"]] = (float(el["lon"]), float(el["lat"]))
        elif kind == "way":
            ways[el["id"]] = el
        elif kind == "relation":
            relations[el["id"]] = el

    rows: list[dict[str, object]] = []
    for fact in facts:
        who = f"{fact.name} ({fact.code}), quan hệ OSM {fact.relation_id}"
        relation = relations.get(fact.relation_id)
        if relation is None:
            problems.append(Problem(label, f"phản hồi không có ranh giới của {who}"))
            continue
        geometry, found = _relation_geometry(relation, ways, nodes, who, label)
        problems += found
        if geometry is None:
            continue
        tags = relation.get("tags") if isinstance(relation.get("tags"), Mapping) else {}
        assert isinstance(tags, Mapping)
        rows.append(
            {
                "code": fact.code,
                "name": fact.name,
                "osm_relation_id": fact.relation_id,
                "osm_name": str(tags.get("name", "")),
                "accuracy": ACCURACY,
                "source": _source_text(fact.relation_id, response),
                "geometry": geometry,
            }
        )
    if not rows:
        return _empty(), problems
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84), problems


def _source_text(relation_id: int, response: Mapping[str, Any]) -> str:
    osm3s = response.get("osm3s")
    stamp = osm3s.get("timestamp_osm_base") if isinstance(osm3s, Mapping) else None
    when = f", dữ liệu ngày {str(stamp)[:10]}" if stamp else ""
    return f"{ATTRIBUTION} — https://www.openstreetmap.org/relation/{relation_id}{when}"


def _empty() -> gpd.GeoDataFrame:
    columns = ["code", "name", "osm_relation_id", "osm_name", "accuracy", "source"]
    return gpd.GeoDataFrame({c: [] for c in columns}, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)


def _where(point: _Point) -> str:
    lon, lat = point
    return f"vĩ độ {lat:.5f}, kinh độ {lon:.5f}"


def _relation_geometry(
    relation: Mapping[str, Any],
    ways: Mapping[int, Mapping[str, Any]],
    nodes: Mapping[int, _Point],
    who: str,
    label: str,
) -> tuple[BaseGeometry | None, list[Problem]]:
    """One relation's polygon, or ``None`` with the reasons."""
    problems: list[Problem] = []
    lines: dict[str, list[list[_Point]]] = {"outer": [], "inner": []}
    members = relation.get("members")
    if not isinstance(members, list):
        return None, [Problem(label, f"{who}: quan hệ không có thành viên (members)")]
    for member in members:
        if not isinstance(member, Mapping) or member.get("type") != "way":
            continue  # admin_centre and label nodes, subarea relations
        role = str(member.get("role") or "outer")
        if role not in lines:
            problems.append(
                Problem(
                    label, f"{who}: bỏ qua đường {member.get('ref')} có vai trò '{role}'", severity="warning"
                )
            )
            continue
        coords = _member_coords(member, ways, nodes)
        if coords is None:
            return None, [
                *problems,
                Problem(
                    label,
                    f"{who}: phản hồi thiếu đường {member.get('ref')} hoặc các điểm của nó "
                    "(truy vấn cần 'out body; >; out skel qt;' hoặc 'out geom;'); bỏ qua đơn vị này",
                ),
            ]
        if len(coords) >= 2:
            lines[role].append(coords)
    rings: dict[str, list[list[_Point]]] = {}
    for role, chains in lines.items():
        closed, open_chains = _build_rings(chains)
        for chain in open_chains:
            problems.append(
                Problem(
                    label,
                    f"{who}: vòng ranh giới ({role}) không khép kín, hở giữa {_where(chain[0])} và "
                    f"{_where(chain[-1])}; bỏ qua đơn vị này",
                )
            )
        rings[role] = closed
    if any(p.severity == "error" for p in problems):
        return None, problems
    if not rings["outer"]:
        return None, [*problems, Problem(label, f"{who}: không có vòng ngoài (outer); bỏ qua đơn vị này")]
    shells = sorted((Polygon(r) for r in rings["outer"]), key=lambda p: p.area)
    holes: list[list[Polygon]] = [[] for _ in shells]
    for ring in rings["inner"]:
        hole = Polygon(ring)
        # the smallest outer ring around it (an island in a lake is smaller, but does not cover the lake)
        index = next((i for i, s in enumerate(shells) if s.covers(hole)), None)
        if index is None:
            problems.append(
                Problem(
                    label, f"{who}: vòng trong (inner) nằm ngoài mọi vòng ngoài; bỏ qua", severity="warning"
                )
            )
            continue
        holes[index].append(hole)
    polygons = [
        Polygon(shell.exterior.coords, [h.exterior.coords for h in shell_holes])
        for shell, shell_holes in zip(shells, holes, strict=True)
    ]
    geometry: BaseGeometry = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    return geometry, problems


def _member_coords(
    member: Mapping[str, Any], ways: Mapping[int, Mapping[str, Any]], nodes: Mapping[int, _Point]
) -> list[_Point] | None:
    """A member way's coordinates, from ``out geom`` or from its way and node elements."""
    inline = member.get("geometry")
    if inline is None:
        ref = member.get("ref")
        way = ways.get(ref) if isinstance(ref, int) else None
        if way is None:
            return None
        inline = way.get("geometry")
        if inline is None:
            refs = way.get("nodes")
            if not isinstance(refs, list) or not all(isinstance(r, int) and r in nodes for r in refs):
                return None
            return [nodes[r] for r in refs]
    if not isinstance(inline, list):
        return None
    coords: list[_Point] = []
    for point in inline:
        if not isinstance(point, Mapping) or not isinstance(point.get("lat"), int | float):
            return None
        if not isinstance(point.get("lon"), int | float):
            return None
        coords.append((float(point["lon"]), float(point["lat"])))
    return coords


def _build_rings(chains: list[list[_Point]]) -> tuple[list[list[_Point]], list[list[_Point]]]:
    """Join ways end to end into closed rings; returns the rings and the pieces that do not close."""
    pending = [list(c) for c in chains]
    closed: list[list[_Point]] = []
    broken: list[list[_Point]] = []
    while pending:
        ring = pending.pop(0)
        while ring[0] != ring[-1]:
            grown = _extend(ring, pending)
            if grown is None:
                broken.append(ring)
                break
            ring = grown
        else:
            if len(set(ring)) >= 3:
                closed.append(ring)
            else:
                broken.append(ring)
    return closed, broken


def _extend(ring: list[_Point], pending: list[list[_Point]]) -> list[_Point] | None:
    """Attach one pending way at either end of ``ring`` (reversing it if needed)."""
    head, tail = ring[0], ring[-1]
    for i, way in enumerate(pending):
        if way[0] == tail:
            pending.pop(i)
            return ring + way[1:]
        if way[-1] == tail:
            pending.pop(i)
            return ring + way[-2::-1]
    for i, way in enumerate(pending):
        if way[-1] == head:
            pending.pop(i)
            return way[:-1] + ring
        if way[0] == head:
            pending.pop(i)
            return way[:0:-1] + ring
    return None


# --- checking -------------------------------------------------------------------------------------------


def check_osm_units(
    frame: gpd.GeoDataFrame,
    *,
    facts: Sequence[UnitFact] | None = None,
    label: str = OSM_FILE,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Check assembled boundaries before they replace anything (pure).

    Runs :func:`~borderplan_geo.boundaries.normalise_units` (``official=True``:
    all nine units, recognised by code, valid polygons in the district), then
    checks that each unit's area is within :data:`AREA_TOLERANCE` of the
    reference area and its centre inside its reference box, and that together
    they cover the district: total area, no large overlaps or holes, outline
    matching the district's reference box.

    Returns
    -------
    The standard units frame plus ``osm_relation_id``, and every problem.
    """
    facts = list(facts) if facts is not None else read_facts()
    by_code = {f.code: f for f in facts}
    units, problems = normalise_units(frame, label, official=True)
    if units.empty:
        return units, problems
    relation_of: dict[str, int] = {}
    if "code" in frame and "osm_relation_id" in frame:
        relation_of = dict(zip(frame["code"], frame["osm_relation_id"], strict=True))
    units["osm_relation_id"] = [int(relation_of.get(c, by_code[c].relation_id)) for c in units["code"]]

    metric = units.to_crs(METRIC)
    areas = metric.area / 1e6
    for code, name, area, geom in zip(units["code"], units["name"], areas, units.geometry, strict=True):
        fact = by_code[code]
        if abs(area - fact.area_km2) > AREA_TOLERANCE * fact.area_km2:
            problems.append(
                Problem(
                    label,
                    f"{name}: diện tích theo OpenStreetMap {format_number(area, 1)} km² lệch quá "
                    f"{round(AREA_TOLERANCE * 100)} % so với diện tích tham chiếu {format_number(fact.area_km2, 1)} km² "
                    f"(quan hệ {fact.relation_id} có đúng là {name} không?)",
                    value=round(float(area), 2),
                )
            )
        centre = geom.representative_point()
        if _km_outside(centre.x, centre.y, fact.bbox) > BBOX_TOLERANCE_KM:
            problems.append(
                Problem(
                    label,
                    f"{name}: ranh giới theo OpenStreetMap nằm ngoài khung bao tham chiếu của đơn vị "
                    f"(quan hệ {fact.relation_id} có đúng là {name} không?)",
                )
            )
    if len(units) == len(facts):
        problems += _check_district(metric, areas.sum(), facts, units.total_bounds, label)
    return units, problems


def _km_outside(lon: float, lat: float, bbox: tuple[float, float, float, float]) -> float:
    south, west, north, east = bbox
    dx = max(west - lon, 0.0, lon - east) * _KM_PER_DEGREE * 0.982  # cos(10.9°)
    dy = max(south - lat, 0.0, lat - north) * _KM_PER_DEGREE
    return float((dx**2 + dy**2) ** 0.5)


def _check_district(
    metric: gpd.GeoDataFrame,
    total_km2: float,
    facts: Sequence[UnitFact],
    bounds: Sequence[float],
    label: str,
) -> list[Problem]:
    problems: list[Problem] = []
    union = shapely.union_all(list(metric.geometry))
    union_km2 = union.area / 1e6
    reference_km2 = sum(f.area_km2 for f in facts)
    if abs(union_km2 - reference_km2) > DISTRICT_AREA_TOLERANCE * reference_km2:
        problems.append(
            Problem(
                label,
                f"các xã cộng lại rộng {format_number(union_km2, 1)} km², lệch quá "
                f"{round(DISTRICT_AREA_TOLERANCE * 100)} % so với diện tích huyện tham chiếu "
                f"{format_number(reference_km2, 1)} km²",
            )
        )
    overlap_km2 = total_km2 - union_km2
    if overlap_km2 > OVERLAP_TOLERANCE * union_km2:
        problems.append(
            Problem(
                label,
                f"các xã chồng lấn lên nhau {format_number(overlap_km2, 1)} km²: ranh giới không khớp nhau",
            )
        )
    parts = list(getattr(union, "geoms", [union]))
    holes_km2 = sum(Polygon(ring).area for part in parts for ring in part.interiors) / 1e6
    if holes_km2 > OVERLAP_TOLERANCE * union_km2:
        problems.append(
            Problem(
                label,
                f"giữa các xã có khoảng trống {format_number(holes_km2, 1)} km² không thuộc xã nào: "
                "thiếu một phần ranh giới",
            )
        )
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    south = min(f.bbox[0] for f in facts)
    west = min(f.bbox[1] for f in facts)
    north = max(f.bbox[2] for f in facts)
    east = max(f.bbox[3] for f in facts)
    gaps_km = (
        abs(miny - south) * _KM_PER_DEGREE,
        abs(minx - west) * _KM_PER_DEGREE * 0.982,
        abs(maxy - north) * _KM_PER_DEGREE,
        abs(maxx - east) * _KM_PER_DEGREE * 0.982,
    )
    if max(gaps_km) > BBOX_TOLERANCE_KM:
        problems.append(
            Problem(
                label,
                f"đường bao của các xã lệch tới {format_number(max(gaps_km), 1)} km so với khung bao tham chiếu "
                "của huyện Tân Hồng: các xã không phủ đúng địa bàn huyện",
            )
        )
    return problems


def osm_units(
    response: Mapping[str, Any], *, facts: Sequence[UnitFact] | None = None, label: str = OSM_FILE
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """:func:`units_from_overpass` then :func:`check_osm_units` (pure)."""
    facts = list(facts) if facts is not None else read_facts()
    frame, problems = units_from_overpass(response, facts=facts, label=label)
    if frame.empty:
        return frame, problems
    units, found = check_osm_units(frame, facts=facts, label=label)
    return units, problems + found


def to_geojson(units: gpd.GeoDataFrame) -> bytes:
    """The checked units as the GeoJSON stored in ``boundaries/official/osm.geojson``."""
    features = []
    for rec in units.to_dict("records"):
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": str(rec["code"]),
                    "name": str(rec["name"]),
                    "in_plan": bool(rec["in_plan"]),
                    "osm_relation_id": int(rec["osm_relation_id"]),
                    "accuracy": ACCURACY,
                    "source": str(rec["source"]) if ATTRIBUTION in str(rec["source"]) else ATTRIBUTION,
                },
                "geometry": mapping(rec["geometry"]),
            }
        )
    doc = {"type": "FeatureCollection", "name": "osm", "attribution": ATTRIBUTION, "features": features}
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


# --- replacing ------------------------------------------------------------------------------------------


def replace_boundaries_with_osm(
    target: DataSource | Store,
    response: Mapping[str, Any] | None = None,
    *,
    author: User | str,
    endpoint: str = DEFAULT_ENDPOINT,
    timeout: float = DEFAULT_TIMEOUT_S,
    dry_run: bool = False,
    accounts: Path | None = None,
) -> OsmBoundaries:
    """Replace the approximate boundaries with OpenStreetMap's, in the users' store.

    Parameters
    ----------
    target
        The data source (folder and store) or just the store.
    response
        An Overpass answer already at hand (``--from-file``); ``None`` fetches one
        from ``endpoint``.
    author
        Who asked: the logged-in user (checked against the accounts file at
        the moment of writing), or the name of the person at the server's terminal.
    dry_run
        Fetch and check, but write nothing.
    accounts
        The accounts file; default: the one that goes with the data folder.

    Raises
    ------
    OverpassError
        No Internet or no usable answer; nothing written, the approximate boundaries stay.
    DataError
        The boundaries are incomplete or implausible (each problem names the
        unit), or another official boundary file is already in place; nothing written.
    StaleSaveError
        Someone saved the OSM boundaries in the meantime.
    AuthError
        The author's account no longer exists; nothing written.
    """
    if isinstance(target, DataSource):
        source = target
    else:  # a store alone: no folder files to list or to base a first version on
        source = DataSource(target.path.parent / ".borderplan-no-folder", target)
    store = source.store
    if store is None and not dry_run:
        raise DataError(Problem(OSM_FILE, "không có kho dữ liệu người dùng để lưu ranh giới"))
    present = [
        rel
        for rel in source.listdir(OFFICIAL_DIR)
        if rel != OSM_FILE and rel.lower().endswith(_VECTOR_SUFFIXES)
    ]
    if present:
        raise DataError(
            Problem(
                present[0],
                "đã có tệp ranh giới chính thức ở đây; không thay bằng ranh giới OpenStreetMap "
                "(xóa hoặc chuyển tệp này đi trước nếu muốn dùng OpenStreetMap)",
            )
        )
    facts = read_facts(source if isinstance(target, DataSource) else None)
    if response is None:
        response = fetch_overpass([f.relation_id for f in facts], endpoint=endpoint, timeout=timeout)
    units, problems = osm_units(response, facts=facts, label=OSM_FILE)
    errors = [p for p in problems if p.severity == "error"]
    if errors or units.empty:
        raise DataError(errors or [Problem(OSM_FILE, "không dựng được ranh giới nào từ phản hồi")])
    content = to_geojson(units)
    warnings = [p for p in problems if p.severity != "error"]
    if dry_run or store is None:
        return OsmBoundaries(units, warnings, content, None)
    base = source.version(OSM_FILE)
    if base == sha256(content):
        return OsmBoundaries(units, warnings, content, None)
    folder = source.data_dir if isinstance(target, DataSource) else None
    writer = check_writer(author, accounts or accounts_file(folder))
    version = store.save(
        OSM_FILE,
        content,
        base_sha=base,
        folder_content=source.folder_bytes(OSM_FILE),
        author=writer.name,
        note=NOTE,
        action="import",
    )
    return OsmBoundaries(units, warnings, content, version)


# --- command line ---------------------------------------------------------------------------------------


def _author() -> str:
    try:
        return f"{getpass.getuser()} (dòng lệnh)"
    except (OSError, KeyError):
        return "dòng lệnh"


def cmd_osm_boundaries(args: argparse.Namespace) -> int:
    """``osm-boundaries [--dry-run] [--from-file F] [--endpoint URL] [--timeout S] [--print-query]``."""
    out = sys.stdout.write
    err = sys.stderr.write
    settings = get_settings(data_dir=args.data)
    source = DataSource(settings.data_dir, Store(settings.store))
    if args.print_query:
        out(overpass_query([f.relation_id for f in read_facts(source)], timeout_s=args.timeout) + "\n")
        return 0
    response = None
    if args.from_file is not None:
        path = Path(args.from_file)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            err(f"Lỗi: không đọc được {path}: {exc.strerror or exc}\n")
            return 1
        try:
            response = parse_response(raw, label=str(path))
        except OverpassError as exc:
            err(f"Lỗi: {exc}\n")
            return 1
    try:
        result = replace_boundaries_with_osm(
            source,
            response,
            author=_author(),
            endpoint=args.endpoint,
            timeout=args.timeout,
            dry_run=args.dry_run,
        )
    except OverpassError as exc:
        err(f"Lỗi: {exc}\n")
        return 1
    except DataError as exc:
        for p in exc.problems:
            err(f"{p}\n")
        err("Không ghi gì: ranh giới hiện có được giữ nguyên.\n")
        return 1
    for p in result.problems:
        err(f"{p}\n")
    metric_km2 = result.units.to_crs(METRIC).area / 1e6
    for name, relation_id, area in zip(
        result.units["name"], result.units["osm_relation_id"], metric_km2, strict=True
    ):
        out(f"{name:<18} quan hệ {relation_id:<10} {format_number(float(area), 1):>6} km²\n")
    if args.dry_run:
        out("Chạy thử: ranh giới OpenStreetMap hợp lệ, không ghi gì. Bỏ --dry-run để lưu.\n")
    elif result.version is None:
        out(f"Không có gì thay đổi: kho đã có đúng các ranh giới này ({result.path}).\n")
    else:
        out(
            f"Đã lưu ranh giới OpenStreetMap vào kho: {result.path}, phiên bản {result.version.version}. "
            f"Nguồn: {ATTRIBUTION}.\n"
        )
    return 0


def add_osm_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Register ``osm-boundaries`` on the command line's sub-commands.

    Parameters
    ----------
    sub
        The sub-commands of :func:`borderplan_geo.cli.build_parser`.
    common
        The parent parser holding ``--data``.
    """
    p = sub.add_parser(
        "osm-boundaries",
        parents=[common],
        help="thay ranh giới gần đúng bằng ranh giới OpenStreetMap (cần Internet)",
        description="Tải ranh giới 9 đơn vị hành chính từ OpenStreetMap (Overpass API), kiểm tra rồi lưu vào "
        f"kho dữ liệu người dùng ({OSM_FILE}). Không có Internet thì giữ ranh giới gần đúng. "
        f"Dữ liệu {ATTRIBUTION}.",
    )
    p.add_argument("--dry-run", action="store_true", help="tải và kiểm tra, không ghi gì")
    p.add_argument(
        "--from-file",
        type=Path,
        default=None,
        metavar="overpass.json",
        help="dùng phản hồi Overpass đã lưu (JSON) thay vì tải qua mạng",
    )
    p.add_argument("--endpoint", default=DEFAULT_ENDPOINT, metavar="URL", help="máy chủ Overpass API")
    p.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="GIÂY", help="thời gian chờ tối đa"
    )
    p.add_argument(
        "--print-query",
        action="store_true",
        help="chỉ in câu truy vấn Overpass (để chạy ở máy khác có Internet, rồi dùng --from-file)",
    )
    p.set_defaults(handler=cmd_osm_boundaries)
