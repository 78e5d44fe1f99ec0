"""Map layers and infrastructure projects: ``data/projects/``.

One GeoJSON file per layer (WGS84). Every feature carries ``id``, ``name``,
``kind``, ``commune_code`` (2020 unit codes, ``;`` between several),
``source``, ``accuracy`` (``surveyed`` / ``approximate`` / ``schematic``),
``illustrative`` and ``sensitive`` (defence and security items, hidden unless
the user asks). Projects (``projects.geojson``) add the plan's investment
fields: sector, status, progress, budget, funding, years and agency.

The sectors are the plan's own list of investment fields (mục III.1: "nông
nghiệp - nông thôn, giao thông, điện, hạ tầng cửa khẩu, …"). Defence and
security items are always sensitive.

The sensitive rule (:func:`sensitive_rule`) is one function every way in
calls: the layer reader, the importer and the data page's editor. A defence
or security item (a project of a :data:`SENSITIVE_SECTORS` sector, a layer
item of a :data:`SENSITIVE_KINDS` kind) is stored sensitive whatever the input
says; and on an item that is sensitive now, a change of its sector (or kind)
or clearing its flag needs an administrator (:func:`require_admin`) and goes
to the audit log as its own line (:func:`sensitive_audit`).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from ._errors import DataError, Problem
from ._validate import parse_bool
from .auth import User, is_admin
from .boundaries import METRIC, OUTSIDE_TOLERANCE_M, WGS84
from .formatting import parse_number
from .store import DataSource
from .units import UnitNameError, fold, get_unit, resolve_unit


@dataclass(frozen=True)
class LayerSpec:
    """What one layer file holds."""

    key: str
    label: str
    geometries: tuple[str, ...]
    kinds: dict[str, str]
    description: str


LAYERS: dict[str, LayerSpec] = {
    spec.key: spec
    for spec in (
        LayerSpec(
            "residential_clusters",
            "Cụm, tuyến dân cư",
            ("Point", "Polygon", "MultiPolygon", "LineString"),
            {"cluster": "Cụm dân cư", "line": "Tuyến dân cư"},
            "Cụm, tuyến dân cư biên giới — Kế hoạch muốn bố trí dân vào ở ổn định",
        ),
        LayerSpec(
            "roads",
            "Đường ra biên giới, tuần tra, giao thông thủy",
            ("LineString", "MultiLineString"),
            {
                "border_road": "Đường ra biên giới",
                "patrol_road": "Đường tuần tra biên giới",
                "main_road": "Quốc lộ, đường tỉnh, đường huyện",
                "waterway": "Tuyến giao thông thủy",
                "canal_dredging": "Kênh cần nạo vét",
            },
            "Các tuyến đường ra biên giới nối với đường tuần tra biên giới; giao thông thủy",
        ),
        LayerSpec(
            "border_gates",
            "Cửa khẩu, cột mốc",
            ("Point",),
            {"international": "Cửa khẩu quốc tế", "secondary": "Cửa khẩu phụ", "marker": "Cột mốc biên giới"},
            "Cửa khẩu quốc tế Dinh Bà, cửa khẩu phụ Bình Phú và Thông Bình, cột mốc",
        ),
        LayerSpec(
            "economic_zones",
            "Khu công nghiệp, đô thị, vùng sản xuất",
            ("Polygon", "MultiPolygon"),
            {
                "industrial_park": "Khu công nghiệp",
                "urban_area": "Khu đô thị",
                "trade_zone": "Khu thương mại – dịch vụ",
                "rice_zone": "Cánh đồng lúa vụ 3",
            },
            "Khu công nghiệp Dinh Bà, khu đô thị cửa khẩu Dinh Bà, cánh đồng lúa vụ 3",
        ),
        LayerSpec(
            "water_stations",
            "Trạm cấp nước",
            ("Point",),
            {"water_station": "Trạm cấp nước"},
            "Trạm cấp nước phục vụ Nhân dân",
        ),
        LayerSpec(
            "facilities",
            "Trường học, trạm y tế",
            ("Point",),
            {"school": "Trường học", "health": "Trạm y tế"},
            "Trường học và trạm y tế xã",
        ),
        LayerSpec(
            "sites",
            "Di tích, du lịch và địa điểm khác",
            ("Point", "Polygon"),
            {
                "heritage": "Di tích",
                "tourism": "Điểm du lịch",
                "market": "Chợ",
                "waste": "Khu xử lý rác",
                "admin": "Trụ sở cơ quan",
                "border_post": "Đồn, trạm biên phòng",
            },
            "Di tích, điểm du lịch (Bàu Dong, Gò Côn Ét), chợ, khu xử lý rác, trụ sở",
        ),
    )
}

PROJECTS_KEY = "projects"
PROJECTS_LABEL = "Dự án, công trình"

SECTORS: dict[str, str] = {
    "agriculture": "Nông nghiệp – nông thôn",
    "transport": "Giao thông",
    "electricity": "Điện",
    "border_gate": "Hạ tầng cửa khẩu",
    "trade": "Hạ tầng thương mại",
    "education": "Cơ sở giáo dục",
    "health": "Cơ sở y tế",
    "culture_sports": "Cơ sở văn hóa thể thao",
    "water": "Cấp nước",
    "poor_housing": "Nhà ở hộ nghèo",
    "residential_cluster": "Cụm, tuyến dân cư biên giới",
    "defence_security": "Quốc phòng – an ninh",
    "state_management": "Quản lý nhà nước",
    "other": "Công trình khác",
}
SENSITIVE_SECTORS = frozenset({"defence_security"})
#: Layer item kinds that are defence or security items (đồn, trạm biên phòng), by layer.
SENSITIVE_KINDS: dict[str, frozenset[str]] = {"sites": frozenset({"border_post"})}

PROJECT_STATUSES: dict[str, str] = {
    "planned": "Chuẩn bị đầu tư",
    "under_construction": "Đang thi công",
    "completed": "Hoàn thành",
    "suspended": "Tạm dừng",
}
ACCURACIES: dict[str, str] = {
    "surveyed": "Vị trí đo đạc",
    "approximate": "Vị trí gần đúng",
    "schematic": "Sơ đồ minh họa",
}

COMMON_FIELDS = ("id", "name", "kind", "commune_code", "source", "accuracy", "illustrative", "sensitive")
PROJECT_FIELDS = (
    "id",
    "name",
    "sector",
    "commune_code",
    "status",
    "progress",
    "budget_vnd",
    "funding_source",
    "start_year",
    "end_year",
    "agency",
    "source",
    "accuracy",
    "illustrative",
    "sensitive",
)


# --- the sensitive rule ----------------------------------------------------------------------------


def _option_key(value: object, options: Mapping[str, str]) -> str | None:
    """An option's key from its key or its label, in any case and accents; ``None`` when neither."""
    text = fold("" if value is None else str(value).strip())
    for key, label in options.items():
        if text in (fold(key), fold(label), fold(key).replace("_", " ")):
            return key
    return None


