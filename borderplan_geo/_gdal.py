"""GDAL locked down: the drivers a user's file may be opened with, and nothing outside it.

pyogrio (0.13) opens every file through GDAL's ``GDALOpenEx`` without a list of
allowed drivers, so GDAL picks a driver from the bytes: an OGR VRT document
saved as ``.geojson`` was opened by the VRT driver and made GDAL read any local
file (lines of ``/etc/passwd`` became project names) or fetch any URL. This
module, imported by every reader that hands bytes to GDAL, makes three rules:

* **Only the allowed drivers exist.** Every other vector driver (VRT, CSV,
  GML, WFS, …) is deregistered through GDAL's own ``GDAL_SKIP`` option, read
  again when the drivers are registered. CSV and XLSX are read by
  :mod:`borderplan_geo.io` itself, never by GDAL.
* **No network, no external access.** ``/vsicurl/`` (and the cloud file
  systems built on it) may open no URL, SQLite/GeoPackage may not reach other
  files (``OGR_SQLITE_ALLOW_EXTERNAL_ACCESS``), no side-car ``.aux.xml`` is
  written, and a folder is never listed to find side-cars.
* **The driver is named, then checked.** A GeoJSON and a GeoPackage are
  opened with GDAL's own driver prefix (``GeoJSON:``, ``GPKG:``);
  :func:`expect_driver` refuses any file that GDAL opened with another driver
  than the one its bytes were sniffed as.

:func:`prepare` adds what GDAL cannot know, before GDAL sees the file: a
GeoJSON's ``crs`` member interpreted (and removed), a KML's links refused, a
Shapefile's parts taken from the zip by name only, a GeoPackage's virtual
tables refused; :mod:`borderplan_geo.io` sniffs the real format from the bytes
and refuses an OGR VRT document whatever its name.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError

from ._errors import DataError, Problem, library_problem
from ._limits import count_positions, open_zip, parse_xml, read_member
from .formatting import format_number
from .settings import ImportLimits

#: The GDAL drivers a user's file may be read with (LIBKML reads a KML's ExtendedData; KML is its fallback).
ALLOWED_DRIVERS: frozenset[str] = frozenset({"GeoJSON", "GPKG", "ESRI Shapefile", "LIBKML", "KML"})

#: GDAL configuration set once per process: no network, no external access, no side-car writes.
SAFE_CONFIG: dict[str, str] = {
    # /vsicurl/ opens only this name, which no URL can equal: no request ever leaves.
    "CPL_VSIL_CURL_ALLOWED_FILENAME": "/vsicurl/borderplan-geo-no-network",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    "GDAL_PAM_ENABLED": "NO",
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
}


_LOCK = threading.Lock()


@functools.cache
def _harden_once() -> frozenset[str]:
    from pyogrio._ogr import _register_drivers  # pyogrio's own call of GDALAllRegister()

    others = sorted(set(pyogrio.list_drivers()) - ALLOWED_DRIVERS)
    pyogrio.set_gdal_config_options({**SAFE_CONFIG, "GDAL_SKIP": ",".join(others)})
    # GDALAllRegister() ends with AutoSkipDrivers(): the drivers named in GDAL_SKIP (commas: names
    # hold spaces) are deregistered.
    _register_drivers()
    left = frozenset(pyogrio.list_drivers())
    if not left <= ALLOWED_DRIVERS:
        raise RuntimeError(f"GDAL drivers still registered: {sorted(left - ALLOWED_DRIVERS)}")
    return left


def harden() -> frozenset[str]:
    """Deregister every vector driver but :data:`ALLOWED_DRIVERS` and set :data:`SAFE_CONFIG`.

    Idempotent (runs once per process). Returns the drivers left.

    Raises
    ------
    RuntimeError
        When another driver is still registered afterwards (a pyogrio that
        registers drivers differently): better no GIS import than an open one.
    """
    with _LOCK:  # the app serves sessions from several threads: register once
        return _harden_once()


def expect_driver(path: Path | str, drivers: tuple[str, ...], label: str) -> dict[str, object]:
    """The first layer's information of a file GDAL must open with one of ``drivers``; refuse any other.

    Raises
    ------
    DataError
        When GDAL cannot open the file, or opens it with another driver.
    """
    harden()
    try:
        info: dict[str, object] = pyogrio.read_info(path, layer=0)
    except Exception as exc:  # pyogrio raises several types; all mean "unreadable"
        raise DataError(
            library_problem(
                label,
                gdal_sentence("tệp hỏng hoặc không đúng định dạng", exc, path, label),
                clean_message(exc, path, label),
            )
        ) from exc
    found = str(info.get("driver", ""))
    if found not in drivers:
        raise DataError(
            Problem(
                label,
                f"tệp được nhận là định dạng {found or '?'}, không phải {' / '.join(drivers)}: không đọc tệp này",
            )
        )
    return info


#: What GDAL's most frequent messages about a user's file mean, in Vietnamese (pattern, meaning).
GDAL_MEANINGS: tuple[tuple[str, str], ...] = (
    (r"not recognized as (being in )?a supported file format", "GDAL không nhận ra định dạng của tệp"),
    (r"no such file or directory|does not exist in the file system", "không tìm thấy tệp"),
    (
        r"failed to read geojson|geojson.*(parsing|syntax) error|json parsing error",
        "nội dung GeoJSON sai cú pháp",
    ),
    (r"file is not a database|not a geopackage|sqlite3?_open", "tệp không phải GeoPackage (SQLite) hợp lệ"),
    (r"unable to open .*\.shp|failed to open shapefile|\.shx", "bộ tệp Shapefile thiếu phần hoặc hỏng"),
    (r"\bkml\b|\bxml\b|expat", "nội dung KML (XML) sai cú pháp"),
    (r"unsupported geometry|invalid geometry|geometry.*(invalid|corrupt)", "hình học (tọa độ) không hợp lệ"),
    (r"(out of|cannot allocate) memory|too (big|large)", "tệp quá lớn để đọc"),
    (r"permission denied", "không có quyền đọc tệp"),
    (r"encoding|recode|utf-?8|codec", "bảng mã chữ của tệp không đọc được (hãy lưu bằng UTF-8)"),
)


def clean_message(text: object, path: Path | str, label: str) -> str:
    """GDAL's words with the temporary path replaced by the user's file name, its advice removed."""
    raw = str(path)
    bare = raw.split(":", 1)[1] if ":" in raw and not raw.startswith("/") else raw  # "GeoJSON:/tmp/…"
    out = str(text).replace(raw, label).replace(bare, label).replace(str(Path(bare).parent), "")
    out = re.sub(r"/vsi\w+/\S+", label, out)
    return out.split("; It might help")[0].strip()[:300]


def gdal_sentence(sentence: str, text: object, path: Path | str, label: str) -> str:
    """Our Vietnamese sentence, with what GDAL's words mean when we know it (its words go to the detail)."""
    own = clean_message(text, path, label)
    meaning = next((vi for pattern, vi in GDAL_MEANINGS if re.search(pattern, own, re.I)), "")
    return f"{sentence}: {meaning}" if meaning else sentence


