"""The plan's targets, as data: ``data/indicators/targets.csv``.

Section II of the plan ("Các chỉ tiêu chủ yếu") lists eleven targets; item (7)
holds two (poverty reduction and jobs), so there are twelve codes, and target
(6) is written per commune, so it has three rows. Section III adds three
child-health targets. Each row carries the clause it comes from and the plan's
own words, so every target on screen can show its source.

Kinds of target (``kind``)
--------------------------
level_by_year
    A level to reach by a year (clean water ≥ 99 % by 2025). Judged against a
    trajectory from the baseline to the target.
level_each_year
    A level to hold every year (waste collection ≥ 80 % each year).
growth_per_year
    An average annual growth (budget revenue +12 %/year). The values are the
    amounts; the growth is computed.
change_per_year
    A change every year (poverty rate down ≥ 1.5 points a year). The values are
    the levels; the change is computed.
flow_per_year
    A number per year (2 250 jobs a year).
count
    A count to reach by the deadline (≥ 1 exemplary cooperative).
yes_no
    Met or not (Dinh Bà meets the type-V urban criteria).
vs_reference
    At least a reference series of the same year (enrolment ≥ the province's
    average). The reference lives in ``reference.csv``.
status_by_year
    A rural-development status by a year, measured as the number of the 19
    criteria at the required level (``level``: ``dat`` or ``co_ban_dat``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ._errors import DataError, Problem
from ._validate import read_csv_table
from .criteria import TARGET_LEVEL_NAMES
from .formatting import format_number
from .store import DataSource

KINDS: dict[str, str] = {
    "level_by_year": "Mức cần đạt vào một năm",
    "level_each_year": "Mức cần giữ mỗi năm",
    "growth_per_year": "Tăng trưởng bình quân mỗi năm",
    "change_per_year": "Mức thay đổi mỗi năm",
    "flow_per_year": "Số lượng mỗi năm",
    "count": "Số lượng cần có",
    "yes_no": "Đạt / chưa đạt",
    "vs_reference": "So với giá trị tham chiếu",
    "status_by_year": "Trạng thái cần đạt vào một năm",
}

SCOPES: dict[str, str] = {"commune": "Từng xã", "area": "Chung 3 xã"}
AGGREGATIONS = ("sum", "mean_population", "mean_households", "min", "none")
COLUMNS = (
    "code",
    "clause",
    "section",
    "name_vi",
    "kind",
    "direction",
    "comparison",
    "target",
    "target_text",
    "unit",
    "measure_vi",
    "scope",
    "unit_code",
    "level",
    "reference",
    "base_year",
    "target_year",
    "aggregation",
    "trajectory",
    "tolerance",
    "plan_text",
    "source",
)

_Bad = Callable[..., None]

#: The indicator codes, fixed: other tools depend on them.
INDICATOR_CODES: tuple[str, ...] = (
    "urban_type_v",
    "income_per_capita",
    "budget_revenue_growth",
    "exemplary_coops",
    "school_enrolment",
    "ntm_status",
    "poverty_reduction",
    "jobs_created",
    "overseas_workers",
    "health_insurance",
    "clean_water",
    "waste_collection",
    "child_health_insurance",
    "birth_registration",
    "full_immunisation",
)


@dataclass(frozen=True)
class Target:
    """One target of the plan, for all the units in its scope or for one unit."""

    code: str
    clause: str
    section: str
    name: str
    kind: str
    direction: str
    """``increase`` (higher is better) or ``decrease``."""
    comparison: str
    """``>=`` or ``>`` ("trên 98 %")."""
    target: float | None
    target_text: str
    unit: str
    measure: str
    """What the values of this indicator measure, with their unit."""
    scope: str
    """``commune`` (each commune) or ``area`` (the 3 communes together)."""
    unit_code: str | None
    """Set when the row holds for one commune only (targets (1) and (6))."""
    level: str | None
    reference: str | None
    base_year: int
    target_year: int | None
    aggregation: str
    trajectory: str
    tolerance: float | None
    plan_text: str
    source: str

    @property
    def is_percent(self) -> bool:
        """True when the measured values are percentages (0–100)."""
        return self.measure.rstrip().endswith("(%)") or self.unit == "%"

    def meets(self, value: float, goal: float | None = None) -> bool:
        """True when ``value`` meets ``goal`` (default: the target) in the right direction."""
        goal = self.target if goal is None else goal
        if goal is None or math.isnan(value):
            return False
        eps = 1e-9
        if self.direction == "decrease" and self.kind != "change_per_year":
            return value < goal - eps if self.comparison == ">" else value <= goal + eps
        return value > goal + eps if self.comparison == ">" else value >= goal - eps

    def short_target(self) -> str:
        """The target as a short phrase: "≥ 99 %", "> 98 %", "≥ 2.250 lao động/năm", "cơ bản đạt 19 tiêu chí"."""
        if self.kind == "status_by_year":
            return TARGET_LEVEL_NAMES.get(self.level or "dat", self.target_text)
        if self.target is None:
            return self.target_text
        sign = "≥" if self.comparison == ">=" else ">"
        unit = f" {self.unit}" if self.unit else ""
        return f"{sign} {format_number(self.target)}{unit}"


TARGETS_FILE = "indicators/targets.csv"


def load_targets(source: DataSource) -> list[Target]:
    """Read and check ``indicators/targets.csv``.

    Raises
    ------
    DataError
        Listing every problem found, each with file, row and column.
    """
    targets, problems = read_targets(source.read_bytes(TARGETS_FILE), TARGETS_FILE)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataError(errors)
    return targets


def read_targets(content: bytes | None, label: str = TARGETS_FILE) -> tuple[list[Target], list[Problem]]:
    """Parse the targets file, returning what could be read and every problem."""
    if content is None:
        return [], [Problem(label, "thiếu tệp chỉ tiêu")]
    frame, problems = read_csv_table(content, label)
    if frame is None:
        return [], problems
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        return [], [Problem(label, f"thiếu cột: {', '.join(missing)}", row=1)]
    out: list[Target] = []
    for i, raw in enumerate(frame.to_dict("records")):
        row = i + 2
        here: list[Problem] = []

        def bad(
            column: str, message: str, value: object = None, _row: int = row, _here: list[Problem] = here
        ) -> None:
            _here.append(Problem(label, message, row=_row, column=column, value=value))

        code = raw["code"].strip()
        if code not in INDICATOR_CODES:
            bad("code", f"mã chỉ tiêu '{code}' không có trong danh sách ({', '.join(INDICATOR_CODES)})", code)
        if raw["kind"] not in KINDS:
            bad("kind", f"loại chỉ tiêu '{raw['kind']}' không hợp lệ ({', '.join(KINDS)})", raw["kind"])
        if raw["scope"] not in SCOPES:
            bad("scope", f"phạm vi '{raw['scope']}' phải là commune hoặc area", raw["scope"])
        if raw["direction"] not in ("increase", "decrease"):
            bad("direction", "hướng phải là increase hoặc decrease", raw["direction"])
        if raw["comparison"] not in (">=", ">"):
            bad("comparison", "phép so sánh phải là >= hoặc >", raw["comparison"])
        if raw["aggregation"] not in AGGREGATIONS:
            bad("aggregation", f"cách gộp phải là một trong {', '.join(AGGREGATIONS)}", raw["aggregation"])
        target = _opt_float(raw["target"], "target", bad)
        tolerance = _opt_float(raw["tolerance"], "tolerance", bad)
        base_year = _opt_int(raw["base_year"], "base_year", bad) or 2020
        target_year = _opt_int(raw["target_year"], "target_year", bad)
        if raw["kind"] == "vs_reference" and not raw["reference"].strip():
            bad("reference", "chỉ tiêu so với tham chiếu cần tên chuỗi tham chiếu")
        if raw["kind"] not in ("vs_reference",) and target is None:
            bad("target", "thiếu giá trị chỉ tiêu")
        if raw["kind"] in ("level_by_year", "count", "yes_no", "status_by_year") and target_year is None:
            bad("target_year", "chỉ tiêu cần đạt vào một năm phải có năm đích")
        if not raw["source"].strip():
            bad("source", "thiếu nguồn")
        problems.extend(here)
        if here:
            continue
        out.append(
            Target(
                code=code,
                clause=raw["clause"].strip(),
                section=raw["section"].strip(),
                name=raw["name_vi"].strip(),
                kind=raw["kind"],
                direction=raw["direction"],
                comparison=raw["comparison"],
                target=target,
                target_text=raw["target_text"].strip(),
                unit=raw["unit"].strip(),
                measure=raw["measure_vi"].strip(),
                scope=raw["scope"],
                unit_code=raw["unit_code"].strip() or None,
                level=raw["level"].strip() or None,
                reference=raw["reference"].strip() or None,
                base_year=base_year,
                target_year=target_year,
                aggregation=raw["aggregation"],
                trajectory=raw["trajectory"].strip() or "linear",
                tolerance=tolerance,
                plan_text=raw["plan_text"].strip(),
                source=raw["source"].strip(),
            )
        )
    seen: set[tuple[str, str | None]] = set()
    for i, t in enumerate(out):
        key = (t.code, t.unit_code)
        if key in seen:
            problems.append(Problem(label, f"chỉ tiêu '{t.code}' bị lặp", row=i + 2, column="code"))
        seen.add(key)
    return out, problems


def indicator_codes(targets: Iterable[Target]) -> list[str]:
    """Indicator codes in the plan's order, each once."""
    present = {t.code for t in targets}
    return [c for c in INDICATOR_CODES if c in present]


def targets_for(targets: Iterable[Target], code: str) -> list[Target]:
    """Every row of one indicator (several for per-commune targets)."""
    return [t for t in targets if t.code == code]


def target_for(targets: Iterable[Target], code: str, unit_code: str | None = None) -> Target | None:
    """The target of an indicator for a unit: the unit's own row, else the general one.

    For an indicator whose rows all name a unit (``urban_type_v``), another unit
    gets ``None``: the target does not apply to it.
    """
    rows = targets_for(targets, code)
    for t in rows:
        if unit_code is not None and t.unit_code == unit_code:
            return t
    for t in rows:
        if t.unit_code is None:
            return t
    if unit_code is None and rows:
        return rows[0]
    return None


def _opt_float(text: str, column: str, bad: _Bad) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        bad(column, f"'{text}' không phải là số", text)
        return None


def _opt_int(text: str, column: str, bad: _Bad) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        bad(column, f"'{text}' không phải là năm", text)
        return None
