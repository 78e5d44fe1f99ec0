"""Checks of tabular input, cell by cell, with messages a planner can act on.

Every reader of a CSV-like table goes through :class:`TableReader`: it checks
the columns once, then reads each cell with a typed ``get_*`` method that
records a :class:`~borderplan_geo._errors.Problem` (file, row, column, value,
what was expected) instead of raising, so one pass reports every problem.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator, Sequence

import pandas as pd

from ._errors import Problem, UnitNameError
from .formatting import parse_number
from .units import Unit, fold, resolve_unit

_TRUE = {"true", "1", "yes", "y", "x", "co", "dung", "minh hoa", "illustrative"}
_FALSE = {"false", "0", "no", "n", "khong", "sai", ""}

#: Years a figure may carry; outside this range it is surely a typo.
YEAR_MIN, YEAR_MAX = 2015, 2030


def read_csv_table(content: bytes, label: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """A data folder's CSV (UTF-8, header on its first line) as text cells; ``None`` when unreadable.

    The one reader of the data folder's tables: a file cut inside a UTF-8
    character, saved as UTF-16, empty, binary or with rows of the wrong width
    gives a problem naming the file (and the line), never an exception.
    """
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [
            Problem(
                label,
                "tệp là văn bản UTF-16, cần CSV UTF-8: mở bằng Excel, chọn Lưu thành → 'CSV UTF-8 (Comma delimited)'",
            )
        ]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        return None, [
            Problem(
                label,
                f"tệp không phải văn bản UTF-8 hợp lệ (byte lỗi ở vị trí {exc.start}): tệp bị cắt giữa chừng "
                "hoặc lưu bằng bảng mã khác — lấy lại bản đầy đủ, lưu dạng CSV UTF-8",
                row=line,
            )
        ]
    if "\x00" in text:
        return None, [Problem(label, "tệp chứa dữ liệu nhị phân (ký tự NUL), không phải bảng CSV")]
    if not text.strip():
        return None, [Problem(label, "tệp rỗng: cần ít nhất dòng tiêu đề cột")]
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as exc:
        found = re.search(r"line (\d+)", str(exc))
        row = int(found.group(1)) if found else None
        wide = "Expected" in str(exc)
        message = (
            "dòng có số ô khác dòng tiêu đề cột (thừa dấu phẩy, hoặc thiếu dấu ngoặc kép quanh ô có dấu phẩy)"
            if wide
            else "không đọc được bảng CSV: kiểm tra dấu phẩy và dấu ngoặc kép"
        )
        return None, [Problem(label, message, row=row)]
    return frame, []


def parse_bool(text: object) -> bool:
    """Read yes/no as people write it (true, 1, có, x, minh họa / false, 0, không, empty)."""
    if isinstance(text, bool):
        return text
    if isinstance(text, int | float) and not (isinstance(text, float) and math.isnan(text)):
        return bool(text)
    key = fold(str(text)) if text is not None else ""
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"'{text}' không phải là có/không (true/false)")


class TableReader:
    """Read a table row by row, collecting problems rather than stopping at the first.

    Parameters
    ----------
    frame
        The table as strings (``dtype=str, keep_default_na=False``).
    label
        The file's name as messages show it.
    first_row
        Spreadsheet row number of the frame's first data row (2 when the header
        is row 1).
    machine
        True for the data folder's own files (dot decimal, no grouping: "1.250"
        is 1,25); False for a user's spreadsheet ("1.250" is 1 250).
    """

    def __init__(self, frame: pd.DataFrame, label: str, *, first_row: int = 2, machine: bool = True) -> None:
        self.machine = machine
        self.frame = frame
        self.label = label
        self.first_row = first_row
        self.problems: list[Problem] = []
        self.row = first_row
        self._record: dict[str, object] = {}
        self._row_ok = True

    # -- whole-table checks ------------------------------------------------
    def require_columns(self, required: Sequence[str]) -> bool:
        """Record a problem naming each missing column; True when all are there."""
        missing = [c for c in required if c not in self.frame.columns]
        if missing:
            found = ", ".join(str(c) for c in self.frame.columns) or "(không có cột nào)"
            self.problems.append(
                Problem(
                    self.label,
                    f"thiếu cột {', '.join(repr(m) for m in missing)} (các cột có: {found})",
                    row=self.first_row - 1,
                )
            )
            return False
        return True

    def rows(self) -> Iterator[dict[str, object]]:
        """Each row as a dict; ``row_ok`` tells afterwards whether it had an error."""
        for i, record in enumerate(self.frame.to_dict("records")):
            self.row = self.first_row + i
            self._record = record
            self._row_ok = True
            yield record

    @property
    def row_ok(self) -> bool:
        """False once a problem was recorded for the current row."""
        return self._row_ok

    # -- problems ------------------------------------------------------------
    def error(self, column: str | None, message: str, value: object = None) -> None:
        """Record an error at the current row."""
        self._row_ok = False
        self.problems.append(Problem(self.label, message, row=self.row, column=column, value=value))

    def warn(self, column: str | None, message: str, value: object = None) -> None:
        """Record a warning at the current row (the row is kept)."""
        self.problems.append(
            Problem(self.label, message, row=self.row, column=column, value=value, severity="warning")
        )

    # -- typed cells ---------------------------------------------------------
    def text(self, column: str, *, required: bool = True) -> str:
        """A text cell, stripped; an empty required cell is an error."""
        raw = self._record.get(column, "")
        value = "" if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw).strip()
        if required and not value:
            self.error(column, "ô trống")
        return value

    def number(
        self,
        column: str,
        *,
        required: bool = True,
        minimum: float | None = None,
        maximum: float | None = None,
        what: str = "",
    ) -> float | None:
        """A number written the Vietnamese or English way, within bounds."""
        raw = self._record.get(column, "")
        if (
            raw is None
            or (isinstance(raw, str) and not raw.strip())
            or (isinstance(raw, float) and math.isnan(raw))
        ):
            if required:
                self.error(column, "ô trống, cần một số")
            return None
        try:
            value = parse_number(raw, machine=self.machine)
        except ValueError as exc:
            self.error(column, str(exc), raw)
            return None
        label = f" {what}" if what else ""
        if minimum is not None and value < minimum:
            self.error(column, f"giá trị{label} {raw} nhỏ hơn mức tối thiểu {_fmt(minimum)}", raw)
            return None
        if maximum is not None and value > maximum:
            self.error(column, f"giá trị{label} {raw} vượt quá mức tối đa {_fmt(maximum)}", raw)
            return None
        return value

    def integer(
        self, column: str, *, required: bool = True, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        """A whole number within bounds."""
        value = self.number(column, required=required, minimum=minimum, maximum=maximum)
        if value is None:
            return None
        if not float(value).is_integer():
            self.error(column, f"'{self._record.get(column)}' phải là số nguyên", self._record.get(column))
            return None
        return int(value)

    def year(self, column: str = "year", *, required: bool = True) -> int | None:
        """A year between 2015 and 2030."""
        raw = self._record.get(column, "")
        value = self.integer(column, required=required)
        if value is None:
            return None
        if not YEAR_MIN <= value <= YEAR_MAX:
            self.error(column, f"năm {raw} nằm ngoài khoảng {YEAR_MIN}–{YEAR_MAX}", raw)
            return None
        return value

    def flag(self, column: str, *, default: bool = False) -> bool:
        """A yes/no cell; missing column or empty cell gives ``default``."""
        raw = self._record.get(column, None)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return default
        try:
            return parse_bool(raw)
        except ValueError as exc:
            self.error(column, str(exc), raw)
            return default

    def unit(self, column: str, *, vintage: int = 2020) -> Unit | None:
        """A commune written any common way, resolved to its unit."""
        raw = self._record.get(column, "")
        try:
            return resolve_unit(raw, vintage)
        except UnitNameError as exc:
            self.error(column, str(exc), raw)
            return None

    def choice(
        self, column: str, allowed: dict[str, str] | Sequence[str], *, required: bool = True
    ) -> str | None:
        """A value from a closed list; matched without accents or case."""
        raw = self.text(column, required=required)
        if not raw:
            return None
        options = dict(allowed) if isinstance(allowed, dict) else {a: a for a in allowed}
        by_fold = {fold(k): k for k in options} | {fold(v): k for k, v in options.items()}
        key = by_fold.get(fold(raw)) or by_fold.get(fold(raw).replace(" ", "_"))
        if key is None:
            self.error(column, f"'{raw}' không hợp lệ; chọn một trong: {', '.join(options)}", raw)
            return None
        return key


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x).replace(".", ",")
