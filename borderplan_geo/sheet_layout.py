"""How a district report is laid out: where its communes, years, indicators and values are.

Planners' figures arrive in the layout their office already uses, never in the
package's own. This module holds the plain rules that read such a layout,
apart from any one file format (:mod:`borderplan_geo.io` reads the cells,
:mod:`borderplan_geo.importing` checks and merges the figures):

* :func:`header_period` — what a column header says of time: "Thực hiện năm
  2024" (the year's figures), "Ước thực hiện năm 2024" (an estimate), "Kế
  hoạch năm 2025" (a plan: never a measured figure), "6 tháng đầu năm 2024"
  (part of a year).
* :func:`label_kind` and :func:`row_kind` — the rows a report carries besides
  its figures: totals ("Cộng 3 xã", "Toàn huyện"), averages ("Bình quân"),
  notes ("Ghi chú: …", "Nguồn: …"), section headings ("I. CHỈ TIÊU KINH TẾ"),
  the signature block ("NGƯỜI LẬP BIỂU", "TRƯỞNG PHÒNG", the names under them).
* :func:`title_source` — the document a table is attached to ("Kèm theo Báo
  cáo số 125/BC-UBND …"): the figures' source when no column gives one.
* :func:`guess_header` and :func:`fingerprint` — the header as the rows right
  above the first figures, and a key for "the same layout" that ignores the
  years and report numbers that change from one file to the next.
* :data:`ROLES`, :func:`parse_role`, :func:`parse_mapping` — what a user says
  a column is when the importer cannot tell (the app's mapping step, the
  command line's ``--map "Cột gốc=commune"``).
* :class:`MappingQuestion`, :class:`Layout` — the question the importer asks,
  and the answer it used (saved per fingerprint for the next file).

The words these rules look for are data: ``import_words.json`` beside this module.

>>> header_period("Thực hiện năm 2024")
Period(year=2024, kind='actual')
>>> header_period("Kế hoạch năm 2025").kind
'plan'
>>> label_kind("Cộng 3 xã"), label_kind("Bình quân"), label_kind("Tân Hộ Cơ")
('total', 'average', None)
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .formatting import format_number, parse_number
from .units import fold, try_resolve, units

__all__ = [
    "LAYOUTS_FILE",
    "ROLES",
    "Layout",
    "MappingQuestion",
    "Period",
    "Skipped",
    "fingerprint",
    "guess_header",
    "header_period",
    "label_kind",
    "parse_mapping",
    "parse_role",
    "row_kind",
    "title_source",
    "words",
]

#: Where the layouts users saved live (a file of the store, versioned like the data).
LAYOUTS_FILE = "import/layouts.json"

#: What a user may say a column is, as the screen names it.
ROLES: dict[str, str] = {
    "commune": "Tên hoặc mã xã",
    "year": "Năm",
    "indicator": "Chỉ tiêu",
    "value": "Giá trị (số liệu)",
    "source": "Nguồn",
    "note": "Ghi chú",
    "total": "Tổng / bình quân (chỉ để đối chiếu)",
    "skip": "Bỏ qua cột này",
}

#: The same roles as people may type them on the command line.
_ROLE_WORDS: dict[str, str] = {
    "commune": "commune",
    "unit": "commune",
    "xa": "commune",
    "ten xa": "commune",
    "ma xa": "commune",
    "don vi": "commune",
    "year": "year",
    "nam": "year",
    "indicator": "indicator",
    "chi tieu": "indicator",
    "value": "value",
    "gia tri": "value",
    "so lieu": "value",
    "source": "source",
    "nguon": "source",
    "note": "note",
    "ghi chu": "note",
    "total": "total",
    "tong": "total",
    "binh quan": "total",
    "skip": "skip",
    "bo qua": "skip",
}


@functools.cache
def words() -> dict[str, tuple[str, ...]]:
    """The word lists of ``import_words.json``, folded once."""
    raw = json.loads((Path(__file__).with_name("import_words.json")).read_text(encoding="utf-8"))
    return {k: tuple(_key(w) for w in v) for k, v in raw.items() if isinstance(v, list)}


def _key(text: object) -> str:
    """Folded, punctuation as spaces, squeezed: how labels are compared."""
    folded = fold(str(text))
    folded = re.sub(r"[.()\[\]/\\'\"?!]", " ", folded)
    return re.sub(r"\s+", " ", folded).strip()


# --- time in headers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """What a header says of time: the year, and whether it holds measured figures."""

    year: int
    kind: str
    """``actual`` (the year's figures), ``estimate`` ("ước thực hiện"), ``plan``
    (a target: never read as a figure), ``partial`` (part of a year)."""


_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def header_period(text: object) -> Period | None:
    """The year and kind of figures a column header names, or ``None``.

    "2024", "Năm 2024", "Thực hiện năm 2024", "TH 2024" are the year's figures;
    "Ước thực hiện năm 2024" an estimate; "Kế hoạch năm 2025", "KH 2025",
    "Chỉ tiêu năm 2025" a plan; "6 tháng đầu năm 2024" part of a year. A header
    with two years ("2024/2023") or other words ("Dân số 2024") names no period.
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        value = float(text)
        return Period(int(value), "actual") if value.is_integer() and 2000 <= value <= 2099 else None
    key = _key(re.sub(r"\([^)]*\)", " ", str(text)))  # "Năm 2024 (%)"
    years = _YEAR.findall(key)
    if len(years) != 1:
        return None
    rest = " ".join(_YEAR.sub(" ", key).split())
    w = words()
    tokens = set(rest.split())
    if _has_phrase(rest, w["partial_words"]) and not tokens <= {"nam"}:
        return Period(int(years[0]), "partial")
    if _has_phrase(rest, w["plan_words"]):
        return Period(int(years[0]), "plan")
    if _has_phrase(rest, w["estimate_words"]):
        return Period(int(years[0]), "estimate")
    if not rest or _only_phrases(rest, w["actual_words"]):
        return Period(int(years[0]), "actual")
    return None


def _has_phrase(text: str, phrases: Iterable[str]) -> bool:
    padded = f" {text} "
    return any(f" {p} " in padded for p in phrases if p)


def _only_phrases(text: str, phrases: Iterable[str]) -> bool:
    """True when ``text`` is made of the phrases only (longest first)."""
    rest = f" {text} "
    for p in sorted((p for p in phrases if p), key=len, reverse=True):
        rest = rest.replace(f" {p} ", " ")
    return not rest.strip()


# --- rows that are not figures ---------------------------------------------------------------------


def label_kind(text: object) -> str | None:
    """``total`` or ``average`` for the label of a total row or column, else ``None``.

    The whole label must be one ("Cộng", "Cộng 3 xã", "Toàn huyện", "Bình quân 3 xã");
    "Thu nhập bình quân đầu người" is an indicator, not an average row.
    """
    if text is None:
        return None
    key = _key(text).strip(" :")
    key = re.sub(r"^[ivx]+\s+|^\d+\s+", "", key) if key not in words()["total_labels"] else key
    w = words()
    if key in w["total_labels"] or key.startswith("tong cong"):
        return "total"
    if key in w["average_labels"]:
        return "average"
    return None


def _texts(cells: Iterable[object]) -> list[str]:
    out: list[str] = []
    for c in cells:
        if c is None or isinstance(c, bool):
            continue
        text = str(c).strip()
        if text and text not in out:
            out.append(text)
    return out


_DATE_LINE = re.compile(r"\bngay\b.*\bthang\b.*\bnam\b")


def is_signature(cells: Iterable[object]) -> bool:
    """True for a row of the signature block: "NGƯỜI LẬP BIỂU", "TRƯỞNG PHÒNG", a date line."""
    for text in _texts(cells):
        key = _key(text)
        if _has_phrase(key, words()["signature_words"]) or _DATE_LINE.search(key):
            return True
    return False


def is_note(cells: Iterable[object]) -> bool:
    """True for a note under (or in) a table: "Ghi chú: …", "Nguồn: …", "(*) …"."""
    texts = _texts(cells)
    if not texts:
        return False
    first = texts[0].strip()
    key = _key(first)
    if first.startswith(("*", "(*", "- ", "+ ", "Ghi chú", "Lưu ý")):
        return True
    return any(key == n or key.startswith(n + " ") for n in words()["note_starts"] if n)


def row_kind(cells: Sequence[object], *, has_values: bool, after_table: bool) -> tuple[str, str] | None:
    """Why a row under a header holds no figure to import, or ``None`` for a row of figures.

    Parameters
    ----------
    cells
        The row's cells as read.
    has_values
        True when a cell where figures go holds something.
    after_table
        True once a note or the signature block was seen: what follows is no figure.

    Returns
    -------
    (kind, reason)
        ``kind`` is ``signature``, ``note``, ``section`` or ``after``; ``reason`` a
        Vietnamese phrase for the report.
    """
    if is_signature(cells) and not has_values:
        return "signature", "khối chữ ký (người lập biểu, lãnh đạo ký)"
    if is_note(cells) and not has_values:
        return "note", "ghi chú dưới bảng"
    if after_table and not has_values:
        return "after", "dưới bảng, sau ghi chú/chữ ký (tên người ký, ghi chú tiếp)"
    if not has_values:
        return "section", "không có số liệu (dòng tiêu đề mục hoặc để trống)"
    return None


def title_source(lines: Iterable[str]) -> str | None:
    """The document a table is attached to, from a title line, or ``None``.

    "(Kèm theo Báo cáo số 125/BC-UBND ngày 10/01/2025 của UBND huyện Tân Hồng)"
    gives "Báo cáo số 125/BC-UBND ngày 10/01/2025 của UBND huyện Tân Hồng".
    """
    for line in lines:
        text = str(line).strip()
        m = re.search(r"k[eèé]m\s+theo\s*:?\s*(.+)", text, re.IGNORECASE)
        if m:
            found = m.group(1).strip().strip("()").strip()
            if len(found) >= 8:
                return found
    return None


def footnote_source(text: str) -> str | None:
    """The source a note names ("Nguồn: Chi cục Thống kê huyện"), or ``None``."""
    m = re.match(r"\s*\(?\s*\*?\s*ngu[ồô]n(?:\s+s[ốo]\s+li[ệe]u)?\s*:\s*(.+)", text, re.IGNORECASE)
    if not m:
        return None
    found = m.group(1).strip().rstrip(".)").strip()
    return found if len(found) >= 4 else None


# --- the header and the layout's fingerprint -----------------------------------------------------


def _numeric(cell: object) -> bool:
    if cell is None or isinstance(cell, bool):
        return False
    try:
        value = parse_number(cell)
    except ValueError:
        return False
    return not (float(value).is_integer() and 2000 <= value <= 2099)  # a year is a header's


def _numbering(row: Sequence[object]) -> bool:
    nums = []
    for cell in row:
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        text = str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell)
        m = re.fullmatch(r"\(?(\d{1,2})\)?", text.strip())
        if not m:
            return False
        nums.append(int(m.group(1)))
    return len(nums) >= 3 and nums == list(range(nums[0], nums[0] + len(nums)))