def gdal_words(text: object, path: Path | str, label: str) -> str:
    """GDAL's message (English, from the library) wrapped in Vietnamese: what it means, then its own words.

    >>> gdal_words("'/tmp/x/a.json' not recognized as being in a supported file format.", "/tmp/x/a.json", "a.json")
    "GDAL không nhận ra định dạng của tệp (thông báo gốc của GDAL: 'a.json' not recognized as being in a supported file format.)"
    """
    own = clean_message(text, path, label)
    meaning = next((vi for pattern, vi in GDAL_MEANINGS if re.search(pattern, own, re.I)), "")
    if not own:
        return meaning or "GDAL không cho biết lý do"
    return f"{meaning} (thông báo gốc của GDAL: {own})" if meaning else f"thông báo gốc của GDAL: {own}"


# --- preparing a user's file for GDAL ----------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A user's GIS file made ready for GDAL: where it lies, and the one driver that may open it."""

    path: str
    """What to hand to pyogrio (a driver prefix where GDAL has one: ``GeoJSON:``, ``GPKG:``)."""
    drivers: tuple[str, ...]
    """The drivers that may open it (the first one GDAL prefers)."""
    crs: CRS | None = None
    """A GeoJSON's own ``crs`` member, read here (GDAL never sees it)."""
    has_cpg: bool = False
    """A Shapefile came with its ``.cpg`` (its text encoding)."""


