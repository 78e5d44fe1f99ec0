"""Readers of the users' own files, and coordinates in VN-2000.

Planners bring what their offices produce: Excel workbooks and CSV exports
written for people, and GIS files from surveyors. This module reads them into
one neutral shape, :class:`Table` (a header mapped to the package's fields and
records numbered as the user's file shows them); :mod:`borderplan_geo.importing`
checks the records and merges them into the data.

Formats (by the file's suffix, checked against its first bytes)
--------------------------------------------------------------
``.csv`` ``.tsv`` ``.txt``
    UTF-8 with or without BOM, UTF-16 LE/BE with BOM; otherwise Windows-1258
    with a warning. Separator ``,`` ``;`` or tab, detected.
``.xlsx`` ``.xlsm``
    Every worksheet with a recognisable header. Merged cells are filled with
    their value; a cell formatted as a percentage (0,95 shown as 95 %) reads 95.
``.geojson`` ``.json`` ``.gpkg`` (one layer), ``.zip`` (one Shapefile, with its
``.prj``), ``.kml`` ``.kmz`` (all folders)
    Through pyogrio and its bundled GDAL, locked down by
    :mod:`borderplan_geo._gdal`: each format opens with its one driver
    (GeoJSON, GPKG, ESRI Shapefile, KML) and nothing outside the file. An OGR
    VRT document is refused whatever its suffix.

Hostile and careless files
--------------------------
Every reader keeps :class:`~borderplan_geo.settings.ImportLimits` (rows,
columns, cell length, features, vertices, inflated size), checked before the
file is read (:mod:`borderplan_geo._limits`): a file past one is refused with a
Vietnamese message naming the file and the limit, never hangs the import.

Spreadsheets as people write them
---------------------------------
The header row is found, not assumed: title rows above it are skipped (their
text is kept in :attr:`Table.title`), the row that names the most known columns
wins, and a two-row header (a merged "Tọa độ" over "Kinh độ | Vĩ độ", a merged
"Năm" over "2020 | 2021 | …") is combined. Headers match a field's synonyms
without accents, case or a unit in brackets ("Giá trị (%)" is "giá trị").
Blank rows and the row of column numbers Vietnamese reports put under the
header ("(1) (2) (3)") are skipped. Row numbers are the spreadsheet's own.

Coordinates
-----------
:func:`to_wgs84` and :func:`from_wgs84` convert between a CRS and WGS84
longitude/latitude. For VN-2000 (any projection on the datum: EPSG:5897 TM-3
105°, EPSG:3405 UTM 48N, …) the datum shift is always the 7-parameter Helmert
EPSG:6960 (coordinate-frame convention), built explicitly as a PROJ pipeline:
without it PROJ would pick EPSG:6959, an older parameter set about 0,8 m
apart here, or a ballpark (no shift, about 225 m off) for a ``.prj`` it cannot
identify.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import math
import re
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer
from pyproj.enums import TransformDirection
from pyproj.exceptions import CRSError as ProjCRSError
from pyproj.exceptions import ProjError
from shapely.geometry.base import BaseGeometry

from ._errors import CRSError, DataError, Problem, library_problem
from ._gdal import check_vertices, clean_message, count_features, expect_driver, gdal_sentence, prepare
from ._limits import check_cell_length, open_zip, read_csv_rows, scan_workbook
from ._text import clean_text
from .formatting import parse_number
from .settings import ImportLimits, get_settings
from .sheet_layout import Skipped, fingerprint, guess_header, header_period
from .units import fold, try_resolve

WGS84 = "EPSG:4326"
#: VN-2000 / TM-3 zone 482 (central meridian 105°, k 0,9999): Đồng Tháp's local projection.
VN2000_TM3 = "EPSG:5897"
#: VN-2000 / UTM zone 48N.
VN2000_UTM48 = "EPSG:3405"

#: EPSG:6960 "VN-2000 to WGS 84 (2)": metres, arc-seconds, ppm; coordinate-frame convention.
VN2000_HELMERT: dict[str, float] = {
    "x": -191.90441429,
    "y": -39.30318279,
    "z": -111.45032835,
    "rx": -0.00928836,
    "ry": 0.01975479,
    "rz": -0.00427372,
    "s": 0.252906278,
}

#: Suffix → format.
FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".zip": "shapefile",
    ".kml": "kml",
    ".kmz": "kmz",
}
TABLE_FORMATS = frozenset({"csv", "xlsx"})
VECTOR_FORMATS = frozenset({"geojson", "gpkg", "shapefile", "kml", "kmz"})

_WRONG_TYPE_HINTS: dict[str, str] = {
    ".xls": "Excel 97–2003 (.xls) chưa đọc được: mở trong Excel, chọn Lưu thành → Excel Workbook (.xlsx)",
    ".ods": "bảng tính OpenDocument (.ods): lưu lại thành .xlsx hoặc CSV UTF-8",
    ".shp": "Shapefile gồm nhiều tệp: nén .shp, .shx, .dbf, .prj (và .cpg) vào một tệp .zip rồi nhập tệp .zip",
    ".dbf": "Shapefile gồm nhiều tệp: nén .shp, .shx, .dbf, .prj (và .cpg) vào một tệp .zip rồi nhập tệp .zip",
    ".shx": "Shapefile gồm nhiều tệp: nén .shp, .shx, .dbf, .prj (và .cpg) vào một tệp .zip rồi nhập tệp .zip",
    ".prj": "Shapefile gồm nhiều tệp: nén .shp, .shx, .dbf, .prj (và .cpg) vào một tệp .zip rồi nhập tệp .zip",
    ".docx": "không đọc bảng trong văn bản Word: chép bảng sang Excel và lưu .xlsx",
    ".doc": "không đọc bảng trong văn bản Word: chép bảng sang Excel và lưu .xlsx",
    ".pdf": "không đọc bảng trong PDF: chép bảng sang Excel và lưu .xlsx",
}

#: How many rows from the top are searched for the header.
HEADER_SCAN_ROWS = 30

_DMS = re.compile(
    r"^\s*(?P<deg>\d+(?:[.,]\d+)?)\s*[°º]\s*(?:(?P<min>\d+(?:[.,]\d+)?)\s*['′’])?\s*"
    r"(?:(?P<sec>\d+(?:[.,]\d+)?)\s*(?:\"|″|''|’’))?\s*(?P<hemi>[NSEWBĐDTnsewbđdt])?\s*$"
)
_YEAR_HEADER = re.compile(r"^(?:nam\s*)?(20[0-9][0-9])$")
_NUMBER_ROW_CELL = re.compile(r"^\(?(\d{1,2})\)?$")


# --- formats ---------------------------------------------------------------------------------


def file_format(filename: str, content: bytes) -> str:
    """The format of a user's file, from its suffix, checked against its first bytes.

    Raises
    ------
    DataError
        For an empty file, a type the package does not read (with what to do
        instead), or content that does not match the suffix (a corrupt or renamed file).
    """
    label = Path(filename).name or filename
    suffix = Path(filename).suffix.lower()
    if not content or not content.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise DataError(Problem(label, "tệp rỗng, không có dữ liệu nào: kiểm tra lại đã chọn đúng tệp chưa"))
    fmt = FORMATS.get(suffix)
    if fmt is None:
        hint = _WRONG_TYPE_HINTS.get(
            suffix, "các loại tệp đọc được: " + ", ".join(sorted(FORMATS)) + " (Shapefile nén trong .zip)"
        )
        raise DataError(Problem(label, f"không đọc được loại tệp '{suffix or '(không có đuôi)'}': {hint}"))
    if _VRT.search(content[:4096]):
        # An OGR VRT document makes GDAL open any path or URL it names: never read a user's one.
        raise DataError(
            Problem(
                label,
                "tệp là tài liệu VRT của GDAL (trỏ tới tệp hoặc địa chỉ mạng khác), không phải dữ liệu: "
                "không đọc tệp này — xuất lại dữ liệu thành GeoJSON, GeoPackage hoặc Shapefile",
            )
        )
    head = content[:512]
    zipped = head.startswith(b"PK\x03\x04")
    mismatch = ""
    if fmt in ("xlsx", "shapefile", "kmz") and not zipped:
        mismatch = {
            "xlsx": "không phải bảng tính Excel .xlsx hợp lệ",
            "shapefile": "không phải tệp nén .zip hợp lệ",
            "kmz": "không phải tệp KMZ hợp lệ",
        }[fmt]
    elif fmt == "gpkg" and not head.startswith(b"SQLite format 3\x00"):
        mismatch = "không phải GeoPackage hợp lệ"
    elif fmt in ("geojson", "kml") and (zipped or _binary(head)):
        mismatch = "không phải tệp văn bản GeoJSON/KML"
    elif fmt == "geojson" and not _first_char(head, b"{"):
        mismatch = "không phải GeoJSON (một GeoJSON bắt đầu bằng '{')"
    elif fmt == "kml" and not _first_char(head, b"<"):
        mismatch = "không phải KML (một KML bắt đầu bằng '<?xml' hoặc '<kml')"
    elif fmt == "csv" and (zipped or head.startswith(b"SQLite format 3\x00") or _binary(head)):
        mismatch = "không phải tệp văn bản CSV (có thể là Excel bị đổi đuôi: mở bằng Excel và lưu .xlsx)"
    if mismatch:
        raise DataError(
            Problem(label, f"tệp {mismatch}: có thể tệp bị hỏng, tải về chưa xong hoặc bị đổi đuôi")
        )
    return fmt


_VRT = re.compile(rb"<\s*OGRVRTDataSource", re.IGNORECASE)


def _first_char(head: bytes, char: bytes) -> bool:
    """True when the text (after a BOM and blanks) starts with ``char``."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    return text.startswith(char)