def _filled(row: Sequence[object]) -> int:
    return len(_texts(row))


def guess_header(cells: Sequence[Sequence[object]], *, scan: int = 30) -> tuple[int, ...]:
    """The header rows (0-based) as the rows right above the first row of figures.

    A report's title and "Kèm theo…" lines sit above; the header is the one or two
    rows with several cells just above the first row holding a number (a
    numbering row "(1) (2) (3)" and blank rows in between are passed over).
    ``()`` when no row holds a number.
    """
    first = None
    for r, row in enumerate(cells[:scan]):
        if _numbering(row):
            continue
        if any(_numeric(c) for c in row) and _filled(row) >= 2:
            first = r
            break
    if first is None:
        return ()
    above = [r for r in range(first - 1, -1, -1) if _filled(cells[r]) and not _numbering(cells[r])]
    if not above or _filled(cells[above[0]]) < 2:
        return ()
    bottom = above[0]
    if len(above) > 1 and above[1] == bottom - 1 and _filled(cells[above[1]]) >= 2:
        return (above[1], bottom)
    return (bottom,)


def fingerprint(cells: Sequence[Sequence[object]], rows: Sequence[int]) -> str:
    """A key for "the same layout": the header's words, without digits, case or accents.

    The years and report numbers that change from one file to the next do not
    change it; another column, or columns in another order, do.
    """
    parts = []
    for r in rows:
        row = cells[r] if r < len(cells) else []
        parts.append("|".join(re.sub(r"\d+", "#", _key(c)) if c is not None else "" for c in row).rstrip("|"))
    text = "\n".join(parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16] if text.strip("|\n") else ""


