"""Builders of hostile and careless files for the corpus (:mod:`tests.hostile_corpus`).

Everything is made here, in the test's own folder: no binary file is committed.
Workbooks are written as their XML parts (openpyxl would itself hang building a
merged range over F1:XFD1048576), zip bombs as a deflate stream of one flushed
block repeated (a 900 MB sheet is built in well under a second), Shapefiles and
GeoPackages through geopandas, then altered.
"""

from __future__ import annotations

import io
import json
import sqlite3
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import geopandas as gpd
from shapely.geometry import Point

LON, LAT = 105.45, 10.90  # in Tân Hộ Cơ

#: Lines of the "secret" local file the VRT cases point at; none may reach a message or the data.
SECRET_LINES = ("bp-secret-line-1 mật khẩu kho 7f3a9c", "bp-secret-line-2 root-hash-$6$Qx")

SECRET_CSV = (
    "id,name,sector,commune,status,progress,source,lon,lat\n"
    f"S-1,{SECRET_LINES[0]},water,Tân Hộ Cơ,planned,0,x,105.45,10.90\n"
    f"S-2,{SECRET_LINES[1]},water,Tân Hộ Cơ,planned,0,x,105.46,10.91\n"
)

SECRET_KML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
    f"<Placemark><name>{SECRET_LINES[0]}</name><Point><coordinates>{LON},{LAT}</coordinates></Point>"
    "</Placemark></Document></kml>\n"
)


def passwd_first_line() -> str | None:
    """The first line of the system's password file, when there is one."""
    try:
        lines = Path("/etc/passwd").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return lines[0] if lines and lines[0].strip() else None


# --- zip archives, bombs included --------------------------------------------------------------------------


@dataclass(frozen=True)
class Inflating:
    """A member that inflates to ``size`` bytes of ``unit`` between ``head`` and ``tail``."""

    size: int
    unit: bytes = b" "
    head: bytes = b""
    tail: bytes = b""


def _deflate(data: bytes | Inflating) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, inflated size)."""
    if isinstance(data, bytes):
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush(), zlib.crc32(data), len(data)
    block = data.unit * ((1 << 20) // len(data.unit))  # 1 MB
    repeats, rest = divmod(data.size, len(block))
    parts: list[bytes] = []
    crc = 0
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts.append(c.compress(data.head) + c.flush(zlib.Z_FULL_FLUSH))
    crc = zlib.crc32(data.head, crc)
    # A full flush resets the window: the deflated block can be repeated as is.
    one = zlib.compressobj(9, zlib.DEFLATED, -15)
    flushed = one.compress(block) + one.flush(zlib.Z_FULL_FLUSH)
    parts.append(flushed * repeats)
    for _ in range(repeats):
        crc = zlib.crc32(block, crc)
    tail = block[:rest] + data.tail
    parts.append(c.compress(tail) + c.flush())
    crc = zlib.crc32(tail, crc)
    return b"".join(parts), crc, len(data.head) + repeats * len(block) + len(tail)


def raw_zip(members: dict[str, bytes | Inflating], *, symlinks: tuple[str, ...] = ()) -> bytes:
    """A zip written by hand (deflated members; ``symlinks`` marked as Unix links)."""
    out = io.BytesIO()
    central: list[bytes] = []
    for name, data in members.items():
        packed, crc, size = _deflate(data)
        encoded = name.encode("utf-8")
        offset = out.tell()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0x21, crc, len(packed), size, len(encoded), 0
            )
        )
        out.write(encoded)
        out.write(packed)
        mode = (0o120777 if name in symlinks else 0o100644) << 16
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                0x031E,  # made on Unix: the mode bits count
                20,
                0x800,
                8,
                0,
                0x21,
                crc,
                len(packed),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                mode,
                offset,
            )
            + encoded
        )
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0)
    )
    return out.getvalue()


# --- workbooks ---------------------------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _cell(ref: str, value: object) -> str:
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_xml(
    cells: dict[str, object], *, merges: tuple[str, ...] = (), dimension: str | None = None
) -> bytes:
    """A worksheet's XML: cells by reference ("A1": "Xã"), rows in order, merged ranges."""

    def key(ref: str) -> tuple[int, int]:
        letters = "".join(ch for ch in ref if ch.isalpha())
        col = 0
        for ch in letters:
            col = col * 26 + ord(ch) - 64
        return int(ref[len(letters) :]), col

    rows: dict[int, list[str]] = {}
    for ref in sorted(cells, key=key):
        rows.setdefault(key(ref)[0], []).append(_cell(ref, cells[ref]))
    body = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    merged = (
        f'<mergeCells count="{len(merges)}">'
        + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
        + "</mergeCells>"
        if merges
        else ""
    )
    return f'<worksheet xmlns="{_MAIN}">{dim}<sheetData>{body}</sheetData>{merged}</worksheet>'.encode()


def xlsx(sheet: bytes | Inflating, *, name: str = "Sheet1") -> bytes:
    """A one-sheet workbook from its sheet XML (an :class:`Inflating` sheet makes a zip bomb)."""
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return raw_zip(
        {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
                f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
                "</Types>"
            ).encode(),
            "_rels/.rels": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"
            ).encode(),
            "xl/workbook.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
                f'<sheets><sheet name="{escape(name)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ).encode(),
            "xl/_rels/workbook.xml.rels": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                "</Relationships>"
            ).encode(),
            "xl/worksheets/sheet1.xml": sheet,
        }
    )