def _binary(head: bytes) -> bool:
    """True for bytes that are no text (a NUL outside a UTF-16 text)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    return b"\x00" in head


# --- spreadsheets and CSV ----------------------------------------------------------------------


@dataclass
class Sheet:
    """One grid of cells as the user's program shows it: ``cells[i]`` is row ``i + 1``."""

    name: str
    cells: list[list[object]]


def decode_text(content: bytes, label: str) -> tuple[str, list[Problem]]:
    """Text of a CSV file: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1258 with a warning."""
    if content.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "cp1258"]
    for enc in encodings:
        try:
            text = content.decode(enc)
        except UnicodeDecodeError:
            continue
        problems = []
        if enc == "cp1258":
            problems.append(
                Problem(
                    label,
                    "tệp không phải UTF-8, đã đọc theo bảng mã Windows-1258: nếu chữ tiếng Việt bị lỗi, "
                    "hãy lưu lại bằng Excel với kiểu 'CSV UTF-8 (Comma delimited)'",
                    severity="warning",
                )
            )
        return unicodedata.normalize("NFC", text), problems
    raise DataError(
        Problem(label, "không đọc được bảng mã của tệp: hãy lưu lại bằng Excel với kiểu 'CSV UTF-8'")
    )


def sniff_delimiter(text: str) -> str:
    """The separator of a CSV text: the one of ``,`` ``;`` tab giving the most rows of one width."""
    lines = list(itertools.islice((ln for ln in io.StringIO(text) if ln.strip()), 50))
    best, best_score = ",", -1.0
    for delim in ("\t", ";", ","):
        widths: list[int] = []
        try:
            for r in csv.reader(lines, delimiter=delim):
                widths.append(len(r))
        except csv.Error:  # a cell the reader refuses (read_csv_rows says which): the rows before it count
            pass
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        if common < 2:
            continue
        # Rows of the common width, counted; a wider table wins ties (title rows are narrow).
        score = widths.count(common) + common / 1000
        if score > best_score:
            best, best_score = delim, score
    return best


def read_csv_sheet(
    content: bytes, label: str, *, limits: ImportLimits | None = None
) -> tuple[Sheet, list[Problem]]:
    """A CSV file as one sheet of text cells, within the import limits (rows, columns, cell length)."""
    limits = limits or get_settings().limits
    text, problems = decode_text(content, label)
    delim = sniff_delimiter(text)
    rows = [[_clean_cell(c) for c in r] for r in read_csv_rows(text, label, delim, limits)]
    return Sheet("", rows), problems