# --- what a user says a column is -------------------------------------------------------------------


def parse_role(text: str) -> str:
    """A role as typed ("commune", "xã", "năm", "year:2024", "commune:Tân Hộ Cơ") → its key.

    Returns ``commune``, ``year``, ``indicator``, ``value``, ``source``, ``note``,
    ``total``, ``skip``, ``year:2024`` (the column holds 2024's figures) or
    ``commune:29929`` (the column holds that commune's figures).

    Raises
    ------
    ValueError
        With a Vietnamese message listing the roles.
    """
    raw = str(text).strip()
    if ":" in raw:
        head, _, tail = raw.partition(":")
        role = _ROLE_WORDS.get(_key(head))
        if role == "year":
            period = header_period(tail.strip())
            if period is None:
                raise ValueError(f"'{tail.strip()}' không phải là năm (ví dụ year:2024)")
            return f"year:{period.year}"
        if role == "commune":
            unit = try_resolve(tail.strip(), 2020)
            if unit is None:
                names = ", ".join(u.short_name for u in units(2020))
                raise ValueError(f"'{tail.strip()}' không phải xã nào của huyện Tân Hồng ({names})")
            return f"commune:{unit.code}"
    role = _ROLE_WORDS.get(_key(raw))
    if role is None:
        choices = ", ".join([*ROLES, "year:NĂM", "commune:TÊN XÃ"])
        raise ValueError(f"không hiểu vai trò '{raw}' của cột: dùng một trong {choices}")
    return role