def prepare(fmt: str, content: bytes, label: str, folder: Path, limits: ImportLimits) -> Prepared:
    """Check a GIS file's bytes and write what GDAL may read into ``folder`` (empty, the caller's).

    * GeoJSON: parsed here; the feature count and each geometry's vertices
      checked; the ``crs`` member interpreted (an EPSG code PROJ knows, else
      refused) and removed, so GDAL never resolves a name, path or link.
    * KML/KMZ: the KMZ's main document taken out of the zip; the XML streamed
      with no DTD; ``<NetworkLink>``, a style or schema kept in another file, and
      any link to a local file or another scheme than http(s) refused (LIBKML
      would follow them).
    * Shapefile: only ``<name>.shp .shx .dbf .prj .cpg`` taken out of the zip, by
      name, into ``folder``: GDAL finds no other side-car.
    * GeoPackage: a virtual table other than the spatial index (``VirtualOGR``
      would open another file) refused.

    Raises
    ------
    DataError
        With a Vietnamese message naming the file and what is refused.
    """
    harden()
    if fmt == "geojson":
        body, crs = _prepare_geojson(content, label, limits)
        path = folder / "input.geojson"
        path.write_bytes(body)
        return Prepared(f"GeoJSON:{path}", ("GeoJSON",), crs=crs)
    if fmt in ("kml", "kmz"):
        document = content if fmt == "kml" else _kmz_document(content, label, limits)
        _check_kml(document, label, limits)
        path = folder / "input.kml"
        path.write_bytes(document)
        return Prepared(str(path), ("LIBKML", "KML"))
    if fmt == "gpkg":
        path = folder / "input.gpkg"
        path.write_bytes(content)
        _check_gpkg(path, label)
        return Prepared(f"GPKG:{path}", ("GPKG",))
    if fmt == "shapefile":
        path, has_cpg = _extract_shapefile(content, label, folder, limits)
        return Prepared(str(path), ("ESRI Shapefile",), has_cpg=has_cpg)
    raise DataError(Problem(label, f"không đọc định dạng '{fmt}' bằng GDAL"))


def count_features(path: str, layers: list[str], label: str, limits: ImportLimits) -> int:
    """The features of every layer, refused past :attr:`~ImportLimits.max_features` (before reading them)."""
    total = 0
    for layer in layers:
        try:
            info = pyogrio.read_info(path, layer=layer, force_feature_count=True)
        except Exception as exc:  # pyogrio raises several types; all mean "unreadable"
            raise DataError(
                library_problem(
                    label,
                    gdal_sentence(f"không đọc được lớp '{layer}'", exc, path, label),
                    clean_message(exc, path, label),
                )
            ) from exc
        total += max(int(info.get("features") or 0), 0)
    if total > limits.max_features:
        raise DataError(_too_many_features(label, total, limits))
    return total


def check_vertices(frame: gpd.GeoDataFrame, label: str, limits: ImportLimits) -> None:
    """Refuse a geometry with more than :attr:`~ImportLimits.max_vertices` vertices (the row is named)."""
    counts = shapely.get_num_coordinates(frame.geometry.values)
    for i, n in enumerate(counts):
        if n > limits.max_vertices:
            raise DataError(_too_many_vertices(label, int(n), i + 1, limits))


def _too_many_features(label: str, count: int, limits: ImportLimits) -> Problem:
    return Problem(
        label,
        f"tệp có {format_number(count, 0)} đối tượng, quá giới hạn {format_number(limits.max_features, 0)} "
        "đối tượng một lần nhập: chia thành nhiều tệp",
    )


