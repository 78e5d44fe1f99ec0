"""Measured values, criteria, population and reference series: ``data/indicators/``.

The plan's targets are facts (:mod:`borderplan_geo.targets`); the measured values
are the users' data. Each figure carries its ``source`` and an ``illustrative``
flag: true when the figure was made up to show how the tool works, never a
report. The files:

values.csv
    ``unit_code, indicator, year, value, source, illustrative, note`` — one figure
    per unit (2020 vintage), indicator and year. What ``value`` measures is the
    target's ``measure_vi`` (the poverty *rate*, budget *revenue*, …).
    ``ntm_status`` has no rows here: it is counted from ``criteria.csv``.
criteria.csv
    ``unit_code, year, criterion, level, source, illustrative`` — the 19
    rural-development criteria per commune and year (``dat`` / ``co_ban_dat`` /
    ``chua_dat``).
population.csv
    ``unit_code, year, population, households, source, illustrative`` — weights
    for combining communes.
reference.csv
    ``series, year, value, unit, description, source, illustrative, note`` —
    series a target is compared with (the province's average enrolment) and
    context figures (the province's 8 border communes).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ._errors import DataError, Problem
from ._validate import TableReader, read_csv_table
from .criteria import CRITERIA, LEVELS, parse_level
from .store import DataSource
from .targets import INDICATOR_CODES, Target

VALUE_COLUMNS = ("unit_code", "indicator", "year", "value", "source", "illustrative", "note")
CRITERIA_COLUMNS = ("unit_code", "year", "criterion", "level", "source", "illustrative")
POPULATION_COLUMNS = ("unit_code", "year", "population", "households", "source", "illustrative")
REFERENCE_COLUMNS = ("series", "year", "value", "unit", "description", "source", "illustrative", "note")

#: Indicators computed from another table, never typed in values.csv.
DERIVED = {"ntm_status": "criteria.csv"}


@dataclass(frozen=True)
class IndicatorData:
    """The measured side of the plan, as tidy frames."""

    values: pd.DataFrame
    criteria: pd.DataFrame
    population: pd.DataFrame
    reference: pd.DataFrame


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _unit_column(reader: TableReader) -> str:
    """Files may name the commune in ``unit_code`` or in ``unit``/``commune``/``xa``."""
    for name in ("unit_code", "unit", "commune", "xa", "xã"):
        if name in reader.frame.columns:
            return name
    return "unit_code"


def read_values(
    content: bytes | None, label: str, targets: list[Target]
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``values.csv``; returns the good rows and every problem."""
    if content is None:
        return _empty(VALUE_COLUMNS), [Problem(label, "thiếu tệp số liệu chỉ tiêu: ứng dụng cần tệp này")]
    frame, problems = read_csv_table(content, label)
    if frame is None:
        return _empty(VALUE_COLUMNS), problems
    reader = TableReader(frame, label)
    unit_col = _unit_column(reader)
    if not reader.require_columns((unit_col, "indicator", "year", "value", "source")):
        return _empty(VALUE_COLUMNS), reader.problems
    by_code = {t.code: t for t in targets}
    known = [c for c in INDICATOR_CODES if c in by_code]
    rows: list[dict[str, object]] = []
    seen: dict[tuple[str, str, int], int] = {}
    for _ in reader.rows():
        unit = reader.unit(unit_col)
        code = reader.text("indicator")
        target = by_code.get(code)
        if code and code in DERIVED:
            reader.error(
                "indicator", f"chỉ tiêu '{code}' được tính từ {DERIVED[code]}, không nhập ở đây", code
            )
        elif code and target is None:
            reader.error("indicator", f"mã chỉ tiêu '{code}' không có; các mã: {', '.join(known)}", code)
        year = reader.year()
        maximum: float | None = None
        if target is not None and target.is_percent:
            maximum = 100
        if target is not None and target.kind == "yes_no":
            maximum = 1
        value = reader.number("value", minimum=0, maximum=maximum, what="(tỷ lệ %)" if maximum == 100 else "")
        source = reader.text("source")
        illustrative = reader.flag("illustrative")
        note = reader.text("note", required=False)
        if not reader.row_ok:
            continue
        assert unit is not None and year is not None and value is not None
        key = (unit.code, code, year)
        if key in seen:
            reader.error("year", f"trùng số liệu: {unit.name}, {code}, năm {year} đã có ở dòng {seen[key]}")
            continue
        seen[key] = reader.row
        rows.append(
            {
                "unit_code": unit.code,
                "indicator": code,
                "year": year,
                "value": value,
                "source": source,
                "illustrative": illustrative,
                "note": note,
            }
        )
    frame = pd.DataFrame(rows, columns=list(VALUE_COLUMNS)) if rows else _empty(VALUE_COLUMNS)
    return _typed(frame, ints=("year",), floats=("value",)), reader.problems