def parse_mapping(items: Iterable[str]) -> dict[str, str]:
    """``["Cột gốc=commune", "Số liệu=value"]`` → ``{"Cột gốc": "commune", "Số liệu": "value"}``.

    Raises
    ------
    ValueError
        For an item without ``=`` or with an unknown role (Vietnamese message).
    """
    out: dict[str, str] = {}
    for item in items:
        header, sep, role = str(item).rpartition("=")
        if not sep or not header.strip():
            raise ValueError(f"'{item}' thiếu dấu '=': ghi TÊN CỘT=vai trò, ví dụ \"Đơn vị=commune\"")
        out[header.strip()] = parse_role(role)
    return out


def role_label(role: str) -> str:
    """A role as the screen says it ("Số liệu năm 2024", "Số liệu của Xã Bình Phú")."""
    if role.startswith("year:"):
        return f"Số liệu năm {role.split(':', 1)[1]}"
    if role.startswith("commune:"):
        code = role.split(":", 1)[1]
        unit = next((u for u in units(2020) if u.code == code), None)
        return f"Số liệu của {unit.name if unit else code}"
    return ROLES.get(role, role)


def role_choices(years: Iterable[int]) -> list[str]:
    """Every role the mapping step offers, in the order it offers them."""
    return [
        *ROLES,
        *(f"year:{y}" for y in years),
        *(f"commune:{u.code}" for u in units(2020)),
    ]