def read_xlsx_sheets(content: bytes, label: str, *, limits: ImportLimits | None = None) -> list[Sheet]:
    """Every visible worksheet, merged cells filled, percentage cells as percent.

    The workbook's zip and each sheet's XML are checked first
    (:func:`~borderplan_geo._limits.scan_workbook`): openpyxl then streams
    (read-only mode) only the rows and columns that hold values.
    """
    import openpyxl  # imported here: only spreadsheets need it

    limits = limits or get_settings().limits
    what = "bảng tính .xlsx"
    broken = _UNREADABLE_BOOK
    shapes = scan_workbook(open_zip(content, label, limits, what=what, broken=broken), label, limits)
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise DataError(_unreadable_book(label, exc)) from exc
    sheets = []
    try:
        for ws in book.worksheets:
            shape = shapes.get(ws.title)
            if shape is None:
                raise DataError(_unreadable_book(label, KeyError(ws.title)))
            if shape.state != "visible":
                continue
            grid: list[list[object]] = []
            if shape.rows and shape.columns:
                for number, row in enumerate(
                    ws.iter_rows(min_row=1, max_row=shape.rows, min_col=1, max_col=shape.columns), start=1
                ):
                    line: list[object] = []
                    for cell in row:
                        value = cell.value
                        percent = "%" in str(getattr(cell, "number_format", None) or "")
                        if percent and isinstance(value, int | float) and not isinstance(value, bool):
                            value = round(float(value) * 100, 10)
                        line.append(_clean_cell(value))
                    check_cell_length(line, f"{label} [trang '{ws.title}']", number, limits)
                    grid.append(line)
            for r0, c0, r1, c1 in shape.merges:
                top = grid[r0 - 1][c0 - 1] if r0 <= len(grid) and c0 <= len(grid[r0 - 1]) else None
                for r in range(r0 - 1, min(r1, len(grid))):
                    for c in range(c0 - 1, min(c1, len(grid[r]))):
                        grid[r][c] = top
            sheets.append(Sheet(ws.title, grid))
    except DataError:
        raise
    except Exception as exc:  # openpyxl parses the sheet while streaming: a damaged sheet fails here
        raise DataError(_unreadable_book(label, exc)) from exc
    finally:
        book.close()
    return sheets


_UNREADABLE_BOOK = (
    "không mở được bảng tính: tệp hỏng hoặc không phải .xlsx — mở thử bằng Excel rồi lưu lại "
    "dạng Excel Workbook (.xlsx)"
)


def _unreadable_book(label: str, exc: BaseException) -> Problem:
    return library_problem(label, _UNREADABLE_BOOK, exc)


def _clean_cell(value: object) -> object:
    if isinstance(value, str):
        # Control characters and terminal escapes go where text enters (borderplan_geo._text).
        text = clean_text(unicodedata.normalize("NFC", value)).replace("\u00a0", " ").strip()
        return text or None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- header matching ------------------------------------------------------------------------------


def header_keys(text: object) -> tuple[str, str]:
    """How a header is compared: folded without the part in brackets, and folded whole."""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    full = fold(str(text))
    bare = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", full)

    def squeeze(s: str) -> str:
        s = re.sub(r"[.()\[\]/\\*#'\"?!]", " ", s)
        return re.sub(r"\s+", " ", s).strip()

    return squeeze(bare), squeeze(full)


