"""The hostile and careless files and data folders of issue 14, one :class:`~tests.hostile_corpus.Case` each.

Sections: §2 (local files and URLs read through an import), §3 (tiny files
that hang the import), §3b (tracebacks instead of messages), §4 (an unknown
EPSG code), and "existing": the bad inputs the tests already had (the 27 of
``tests/test_importing.py``'s ``BAD_INPUTS``, and those of ``test_io.py`` and
``test_cli.py``), run here through the command line as well. Append rows to
:data:`CASES` to extend the corpus.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from tests import hostile_files as hf
from tests.hostile_corpus import Builder, Case, Workspace

# --- builders ------------------------------------------------------------------------------------------------


def _import(kind: str, name: str, make: Callable[[Workspace], bytes], *options: str) -> Builder:
    def build(ws: Workspace) -> list[str]:
        return [kind, ws.file(name, make(ws)), *options]

    return build


def preview_file(kind: str, name: str, make: Callable[[Workspace], bytes]) -> Builder:
    def build(ws: Workspace) -> list[str]:
        return [kind, ws.file(name, make(ws))]

    return build


def _break(change: Callable[[Workspace], None], *args: str) -> Builder:
    def build(ws: Workspace) -> list[str]:
        change(ws)
        return [*args]

    return build


def _export_args(fmt: str, name: str) -> Callable[[Workspace], list[str]]:
    return lambda ws: ["--format", fmt, "--out", str(ws.out / name)]


def _values(ws: Workspace) -> Path:
    return ws.data / "indicators" / "values.csv"


def cut_utf8(ws: Workspace) -> None:
    path = _values(ws)
    content = path.read_bytes()
    at = content.index("Ọ".encode())  # a three-byte character: cut after its first byte
    path.write_bytes(content[: at + 1])


def _utf16(ws: Workspace) -> None:
    path = _values(ws)
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))


def corrupt_store(ws: Workspace) -> None:
    ws.store.write_bytes(b"SQLite format 3\x00" + "\x13\x37 hỏng ".encode() * 400)


def _wrong_schema_store(ws: Workspace) -> None:
    ws.store.unlink(missing_ok=True)
    con = sqlite3.connect(ws.store)
    con.execute("CREATE TABLE files (path TEXT, body TEXT)")
    con.execute("INSERT INTO files VALUES ('indicators/values.csv', 'x')")
    con.commit()
    con.close()


def _long_name(ws: Workspace) -> None:
    path = ws.data / "projects" / "projects.geojson"
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    doc["features"][0]["properties"]["name"] = ("Trạm bơm " * 1200)[:10_000]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _data_cases(
    name: str, change: Callable[[Workspace], None], label: str, expect: str, commands: Sequence[str]
) -> list[Case]:
    """One case per command for one broken data folder."""
    return [
        Case(f"{name} / {c}", "§3b", c, _broken_data(change, c), expect, label, seed=False) for c in commands
    ]


def _broken_data(change: Callable[[Workspace], None], command: str) -> Builder:
    def build(ws: Workspace) -> list[str]:
        change(ws)
        if command == "export":
            return _export_args("html", "ban-do.html")(ws)
        if command == "import":
            return [
                "values",
                ws.file("nuoc.csv", (VALUES_CSV_HEADER + "Tân Hộ Cơ;clean_water;2023;96;BC\n").encode()),
            ]
        return []

    return build


def _many_rows(n: int) -> bytes:
    head = "Mã;Tên dự án;Lĩnh vực;Xã;Tình trạng;Tiến độ (%);Kinh độ;Vĩ độ;Nguồn\n"
    row = "DA-{i};Đường số {i};Giao thông;Tân Hộ Cơ;Đang thi công;40;105,45;10,90;NQ\n"
    return (head + "".join(row.format(i=i) for i in range(n))).encode()


def _polygon(n: int) -> dict[str, object]:
    ring = [
        [hf.LON + 0.01 * math.cos(2 * math.pi * k / n), hf.LAT + 0.01 * math.sin(2 * math.pi * k / n)]
        for k in range(n)
    ]
    ring.append(ring[0])
    feature = hf.project_feature(1)
    feature["geometry"] = {"type": "Polygon", "coordinates": [ring]}
    return feature


VALUES_CSV_HEADER = "Xã;Chỉ tiêu;Năm;Giá trị;Nguồn\n"


def _section2() -> list[Case]:
    def vrt_secret(ws: Workspace) -> bytes:
        return hf.vrt(str(ws.secret), "secret")

    def vrt_passwd(ws: Workspace) -> bytes:
        return hf.vrt_passwd()

    def vrt_url(ws: Workspace) -> bytes:
        return hf.vrt("/vsicurl/" + ws.url("secret.csv"), "secret")

    def vrt_shp(ws: Workspace) -> bytes:
        parts = hf.shapefile_parts(ws.root / "shp")
        parts["tram.shp"] = hf.vrt(str(ws.secret), "secret")
        return hf.zip_of(parts)

    def crs(member: Callable[[Workspace], object]) -> Callable[[Workspace], bytes]:
        return lambda ws: hf.geojson([hf.project_feature(1)], crs=member(ws))

    def kml_link(href: Callable[[Workspace], str], tag: str = "NetworkLink") -> Callable[[Workspace], bytes]:
        def make(ws: Workspace) -> bytes:
            if tag == "NetworkLink":
                body = f"<NetworkLink><name>x</name><Link><href>{href(ws)}</href></Link></NetworkLink>"
            else:
                body = f"<Style id='s'><IconStyle><Icon><href>{href(ws)}</href></Icon></IconStyle></Style>"
            return hf.kml(body + hf.placemark())

        return make

    def kmz_link(ws: Workspace) -> bytes:
        doc = hf.kml(f"<NetworkLink><Link><href>{ws.rel(ws.secret_kml)}</href></Link></NetworkLink>")
        return hf.zip_of({"doc.kml": doc})

    def style_url(ws: Workspace) -> bytes:
        body = f"<Placemark><name>Trạm</name><styleUrl>{ws.secret_kml}#s</styleUrl>"
        return hf.kml(body + f"<Point><coordinates>{hf.LON},{hf.LAT}</coordinates></Point></Placemark>")

    def gml(ws: Workspace) -> bytes:
        return (
            '<?xml version="1.0"?><ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" '
            'xmlns:gml="http://www.opengis.net/gml" xmlns:xlink="http://www.w3.org/1999/xlink">'
            f'<gml:featureMember xlink:href="{ws.secret}#x"/></ogr:FeatureCollection>'
        ).encode()

    def esri(ws: Workspace) -> bytes:
        return (
            '{"geometryType": "esriGeometryPoint", "spatialReference": {"wkid": 4326}, "fields": [], '
            f'"features": [{{"attributes": {{"name": "Đường"}}, "geometry": {{"x": {hf.LON}, "y": {hf.LAT}}}}}]}}'
        ).encode()

    def topo(ws: Workspace) -> bytes:
        return b'{"type": "Topology", "objects": {}, "arcs": []}'

    def shp_link(ws: Workspace) -> bytes:
        parts = hf.shapefile_parts(ws.root / "shp")
        return hf.raw_zip(
            {
                "tram.shp": parts["tram.shp"],
                "tram.shx": parts["tram.shx"],
                "tram.dbf": str(ws.secret).encode(),
            },
            symlinks=("tram.dbf",),
        )

    def shp_traversal(ws: Workspace) -> bytes:
        parts = hf.shapefile_parts(ws.root / "shp")
        return hf.zip_of({f"../../{name}": data for name, data in parts.items()})

    def gpkg_virtual(ws: Workspace) -> bytes:
        return hf.gpkg_with_virtual_table(ws.root / "gpkg", str(ws.secret))

    s = "§2"
    return [
        Case(
            "VRT saved as .geojson reads a local file",
            s,
            "import",
            _import("projects", "du_an.geojson", vrt_secret),
            "tài liệu VRT",
            "du_an.geojson",
            secrets=True,
        ),
        Case(
            "VRT saved as .kml reads a local file",
            s,
            "import",
            _import("projects", "du_an.kml", vrt_secret),
            "tài liệu VRT",
            "du_an.kml",
            secrets=True,
        ),
        Case(
            "VRT reads /etc/passwd",
            s,
            "import",
            _import("projects", "tai_khoan.geojson", vrt_passwd),
            "tài liệu VRT",
            "tai_khoan.geojson",
            secrets=True,
        ),
        Case(
            "VRT fetches a URL (/vsicurl/)",
            s,
            "import",
            _import("projects", "mang.geojson", vrt_url),
            "tài liệu VRT",
            "mang.geojson",
            secrets=True,
        ),
        Case(
            "VRT named .shp inside a zip",
            s,
            "import",
            _import("layer", "tram.zip", vrt_shp, "--layer", "water_stations"),
            "tram.zip: lỗi",
            "tram.zip",
            secrets=True,
        ),
        Case(
            "GeoJSON crs 'link' to a URL",
            s,
            "import",
            _import(
                "projects",
                "crs_link.geojson",
                crs(
                    lambda ws: {"type": "link", "properties": {"href": ws.url("crs.prj"), "type": "esriwkt"}}
                ),
            ),
            'mục "crs"',
            "crs_link.geojson",
            secrets=True,
        ),
        Case(
            "GeoJSON crs names a local file",
            s,
            "import",
            _import(
                "projects",
                "crs_tep.geojson",
                crs(lambda ws: {"type": "name", "properties": {"name": str(ws.secret)}}),
            ),
            'mục "crs"',
            "crs_tep.geojson",
            secrets=True,
        ),
        Case(
            "GeoJSON crs names a /vsicurl/ URL",
            s,
            "import",
            _import(
                "projects",
                "crs_url.geojson",
                crs(lambda ws: {"type": "name", "properties": {"name": "/vsicurl/" + ws.url("c.prj")}}),
            ),
            'mục "crs"',
            "crs_url.geojson",
            secrets=True,
        ),
        Case(
            "GeoJSON crs with an unknown EPSG code",
            "§4",
            "import",
            _import(
                "projects",
                "epsg.geojson",
                crs(lambda ws: {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}}),
            ),
            "EPSG:999999",
            "epsg.geojson",
        ),
        Case(
            "ESRI JSON saved as .geojson",
            s,
            "import",
            _import("projects", "esri.geojson", esri),
            "không phải GeoJSON",
            "esri.geojson",
        ),
        Case(
            "TopoJSON saved as .json",
            s,
            "import",
            _import("projects", "topo.json", topo),
            "không phải GeoJSON",
            "topo.json",
        ),
        Case(
            "GML with an xlink saved as .kml",
            s,
            "import",
            _import("projects", "gml.kml", gml),
            "không phải KML",
            "gml.kml",
            secrets=True,
        ),
        Case(
            "KML NetworkLink to a local file",
            s,
            "import",
            _import("projects", "lien_ket.kml", kml_link(lambda ws: str(ws.secret_kml))),
            "NetworkLink",
            "lien_ket.kml",
            secrets=True,
        ),
        Case(
            "KML NetworkLink to a URL",
            s,
            "import",
            _import("projects", "lien_ket_mang.kml", kml_link(lambda ws: ws.url("secret.kml"))),
            "NetworkLink",
            "lien_ket_mang.kml",
            secrets=True,
        ),
        Case(
            "KML href relative to a local file",
            s,
            "import",
            _import("projects", "bieu_tuong.kml", kml_link(lambda ws: ws.rel(ws.secret), tag="Icon")),
            "tham chiếu tới tệp",
            "bieu_tuong.kml",
            secrets=True,
        ),
        Case(
            "KML styleUrl in another file",
            s,
            "import",
            _import("projects", "kieu.kml", style_url),
            "tham chiếu tới tệp",
            "kieu.kml",
            secrets=True,
        ),
        Case(
            "KMZ NetworkLink to ../ a local file",
            s,
            "import",
            _import("projects", "lien_ket.kmz", kmz_link),
            "NetworkLink",
            "lien_ket.kmz",
            secrets=True,
        ),
        Case(
            "zipped Shapefile .dbf is a symlink",
            s,
            "import",
            _import("layer", "lien_ket.zip", shp_link, "--layer", "water_stations"),
            "liên kết",
            "lien_ket.zip",
            secrets=True,
        ),
        Case(
            "zipped Shapefile with ../ paths",
            s,
            "import",
            _import("layer", "duong_dan.zip", shp_traversal, "--layer", "water_stations"),
            "ra ngoài tệp nén",
            "duong_dan.zip",
        ),
        Case(
            "GeoPackage with a VirtualOGR table",
            s,
            "import",
            _import("projects", "ao.gpkg", gpkg_virtual),
            "bảng ảo",
            "ao.gpkg",
            secrets=True,
        ),
    ]


def _section3() -> list[Case]:
    def far_cell(ws: Workspace) -> bytes:
        return hf.xlsx(hf.sheet_xml({**hf.VALUES_CELLS, "XFD1048576": "x"}, dimension="A1:XFD1048576"))

    def merged(ws: Workspace) -> bytes:
        return hf.xlsx(hf.sheet_xml(hf.VALUES_CELLS, merges=("F1:XFD1048576",)))

    def long_xlsx_cell(ws: Workspace) -> bytes:
        return hf.xlsx(hf.sheet_xml({**hf.VALUES_CELLS, "F2": "x" * 40_000}))

    def csv_text(text: str) -> Callable[[Workspace], bytes]:
        return lambda ws: text.encode("utf-8")

    def features(n: int) -> Callable[[Workspace], bytes]:
        return lambda ws: hf.geojson([hf.project_feature(i) for i in range(n)])

    s = "§3"
    row = "Tân Hộ Cơ;clean_water;2023;96;"
    return [
        Case(
            "xlsx: one cell at XFD1048576",
            s,
            "import",
            _import("values", "o_xa.xlsx", far_cell),
            "XFD1048576",
            "o_xa.xlsx",
        ),
        Case(
            "xlsx: merged range F1:XFD1048576",
            s,
            "import",
            _import("values", "gop_o.xlsx", merged),
            "F1:XFD1048576",
            "gop_o.xlsx",
        ),
        Case(
            "xlsx: sheet inflates to 900 MB (zip bomb)",
            s,
            "import",
            _import("values", "bom.xlsx", lambda ws: hf.bomb_xlsx(900 << 20)),
            "giải nén",
            "bom.xlsx",
        ),
        Case(
            "xlsx: a 40 000-character cell",
            s,
            "import",
            _import("values", "o_dai.xlsx", long_xlsx_cell),
            "32.767",
            "o_dai.xlsx",
        ),
        Case(
            "CSV: 200 000 rows",
            s,
            "import",
            _import("projects", "du_an_200k.csv", lambda ws: _many_rows(200_000)),
            "10.000 dòng",
            "du_an_200k.csv",
        ),
        Case(
            "CSV: a 40 MB cell",
            s,
            "import",
            _import(
                "values", "o_40mb.csv", csv_text(VALUES_CSV_HEADER + row + '"' + "x" * (40 << 20) + '"\n')
            ),
            "131.072",
            "o_40mb.csv",
        ),
        Case(
            "CSV: a 200 kB unquoted field",
            s,
            "import",
            _import("values", "o_200kb.csv", csv_text(VALUES_CSV_HEADER + row + "x" * 200_000 + "\n")),
            "131.072",
            "o_200kb.csv",
        ),
        Case(
            "CSV: a 40 000-character cell",
            s,
            "import",
            _import("values", "o_40k.csv", csv_text(VALUES_CSV_HEADER + row + "x" * 40_000 + "\n")),
            "32.767",
            "o_40k.csv",
        ),
        Case(
            "CSV: 5 000 columns",
            s,
            "import",
            _import("values", "cot.csv", csv_text(";".join(f"c{i}" for i in range(5000)) + "\n")),
            "200 cột",
            "cot.csv",
        ),
        Case(
            "GeoJSON: 100 000 features",
            s,
            "import",
            _import("projects", "nhieu.geojson", features(100_000)),
            "10.000",
            "nhieu.geojson",
        ),
        Case(
            "GeoJSON: a polygon of 300 000 vertices",
            s,
            "import",
            _import("projects", "dinh.geojson", lambda ws: hf.geojson([_polygon(300_000)])),
            "200.000",
            "dinh.geojson",
        ),
        Case(
            "GeoJSON: nested 100 000 deep",
            s,
            "import",
            _import(
                "projects",
                "sau.geojson",
                lambda ws: (
                    b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
                ),
            ),
            "lồng nhau",
            "sau.geojson",
        ),
        Case(
            "KMZ: document inflates to 900 MB",
            s,
            "import",
            _import(
                "projects",
                "bom.kmz",
                lambda ws: hf.raw_zip(
                    {
                        "doc.kml": hf.Inflating(
                            900 << 20,
                            head=b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document>',
                            tail=b"</Document></kml>",
                        )
                    }
                ),
            ),
            "giải nén",
            "bom.kmz",
        ),
        Case(
            "zipped Shapefile: .dbf inflates to 900 MB",
            s,
            "import",
            _import(
                "layer",
                "bom.zip",
                lambda ws: hf.raw_zip(
                    {**hf.shapefile_parts(ws.root / "shp"), "tram.dbf": hf.Inflating(900 << 20)}
                ),
                "--layer",
                "water_stations",
            ),
            "giải nén",
            "bom.zip",
        ),
    ]


def _section3b() -> list[Case]:
    def empty_targets(ws: Workspace) -> None:
        (ws.data / "indicators" / "targets.csv").write_bytes(b"")

    def slides(ws: Workspace) -> None:
        (ws.data / "views" / "slides.json").write_bytes(b'{"title": "x", "views": [{"name": ')

    def missing(ws: Workspace) -> None:
        _values(ws).unlink()

    def folder(ws: Workspace) -> None:
        _values(ws).unlink()
        _values(ws).mkdir()

    def meta(ws: Workspace) -> None:
        (ws.data / "meta.json").write_bytes(b'{"title": "x", "data_date": 2025')

    def meta_date(ws: Workspace) -> None:
        (ws.data / "meta.json").write_text('{"title": "x", "data_date": "31/12/2025"}', encoding="utf-8")

    def units(ws: Workspace) -> None:
        path = ws.data / "boundaries" / "units_2020.geojson"
        path.write_bytes(path.read_bytes()[:300])

    def border(ws: Workspace) -> None:
        path = ws.data / "boundaries" / "border.geojson"
        path.write_bytes(path.read_bytes()[:200])

    def layer(ws: Workspace) -> None:
        (ws.data / "projects" / "water_stations.geojson").write_bytes(
            b'{"type": "FeatureCollection", "features": ['
        )

    three = ("validate", "status", "export")
    values = "indicators/values.csv"
    cases = [
        Case(
            "preview: CSV cell over 131 072 characters",
            "§3b",
            "preview",
            preview_file(
                "values",
                "o_dai.csv",
                lambda ws: (
                    VALUES_CSV_HEADER + "Tân Hộ Cơ;clean_water;2023;96;" + "y" * 140_000 + "\n"
                ).encode(),
            ),
            "131.072",
            "o_dai.csv",
        ),
        *_data_cases("values.csv cut inside a UTF-8 character", cut_utf8, values, "UTF-8", three),
        *_data_cases("empty targets.csv", empty_targets, "indicators/targets.csv", "rỗng", three),
        *_data_cases("UTF-16 values.csv", _utf16, values, "UTF-16", three),
        *_data_cases("corrupt store", corrupt_store, "store.sqlite", "hỏng", (*three, "import")),
        *_data_cases(
            "store of another schema", _wrong_schema_store, "store.sqlite", "không đúng cấu trúc", three
        ),
        *_data_cases(
            "broken boundaries GeoJSON",
            units,
            "boundaries/units_2020.geojson",
            "không đọc được",
            ("validate", "status"),
        ),
        *_data_cases(
            "broken border GeoJSON",
            border,
            "boundaries/border.geojson",
            "không đọc được",
            ("validate", "status"),
        ),
        *_data_cases(
            "broken layer GeoJSON", layer, "projects/water_stations.geojson", "không đọc được", ("validate",)
        ),
        Case(
            "validate: slides.json broken",
            "§3b",
            "validate",
            _break(slides),
            "không đọc được JSON",
            "views/slides.json",
            seed=False,
        ),
        Case(
            "validate: values.csv missing",
            "§3b",
            "validate",
            _break(missing),
            "thiếu tệp",
            values,
            seed=False,
        ),
        Case(
            "validate: values.csv is a folder",
            "§3b",
            "validate",
            _break(folder),
            "thư mục",
            values,
            seed=False,
        ),
        Case(
            "validate: meta.json not JSON",
            "§3b",
            "validate",
            _break(meta),
            "không đọc được JSON",
            "meta.json",
            seed=False,
        ),
        Case(
            "validate: meta.json date not YYYY-MM-DD",
            "§3b",
            "validate",
            _break(meta_date),
            "data_date",
            "meta.json",
            seed=False,
        ),
        Case(
            "export PDF: a 10 000-character project name",
            "§3b",
            "export",
            lambda ws: (_long_name(ws), _export_args("pdf", "ban-do.pdf")(ws))[1],
            "Đã ghi",
            "ban-do.pdf",
            ok=True,
            seed=False,
        ),
    ]
    return cases


def _existing() -> list[Case]:
    """The bad inputs the tests already had: tests/test_importing.py's 27, test_io.py's, test_cli.py's."""
    from tests.test_importing import BAD_INPUTS

    cases = []
    for name, kind, filename, make, options, needles, _row in BAD_INPUTS:
        flags = [x for k, v in options.items() for x in (f"--{k}", v)]
        builder = _import(kind, filename, lambda ws, _m=make: _m(ws.root / "tmp"), *flags)
        label = "--crs" if name == "invalid --crs" else filename
        cases.append(Case(f"test_importing: {name}", "existing", "import", builder, needles[0], label))
    for filename, content, needle in [
        ("a.pdf", b"%PDF-1.4", "không đọc được loại tệp '.pdf'"),
        ("a.xls", b"\xd0\xcf\x11\xe0", ".xlsx"),
        ("a.shp", b"\x00\x00\x27\x0a", ".zip"),
        ("rong.csv", b"", "tệp rỗng"),
        ("a.xlsx", b"Xa,Nam\n", "không phải bảng tính Excel"),
        ("a.gpkg", b"hello", "không phải GeoPackage"),
        ("b.csv", b"PK\x03\x04rest", "không phải tệp văn bản CSV"),
    ]:
        cases.append(
            Case(
                f"test_io: file type {filename}",
                "existing",
                "import",
                _import("values", filename, lambda ws, _c=content: _c),
                needle,
                filename,
            )
        )
    cases.append(
        Case(
            "test_io: zip without a Shapefile",
            "existing",
            "import",
            _import(
                "layer",
                "nen.zip",
                lambda ws: hf.zip_of({"so_lieu.csv": b"a,b\n"}),
                "--layer",
                "water_stations",
            ),
            "không chứa Shapefile",
            "nen.zip",
        )
    )

    def two_layers(ws: Workspace) -> bytes:
        import geopandas as gpd
        from shapely.geometry import Point

        g = gpd.GeoDataFrame({"ten": ["a"]}, geometry=[Point(hf.LON, hf.LAT)], crs="EPSG:4326")
        path = ws.root / "hai_lop.gpkg"
        g.to_file(path, layer="mot")
        g.to_file(path, layer="hai")
        return path.read_bytes()

    cases.append(
        Case(
            "test_io: GeoPackage with two layers",
            "existing",
            "import",
            _import("projects", "hai_lop.gpkg", two_layers),
            "2 lớp",
            "hai_lop.gpkg",
        )
    )

    def replace(rel: str, old: str, new: str) -> Callable[[Workspace], None]:
        def change(ws: Workspace) -> None:
            path = ws.data / rel
            path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

        return change

    def percentage(ws: Workspace) -> None:
        path = ws.data / "indicators" / "values.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        row = next(i for i, line in enumerate(lines) if ",clean_water,2023," in line)
        fields = lines[row].split(",")
        fields[3] = "140"
        lines[row] = ",".join(fields)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def far_point(ws: Workspace) -> None:
        path = ws.data / "projects" / "projects.geojson"
        doc = json.loads(path.read_text(encoding="utf-8"))
        feature = next(f for f in doc["features"] if f["geometry"]["type"] == "Point")
        lon, lat = feature["geometry"]["coordinates"]
        feature["geometry"]["coordinates"] = [lon, lat + 0.45]  # 50 km north, deep in Cambodia
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    for name, change, label, expect in [
        (
            "unknown commune in values.csv",
            replace("indicators/values.csv", "29935,", "Xã Bình Phúc Lộc,"),
            "indicators/values.csv",
            "không nhận ra tên xã",
        ),
        ("percentage 140 in values.csv", percentage, "indicators/values.csv", "140"),
        (
            "year 2031 in criteria.csv",
            replace("indicators/criteria.csv", ",2022,", ",2031,"),
            "indicators/criteria.csv",
            "2031",
        ),
        ("a point 50 km outside", far_point, "projects/projects.geojson", "nằm ngoài huyện Tân Hồng"),
    ]:
        cases.append(
            Case(
                f"test_cli: validate {name}",
                "existing",
                "validate",
                _break(change),
                expect,
                label,
                seed=False,
            )
        )
    return cases


#: Every case, in the issue's order; append rows to extend the corpus.
CASES: list[Case] = [*_section2(), *_section3(), *_section3b(), *_existing()]