@dataclass(frozen=True)
class MappingQuestion:
    """What the importer asks when it cannot tell which column is which.

    ``headers`` and ``guesses`` go column by column (the guess is a role of
    :func:`role_choices`, preselected on screen); ``rows`` are the first rows
    under the header as text; ``missing`` what could not be found
    (``commune``, ``year``, ``indicator``, ``value``).
    """

    file: str
    fingerprint: str
    headers: tuple[str, ...]
    guesses: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    missing: tuple[str, ...]
    header_rows: tuple[int, ...] = ()
    """The header's rows as the spreadsheet numbers them (from 1)."""
    read_roles: tuple[str, ...] = ()
    """The role the reader itself found for each column ("" when none): the app sends only changes."""

    def mapping(self, chosen: Sequence[str]) -> dict[str, str]:
        """The user's choices (one role per column) as the mapping ``preview`` takes: only what differs
        from what the reader found by itself."""
        read = self.read_roles or ("",) * len(self.headers)
        return {h: c for h, c, r in zip(self.headers, chosen, read, strict=True) if c != r}


@dataclass(frozen=True)
class Layout:
    """The reading of a layout the import used: kept with the preview, saved on request."""

    fingerprint: str
    mapping: tuple[tuple[str, str], ...] = ()
    """(column header, role) pairs."""
    year: int | None = None
    indicator: str | None = None
    saved_by: str = ""
    """Who saved it, when it came from the saved layouts ("" for one given now)."""

    def as_json(self) -> dict[str, Any]:
        """The layout as saved (see :data:`LAYOUTS_FILE`)."""
        return {"mapping": dict(self.mapping), "year": self.year, "indicator": self.indicator}


def read_layouts(content: bytes | None) -> dict[str, dict[str, Any]]:
    """The saved layouts by fingerprint; ``{}`` for none or an unreadable file (never an error)."""
    if not content:
        return {}
    try:
        doc = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return {}
    layouts = doc.get("layouts") if isinstance(doc, dict) else None
    return {str(k): v for k, v in layouts.items() if isinstance(v, dict)} if isinstance(layouts, dict) else {}


def layout_from_saved(key: str, entry: Mapping[str, Any]) -> Layout | None:
    """A saved entry as a :class:`Layout`; ``None`` when it does not parse (skipped, never fatal)."""
    mapping = entry.get("mapping")
    if not isinstance(mapping, dict):
        return None
    try:
        pairs = tuple((str(h), parse_role(str(r))) for h, r in mapping.items())
    except ValueError:
        return None
    year = entry.get("year")
    indicator = entry.get("indicator")
    who = f"{entry.get('saved_by') or '?'}, {str(entry.get('saved_at') or '')[:10]}"
    return Layout(
        key,
        pairs,
        int(year) if isinstance(year, int) else None,
        str(indicator) if isinstance(indicator, str) and indicator else None,
        who,
    )


def cell_text(value: object) -> str:
    """A cell as the mapping step shows it (Vietnamese numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, int | float):
        if float(value).is_integer() and 1900 <= value <= 2100:
            return str(int(value))  # a year, as people write it
        return format_number(value)
    return str(value)


@dataclass(frozen=True)
class Skipped:
    """A row or column of the user's file that was not imported, and why."""

    file: str
    reason: str
    row: int | None = None
    column: str | None = None
    text: str = ""
    """What the row or column says (its label), for the report."""

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"dòng {self.row}")
        if self.column:
            where.append(f"cột '{self.column}'")
        said = f" '{self.text}'" if self.text else ""
        return f"{', '.join(where)}{said}: bỏ qua — {self.reason}"