def _is_on(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return False
    try:
        return parse_bool(value)
    except ValueError:
        return False


def _class_field(key: str) -> str:
    """The field that says what an item is: ``sector`` for projects, ``kind`` for a layer."""
    return "sector" if key == PROJECTS_KEY else "kind"


def is_defence(key: str, props: Mapping[str, object]) -> bool:
    """True for a defence or security item (quốc phòng – an ninh) of layer ``key``."""
    if key == PROJECTS_KEY:
        return _option_key(props.get("sector"), SECTORS) in SENSITIVE_SECTORS
    spec = LAYERS.get(key)
    kind = _option_key(props.get("kind"), spec.kinds) if spec else None
    return kind is not None and kind in SENSITIVE_KINDS.get(key, frozenset())


@dataclass(frozen=True)
class SensitiveCheck:
    """What :func:`sensitive_rule` did to one item and what it asks for.

    ``forced``: the item is a defence or security item given as not sensitive;
    it is stored sensitive. ``admin_fields``: the fields whose change on a
    sensitive item needs an administrator (empty when none).
    """

    forced: bool = False
    admin_fields: tuple[str, ...] = ()

    @property
    def needs_admin(self) -> bool:
        """True when only an administrator may store this item as it is."""
        return bool(self.admin_fields)


def sensitive_rule(key: str, old: Mapping[str, object] | None, new: dict[str, object]) -> SensitiveCheck:
    """Apply "defence and security items are always sensitive" to one item about to be stored.

    Parameters
    ----------
    key
        The layer (``"projects"`` or a key of :data:`LAYERS`).
    old
        The item's stored properties, ``None`` for a new item.
    new
        The properties to store; ``new["sensitive"]`` is set to ``True`` for a
        defence or security item (changed in place).

    Returns
    -------
    SensitiveCheck
        Whether the flag was forced, and which changes need an administrator:
        on an item sensitive now (flagged, or of a defence sector or kind), a
        change of its sector (kind) or its flag turned off.
    """
    forced = False
    if is_defence(key, new) and not _is_on(new.get("sensitive")):
        new["sensitive"] = True
        forced = True
    fields: list[str] = []
    if old is not None and (_is_on(old.get("sensitive")) or is_defence(key, old)):
        field = _class_field(key)
        options = SECTORS if key == PROJECTS_KEY else (LAYERS[key].kinds if key in LAYERS else {})
        before = _option_key(old.get(field), options) or str(old.get(field) or "")
        after = _option_key(new.get(field), options) or str(new.get(field) or "")
        if before != after:
            fields.append(field)
        if not _is_on(new.get("sensitive")):
            fields.append("sensitive")
    return SensitiveCheck(forced, tuple(fields))


def sensitive_message(check: SensitiveCheck) -> str:
    """What a report says about one item: the change that needs an administrator, or the forced flag."""
    if check.needs_admin:
        what = " và ".join(
            {"sector": "lĩnh vực", "kind": "loại", "sensitive": "dấu nhạy cảm"}[f] for f in check.admin_fields
        )
        return f"đổi {what} của một mục nhạy cảm (quốc phòng – an ninh) cần quản trị viên"
    return "mục quốc phòng – an ninh luôn được đánh dấu nhạy cảm (không công khai)"


def require_admin(problems: Sequence[Problem], writer: User) -> None:
    """Refuse changes to sensitive items unless ``writer`` is an administrator.

    Parameters
    ----------
    problems
        One problem per item whose change needs an administrator
        (:func:`sensitive_rule`), naming file, row and column.
    writer
        Who writes, as checked at the moment of writing
        (:func:`borderplan_geo.auth.check_writer`).

    Raises
    ------
    DataError
        The problems as errors, when there are any and ``writer`` is not an administrator.
    """
    if problems and not is_admin(writer):
        raise DataError(
            [
                Problem(
                    p.file,
                    f"{p.message}: bạn không phải quản trị viên, chưa lưu gì",
                    p.row,
                    p.column,
                    p.value,
                )
                for p in problems
            ]
        )


def sensitive_audit(ids: Sequence[str], writer: User) -> list[tuple[str, str, str]]:
    """The audit log's own line for each sensitive item an administrator changed: (record, field, text)."""
    return [(i, "(mục nhạy cảm)", f"quản trị viên {writer.name} đổi mục nhạy cảm") for i in ids]


def sensitive_changes(
    key: str, before: bytes | None, after: bytes | None
) -> list[tuple[str, SensitiveCheck]]:
    """Items of a layer file whose change from ``before`` to ``after`` needs an administrator.

    For writes that replace a whole file at once (an undo): each item of
    ``after`` is put through :func:`sensitive_rule` against the same id in ``before``.
    """

    def items(content: bytes | None) -> dict[str, dict[str, object]]:
        if not content:
            return {}
        feats, _ = _features(content, layer_file(key))
        out: dict[str, dict[str, object]] = {}
        for f in feats:
            props = f.get("properties") if isinstance(f, dict) else None
            if isinstance(props, dict) and str(props.get("id") or "").strip():
                out.setdefault(str(props["id"]).strip(), props)
        return out

    old, new = items(before), items(after)
    found = []
    for fid, props in new.items():
        check = sensitive_rule(key, old.get(fid), dict(props))
        if check.needs_admin:
            found.append((fid, check))
    return found


def layer_key(rel: str) -> str | None:
    """The layer key of a data file (``projects/roads.geojson`` → ``roads``), ``None`` for other files."""
    for key in (*LAYERS, PROJECTS_KEY):
        if rel == layer_file(key):
            return key
    return None


def layer_file(key: str) -> str:
    """A layer's file, relative to the data folder."""
    return f"projects/{key}.geojson"


def _commune_codes(value: object) -> tuple[list[str], str | None]:
    """Parse ``commune_code`` ("29929", "29929;29932", a name): codes and an error."""
    text = "" if value is None else str(value).strip()
    if not text:
        return [], "thiếu mã xã"
    codes = []
    for part in text.replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        try:
            codes.append(resolve_unit(part, 2020).code)
        except UnitNameError as exc:
            return [], str(exc)
    return codes, None


class _FeatureChecker:
    """Read GeoJSON features, recording problems by feature number."""

    def __init__(self, label: str, outline_metric: BaseGeometry | None) -> None:
        self.label = label
        self.outline = outline_metric
        self.problems: list[Problem] = []
        self.row = 0
        self.ok = True

    def error(self, column: str | None, message: str, value: object = None) -> None:
        self.ok = False
        self.problems.append(Problem(self.label, message, row=self.row, column=column, value=value))

    def warn(self, column: str | None, message: str, value: object = None) -> None:
        self.problems.append(
            Problem(self.label, message, row=self.row, column=column, value=value, severity="warning")
        )

    def geometry(self, raw: object, allowed: tuple[str, ...]) -> BaseGeometry | None:
        if not isinstance(raw, dict):
            self.error("geometry", "thiếu hình học")
            return None
        try:
            geom = shape(raw)
        except Exception as exc:  # shapely raises several types for malformed GeoJSON
            self.error("geometry", f"hình học không đọc được: {exc}")
            return None
        if geom.is_empty:
            self.error("geometry", "hình học rỗng")
            return None
        if geom.geom_type not in allowed:
            self.error("geometry", f"lớp này cần {' / '.join(allowed)}, không phải {geom.geom_type}")
            return None
        if not geom.is_valid:
            self.error("geometry", "hình học không hợp lệ (tự cắt nhau?)")
            return None
        minx, miny, maxx, maxy = geom.bounds
        if not (-180 <= minx <= 180 and -90 <= miny <= 90 and -180 <= maxx <= 180 and -90 <= maxy <= 90):
            self.error(
                "geometry",
                "tọa độ không phải kinh độ/vĩ độ (WGS84): có thể là VN-2000 mét chưa chuyển đổi",
                [round(minx), round(miny)],
            )
            return None
        if self.outline is not None:
            g = _to_metric(geom)
            dist = 0.0 if g.intersects(self.outline) else float(g.distance(self.outline))
            if dist > OUTSIDE_TOLERANCE_M:
                lon, lat = geom.representative_point().coords[0]
                hint = ""
                if 100 < lat < 112 and 5 < lon < 25:
                    hint = " — có vẻ đảo thứ tự kinh độ/vĩ độ"
                self.error(
                    "geometry",
                    f"vị trí ({lat:.4f} B, {lon:.4f} Đ) nằm ngoài huyện Tân Hồng khoảng "
                    f"{dist / 1000:.1f} km{hint}".replace(".", ","),
                )
                return None
        return geom


@functools.lru_cache(maxsize=1)
def _metric_transformer() -> Transformer:
    return Transformer.from_crs(WGS84, METRIC, always_xy=True)


def _to_metric(geom: BaseGeometry) -> BaseGeometry:
    """A WGS84 geometry in :data:`METRIC`: one transformer for every feature (a GeoSeries each is slow)."""

    def fn(coords: np.ndarray) -> np.ndarray:
        x, y = _metric_transformer().transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def _number(
    check: _FeatureChecker, props: dict[str, object], key: str, *, lo: float, hi: float, required: bool = True
) -> float | None:
    raw = props.get(key)
    if raw is None or raw == "" or (isinstance(raw, float) and math.isnan(raw)):
        if required:
            check.error(key, "ô trống, cần một số")
        return None
    try:
        value = parse_number(raw, machine=True)
    except ValueError as exc:
        check.error(key, str(exc), raw)
        return None
    if not lo <= value <= hi:
        check.error(key, f"giá trị {raw} nằm ngoài khoảng {lo:g}–{hi:g}".replace(".", ","), raw)
        return None
    return value


def _flag(check: _FeatureChecker, props: dict[str, object], key: str) -> bool:
    raw = props.get(key)
    if raw is None or raw == "":
        return False
    try:
        return parse_bool(raw)
    except ValueError as exc:
        check.error(key, str(exc), raw)
        return False


def _choice(
    check: _FeatureChecker, props: dict[str, object], key: str, options: dict[str, str]
) -> str | None:
    raw = props.get(key)
    text = "" if raw is None else str(raw).strip()
    choices = "; ".join(f"{label} ({k})" for k, label in options.items())
    if not text:
        check.error(key, f"ô trống; chọn một trong: {choices}")
        return None
    by_fold = {fold(k): k for k in options} | {fold(v): k for k, v in options.items()}
    found = by_fold.get(fold(text)) or by_fold.get(fold(text).replace(" ", "_"))
    if found is None:
        check.error(key, f"'{text}' không hợp lệ; chọn một trong: {choices}", text)
    return found


def _features(content: bytes, label: str) -> tuple[list[dict[str, object]], list[Problem]]:
    try:
        doc = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [], [Problem(label, f"không đọc được GeoJSON: {exc}")]
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        return [], [Problem(label, "tệp phải là GeoJSON FeatureCollection")]
    crs = doc.get("crs")
    if isinstance(crs, dict):
        name = str(crs.get("properties", {}).get("name", ""))
        if name and not any(k in name for k in ("4326", "CRS84")):
            return [], [
                Problem(
                    label, f"tệp khai báo hệ tọa độ {name}; lớp bản đồ cần WGS84 (dùng lệnh import để chuyển)"
                )
            ]
    feats = doc.get("features")
    if not isinstance(feats, list):
        return [], [Problem(label, "thiếu danh sách features")]
    return feats, []


def read_layer(
    content: bytes | None, key: str, *, label: str | None = None, outline_metric: BaseGeometry | None = None
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Read and check one layer file (or the projects file when ``key == "projects"``).

    Parameters
    ----------
    content
        The GeoJSON bytes; ``None`` for a layer without a file (empty).
    outline_metric
        The district in the metric CRS; features farther than 3 km outside it
        are refused (a wrong CRS or swapped coordinates).
    """
    label = label or layer_file(key)
    if content is None:
        return _empty(key), []
    feats, problems = _features(content, label)
    check = _FeatureChecker(label, outline_metric)
    check.problems.extend(problems)
    rows: list[dict[str, object]] = []
    ids: dict[str, int] = {}
    spec = LAYERS.get(key)
    for i, feat in enumerate(feats):
        check.row, check.ok = i + 1, True
        if not isinstance(feat, dict):
            check.error(None, "phần tử không phải Feature")
            continue
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            check.error(None, "properties phải là một đối tượng")
            continue
        allowed = (
            ("Point", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
            if spec is None
            else spec.geometries
        )
        geom = check.geometry(feat.get("geometry"), allowed)
        fid = str(props.get("id") or "").strip()
        if not fid:
            check.error("id", "thiếu mã (id)")
        elif fid in ids:
            check.error("id", f"mã '{fid}' trùng với đối tượng thứ {ids[fid]}", fid)
        name = str(props.get("name") or "").strip()
        if not name:
            check.error("name", "thiếu tên")
        codes, err = _commune_codes(props.get("commune_code"))
        if err:
            check.error("commune_code", err, props.get("commune_code"))
        source = str(props.get("source") or "").strip()
        if not source:
            check.error("source", "thiếu nguồn")
        accuracy = _choice(check, props, "accuracy", ACCURACIES)
        illustrative = _flag(check, props, "illustrative")
        sensitive = _flag(check, props, "sensitive")
        row: dict[str, object] = {
            "id": fid,
            "name": name,
            "commune_code": ";".join(codes),
            "commune_name": "; ".join(get_unit(c).name for c in codes),
            "source": source,
            "accuracy": accuracy,
            "illustrative": illustrative,
            "sensitive": sensitive,
            "description": str(props.get("description") or "").strip(),
            "geometry": geom,
        }
        if spec is None:
            _project_fields(check, props, row)
        else:
            row["kind"] = _choice(check, props, "kind", spec.kinds)
            row["layer"] = key
        if sensitive_rule(key, None, row).forced:
            check.warn("sensitive", sensitive_message(SensitiveCheck(forced=True)))
            for extra in ("households", "capacity_m3_day", "length_km"):
                if props.get(extra) not in (None, ""):
                    row[extra] = _number(check, props, extra, lo=0, hi=1e7)
        if not check.ok:
            continue
        ids[fid] = check.row
        rows.append(row)
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84) if rows else _empty(key)
    return frame, check.problems


def _project_fields(check: _FeatureChecker, props: dict[str, object], row: dict[str, object]) -> None:
    sector = _choice(check, props, "sector", SECTORS)
    status = _choice(check, props, "status", PROJECT_STATUSES)
    progress = _number(check, props, "progress", lo=0, hi=100)
    budget = _number(check, props, "budget_vnd", lo=0, hi=1e14, required=False)
    start = _number(check, props, "start_year", lo=2015, hi=2030, required=False)
    end = _number(check, props, "end_year", lo=2015, hi=2030, required=False)
    if start is not None and end is not None and end < start:
        check.error("end_year", f"năm kết thúc {end:g} trước năm bắt đầu {start:g}")
    if status == "completed" and progress is not None and progress < 100:
        check.warn("progress", f"công trình hoàn thành nhưng tiến độ ghi {progress:g} %")
    row.update(
        {
            "sector": sector,
            "status": status,
            "progress": progress,
            "budget_vnd": budget,
            "funding_source": str(props.get("funding_source") or "").strip(),
            "start_year": int(start) if start is not None else None,
            "end_year": int(end) if end is not None else None,
            "agency": str(props.get("agency") or "").strip(),
            "layer": PROJECTS_KEY,
        }
    )


def _empty(key: str) -> gpd.GeoDataFrame:
    cols = list(PROJECT_FIELDS) if key == PROJECTS_KEY else [*COMMON_FIELDS, "layer"]
    cols += ["commune_name", "description"]
    return gpd.GeoDataFrame(
        {c: pd.Series(dtype=object) for c in cols}, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84
    )


def read_all_layers(
    source: DataSource, *, outline_metric: BaseGeometry | None = None
) -> tuple[dict[str, gpd.GeoDataFrame], list[Problem]]:
    """Every layer file and the projects, with every problem found."""
    out: dict[str, gpd.GeoDataFrame] = {}
    problems: list[Problem] = []
    for key in [*LAYERS, PROJECTS_KEY]:
        frame, found = read_layer(source.read_bytes(layer_file(key)), key, outline_metric=outline_metric)
        out[key] = frame
        problems.extend(found)
    return out, problems


def load_layers(
    source: DataSource, *, outline_metric: BaseGeometry | None = None
) -> dict[str, gpd.GeoDataFrame]:
    """Every layer; :class:`DataError` on any error."""
    frames, problems = read_all_layers(source, outline_metric=outline_metric)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataError(errors)
    return frames


def visible(frame: gpd.GeoDataFrame, *, show_sensitive: bool) -> gpd.GeoDataFrame:
    """The features a viewer may see: sensitive ones only when asked for."""
    if show_sensitive or frame.empty:
        return frame
    return frame[~frame["sensitive"].astype(bool)]


class ShowChoices(Protocol):
    """What a map shows of the layers (:class:`~borderplan_geo.maps.MapOptions` is one)."""

    @property
    def layers(self) -> tuple[str, ...] | None: ...
    @property
    def sectors(self) -> tuple[str, ...] | None: ...
    @property
    def project_statuses(self) -> tuple[str, ...] | None: ...
    @property
    def show_sensitive(self) -> bool: ...


def filter_projects(frame: gpd.GeoDataFrame, options: ShowChoices) -> gpd.GeoDataFrame:
    """Projects the options let through (sector, status, sensitivity)."""
    out = visible(frame, show_sensitive=options.show_sensitive)
    if out.empty:
        return out
    if options.sectors is not None:
        out = out[out["sector"].isin(options.sectors)]
    if options.project_statuses is not None:
        out = out[out["status"].isin(options.project_statuses)]
    return out


def drawn_frames(layers: Mapping[str, gpd.GeoDataFrame], options: ShowChoices) -> dict[str, gpd.GeoDataFrame]:
    """The layer features and projects a map with these options shows, by layer key.

    Sensitive items are left out unless ``options.show_sensitive``; projects
    also follow the sector and status filters. The map, the exports and the
    disclosures (:mod:`borderplan_geo.disclosures`) all ask here.
    """
    wanted = set(options.layers) if options.layers is not None else {*LAYERS, PROJECTS_KEY}
    out: dict[str, gpd.GeoDataFrame] = {}
    for key in LAYERS:
        if key in wanted and key in layers:
            frame = visible(layers[key], show_sensitive=options.show_sensitive)
            if not frame.empty:
                out[key] = frame
    if PROJECTS_KEY in wanted and PROJECTS_KEY in layers:
        projects = filter_projects(layers[PROJECTS_KEY], options)
        if not projects.empty:
            out[PROJECTS_KEY] = projects
    return out


def to_feature_collection(frame: gpd.GeoDataFrame, key: str) -> dict[str, object]:
    """A layer frame back to GeoJSON (for writing), with the file's property names."""
    feats = []
    drop = {"geometry", "commune_name", "layer"}
    for rec in frame.to_dict("records"):
        props = {}
        for k, v in rec.items():
            if k in drop:
                continue
            if isinstance(v, float) and math.isnan(v):
                v = None
            if k in ("start_year", "end_year") and v is not None:
                v = int(v)
            props[k] = v
        feats.append({"type": "Feature", "properties": props, "geometry": rec["geometry"].__geo_interface__})
    return {"type": "FeatureCollection", "name": key, "features": feats}
