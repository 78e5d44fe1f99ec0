"""Limits a user's file must keep, checked before it is read.

A 5 kB workbook whose one cell sits at XFD1048576, a merged range over
F1:XFD1048576 or a sheet that inflates to 900 MB made the import run for
minutes and take gigabytes; a CSV cell over 131 072 characters stopped it with
a traceback. The readers of :mod:`borderplan_geo.io` call these checks first,
so such a file is refused at once, with a Vietnamese message naming the file
and the limit (:class:`~borderplan_geo.settings.ImportLimits`):

* :func:`open_zip` — a zip (``.xlsx``, ``.kmz``, zipped Shapefile): members
  counted, names checked (no absolute path, no ``..``, no link), inflated size
  summed from the directory before anything is inflated. Python's ``zipfile``
  never inflates past a member's declared size, so a member that lies about
  its size fails its CRC check instead of filling the memory.
* :func:`scan_workbook` — each worksheet's XML streamed once through expat
  (no DTD, hence no entities): where its cells with a value end, and its
  merged ranges, so openpyxl is then asked for that extent only.
* :func:`read_csv_rows` — rows, columns and cell length while the CSV is parsed.
* :func:`count_positions` — the vertices of a GeoJSON geometry, without recursion.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from xml.parsers import expat

from ._errors import DataError, Problem
from .formatting import format_number
from .settings import ImportLimits

_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")


def _n(value: int) -> str:
    return format_number(value, 0)


# --- zip archives --------------------------------------------------------------------------------------


def open_zip(
    content: bytes, label: str, limits: ImportLimits, *, what: str, broken: str | None = None
) -> zipfile.ZipFile:
    """A zip whose directory keeps the limits; nothing is inflated yet.

    Parameters
    ----------
    what
        How messages name the archive ("bảng tính .xlsx", "tệp KMZ", "tệp nén .zip").
    broken
        The message for a damaged zip (default: one naming ``what``).

    Raises
    ------
    DataError
        A damaged zip, too many members, a member name that leaves the archive
        (absolute, ``..``, a link), an encrypted member, or members that inflate
        past :attr:`~ImportLimits.max_inflated_bytes`.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, NotImplementedError, EOFError) as exc:
        message = (
            broken or f"{what} bị hỏng hoặc tải về chưa xong ({type(exc).__name__}): tạo lại tệp rồi nhập lại"
        )
        raise DataError(Problem(label, message)) from exc
    if len(infos) > limits.max_zip_members:
        raise DataError(
            Problem(
                label,
                f"{what} có {_n(len(infos))} tệp bên trong, quá giới hạn {_n(limits.max_zip_members)} tệp",
            )
        )
    total = 0
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        if _unsafe_name(name):
            raise DataError(
                Problem(
                    label,
                    f"{what} chứa tệp có đường dẫn ra ngoài tệp nén ('{_clip(name)}'): không đọc tệp này",
                )
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise DataError(
                Problem(label, f"{what} chứa liên kết tới tệp khác ('{_clip(name)}'): không đọc tệp này")
            )
        if info.flag_bits & 0x1:
            raise DataError(
                Problem(label, f"{what} có tệp được đặt mật khẩu ('{_clip(name)}'): bỏ mật khẩu rồi nhập lại")
            )
        if name.lower() in seen:
            raise DataError(Problem(label, f"{what} chứa hai tệp cùng tên '{_clip(name)}'"))
        seen.add(name.lower())
        total += info.file_size
        if total > limits.max_inflated_bytes:
            raise DataError(
                Problem(
                    label,
                    f"{what} khi giải nén lớn hơn {_mb(limits.max_inflated_bytes)} (giới hạn dung lượng giải nén; "
                    f"tệp '{_clip(name)}' bên trong có {_mb(info.file_size)}): tệp quá lớn hoặc là 'bom nén'",
                )
            )
    return archive


def read_member(archive: zipfile.ZipFile, name: str, label: str, *, what: str) -> bytes:
    """A member's bytes (never more than its declared size: ``zipfile`` checks it and the CRC)."""
    try:
        with archive.open(name) as handle:
            return handle.read()
    except (zipfile.BadZipFile, KeyError, ValueError, NotImplementedError, EOFError, OSError) as exc:
        raise DataError(
            Problem(
                label, f"{what}: không đọc được '{_clip(name)}' bên trong ({type(exc).__name__}): tệp bị hỏng"
            )
        ) from exc


def _unsafe_name(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return True
    return ".." in posixpath.normpath(name).split("/") or ".." in name.split("/")


def _mb(size: int) -> str:
    return f"{format_number(size / 1024 / 1024, 1)} MB"


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- XML without a DTD -----------------------------------------------------------------------------------

StartHandler = Callable[[str, dict[str, str]], None]


def parse_xml(
    chunks: Iterator[bytes],
    label: str,
    *,
    start: StartHandler,
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:
    """Stream XML through expat, element names without their namespace; a DTD is refused.

    Office files and KML never carry a DTD; refusing it means no entity, so no
    "billion laughs" and no external entity.

    Raises
    ------
    DataError
        For a DTD or malformed XML.
    """

    def local(name: str) -> str:
        return name.rsplit(" ", 1)[-1]

    def no_dtd(*_args: object) -> None:
        raise DataError(Problem(label, "tệp XML có khai báo DOCTYPE/ENTITY: không đọc tệp này"))

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    parser.StartElementHandler = lambda name, attrs: start(
        local(name), {local(k): v for k, v in attrs.items()}
    )
    if end is not None:
        end_fn = end
        parser.EndElementHandler = lambda name: end_fn(local(name))
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise DataError(
            Problem(label, f"tệp XML bị hỏng (dòng {exc.lineno}: {expat.ErrorString(exc.code)})")
        ) from exc


def _chunks(archive: zipfile.ZipFile, name: str, label: str, what: str) -> Iterator[bytes]:
    try:
        with archive.open(name) as handle:
            while True:
                chunk = handle.read(1 << 20)
                if not chunk:
                    return
                yield chunk
    except (zipfile.BadZipFile, KeyError, ValueError, NotImplementedError, EOFError, OSError) as exc:
        raise DataError(
            Problem(
                label, f"{what}: không đọc được '{_clip(name)}' bên trong ({type(exc).__name__}): tệp bị hỏng"
            )
        ) from exc


# --- workbooks -------------------------------------------------------------------------------------------


@dataclass
class SheetShape:
    """Where a worksheet's cells with a value end, and its merged ranges (1-based, inclusive)."""

    name: str
    state: str = "visible"
    rows: int = 0
    columns: int = 0
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    """(first row, first column, last row, last column) of each merged range."""


def column_letters(index: int) -> str:
    """1 → A, 27 → AA, 16384 → XFD."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _cell(ref: str) -> tuple[int, int] | None:
    m = _CELL_REF.match(ref.strip().upper())
    if not m:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def scan_workbook(archive: zipfile.ZipFile, label: str, limits: ImportLimits) -> dict[str, SheetShape]:
    """Each worksheet's extent and merged ranges, by sheet name; refuse one past the limits.

    Raises
    ------
    DataError
        When a cell with a value, or a merged range, lies past
        :attr:`~ImportLimits.max_rows` × :attr:`~ImportLimits.max_columns`, or a
        sheet holds more than :attr:`~ImportLimits.max_cells` cells, or the
        workbook has more than :attr:`~ImportLimits.max_sheets` sheets.
    """
    what = "bảng tính .xlsx"
    names = set(archive.namelist())
    book_part = _office_document(archive, names, label)
    base = posixpath.dirname(book_part)
    targets = _relationships(
        archive, posixpath.join(base, "_rels", posixpath.basename(book_part) + ".rels"), label
    )
    sheets: list[tuple[str, str, str]] = []  # (name, state, part)

    def on_book(tag: str, attrs: dict[str, str]) -> None:
        if tag == "sheet":
            target = targets.get(attrs.get("id", ""), "")
            part = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(base, target))
            )
            sheets.append((attrs.get("name", ""), attrs.get("state", "visible"), part))
            if len(sheets) > limits.max_sheets:
                raise DataError(
                    Problem(label, f"bảng tính có hơn {_n(limits.max_sheets)} trang, quá giới hạn")
                )

    parse_xml(_chunks(archive, book_part, label, what), label, start=on_book)
    shapes: dict[str, SheetShape] = {}
    for name, state, part in sheets:
        if part not in names or "worksheets/" not in part:
            continue  # a chart sheet, or a part openpyxl will not read either
        shapes[name] = _scan_sheet(archive, part, name, state, label, limits)
    return shapes


def _office_document(archive: zipfile.ZipFile, names: set[str], label: str) -> str:
    rels = _relationships(archive, "_rels/.rels", label, by_type=True)
    part = next((t.lstrip("/") for kind, t in rels.items() if kind.endswith("/officeDocument")), "")
    if part not in names:
        raise DataError(
            Problem(label, "không mở được bảng tính: thiếu phần workbook — tệp hỏng hoặc không phải .xlsx")
        )
    return part


def _relationships(
    archive: zipfile.ZipFile, part: str, label: str, *, by_type: bool = False
) -> dict[str, str]:
    out: dict[str, str] = {}
    if part not in set(archive.namelist()):
        return out

    def on_rel(tag: str, attrs: dict[str, str]) -> None:
        if tag == "Relationship" and len(out) < 10_000:
            out[attrs.get("Type" if by_type else "Id", "")] = attrs.get("Target", "")

    parse_xml(_chunks(archive, part, label, "bảng tính .xlsx"), label, start=on_rel)
    return out


class _SheetScan:
    """expat handlers that follow rows and cells of one worksheet."""

    def __init__(self, shape: SheetShape, label: str, limits: ImportLimits) -> None:
        self.shape = shape
        self.label = label
        self.limits = limits
        self.row = 0
        self.col = 0
        self.cells = 0
        self.valued = False
        self.in_cell = False

    def where(self) -> str:
        return f"{self.label} [trang '{self.shape.name}']"

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "row":
            ref = attrs.get("r", "")
            self.row = int(ref) if ref.isdigit() else self.row + 1
            self.col = 0
        elif tag == "c":
            found = _cell(attrs.get("r", ""))
            if found is not None:
                self.row, self.col = found
            else:
                self.col += 1
            self.cells += 1
            if self.cells > self.limits.max_cells:
                raise DataError(
                    Problem(self.where(), f"trang tính có hơn {_n(self.limits.max_cells)} ô, quá giới hạn")
                )
            self.in_cell = True
            self.valued = False
        elif tag in ("v", "is", "f") and self.in_cell:
            self.valued = True
        elif tag == "mergeCell":
            self.merge(attrs.get("ref", ""))

    def end(self, tag: str) -> None:
        if tag == "c":
            self.in_cell = False
            if self.valued:
                self.place(self.row, self.col, f"{column_letters(self.col)}{self.row}")

    def place(self, row: int, col: int, ref: str) -> None:
        if row > self.limits.max_rows or col > self.limits.max_columns:
            raise DataError(
                Problem(
                    self.where(),
                    f"ô {ref} nằm ngoài vùng đọc được: tối đa {_n(self.limits.max_rows)} dòng × "
                    f"{_n(self.limits.max_columns)} cột (giới hạn kích thước trang tính) — xóa các ô thừa ở xa "
                    "bảng số liệu rồi lưu lại",
                )
            )
        self.shape.rows = max(self.shape.rows, row)
        self.shape.columns = max(self.shape.columns, col)

    def merge(self, ref: str) -> None:
        parts = ref.split(":")
        corners = [_cell(p) for p in parts]
        if len(parts) != 2 or corners[0] is None or corners[1] is None:
            return
        (r0, c0), (r1, c1) = corners[0], corners[1]
        r0, r1 = min(r0, r1), max(r0, r1)
        c0, c1 = min(c0, c1), max(c0, c1)
        if r1 > self.limits.max_rows or c1 > self.limits.max_columns:
            raise DataError(
                Problem(
                    self.where(),
                    f"vùng gộp ô {_clip(ref, 30)} vượt ra ngoài vùng đọc được: tối đa {_n(self.limits.max_rows)} "
                    f"dòng × {_n(self.limits.max_columns)} cột (giới hạn kích thước trang tính) — bỏ gộp ô rồi lưu lại",
                )
            )
        self.shape.merges.append((r0, c0, r1, c1))


def _scan_sheet(
    archive: zipfile.ZipFile, part: str, name: str, state: str, label: str, limits: ImportLimits
) -> SheetShape:
    shape = SheetShape(name, state)
    scan = _SheetScan(shape, label, limits)
    parse_xml(_chunks(archive, part, label, "bảng tính .xlsx"), label, start=scan.start, end=scan.end)
    # A merged range extends the sheet: its top-left value is copied over it.
    for r0, c0, r1, c1 in shape.merges:
        if r0 <= shape.rows and c0 <= shape.columns:
            shape.rows = max(shape.rows, r1)
            shape.columns = max(shape.columns, c1)
    if shape.rows * shape.columns > limits.max_cells:
        raise DataError(
            Problem(
                scan.where(),
                f"trang tính rộng {_n(shape.rows)} dòng × {_n(shape.columns)} cột, quá giới hạn "
                f"{_n(limits.max_cells)} ô",
            )
        )
    return shape


# --- CSV -------------------------------------------------------------------------------------------------


def read_csv_rows(text: str, label: str, delimiter: str, limits: ImportLimits) -> list[list[str]]:
    """The rows of a CSV text, refusing one past the limits (row numbers as the file counts them).

    Raises
    ------
    DataError
        Too many rows or columns, a cell longer than
        :attr:`~ImportLimits.max_cell_chars`, or text the CSV reader cannot
        parse (an unclosed quote, a field over the reader's own 131 072 characters).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as exc:
            limit = csv.field_size_limit()
            if "field limit" in str(exc):
                message = (
                    f"có ô dài hơn {_n(limit)} ký tự (tối đa {_n(limits.max_cell_chars)} ký tự một ô): "
                    "có thể thiếu dấu ngoặc kép đóng hoặc tệp không phải bảng CSV"
                )
            else:
                message = f"không đọc được dòng CSV ({exc}): kiểm tra dấu ngoặc kép"
            raise DataError(Problem(label, message, row=len(rows) + 1)) from exc
        number = len(rows) + 1
        if number > limits.max_rows:
            raise DataError(
                Problem(
                    label,
                    f"tệp có hơn {_n(limits.max_rows)} dòng (giới hạn số dòng một lần nhập): "
                    "chia thành nhiều tệp nhỏ hơn rồi nhập lần lượt",
                )
            )
        if len(row) > limits.max_columns:
            raise DataError(
                Problem(
                    label,
                    f"dòng có {_n(len(row))} cột, quá giới hạn {_n(limits.max_columns)} cột",
                    row=number,
                )
            )
        check_cell_length(row, label, number, limits)
        rows.append(row)


def check_cell_length(row: list[object] | list[str], label: str, number: int, limits: ImportLimits) -> None:
    """Refuse a row holding a text longer than :attr:`~ImportLimits.max_cell_chars`."""
    for i, cell in enumerate(row):
        if isinstance(cell, str) and len(cell) > limits.max_cell_chars:
            raise DataError(
                Problem(
                    label,
                    f"ô dài {_n(len(cell))} ký tự, quá giới hạn {_n(limits.max_cell_chars)} ký tự một ô",
                    row=number,
                    column=column_letters(i + 1),
                )
            )


# --- geometries ------------------------------------------------------------------------------------------


def count_positions(coordinates: object, stop: int) -> int:
    """How many positions (vertices) a GeoJSON ``coordinates`` array holds, counting up to ``stop`` + 1."""
    count = 0
    stack = [coordinates]
    while stack:
        item = stack.pop()
        if not isinstance(item, list):
            continue
        if item and isinstance(item[0], int | float) and not isinstance(item[0], bool):
            count += 1
            if count > stop:
                return count
        else:
            stack.extend(item)
    return count