#: A values table as a district office writes it: the header, one good row.
VALUES_CELLS: dict[str, object] = {
    "A1": "Xã",
    "B1": "Chỉ tiêu",
    "C1": "Năm",
    "D1": "Giá trị",
    "E1": "Nguồn",
    "A2": "Tân Hộ Cơ",
    "B2": "clean_water",
    "C2": 2023,
    "D2": 96,
    "E2": "BC 12",
}


def bomb_xlsx(size: int) -> bytes:
    """A workbook whose one sheet inflates to ``size`` bytes (blanks inside ``<sheetData>``)."""
    head = f'<worksheet xmlns="{_MAIN}"><sheetData>'.encode()
    return xlsx(Inflating(size, head=head, tail=b"</sheetData></worksheet>"))


# --- GIS files ---------------------------------------------------------------------------------------------


def vrt(source: str, src_layer: str, *, layer: str = "du_an") -> bytes:
    """An OGR VRT document that makes GDAL read ``source`` (a path or a ``/vsicurl/`` URL) as points."""
    return (
        f'<OGRVRTDataSource>\n  <OGRVRTLayer name="{layer}">\n    <SrcDataSource>{escape(source)}</SrcDataSource>\n'
        f"    <SrcLayer>{escape(src_layer)}</SrcLayer>\n"
        "    <GeometryType>wkbPoint</GeometryType><LayerSRS>WGS84</LayerSRS>\n"
        '    <GeometryField encoding="PointFromColumns" x="lon" y="lat"/>\n  </OGRVRTLayer>\n</OGRVRTDataSource>\n'
    ).encode()


def vrt_passwd() -> bytes:
    """The issue's VRT: every line of ``/etc/passwd`` becomes a project's name (SQL over GDAL's CSV driver)."""
    sql = (
        "SELECT 'P-' || rowid AS id, field_1 AS name, 'water' AS sector, 'Tân Hộ Cơ' AS commune, "
        "'planned' AS status, 0 AS progress, 'x' AS source, 105.45 + rowid * 0.0001 AS lon, 10.90 AS lat "
        "FROM passwd"
    )
    return (
        '<OGRVRTDataSource>\n  <OGRVRTLayer name="du_an">\n    <SrcDataSource>CSV:/etc/passwd</SrcDataSource>\n'
        '    <OpenOptions><OOI key="HEADERS">NO</OOI></OpenOptions>\n'
        f'    <SrcSQL dialect="SQLITE">{escape(sql)}</SrcSQL>\n'
        "    <GeometryType>wkbPoint</GeometryType><LayerSRS>WGS84</LayerSRS>\n"
        '    <GeometryField encoding="PointFromColumns" x="lon" y="lat"/>\n  </OGRVRTLayer>\n</OGRVRTDataSource>\n'
    ).encode()


def geojson(features: list[dict[str, object]], *, crs: object = None) -> bytes:
    doc: dict[str, object] = {"type": "FeatureCollection"}
    if crs is not None:
        doc["crs"] = crs
    doc["features"] = features
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def project_feature(
    i: int, *, lon: float = LON, lat: float = LAT, name: str | None = None
) -> dict[str, object]:
    return {
        "type": "Feature",
        "properties": {
            "id": f"DA-H{i}",
            "name": name or f"Đường thử {i}",
            "sector": "transport",
            "commune": "Tân Hộ Cơ",
            "status": "planned",
            "progress": 0,
            "source": "kiểm thử",
        },
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }


def kml(body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"{body}</Document></kml>\n"
    ).encode()


def placemark(name: str = "Trạm bơm thử") -> str:
    return f"<Placemark><name>{escape(name)}</name><Point><coordinates>{LON},{LAT}</coordinates></Point></Placemark>"


def shapefile_parts(folder: Path) -> dict[str, bytes]:
    """The parts of a one-point Shapefile (WGS84), by file name."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = gpd.GeoDataFrame(
        {"Ma": ["WS-H1"], "Ten": ["Trạm cấp nước thử"], "Nguon": ["kiểm thử"]},
        geometry=[Point(LON, LAT)],
        crs="EPSG:4326",
    )
    frame.to_file(folder / "tram.shp")
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def gpkg_with_virtual_table(folder: Path, target: str) -> bytes:
    """A GeoPackage whose one layer is a VirtualOGR table over ``target`` (another file)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "du_an.gpkg"
    frame = gpd.GeoDataFrame({"name": ["Đường thử"]}, geometry=[Point(LON, LAT)], crs="EPSG:4326")
    frame.to_file(path, layer="du_an")
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA writable_schema=ON")
        sql = f"CREATE VIRTUAL TABLE bi_mat USING VirtualOGR('{target}')"
        con.execute(
            "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES ('table', 'bi_mat', 'bi_mat', 0, ?)",
            (sql,),
        )
        con.execute("PRAGMA writable_schema=OFF")
        con.execute("DELETE FROM gpkg_contents")
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES ('bi_mat', 'attributes', 'bi_mat')"
        )
        con.commit()
    finally:
        con.close()
    return path.read_bytes()