def _synonym_index(synonyms: Mapping[str, Sequence[str]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for name, words in synonyms.items():
        for word in (name, *words):
            for key in header_keys(word):
                index.setdefault(key, name)
    return index


def match_field(text: object, index: Mapping[str, str]) -> str | None:
    """The field a header names (``index`` from the synonyms), or ``None``."""
    if _blank(text):
        return None
    for key in header_keys(text):
        if key in index:
            return index[key]
    return None


def header_year(text: object) -> int | None:
    """The year a header names ("2021", 2021, "Năm 2021"), or ``None``."""
    if isinstance(text, bool) or _blank(text):
        return None
    if isinstance(text, int | float):
        return int(text) if float(text).is_integer() and 2000 <= text <= 2099 else None
    m = _YEAR_HEADER.match(header_keys(text)[1])
    return int(m.group(1)) if m else None


@dataclass
class Column:
    """One column of the user's table."""

    index: int
    header: str
    """As the user wrote it (two header rows joined with " / ")."""
    field: str | None
    year: int | None = None
    """Set for a year column of the wide layout, and for a commune column under "Thực hiện năm 2024"."""
    unit: str | None = None
    """The commune (2020 code) whose figures the column holds: communes in columns."""
    skip: str = ""
    """Why the column is not read ("kế hoạch, không phải số liệu thực hiện"); "" when it is."""
    estimate: bool = False
    """The header says the figures are estimates ("Ước thực hiện năm 2024")."""


@dataclass
class Record:
    """One row (or feature) of the user's file."""

    row: int
    """The spreadsheet's row number, or the feature's position (from 1)."""
    cells: dict[str, object]
    """Field → the cell as read (text, number, ``None``)."""
    years: dict[int, object] = field(default_factory=dict)
    """Wide layout: year → cell."""
    other: dict[int, object] = field(default_factory=dict)
    """Cells of the columns that name no field, by column index."""
    geometry: BaseGeometry | None = None
    """The feature's geometry in :attr:`Table.crs` (vector files only)."""
    line: Sequence[object] = ()
    """Every cell of the row as read, by column index (spreadsheets)."""


@dataclass
class Table:
    """A user's table with its header mapped to fields."""

    label: str
    """How messages name the file (and the sheet, when a workbook has several)."""
    columns: list[Column]
    records: list[Record]
    title: str = ""
    """Text above the header and the sheet's name (a spreadsheet's title)."""
    header_rows: tuple[int, ...] = ()
    crs: CRS | None = None
    """The CRS the file declares (vector files)."""
    vector: bool = False
    """True for GIS files (geometries come with the records)."""
    fmt: str = ""
    """The file's format (see :data:`FORMATS`)."""
    title_lines: list[str] = field(default_factory=list)
    """The text lines above the header, one per row (the title, "Kèm theo Báo cáo số …")."""
    skipped: list[Skipped] = field(default_factory=list)
    """Rows passed over while reading (the column-number row under the header)."""
    blank_rows: list[int] = field(default_factory=list)
    """The blank rows under the header (spreadsheet numbers)."""
    fingerprint: str = ""
    """The layout's key (:func:`~borderplan_geo.sheet_layout.fingerprint` of the guessed header)."""
    guessed_header: tuple[int, ...] = ()
    """The header rows (0-based) :func:`~borderplan_geo.sheet_layout.guess_header` found."""
    found: bool = True
    """False when no known header was found and the guessed one stands in (see the mapping step)."""

    @property
    def fields(self) -> set[str]:
        """The fields the table has a column for."""
        return {c.field for c in self.columns if c.field}

    def header(self, name: str) -> str:
        """The user's header of a field (the field's own name when there is no column)."""
        for c in self.columns:
            if c.field == name:
                return c.header
        return name

    @property
    def year_columns(self) -> dict[int, str]:
        """Wide layout: year → header."""
        return {
            c.year: c.header for c in self.columns if c.year is not None and c.unit is None and not c.skip
        }

    @property
    def unit_columns(self) -> list[Column]:
        """Communes in columns: the columns that hold one commune's figures."""
        return [c for c in self.columns if c.unit is not None and not c.skip]


def _combine(top: Sequence[object], bottom: Sequence[object]) -> list[tuple[object, object]]:
    """Column headers of a two-row header: (top, bottom), a blank top filled from its left."""
    width = max(len(top), len(bottom))
    out: list[tuple[object, object]] = []
    last: object = None
    for c in range(width):
        t = top[c] if c < len(top) else None
        b = bottom[c] if c < len(bottom) else None
        if _blank(t) and not _blank(b) and last is not None:
            t = last  # a merged top cell exported to CSV: its value sits in the first column only
        elif not _blank(t):
            last = t
        else:
            last = None
        out.append((t, b))
    return out


def _pair_header(t: object, b: object) -> tuple[str, list[object]]:
    """Display text and the candidates to match, best first, of a two-row header cell."""
    if _blank(b) or (not _blank(t) and str(t) == str(b)):
        return ("" if _blank(t) else str(t)), [t]
    if _blank(t):
        return str(b), [b]
    return f"{t} / {b}", [b, f"{t} {b}", t]


def _score(cands: Sequence[Sequence[object]], index: Mapping[str, str], years: bool) -> int:
    fields: set[str] = set()
    n_years = 0
    communes: set[str] = set()
    for options in cands:
        for opt in options:
            f = match_field(opt, index)
            if f:
                fields.add(f)
                break
            if years and (header_year(opt) is not None or _text_period(opt)):
                n_years += 1
                break
            code = _commune_header(opt) if years else None
            if code:
                communes.add(code)
                break
    # Communes count as a header only side by side (one commune in a row is a row of figures).
    return len(fields) + n_years + (len(communes) if len(communes) >= 2 else 0)


def _text_period(text: object) -> bool:
    """A text header naming a year's figures or plan ("Thực hiện năm 2024", "KH 2025")."""
    return isinstance(text, str) and header_period(text) is not None


def _commune_header(text: object) -> str | None:
    """The commune a header names ("Xã Tân Hộ Cơ", "X. Bình Phú"), never a bare code."""
    if not isinstance(text, str) or not text.strip() or text.strip().isdigit() or len(text) > 60:
        return None
    unit = try_resolve(text)
    return unit.code if unit else None


def _communes_in(row: Sequence[object]) -> set[str]:
    return {code for cell in row if (code := _commune_header(cell))}


def _looks_like_data(row: Sequence[object]) -> bool:
    """A row holding one commune's name is data, not a second header row.

    Two or more communes side by side are the header of a table with communes in columns.
    """
    return len(_communes_in(row)) == 1


def _continues_header(top: Sequence[object], bottom: Sequence[object]) -> bool:
    """The second row of a header merged down: it repeats cells of the row above, holds no number."""
    repeats = 0
    for c, cell in enumerate(bottom):
        if _blank(cell):
            continue
        if isinstance(cell, int | float) or (isinstance(cell, str) and _looks_numeric(cell)):
            return False
        if c < len(top) and not _blank(top[c]) and str(top[c]).strip() == str(cell).strip():
            repeats += 1
    return repeats >= 1


def _looks_numeric(text: str) -> bool:
    try:
        parse_number(text)
    except ValueError:
        return False
    return True


def _numbering_row(row: Sequence[object]) -> bool:
    """The "(1) (2) (3) …" row Vietnamese reports put under the header."""
    nums = []
    for cell in row:
        if _blank(cell):
            continue
        m = _NUMBER_ROW_CELL.match(str(int(cell) if isinstance(cell, float) and cell.is_integer() else cell))
        if not m:
            return False
        nums.append(int(m.group(1)))
    return len(nums) >= 3 and nums == list(range(nums[0], nums[0] + len(nums))) and nums[0] in (0, 1)


def table_from_sheet(
    sheet: Sheet,
    label: str,
    synonyms: Mapping[str, Sequence[str]],
    *,
    years: bool = False,
    header: Sequence[int] | None = None,
    roles: Mapping[str, str] | None = None,
) -> Table | None:
    """Find the header of a sheet and read its records; ``None`` when no header is found.

    Parameters
    ----------
    synonyms
        Field → the headers people write for it.
    years
        Recognise year columns (one column per year), commune columns (one
        column per commune, a year over them: "Thực hiện năm 2024") and the
        columns to pass over ("Kế hoạch năm 2025").
    header
        The header's rows (0-based; one or two), when known: a user's mapping
        reads the header :func:`~borderplan_geo.sheet_layout.guess_header` found.
    roles
        What a user said columns are (header → role of
        :data:`~borderplan_geo.sheet_layout.ROLES`, ``year:2024``, ``commune:29929``).
    """
    index = _synonym_index(synonyms)
    cells = sheet.cells
    if header:
        return _read_table(sheet, label, index, years, header[0], len(header) > 1, roles or {})
    best: tuple[int, int, bool] | None = None  # (score, row index, two rows)
    scan = min(len(cells), HEADER_SCAN_ROWS)
    singles = [_score([[c] for c in cells[r]], index, years) for r in range(min(len(cells), scan + 1))]
    for r in range(scan):
        single = singles[r]
        if best is None or single > best[0]:
            best = (single, r, False)
        if r + 1 < len(cells) and not _looks_like_data(cells[r + 1]):
            pairs = [_pair_header(t, b)[1] for t, b in _combine(cells[r], cells[r + 1])]
            double = _score(pairs, index, years)
            # Two rows when together they name more than the top one alone, and at least what the
            # bottom one names alone; a title over a header (one value, merged across) is no header row.
            distinct = {str(c) for c in cells[r] if not _blank(c)}
            better = double > max(single, best[0]) and double >= singles[r + 1]
            # A header whose cells are merged down over two rows ("Xã" over both, "Năm 2025" over
            # "Giá trị (%)") scores the same on two rows as on one: the repeated cells tell.
            continued = double >= max(single, best[0]) and _continues_header(cells[r], cells[r + 1])
            if (better or continued) and len(distinct) >= 2:
                best = (double, r, True)
    if best is None or best[0] < 2:
        return None
    _, r, two = best
    return _read_table(sheet, label, index, years, r, two, roles or {})


def _read_table(
    sheet: Sheet,
    label: str,
    index: Mapping[str, str],
    years: bool,
    r: int,
    two: bool,
    roles: Mapping[str, str],
) -> Table:
    """The table under a header found at row ``r`` (0-based), one or two rows deep."""
    cells = sheet.cells
    two = two and r + 1 < len(cells)
    tops: list[object] = []
    if two:
        combined = _combine(cells[r], cells[r + 1])
        heads = [_pair_header(t, b) for t, b in combined]
        tops = [t for t, _ in combined]
    else:
        heads = [("" if _blank(c) else str(c), [c]) for c in cells[r]]
    columns: list[Column] = []
    taken: set[str] = set()
    communes_across = years and len(_communes_in([o[0] for _, o in heads])) >= 2
    for i, (text, options) in enumerate(heads):
        if isinstance(text, str) and text.endswith(".0") and text[:-2].isdigit():
            text = text[:-2]
        column = _column(i, text, options, tops[i] if i < len(tops) else None, index, years, communes_across)
        if column.field in taken and column.field != "row_no":
            column.field = None  # a second column for the same field: the first one wins
        if column.field:
            taken.add(column.field)
        columns.append(column)
    _apply_roles(columns, roles, taken)
    first = r + (2 if two else 1)
    title_parts = [sheet.name] if sheet.name else []
    title_lines: list[str] = []
    for above in cells[:r]:
        line = [str(c) for c in dict.fromkeys(c for c in above if isinstance(c, str) and c.strip())]
        title_parts += line
        if line:
            title_lines.append(" ".join(line))
    records: list[Record] = []
    skipped: list[Skipped] = []
    blank: list[int] = []
    for i in range(first, len(cells)):
        row = cells[i]
        if all(_blank(c) for c in row):
            blank.append(i + 1)
            continue
        if _numbering_row(row):
            skipped.append(Skipped(label, "dòng đánh số cột (1), (2), (3)… dưới tiêu đề", row=i + 1))
            continue
        rec = Record(i + 1, {}, line=row)
        for col in columns:
            value = row[col.index] if col.index < len(row) else None
            if col.field:
                rec.cells[col.field] = value
            elif col.year is not None and col.unit is None and not col.skip:
                rec.years[col.year] = value
            elif not _blank(value):
                rec.other[col.index] = value
        if all(_blank(v) for v in [*rec.cells.values(), *rec.years.values(), *rec.other.values()]):
            blank.append(i + 1)
            continue
        records.append(rec)
    header_rows = (r + 1, r + 2) if two else (r + 1,)
    return Table(
        label,
        columns,
        records,
        " ".join(title_parts),
        header_rows,
        title_lines=title_lines,
        skipped=skipped,
        blank_rows=blank,
    )


def _column(
    i: int,
    text: str,
    options: Sequence[object],
    top: object,
    index: Mapping[str, str],
    years: bool,
    communes_across: bool,
) -> Column:
    """One column from its header: a field, a year's figures, a commune's figures, or one to pass over."""
    period = header_period(top) if years and top is not None and not _blank(top) else None
    bottom = options[0]
    code = _commune_header(bottom) if communes_across else None
    if code is not None:
        # Communes in columns: "Thực hiện năm 2024" over "Xã Tân Hộ Cơ | Xã Bình Phú | …".
        if period is None:
            return Column(i, text, None, unit=code)
        return Column(
            i,
            text,
            None,
            period.year,
            unit=code,
            skip=_period_skip(period),
            estimate=period.kind == "estimate",
        )
    if period is not None and match_field(bottom, index) in (None, "value"):
        # "Năm 2025" over "Giá trị (%)": the values of 2025 (the wide layout).
        return Column(
            i, text, None, period.year, skip=_period_skip(period), estimate=period.kind == "estimate"
        )
    for opt in options:
        name = match_field(opt, index)
        if name:
            column = Column(i, text, name)
            if period is not None and name == "total":
                column.year = period.year  # "Thực hiện năm 2024" over "Bình quân 3 xã"
            return column
        if years:
            found = header_period(opt)
            if found is not None:
                return Column(
                    i, text, None, found.year, skip=_period_skip(found), estimate=found.kind == "estimate"
                )
    return Column(i, text, None)


def _period_skip(period: object) -> str:
    kind = getattr(period, "kind", "actual")
    if kind == "plan":
        return "kế hoạch (mục tiêu), không phải số liệu thực hiện"
    if kind == "partial":
        return "số liệu một phần năm (tháng, quý), không phải cả năm"
    return ""


_ROLE_FIELDS = {"commune": "unit", "year": "year", "indicator": "indicator", "value": "value"}


def _apply_roles(columns: list[Column], roles: Mapping[str, str], taken: set[str]) -> None:
    """Set what a user said columns are, by header (or column letter: "C")."""
    if not roles:
        return
    by_key = {header_keys(k)[1]: v for k, v in roles.items()}
    for col in columns:
        role = by_key.get(header_keys(col.header)[1]) if col.header else None
        if role is None:
            role = by_key.get(fold(column_letter(col.index)))
        if role is None:
            continue
        col.year, col.unit, col.skip, col.estimate = None, None, "", False
        if role == "skip":
            col.field, col.skip = None, "người nhập chọn bỏ qua cột này"
        elif role.startswith("year:"):
            col.field, col.year = None, int(role.split(":", 1)[1])
        elif role.startswith("commune:"):
            col.field, col.unit = None, role.split(":", 1)[1]
        else:
            name = _ROLE_FIELDS.get(role, role)
            for other in columns:
                if other is not col and other.field == name:
                    other.field = None  # the user's choice wins over the guess
            col.field = name
            taken.add(name)


def column_letter(index: int) -> str:
    """A column as a spreadsheet names it: 0 → "A", 27 → "AB"."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def table_from_frame(
    frame: gpd.GeoDataFrame, label: str, synonyms: Mapping[str, Sequence[str]], *, truncated: bool = False
) -> Table:
    """A GIS file's features as a table: attributes matched to fields, geometry kept.

    ``truncated``: the names may be cut (a Shapefile keeps 10 bytes: "Độ chính xác"
    becomes "Độ chí"), so a name that starts exactly one field's synonyms matches it.
    """
    index = _synonym_index(synonyms)
    columns: list[Column] = []
    taken: set[str] = set()
    names = [c for c in frame.columns if c != frame.geometry.name]
    for i, name in enumerate(names):
        f = match_field(name, index)
        if f is None and truncated:
            key = header_keys(name)[1]
            starts = {v for k, v in index.items() if len(key) >= 4 and k.startswith(key)}
            f = starts.pop() if len(starts) == 1 else None
        if f in taken:
            f = None
        if f:
            taken.add(f)
        columns.append(Column(i, clean_text(str(name)), f))
    records = []
    geoms = list(frame.geometry)
    for i, rec in enumerate(frame[names].to_dict("records")):
        cells = {c.field: _clean_cell(_plain(rec[names[c.index]])) for c in columns if c.field}
        other = {c.index: _clean_cell(_plain(rec[names[c.index]])) for c in columns if not c.field}
        records.append(
            Record(i + 1, cells, other={k: v for k, v in other.items() if v is not None}, geometry=geoms[i])
        )
    return Table(label, columns, records, vector=True)


def _plain(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


# --- GIS files -------------------------------------------------------------------------------------


def read_vector(
    filename: str, content: bytes, fmt: str, *, limits: ImportLimits | None = None
) -> tuple[gpd.GeoDataFrame, CRS | None, list[Problem]]:
    """A GIS file's features, the CRS it declares (``None`` when none) and any warnings.

    A GeoPackage or a zip must hold one layer; a KML's folders are read together.
    A GeoJSON without a ``crs`` member declares nothing (RFC 7946 says WGS84;
    the caller checks that the coordinates agree). The bytes are checked and
    prepared first (:func:`~borderplan_geo._gdal.prepare`), then GDAL opens the
    prepared file with the one driver its format allows, in a fresh folder of
    its own, within the feature and vertex limits.
    """
    limits = limits or get_settings().limits
    label = Path(filename).name
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="borderplan-import-") as tmp:
        prepared = prepare(fmt, content, label, Path(tmp), limits)
        path = prepared.path
        expect_driver(path, prepared.drivers, label)
        try:
            layers = [str(x[0]) for x in pyogrio.list_layers(path)]
        except Exception as exc:  # pyogrio raises several types; all mean "unreadable"
            raise DataError(
                library_problem(
                    label,
                    "không đọc được tệp: tệp hỏng hoặc không đúng định dạng",
                    clean_message(exc, path, label),
                )
            ) from exc
        if not layers:
            raise DataError(Problem(label, "tệp không có lớp dữ liệu nào"))
        if len(layers) > 1 and fmt not in ("kml", "kmz"):
            raise DataError(
                Problem(
                    label,
                    f"tệp có {len(layers)} lớp ({', '.join(layers)}): hãy xuất riêng lớp cần nhập ra một tệp",
                )
            )
        count_features(path, layers, label, limits)
        frames = []
        for layer in layers:
            try:
                kwargs: dict[str, Any] = {}
                if fmt == "shapefile" and not prepared.has_cpg:
                    kwargs["encoding"] = "UTF-8"
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    try:
                        frame = gpd.read_file(path, layer=layer, engine="pyogrio", **kwargs)
                    except UnicodeDecodeError:
                        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
                for w in caught:
                    problems.append(
                        library_problem(
                            label,
                            gdal_sentence(
                                "thư viện đọc bản đồ (GDAL) cảnh báo khi đọc tệp: kiểm tra lại kết quả trên bản đồ",
                                w.message,
                                path,
                                label,
                            ),
                            clean_message(w.message, path, label),
                            severity="warning",
                        )
                    )
            except Exception as exc:  # pyogrio raises several types; all mean "unreadable"
                raise DataError(
                    library_problem(
                        label,
                        f"không đọc được lớp '{layer}': tệp hỏng hoặc không đúng định dạng",
                        clean_message(exc, path, label),
                    )
                ) from exc
            frames.append(frame)
    crs = frames[0].crs
    if fmt == "geojson":
        crs = prepared.crs  # the file's own "crs" member, read before GDAL (which never saw it)
    if fmt in ("kml", "kmz"):
        crs = CRS.from_user_input(WGS84)
    frame = frames[0] if len(frames) == 1 else gpd.GeoDataFrame(pd.concat(frames, ignore_index=True))
    check_vertices(frame, label, limits)
    if fmt in ("kml", "kmz"):
        # GDAL puts the Placemark's id in "id" and an ExtendedData field named "id" in "id2".
        if "id2" in frame.columns:
            frame["id"] = frame["id2"].where(frame["id2"].notna() & (frame["id2"] != ""), frame.get("id"))
        keep = [c for c in frame.columns if c.lower() not in _KML_NOISE]
        frame = frame[keep]
    if frame.empty:
        raise DataError(Problem(label, "tệp không có đối tượng nào"))
    return frame, crs, problems


_KML_NOISE = {
    "timestamp",
    "begin",
    "end",
    "altitudemode",
    "tessellate",
    "extrude",
    "visibility",
    "draworder",
    "icon",
    "snippet",
    "id2",
}


def zip_has_prj(content: bytes) -> bool:
    """True when a zipped Shapefile carries its ``.prj`` (its CRS)."""
    try:
        return any(n.lower().endswith(".prj") for n in zipfile.ZipFile(io.BytesIO(content)).namelist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        return False


def read_user_file(
    filename: str,
    content: bytes,
    synonyms: Mapping[str, Sequence[str]],
    *,
    years: bool = False,
    limits: ImportLimits | None = None,
    roles: Mapping[str, str] | None = None,
    fallback: bool = False,
) -> tuple[list[Table], list[Problem]]:
    """Read any supported file into tables (one per worksheet with a header).

    ``limits`` (default: the settings') bound what the file may hold; they are
    checked before the file is read. ``roles`` are what a user said columns
    are (see :func:`table_from_sheet`). With ``fallback``, a sheet whose header
    is not recognised is still read under the header
    :func:`~borderplan_geo.sheet_layout.guess_header` finds
    (:attr:`Table.found` false), so that the importer can ask which column is which.

    Raises
    ------
    DataError
        When the file cannot be read at all, or no sheet has a recognisable header.
    """
    label = Path(filename).name or filename
    fmt = file_format(filename, content)
    limits = limits or get_settings().limits
    problems: list[Problem] = []
    if fmt in VECTOR_FORMATS:
        frame, crs, problems = read_vector(filename, content, fmt, limits=limits)
        table = table_from_frame(frame, label, synonyms, truncated=fmt == "shapefile")
        table.crs = crs
        table.fmt = fmt
        return [table], problems
    if fmt == "csv":
        sheet, problems = read_csv_sheet(content, label, limits=limits)
        sheets = [sheet]
    else:
        sheets = read_xlsx_sheets(content, label, limits=limits)
    tables = []
    several = sum(1 for s in sheets if any(any(not _blank(c) for c in row) for row in s.cells)) > 1
    for sheet in sheets:
        if not any(any(not _blank(c) for c in row) for row in sheet.cells):
            continue
        sheet_label = f"{label} [trang '{sheet.name}']" if several else label
        guess = guess_header(sheet.cells)
        found = _sheet_table(sheet, sheet_label, synonyms, years, guess, roles)
        if found is None and fallback and guess:
            found = table_from_sheet(sheet, sheet_label, synonyms, years=years, header=guess)
            if found is not None:
                found.found = False
        if found is not None:
            found.guessed_header = guess
            found.fingerprint = fingerprint(sheet.cells, guess) if guess else ""
        if found is None:
            if several:
                problems.append(
                    Problem(
                        sheet_label,
                        "không tìm thấy dòng tiêu đề cột quen thuộc: bỏ qua trang này",
                        severity="warning",
                    )
                )
            continue
        found.fmt = fmt
        tables.append(found)
    if not any(any(any(not _blank(c) for c in row) for row in s.cells) for s in sheets):
        raise DataError(Problem(label, "tệp rỗng, không có dữ liệu nào: kiểm tra lại đã chọn đúng tệp chưa"))
    if not tables:
        examples = [next((w for w in words if w != name), name) for name, words in synonyms.items()]
        known = ", ".join(
            f"'{w}'"
            for w, name in zip(examples, synonyms, strict=True)
            if name != "row_no" and ":" not in name
        )
        raise DataError(
            Problem(
                label,
                f"không tìm thấy dòng tiêu đề cột (cần ít nhất hai cột quen thuộc, ví dụ {known})",
                row=1,
            )
        )
    return tables, problems


def _sheet_table(
    sheet: Sheet,
    label: str,
    synonyms: Mapping[str, Sequence[str]],
    years: bool,
    guess: tuple[int, ...],
    roles: Mapping[str, str] | None,
) -> Table | None:
    """The sheet's table; with ``roles``, under the header (found or guessed) that names their columns."""
    found = table_from_sheet(sheet, label, synonyms, years=years, roles=roles)
    if not roles or not guess:
        return found
    keys = {header_keys(k)[1] for k in roles}

    def named(table: Table | None) -> int:
        if table is None:
            return -1
        heads = {header_keys(c.header)[1] for c in table.columns} | {
            fold(column_letter(c.index)) for c in table.columns
        }
        return len(keys & heads)

    guessed = table_from_sheet(sheet, label, synonyms, years=years, header=guess, roles=roles)
    return guessed if named(guessed) > named(found) else found


# --- numbers in coordinates ------------------------------------------------------------------------


def parse_coordinate(value: object) -> float:
    """A coordinate as people write it: 105.45, 105,45, 105°27'12"E, 1.205.432,07 (metres).

    A single dot or a single comma is the decimal mark (a longitude "105.450"
    is 105,45, not 105 450); thousands separators need several groups.

    Raises
    ------
    ValueError
        When the text is no coordinate; the message is in Vietnamese.
    """
    if isinstance(value, bool):
        raise ValueError(f"'{value}' không phải là tọa độ")
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            raise ValueError("ô trống")
        return float(value)
    text = str(value).strip().replace("\u00a0", " ")
    if not text:
        raise ValueError("ô trống")
    m = _DMS.match(text)
    if m:
        deg = float(m.group("deg").replace(",", "."))
        minutes = float((m.group("min") or "0").replace(",", "."))
        seconds = float((m.group("sec") or "0").replace(",", "."))
        if minutes >= 60 or seconds >= 60:
            raise ValueError(f"'{text}' không phải là tọa độ độ-phút-giây hợp lệ")
        out = deg + minutes / 60 + seconds / 3600
        hemi = (m.group("hemi") or "").upper()
        return -out if hemi in ("S", "W", "T") else out
    bare = text.replace(" ", "")
    if re.fullmatch(r"-?\d+[.,]\d+", bare):
        return float(bare.replace(",", "."))
    try:
        return parse_number(text)
    except ValueError as exc:
        raise ValueError(f"'{text}' không phải là tọa độ") from exc


# --- CRS and the VN-2000 datum shift ---------------------------------------------------------------


#: How messages name the coordinate system a user chose when importing.
CHOSEN_CRS = "hệ tọa độ đã chọn"


def parse_crs(text: object, *, label: str = CHOSEN_CRS) -> CRS:
    """A CRS from "EPSG:5897", "5897", a WKT or PROJ string.

    Raises
    ------
    CRSError
        With a Vietnamese message and the usual choices for this district.
    """
    if isinstance(text, CRS):
        return text
    raw = str(text).strip()
    if re.fullmatch(r"\d{4,6}", raw):
        raw = f"EPSG:{raw}"
    try:
        return CRS.from_user_input(raw)
    except (ProjCRSError, ValueError, TypeError) as exc:
        raise CRSError(
            library_problem(
                label,
                f"hệ tọa độ '{text}' không hợp lệ: dùng dạng EPSG:NNNN, ví dụ EPSG:4326 (kinh độ/vĩ độ WGS84), "
                f"{VN2000_TM3} (VN-2000 TM-3 105°, Đồng Tháp) hoặc {VN2000_UTM48} (VN-2000 UTM 48N)",
                exc,
                option="crs",
            )
        ) from exc


def crs_label(crs: CRS | str) -> str:
    """A CRS as messages name it: "EPSG:5897 (VN-2000 / TM-3 zone 482)"."""
    crs = parse_crs(crs)
    code = crs.to_epsg(min_confidence=70)
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def is_vn2000(crs: CRS | str) -> bool:
    """True for any CRS on the VN-2000 datum (EPSG:4756 and its projections)."""
    crs = parse_crs(crs)
    if crs.is_bound and crs.source_crs is not None:
        crs = crs.source_crs
    geodetic = crs.geodetic_crs
    if geodetic is None:
        return False
    if geodetic.to_epsg(min_confidence=70) == 4756:
        return True
    datum = crs.datum
    name = fold(datum.name if datum is not None else "").replace("_", " ")
    return any(k in name.replace(" ", "") for k in ("vietnam2000", "vn2000"))


def _helmert_pipeline(crs: CRS) -> str:
    ell = crs.ellipsoid
    a = ell.semi_major_metre if ell is not None else 6378137.0
    rf = ell.inverse_flattening if ell is not None else 298.257223563
    h = VN2000_HELMERT
    return (
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
        "+step +proj=push +v_3 "
        f"+step +proj=cart +a={a} +rf={rf} "
        f"+step +proj=helmert +x={h['x']} +y={h['y']} +z={h['z']} "
        f"+rx={h['rx']} +ry={h['ry']} +rz={h['rz']} +s={h['s']} +convention=coordinate_frame "
        "+step +inv +proj=cart +ellps=WGS84 "
        "+step +proj=pop +v_3 "
        "+step +proj=unitconvert +xy_in=rad +xy_out=deg"
    )


_Fn = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@functools.lru_cache(maxsize=32)
def _transformers(wkt: str) -> tuple[_Fn, _Fn]:
    """(to WGS84, from WGS84) for a CRS given by its WKT, longitude/easting first."""
    crs = CRS.from_wkt(wkt)
    if is_vn2000(crs):
        base = crs.source_crs if crs.is_bound and crs.source_crs is not None else crs
        geodetic = base.geodetic_crs
        assert geodetic is not None
        helmert = Transformer.from_pipeline(_helmert_pipeline(base))
        if base.is_geographic:
            unproject = project = None
        else:
            unproject = Transformer.from_crs(base, geodetic, always_xy=True)
            project = Transformer.from_crs(geodetic, base, always_xy=True)

        def forward(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            lon, lat = unproject.transform(x, y, errcheck=True) if unproject else (x, y)
            out = helmert.transform(lon, lat, errcheck=True)
            return np.asarray(out[0]), np.asarray(out[1])

        def inverse(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            vlon, vlat = helmert.transform(lon, lat, direction=TransformDirection.INVERSE, errcheck=True)
            out = project.transform(vlon, vlat, errcheck=True) if project else (vlon, vlat)
            return np.asarray(out[0]), np.asarray(out[1])

        return forward, inverse
    wgs84 = CRS.from_user_input(WGS84)
    try:
        to = Transformer.from_crs(crs, wgs84, always_xy=True, allow_ballpark=False)
        back = Transformer.from_crs(wgs84, crs, always_xy=True, allow_ballpark=False)
    except ProjError as exc:
        raise CRSError(
            library_problem(
                CHOSEN_CRS,
                f"không có phép chuyển chính xác từ {crs.name} sang WGS84: xuất lại tệp theo WGS84 "
                f"(EPSG:4326) hoặc VN-2000 ({VN2000_TM3})",
                exc,
                option="crs",
            )
        ) from exc

    def forward2(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        out = to.transform(x, y, errcheck=True)
        return np.asarray(out[0]), np.asarray(out[1])

    def inverse2(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        out = back.transform(lon, lat, errcheck=True)
        return np.asarray(out[0]), np.asarray(out[1])

    return forward2, inverse2


def _as_arrays(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    scalar = np.ndim(a) == 0 and np.ndim(b) == 0
    return np.atleast_1d(np.asarray(a, dtype=float)), np.atleast_1d(np.asarray(b, dtype=float)), scalar


def to_wgs84(x: Any, y: Any, crs: CRS | str | int) -> tuple[Any, Any]:
    """Longitude and latitude (WGS84) of points given in ``crs`` (easting first, not the survey X).

    VN-2000 goes through the Helmert EPSG:6960. Scalars give floats; arrays give arrays.

    >>> lon, lat = to_wgs84(548994.81, 1205432.07, "EPSG:5897")  # doctest: +SKIP
    """
    c = parse_crs(crs)
    xs, ys, scalar = _as_arrays(x, y)
    try:
        lon, lat = _transformers(c.to_wkt())[0](xs, ys)
    except ProjError as exc:
        raise CRSError(
            library_problem(CHOSEN_CRS, f"không chuyển được tọa độ theo {crs_label(c)}", exc)
        ) from exc
    return (float(lon[0]), float(lat[0])) if scalar else (lon, lat)


def from_wgs84(lon: Any, lat: Any, crs: CRS | str | int) -> tuple[Any, Any]:
    """Points given in WGS84 longitude/latitude, in ``crs`` (easting, northing for VN-2000)."""
    c = parse_crs(crs)
    xs, ys, scalar = _as_arrays(lon, lat)
    try:
        x, y = _transformers(c.to_wkt())[1](xs, ys)
    except ProjError as exc:
        raise CRSError(
            library_problem(CHOSEN_CRS, f"không chuyển được tọa độ sang {crs_label(c)}", exc)
        ) from exc
    return (float(x[0]), float(y[0])) if scalar else (x, y)


def geometries_to_wgs84(geoms: Sequence[BaseGeometry | None], crs: CRS | str) -> list[BaseGeometry | None]:
    """Geometries from ``crs`` to WGS84 (2D), ``None`` kept."""
    c = parse_crs(crs)
    forward = _transformers(c.to_wkt())[0]

    def fn(coords: np.ndarray) -> np.ndarray:
        lon, lat = forward(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    out: list[BaseGeometry | None] = []
    for g in geoms:
        if g is None:
            out.append(None)
            continue
        out.append(shapely.transform(shapely.force_2d(g), fn))
    return out


def round_coordinates(geom: BaseGeometry, decimals: int = 7) -> BaseGeometry:
    """A geometry with coordinates rounded (7 decimals of a degree is about 1 cm)."""
    return shapely.transform(geom, lambda c: np.round(c, decimals))