def _too_many_vertices(label: str, count: int, row: int, limits: ImportLimits) -> Problem:
    return Problem(
        label,
        f"hình học có {format_number(count, 0)} đỉnh, quá giới hạn {format_number(limits.max_vertices, 0)} "
        "đỉnh một đối tượng: đơn giản hóa hình (Simplify) rồi xuất lại",
        row=row,
    )


# --- GeoJSON ---------------------------------------------------------------------------------------------

_EPSG_NAME = re.compile(
    r"^(?:urn:ogc:def:crs:EPSG:[0-9.]*:|EPSG:{1,2}|https?://www\.opengis\.net/def/crs/EPSG/[0-9.]+/)(\d{1,9})$",
    re.IGNORECASE,
)
_CRS84 = re.compile(r"^(?:urn:ogc:def:crs:OGC:[0-9.]*:CRS84|OGC:CRS84|CRS84)$", re.IGNORECASE)


def _prepare_geojson(content: bytes, label: str, limits: ImportLimits) -> tuple[bytes, CRS | None]:
    try:
        doc = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DataError(
            Problem(label, f"GeoJSON phải là văn bản UTF-8 (byte lỗi ở vị trí {format_number(exc.start, 0)})")
        ) from exc
    except RecursionError as exc:
        raise DataError(Problem(label, "GeoJSON lồng nhau quá sâu: không đọc tệp này")) from exc
    except json.JSONDecodeError as exc:
        raise DataError(
            library_problem(
                label, f"không đọc được GeoJSON: lỗi cú pháp ở dòng {exc.lineno}, cột {exc.colno}", exc
            )
        ) from exc
    if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature"):
        kind = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise DataError(
            Problem(
                label,
                f"không phải GeoJSON FeatureCollection (kiểu '{_clip(str(kind))}'): xuất lại thành GeoJSON "
                '{"type": "FeatureCollection", "features": [...]}',
            )
        )
    crs = geojson_crs(doc.pop("crs", None), label)
    features = doc.get("features") if doc.get("type") == "FeatureCollection" else [doc]
    if not isinstance(features, list):
        raise DataError(Problem(label, 'GeoJSON thiếu danh sách "features"'))
    if len(features) > limits.max_features:
        raise DataError(_too_many_features(label, len(features), limits))
    for i, feature in enumerate(features, start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        count = 0
        stack = [geometry]
        while stack and count <= limits.max_vertices:
            item = stack.pop()
            if isinstance(item, dict):
                if isinstance(item.get("geometries"), list):
                    stack.extend(item["geometries"])
                count += count_positions(item.get("coordinates"), limits.max_vertices - count)
        if count > limits.max_vertices:
            raise DataError(_too_many_vertices(label, count, i, limits))
    try:
        body = json.dumps(doc, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (ValueError, RecursionError) as exc:
        raise DataError(
            library_problem(label, "GeoJSON có giá trị không hợp lệ (số quá lớn, NaN?)", exc)
        ) from exc
    return body, crs


def geojson_crs(member: object, label: str) -> CRS | None:
    """The CRS a GeoJSON's ``crs`` member names; ``None`` when there is none.

    Only an EPSG code (``urn:ogc:def:crs:EPSG::5897``, ``EPSG:5897``, the
    ``{"type": "EPSG"}`` form) or CRS84 is read: a ``link``, a path or a PROJ
    string could make GDAL read a file or a URL.

    Raises
    ------
    DataError
        For another form, or a code PROJ does not know (the file would land
        in the wrong place).
    """
    if member is None:
        return None
    code: object = None
    name = ""
    if isinstance(member, dict) and isinstance(member.get("properties"), dict):
        props = member["properties"]
        if member.get("type") == "name":
            name = str(props.get("name", "")).strip()
            if _CRS84.match(name):
                return CRS.from_user_input("EPSG:4326")
            m = _EPSG_NAME.match(name)
            code = m.group(1) if m else None
        elif member.get("type") == "EPSG":
            code = props.get("code")
    if code is None or not str(code).isdigit():
        raise DataError(
            Problem(
                label,
                f'mục "crs" của GeoJSON không đọc được ({_clip(json.dumps(member, ensure_ascii=False))}): '
                'chỉ nhận mã EPSG, ví dụ {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::5897"}}; '
                'hoặc xóa mục "crs" và chọn hệ tọa độ khi nhập',
            )
        )
    try:
        return CRS.from_epsg(int(str(code)))
    except (ProjCRSError, ValueError, OverflowError) as exc:
        raise DataError(
            Problem(
                label,
                f'mục "crs" của GeoJSON khai báo mã EPSG:{code}, không có trong danh mục EPSG: sửa lại mã '
                '(ví dụ EPSG:4326 kinh độ/vĩ độ WGS84, EPSG:5897 VN-2000 TM-3 105°) hoặc xóa mục "crs" và '
                "chọn hệ tọa độ khi nhập",
            )
        ) from exc


# --- KML and KMZ -------------------------------------------------------------------------------------------

_SAFE_HREF = re.compile(r"^(?:#.*|https?://.*|[A-Za-z0-9_][^:\\]*)$", re.DOTALL)
#: Links LIBKML would open to read a style or a schema: only ones inside the file ("#id") are read.
_LOCAL_ONLY = ("styleUrl", "schemaUrl")
_LINKS = ("href", "styleUrl", "targetHref", "schemaUrl")


def _kmz_document(content: bytes, label: str, limits: ImportLimits) -> bytes:
    """The main KML of a KMZ: ``doc.kml`` at its root, else its first ``.kml`` at the root."""
    what = "tệp KMZ"
    archive = open_zip(content, label, limits, what=what)
    roots = [
        i.filename
        for i in archive.infolist()
        if "/" not in i.filename and i.filename.lower().endswith(".kml")
    ]
    if not roots:
        raise DataError(Problem(label, "tệp KMZ không chứa tài liệu .kml nào ở thư mục gốc"))
    main = next((n for n in roots if n.lower() == "doc.kml"), roots[0])
    return read_member(archive, main, label, what=what)


class _KmlScan:
    """expat handlers that check a KML as it streams: its root, its links, its sizes."""

    def __init__(self, label: str, limits: ImportLimits) -> None:
        self.label = label
        self.limits = limits
        self.root = ""
        self.placemarks = 0
        self.vertices = 0
        self.in_coords = False
        self.blank = True
        self.link: list[str] | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if not self.root:
            self.root = tag
            if tag != "kml":
                raise DataError(
                    Problem(self.label, f"không phải KML (phần tử gốc là <{_clip(tag, 40)}>, cần <kml>)")
                )
        if tag == "NetworkLink":
            raise DataError(
                Problem(
                    self.label,
                    "KML có liên kết mạng <NetworkLink> (trỏ tới tệp hoặc địa chỉ khác): không đọc tệp này — "
                    "lưu các đối tượng (Placemark) vào chính tệp KML rồi nhập lại",
                )
            )
        if tag == "Placemark":
            self.placemarks += 1
            self.vertices = 0
            if self.placemarks > self.limits.max_features:
                raise DataError(_too_many_features(self.label, self.placemarks, self.limits))
        elif tag == "coordinates":
            self.in_coords, self.blank = True, True
        elif tag in _LINKS:
            self.link = []

    def text(self, data: str) -> None:
        if self.in_coords:
            # Count the tuples as they stream: one starts after a blank.
            for ch in data:
                blank = ch in " \t\r\n"
                if self.blank and not blank:
                    self.vertices += 1
                self.blank = blank
            if self.vertices > self.limits.max_vertices:
                raise DataError(_too_many_vertices(self.label, self.vertices, self.placemarks, self.limits))
        elif self.link is not None and sum(len(x) for x in self.link) < 4096:
            self.link.append(data)

    def end(self, tag: str) -> None:
        if tag == "coordinates":
            self.in_coords = False
        elif tag in _LINKS and self.link is not None:
            ref = "".join(self.link).strip()
            self.link = None
            outside = not _SAFE_HREF.match(ref) or ".." in ref.replace("\\", "/").split("/")
            if ref and (outside or (tag in _LOCAL_ONLY and not ref.startswith("#"))):
                raise DataError(
                    Problem(
                        self.label,
                        f"KML tham chiếu tới tệp hoặc địa chỉ khác ('{_clip(ref)}'): không đọc tệp này — chỉ nhập "
                        "các đối tượng nằm trong chính tệp",
                    )
                )


def _check_kml(document: bytes, label: str, limits: ImportLimits) -> None:
    scan = _KmlScan(label, limits)
    parse_xml(iter([document]), label, start=scan.start, end=scan.end, text=scan.text)


# --- Shapefile inside a zip --------------------------------------------------------------------------------

_SHP_MAGIC = b"\x00\x00\x27\x0a"


def _extract_shapefile(content: bytes, label: str, folder: Path, limits: ImportLimits) -> tuple[Path, bool]:
    what = "tệp nén .zip"
    broken = "tệp nén .zip bị hỏng hoặc tải về chưa xong: nén lại các tệp Shapefile rồi nhập lại"
    archive = open_zip(content, label, limits, what=what, broken=broken)
    names = [i.filename for i in archive.infolist() if not i.is_dir() and not _resource_fork(i.filename)]
    shps = [n for n in names if n.lower().endswith(".shp")]
    if not shps:
        found = ", ".join(_clip(n, 40) for n in names[:8]) or "không có tệp nào"
        raise DataError(
            Problem(
                label, f"tệp nén không chứa Shapefile (.shp) (có: {found}): nén đủ .shp, .shx, .dbf, .prj"
            )
        )
    if len(shps) > 1:
        listed = ", ".join(_clip(n, 40) for n in shps[:8])
        raise DataError(
            Problem(label, f"tệp nén có {len(shps)} lớp Shapefile ({listed}): hãy nén riêng lớp cần nhập")
        )
    stem = shps[0][:-4]
    parts = {n[len(stem) :].lower(): n for n in names if n[: len(stem)] == stem and "/" not in n[len(stem) :]}
    missing = [ext for ext in (".shx", ".dbf") if ext not in parts]
    if missing:
        raise DataError(
            Problem(label, f"Shapefile thiếu tệp {', '.join(missing)}: nén đủ .shp, .shx, .dbf, .prj")
        )
    for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        if ext in parts:
            data = read_member(archive, parts[ext], label, what=what)
            if ext in (".shp", ".shx") and not data.startswith(_SHP_MAGIC):
                raise DataError(
                    Problem(label, f"tệp '{_clip(parts[ext], 40)}' trong tệp nén không phải Shapefile hợp lệ")
                )
            (folder / f"input{ext}").write_bytes(data)
    return folder / "input.shp", ".cpg" in parts


def _resource_fork(name: str) -> bool:
    """The ``__MACOSX/._x.shp`` copies a Mac adds to a zip: not data."""
    return name.startswith("__MACOSX/") or name.rsplit("/", 1)[-1].startswith("._")


# --- GeoPackage --------------------------------------------------------------------------------------------


def _check_gpkg(path: Path, label: str) -> None:
    try:
        con = sqlite3.connect(f"file:{path.as_posix()}?mode=ro&immutable=1", uri=True)
        try:
            rows = con.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise DataError(library_problem(label, "GeoPackage bị hỏng hoặc không phải SQLite", exc)) from exc
    for kind, name, sql in rows:
        text = str(sql or "")
        virtual = kind == "table" and re.match(r"\s*CREATE\s+VIRTUAL\s+TABLE", text, re.IGNORECASE)
        if virtual and not re.search(r"\bUSING\s+rtree\b", text, re.IGNORECASE):
            raise DataError(
                Problem(
                    label,
                    f"GeoPackage có bảng ảo '{_clip(str(name), 40)}' (có thể đọc tệp khác): không đọc tệp này — "
                    "xuất lại lớp cần nhập thành GeoPackage mới",
                )
            )


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = [
    "ALLOWED_DRIVERS",
    "Prepared",
    "check_vertices",
    "clean_message",
    "count_features",
    "expect_driver",
    "gdal_sentence",
    "gdal_words",
    "harden",
    "prepare",
]