def read_criteria(content: bytes | None, label: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``criteria.csv``; returns the good rows and every problem."""
    if content is None:
        return _empty(CRITERIA_COLUMNS), [
            Problem(label, "thiếu tệp đánh giá tiêu chí nông thôn mới: ứng dụng cần tệp này")
        ]
    frame, problems = read_csv_table(content, label)
    if frame is None:
        return _empty(CRITERIA_COLUMNS), problems
    reader = TableReader(frame, label)
    unit_col = _unit_column(reader)
    level_col = "level" if "level" in reader.frame.columns else "status"
    if not reader.require_columns((unit_col, "year", "criterion", level_col, "source")):
        return _empty(CRITERIA_COLUMNS), reader.problems
    rows: list[dict[str, object]] = []
    seen: dict[tuple[str, int, int], int] = {}
    for raw in reader.rows():
        unit = reader.unit(unit_col)
        year = reader.year()
        criterion = reader.integer("criterion", minimum=1, maximum=len(CRITERIA))
        level = None
        try:
            level = parse_level(raw.get(level_col, ""))
        except ValueError as exc:
            reader.error(level_col, str(exc), raw.get(level_col))
        source = reader.text("source")
        illustrative = reader.flag("illustrative")
        if not reader.row_ok:
            continue
        assert unit is not None and year is not None and criterion is not None and level in LEVELS
        key = (unit.code, year, criterion)
        if key in seen:
            reader.error(
                "criterion", f"trùng: {unit.name}, năm {year}, tiêu chí {criterion} đã có ở dòng {seen[key]}"
            )
            continue
        seen[key] = reader.row
        rows.append(
            {
                "unit_code": unit.code,
                "year": year,
                "criterion": criterion,
                "level": level,
                "source": source,
                "illustrative": illustrative,
            }
        )
    frame = pd.DataFrame(rows, columns=list(CRITERIA_COLUMNS)) if rows else _empty(CRITERIA_COLUMNS)
    return _typed(frame, ints=("year", "criterion")), reader.problems


def read_population(content: bytes | None, label: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``population.csv``; returns the good rows and every problem."""
    if content is None:
        return _empty(POPULATION_COLUMNS), []
    frame, problems = read_csv_table(content, label)
    if frame is None:
        return _empty(POPULATION_COLUMNS), problems
    reader = TableReader(frame, label)
    unit_col = _unit_column(reader)
    if not reader.require_columns((unit_col, "year", "population", "households", "source")):
        return _empty(POPULATION_COLUMNS), reader.problems
    rows: list[dict[str, object]] = []
    seen: set[tuple[str, int]] = set()
    for _ in reader.rows():
        unit = reader.unit(unit_col)
        year = reader.year()
        population = reader.integer("population", minimum=1, maximum=1_000_000)
        households = reader.integer("households", minimum=1, maximum=500_000)
        source = reader.text("source")
        illustrative = reader.flag("illustrative")
        if not reader.row_ok:
            continue
        assert unit is not None and year is not None
        if (unit.code, year) in seen:
            reader.error("year", f"trùng: {unit.name}, năm {year}")
            continue
        seen.add((unit.code, year))
        rows.append(
            {
                "unit_code": unit.code,
                "year": year,
                "population": population,
                "households": households,
                "source": source,
                "illustrative": illustrative,
            }
        )
    frame = pd.DataFrame(rows, columns=list(POPULATION_COLUMNS)) if rows else _empty(POPULATION_COLUMNS)
    return _typed(frame, ints=("year", "population", "households")), reader.problems


def read_reference(content: bytes | None, label: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``reference.csv``; returns the good rows and every problem."""
    if content is None:
        return _empty(REFERENCE_COLUMNS), []
    frame, problems = read_csv_table(content, label)
    if frame is None:
        return _empty(REFERENCE_COLUMNS), problems
    reader = TableReader(frame, label)
    if not reader.require_columns(("series", "year", "value", "source")):
        return _empty(REFERENCE_COLUMNS), reader.problems
    rows: list[dict[str, object]] = []
    for _ in reader.rows():
        series = reader.text("series")
        year = reader.year()
        value = reader.number("value")
        unit = reader.text("unit", required=False)
        if unit == "%" and value is not None and not 0 <= value <= 100:
            reader.error("value", f"tỷ lệ {value} phải nằm trong 0–100 %", value)
        description = reader.text("description", required=False)
        source = reader.text("source")
        illustrative = reader.flag("illustrative")
        note = reader.text("note", required=False)
        if not reader.row_ok:
            continue
        rows.append(
            {
                "series": series,
                "year": year,
                "value": value,
                "unit": unit,
                "description": description,
                "source": source,
                "illustrative": illustrative,
                "note": note,
            }
        )
    frame = pd.DataFrame(rows, columns=list(REFERENCE_COLUMNS)) if rows else _empty(REFERENCE_COLUMNS)
    return _typed(frame, ints=("year",), floats=("value",)), reader.problems


VALUES_FILE = "indicators/values.csv"
CRITERIA_FILE = "indicators/criteria.csv"
POPULATION_FILE = "indicators/population.csv"
REFERENCE_FILE = "indicators/reference.csv"


def read_indicators(source: DataSource, targets: list[Target]) -> tuple[IndicatorData, list[Problem]]:
    """Read the four tables of ``indicators/``, returning good rows and every problem."""
    values, p1 = read_values(source.read_bytes(VALUES_FILE), VALUES_FILE, targets)
    criteria, p2 = read_criteria(source.read_bytes(CRITERIA_FILE), CRITERIA_FILE)
    population, p3 = read_population(source.read_bytes(POPULATION_FILE), POPULATION_FILE)
    reference, p4 = read_reference(source.read_bytes(REFERENCE_FILE), REFERENCE_FILE)
    return IndicatorData(values, criteria, population, reference), [*p1, *p2, *p3, *p4]


def load_indicators(source: DataSource, targets: list[Target]) -> IndicatorData:
    """Read the indicator tables; raise :class:`DataError` on any error."""
    data, problems = read_indicators(source, targets)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataError(errors)
    return data


def _typed(frame: pd.DataFrame, *, ints: tuple[str, ...] = (), floats: tuple[str, ...] = ()) -> pd.DataFrame:
    frame = frame.copy()
    for c in ints:
        frame[c] = frame[c].astype("int64")
    for c in floats:
        frame[c] = frame[c].astype("float64")
    if "illustrative" in frame.columns:
        frame["illustrative"] = frame["illustrative"].astype(bool)
    for c in frame.columns:
        if c not in ints and c not in floats and c != "illustrative":
            frame[c] = frame[c].astype(object)
    return frame.reset_index(drop=True)
