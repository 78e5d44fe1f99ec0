"""Status of each target, per unit and year: the data behind every colour on the map.

For each unit × indicator × year the engine gives the value, the target, the
value the trajectory requires that year, the gap, a status and a short reason
in Vietnamese. Status is data, not drawing: :mod:`borderplan_geo.maps` only
turns it into colours.

Statuses
--------
``achieved``   the target is met (for a yearly target: met that year)
``on_track``   not met yet, but at or near the pace the trajectory requires
``at_risk``    behind the pace, or short of a yearly target by no more than the
               target's tolerance
``off_track``  far behind, getting worse, or the deadline passed unmet
``no_data``    no figure for that year (or nothing to compare it with)

Method
------
In the spirit of Open SDG's progress methodology (which compares the actual
growth since the baseline with the growth needed to reach the target), adapted
to each kind of target of the plan:

level_by_year (clean water ≥ 99 % by 2025, income ≥ 68 triệu by 2025)
    The trajectory runs from the baseline (the 2020 value, or the last one
    before) to the target in the deadline year: a straight line for rates, a
    constant growth rate (``trajectory = compound``) for money. With ``r`` the
    progress made divided by the progress required so far, ``r ≥ 0.95`` is
    on track, ``0.5 ≤ r < 0.95`` at risk, below (or falling) off track. In the
    deadline year a miss is at risk when ``r ≥ 0.95`` ("nearly"), else off track.
    The baseline year itself lies on its own trajectory: on track.
    *Worked example.* Clean water, baseline 2020 = 94 %, target 99 % in 2025.
    The trajectory asks 95 % in 2021, 96 % in 2022. A 2022 value of 95.8 %
    gives r = 1.8 / 2 = 0.9: at risk, "cần thêm 3,2 điểm % để đạt 99 % năm
    2025". A 2022 value of 93 % (falling) gives r < 0: off track.
    *No baseline.* A commune whose first figure is for 2023 has no 2020 value:
    its pace cannot be judged, so a miss is at risk (off track after the
    deadline), and the reason says the baseline is missing.
    *Target already met.* 99.2 % in 2021 is achieved, whatever the trajectory.
level_each_year (waste collection ≥ 80 % every year), vs_reference (enrolment ≥
the province's average that year)
    Met → achieved. Short by at most ``tolerance`` → at risk; more → off track.
    Without the reference figure for that year → no data.
growth_per_year (budget revenue +12 %/year on average)
    The values are revenues; the engine computes the compound annual growth
    since the baseline. At or above the target: on track (achieved in 2025);
    within ``tolerance`` points below: at risk; otherwise off track. The
    baseline year has no growth yet: no data.
    *Worked example.* 20 tỷ in 2020, 26 tỷ in 2023: (26/20)^(1/3) − 1 = 9.1 %
    a year, 2.9 points below 12 % with tolerance 3: at risk.
change_per_year (poverty rate down ≥ 1.5 points every year; a falling indicator)
    The values are rates; the change is computed against the closest earlier
    year, averaged per year when years are missing (2021 → 2023 counts half
    each year). A cut of at least 1.5 points a year → achieved; within
    ``tolerance`` → at risk; smaller or a rise → off track. Once the rate is
    below 1.5 % a 1.5-point cut is impossible; the target is then read as "keep
    it from rising" and a rate that does not rise is achieved, saying why.
    *Worked example.* 4.1 % in 2021, 2.3 % in 2022: −1.8 points, achieved.
    4.1 % in 2021, 3.2 % in 2023 (2022 missing): −0.45 points a year, off track.
flow_per_year (2 250 jobs a year): each year on its own, like level_each_year.
count (≥ 1 exemplary cooperative), yes_no (Dinh Bà meets type-V criteria)
    Met → achieved. Before the deadline a miss is at risk; after, off track.
status_by_year (rural development by 2025)
    The value is the number of the 19 criteria at the required level (``dat``
    for Tân Hộ Cơ and Bình Phú, at least ``co_ban_dat`` for Thông Bình),
    judged like level_by_year on a straight trajectory to 19. The value as
    read (``value_text``), the ``standing`` and the reason come from
    :func:`~borderplan_geo.criteria.ntm_standing`: the count split by level
    and the commune's *own* target level — "17 đạt, 2 cơ bản đạt — đạt mức
    “cơ bản đạt 19 tiêu chí” Kế hoạch giao" — then the criteria still missing.

Aggregation
-----------
The 3-commune area and the 2025 communes are computed from the 2020 units with
the target's ``aggregation``: ``sum`` (jobs, revenue, cooperatives),
``mean_population`` / ``mean_households`` (rates, weighted by the year's
population or households from ``population.csv``), ``min`` (criteria: a merged
commune meets a criterion only if every part does), ``none`` (the one unit the
target is about). A unit without any figure for an indicator is left out and
the ``coverage`` says so (the 2025 communes hold old communes outside the plan);
a unit that has figures for other years but not this one makes the aggregate
``no_data`` for that year rather than a silently partial sum. The area "3 xã
biên giới" is always the three plan communes, in both vintages. A 2025 commune
that holds none of them (Xã An Phước) keeps its row (``no_data``; the command
line lists it), but the map and the ranking of "Cả vùng (3 xã biên giới)" leave
it out like the six old communes outside the plan (:func:`plan_rows`).

Partial units
-------------
``parts`` is the number of 2020 units a row stands for, ``parts_measured`` how
many of them have a figure that year, and ``complete`` is true when all do.
A 2025 commune measured in part (Xã Tân Hồng holds Sa Rài, Bình Phú and Tân
Công Chí; only Bình Phú reports) **keeps the status computed from the part
measured**, flagged ``complete = False``: every surface shows it hatched, says
"số liệu 1/3 xã cũ" (:func:`partial_text`) and counts it apart. Why not cap it
to a neutral "partial" colour: in a meeting the planner needs both facts —
what the measured part says (Bình Phú reached 99 %, or Thông Bình lags) and
that the rest has not reported (the action: ask Sa Rài and Tân Công Chí). A
neutral colour would hide the one figure there is, and would silence a
lagging part as much as a good one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from .criteria import CRITERIA, LEVEL_LABELS, ntm_standing, worst_level
from .formatting import format_number
from .indicators import IndicatorData
from .settings import PLAN_YEARS, TARGET_YEAR
from .targets import Target, indicator_codes, target_for
from .units import AREA_CODE, AREA_NAME, PLAN_CODES, get_unit, merger_table, units

STATUSES: tuple[str, ...] = ("achieved", "on_track", "at_risk", "off_track", "no_data")
STATUS_LABELS: dict[str, str] = {
    "achieved": "Đã đạt",
    "on_track": "Đúng tiến độ",
    "at_risk": "Có nguy cơ chậm",
    "off_track": "Chậm, cần tập trung",
    "no_data": "Chưa có số liệu",
}
#: Order for "who lags most": worst first.
SEVERITY: dict[str, int] = {"off_track": 0, "at_risk": 1, "on_track": 2, "achieved": 3, "no_data": 4}

ON_TRACK_RATIO = 0.95
AT_RISK_RATIO = 0.5

STATUS_COLUMNS = (
    "unit_code",
    "unit_name",
    "level",
    "indicator",
    "indicator_name",
    "year",
    "value",
    "measured",
    "target",
    "required",
    "gap",
    "status",
    "status_label",
    "value_text",
    "standing",
    "reason",
    "unit",
    "target_text",
    "scope",
    "in_scope",
    "coverage",
    "parts",
    "parts_measured",
    "complete",
    "source",
    "illustrative",
)


@dataclass(frozen=True)
class Observation:
    """One figure of one unit (or aggregate) in one year."""

    year: int
    value: float
    source: str
    illustrative: bool
    detail: str = ""
    """Extra words for the reason (the criteria still missing, say)."""
    levels: tuple[str, ...] = ()
    """For the 19 criteria: the level of each, in criterion order (the worst part's, when merged)."""


@dataclass(frozen=True)
class Assessment:
    """The engine's verdict for one unit, indicator and year."""

    status: str
    reason: str
    value: float | None = None
    """The value judged (the growth rate for a growth target, the change for a change target)."""
    measured: float | None = None
    """The figure as measured (revenue, poverty rate); equals ``value`` for most kinds."""
    target: float | None = None
    required: float | None = None
    """What the trajectory (or the yearly target) asks for that year, in the measured unit."""
    gap: float | None = None
    """How far the judged value is from the target: positive = still missing."""
    source: str = ""
    illustrative: bool = False


@dataclass
class Series:
    """Figures of one unit for one indicator, by year."""

    points: dict[int, Observation] = field(default_factory=dict)
    coverage: str = ""
    size: int = 1
    """How many 2020 units the series stands for."""
    parts: dict[int, int] | None = None
    """Per year, how many of them have a figure (``None``: one unit, measured when it has a point)."""

    def measured_parts(self, year: int) -> int:
        """How many of the units the series stands for have a figure in ``year``."""
        if self.parts is None:
            return int(year in self.points)
        return self.parts.get(year, 0)

    def get(self, year: int) -> Observation | None:
        return self.points.get(year)

    def before(self, year: int) -> Observation | None:
        """The latest figure strictly before ``year``."""
        earlier = [y for y in self.points if y < year]
        return self.points[max(earlier)] if earlier else None

    def baseline(self, base_year: int) -> Observation | None:
        """The figure of the baseline year, or the latest one before it."""
        candidates = [y for y in self.points if y <= base_year]
        return self.points[max(candidates)] if candidates else None

    def latest(self) -> Observation | None:
        return self.points[max(self.points)] if self.points else None


# --- Text helpers ------------------------------------------------------------


def _n(x: float, decimals: int | None = None) -> str:
    """A figure for a sentence: 1 decimal (2 below 1), trailing zeros dropped."""
    if decimals is None:
        decimals = 0 if abs(x) >= 100 else (2 if abs(x) < 1 else 1)
    return format_number(round(x, decimals))


def _amount(t: Target, x: float, *, points: bool = True) -> str:
    """``x`` in the target's unit; a difference of percentages is in "điểm %"."""
    if t.kind == "status_by_year":
        return f"{_n(x)} tiêu chí"
    if t.unit == "%" or t.is_percent:
        return f"{_n(x)} điểm %" if points else f"{_n(x)} %"
    unit = t.unit
    return f"{_n(x)} {unit}".strip()


def _level(t: Target, x: float) -> str:
    """A level in the measured unit: "99 %", "68 triệu đồng/người/năm"."""
    if t.is_percent:
        return f"{_n(x)} %"
    if t.kind == "growth_per_year":
        return f"{_n(x)} tỷ đồng"
    if t.kind == "status_by_year":
        return f"{_n(x)}/19 tiêu chí"
    return f"{_n(x)} {t.unit}".strip()


def value_text(value: float | None, t: Target) -> str:
    """A judged value as a planner reads it ("96,9 %", "giảm 0,7 điểm %/năm").

    For the 19 criteria a bare count says too little (19/19 at which level?):
    the status table's ``value_text`` column holds the count split by level
    instead; this form ("19/19 tiêu chí từ cơ bản đạt trở lên") is for a
    required value on a trajectory.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if t.kind == "growth_per_year":
        return f"{format_number(round(value, 1))} %/năm"
    if t.kind == "change_per_year":
        word = "giảm" if value >= 0 else "tăng"
        return f"{word} {format_number(round(abs(value), 2))} điểm %/năm"
    if t.kind == "yes_no":
        return "Đạt" if value >= 1 else "Chưa đạt"
    if t.kind == "status_by_year":
        level = t.level or "dat"
        at = "đạt" if level == "dat" else f"từ {LEVEL_LABELS[level].lower()} trở lên"
        return f"{format_number(round(value, 1))}/19 tiêu chí {at}"
    if t.is_percent:
        return f"{format_number(round(value, 1))} %"
    decimals = 0 if abs(value) >= 1000 or float(value).is_integer() else 1
    return f"{format_number(round(value, decimals))} {t.unit}".strip()


def partial_text(row: Mapping[str, Any]) -> str:
    """ "số liệu 1/3 xã cũ" for a row built from part of a merged commune, else ""."""
    parts, measured = int(row.get("parts") or 1), int(row.get("parts_measured") or 0)
    if row.get("complete", True) or measured == 0 or parts <= 1:
        return ""
    return f"số liệu {measured}/{parts} xã cũ"


def status_text(row: Mapping[str, Any]) -> str:
    """The status as every surface writes it: "Đã đạt", or "Đã đạt · số liệu 1/3 xã cũ"."""
    label = STATUS_LABELS[str(row["status"])]
    partial = partial_text(row)
    return f"{label} · {partial}" if partial else label


def _latest_hint(series: Series, t: Target, year: int) -> str:
    near = series.before(year) or series.latest()
    if near is None:
        return ""
    return f"; số liệu gần nhất: năm {near.year} = {_level(t, near.value)}"


# --- Assessment by kind --------------------------------------------------------


def assess(
    t: Target,
    series: Series,
    year: int,
    *,
    reference: float | None = None,
) -> Assessment:
    """Judge one target for one unit in one year.

    Parameters
    ----------
    t
        The target (for this unit: per-commune rows already chosen).
    series
        The unit's figures for the indicator, by year.
    year
        The year judged.
    reference
        For ``vs_reference`` targets, the reference value of that year.
    """
    obs = series.get(year)
    if obs is None:
        return Assessment(
            "no_data",
            f"chưa có số liệu năm {year}{_latest_hint(series, t, year)}",
            target=t.target,
        )
    return _JUDGES[t.kind](t, series, year, obs, reference)


def _with(obs: Observation, **kw: object) -> Assessment:
    return Assessment(source=obs.source, illustrative=obs.illustrative, **kw)  # type: ignore[arg-type]


def _gap(t: Target, value: float, goal: float) -> float:
    return goal - value if t.direction == "increase" or t.kind == "change_per_year" else value - goal


def _trajectory(t: Target, base: Observation, year: int) -> float:
    """The value the trajectory from ``base`` to the target asks for in ``year``."""
    assert t.target is not None and t.target_year is not None
    span = t.target_year - base.year
    if span <= 0 or year <= base.year:
        return base.value
    frac = min(1.0, (year - base.year) / span)
    if t.trajectory == "compound" and base.value > 0 and t.target > 0:
        return float(base.value * (t.target / base.value) ** frac)
    return base.value + (t.target - base.value) * frac


def _judge_level_by_year(
    t: Target, series: Series, year: int, obs: Observation, _ref: float | None
) -> Assessment:
    assert t.target is not None and t.target_year is not None
    v, goal, deadline = obs.value, t.target, t.target_year
    gap = _gap(t, v, goal)
    facts = {"value": v, "measured": v, "target": goal, "required": goal, "gap": gap}
    detail = f"; {obs.detail}" if obs.detail else ""
    if t.meets(v):
        return _with(
            obs,
            status="achieved",
            reason=f"đã đạt: {_level(t, v)} so với chỉ tiêu {_level(t, goal)} năm {deadline}",
            **facts,
        )
    need = f"cần thêm {_amount(t, abs(gap))} để đạt {_level(t, goal)} năm {deadline}"
    base = series.baseline(t.base_year)
    if base is None:
        if year >= deadline:
            return _with(
                obs,
                status="off_track",
                reason=f"hết hạn năm {deadline} chưa đạt: {need}{detail}",
                **facts,
            )
        return _with(
            obs,
            status="at_risk",
            reason=f"chưa có số liệu năm gốc {t.base_year} nên chưa đánh giá được tốc độ; {need}{detail}",
            value=v,
            measured=v,
            target=goal,
            gap=gap,
        )
    required = _trajectory(t, base, year)
    if year <= base.year:
        years_left = max(1, deadline - year)
        pace = abs(gap) / years_left
        return _with(
            obs,
            status="on_track",
            reason=f"năm gốc của lộ trình: {need} (bình quân {_amount(t, pace)}/năm){detail}",
            value=v,
            measured=v,
            target=goal,
            required=required,
            gap=gap,
        )
    needed_so_far = _gap(t, base.value, required)
    made = _gap(t, base.value, v)
    ratio = made / needed_so_far if needed_so_far else (1.0 if made >= 0 else -1.0)
    trend = ""
    if made < 0:
        trend = f"; đang đi xuống so với năm {base.year} ({_level(t, base.value)})"
    pace_text = f"lộ trình năm {year} cần {_level(t, required)}, thực tế {_level(t, v)}"
    if year >= deadline:
        status = "at_risk" if ratio >= ON_TRACK_RATIO else "off_track"
        lead = "gần đạt nhưng hết hạn" if status == "at_risk" else "hết hạn chưa đạt"
        reason = f"{lead}: {need}{trend}{detail}"
    else:
        if ratio >= ON_TRACK_RATIO:
            status = "on_track"
        elif ratio >= AT_RISK_RATIO:
            status = "at_risk"
        else:
            status = "off_track"
        reason = f"{need}; {pace_text}{trend}{detail}"
    return _with(
        obs, status=status, reason=reason, value=v, measured=v, target=goal, required=required, gap=gap
    )


def _judge_criteria(t: Target, series: Series, year: int, obs: Observation, ref: float | None) -> Assessment:
    """The 19 criteria: judged like a level by year, said as the count by level against the commune's own level."""
    a = _judge_level_by_year(t, series, year, obs, ref)
    if len(obs.levels) != len(CRITERIA):
        return a  # a bare count (a test's series): the level_by_year words
    standing = ntm_standing(obs.levels, t.level or "dat")
    if a.status == "achieved":
        return replace(a, reason=standing.text)
    parts = [standing.text]
    if obs.detail:
        parts.append(obs.detail)
    deadline = t.target_year or TARGET_YEAR
    base = series.baseline(t.base_year)
    if year >= deadline:
        parts.append(f"đã đến hạn năm {deadline}")
    elif base is None:
        parts.append(f"chưa có số liệu năm gốc {t.base_year} nên chưa đánh giá được tốc độ")
    elif year <= base.year:
        parts.append(f"năm gốc của lộ trình đến năm {deadline}")
    elif a.required is not None:
        parts.append(f"lộ trình năm {year} cần {_n(a.required)} tiêu chí ở mức này, thực tế {_n(obs.value)}")
    return replace(a, reason="; ".join(parts))


def _judge_level_each_year(
    t: Target, series: Series, year: int, obs: Observation, ref: float | None
) -> Assessment:
    v = obs.value
    if t.kind == "vs_reference":
        if ref is None:
            return _with(
                obs,
                status="no_data",
                reason=f"có số liệu ({_level(t, v)}) nhưng thiếu giá trị tham chiếu ({t.target_text}) năm {year}",
                value=v,
                measured=v,
            )
        goal = ref
        goal_text = f"bình quân tỉnh năm {year} ({_level(t, ref)})"
    else:
        assert t.target is not None
        goal = t.target
        goal_text = t.short_target() if t.kind != "flow_per_year" else f"{_level(t, goal)}"
    gap = _gap(t, v, goal)
    facts = {"value": v, "measured": v, "target": goal, "required": goal, "gap": gap}
    if t.meets(v, goal):
        return _with(
            obs,
            status="achieved",
            reason=f"đạt: {_level(t, v)}, chỉ tiêu {goal_text}",
            **facts,
        )
    tol = t.tolerance or 0.0
    status = "at_risk" if abs(gap) <= tol + 1e-9 else "off_track"
    extra = ""
    if t.kind == "flow_per_year":
        done = [o.value for y, o in series.points.items() if y <= year]
        n_years = len([y for y in PLAN_YEARS if y <= year])
        if n_years:
            extra = (
                f"; lũy kế các năm có số liệu: {_n(sum(done))} (cần {_n(goal * n_years)} cho {n_years} năm)"
            )
    if t.comparison == ">":
        reason = (
            f"chưa vượt chỉ tiêu {goal_text}: thực tế {_level(t, v)}, thiếu {_amount(t, abs(gap))}{extra}"
        )
    else:
        reason = (
            f"còn thiếu {_amount(t, abs(gap))} so với chỉ tiêu {goal_text} (thực tế {_level(t, v)}){extra}"
        )
    return _with(obs, status=status, reason=reason, value=v, measured=v, target=goal, required=goal, gap=gap)


def _judge_growth(t: Target, series: Series, year: int, obs: Observation, _ref: float | None) -> Assessment:
    assert t.target is not None
    g = t.target
    deadline = t.target_year or TARGET_YEAR
    base = series.baseline(t.base_year)
    if base is None or base.value <= 0:
        return _with(
            obs,
            status="no_data",
            reason=f"cần số liệu năm gốc {t.base_year} để tính tốc độ tăng (năm {year}: {_level(t, obs.value)})",
            measured=obs.value,
            target=g,
        )
    if year <= base.year:
        return _with(
            obs,
            status="no_data",
            reason=f"năm gốc ({_level(t, obs.value)}): chưa tính được tốc độ tăng bình quân",
            measured=obs.value,
            target=g,
        )
    n = year - base.year
    cagr = ((obs.value / base.value) ** (1 / n) - 1) * 100 if obs.value > 0 else -100.0
    required = base.value * (1 + g / 100) ** n
    gap = g - cagr
    facts = (
        f"tăng bình quân {_n(cagr, 1)} %/năm từ {base.year} ({_level(t, base.value)} → {_level(t, obs.value)}); "
        f"lộ trình {_n(g)} %/năm cần {_level(t, required)} năm {year}"
    )
    if cagr >= g - 1e-9:
        status = "achieved" if year >= deadline else "on_track"
        return _with(
            obs,
            status=status,
            reason=facts,
            value=cagr,
            measured=obs.value,
            target=g,
            required=required,
            gap=gap,
        )
    tol = t.tolerance or 0.0
    status = "at_risk" if gap <= tol + 1e-9 and cagr >= 0 else "off_track"
    reason = f"thấp hơn chỉ tiêu {_n(gap, 1)} điểm %: {facts}"
    if cagr < 0:
        reason = f"thu ngân sách giảm: {facts}"
    return _with(
        obs,
        status=status,
        reason=reason,
        value=cagr,
        measured=obs.value,
        target=g,
        required=required,
        gap=gap,
    )


def _judge_change(t: Target, series: Series, year: int, obs: Observation, _ref: float | None) -> Assessment:
    assert t.target is not None
    r = t.target
    prev = series.before(year)
    if prev is None:
        return _with(
            obs,
            status="no_data",
            reason=f"cần số liệu năm trước để tính mức giảm (năm {year}: {_n(obs.value)} %)",
            measured=obs.value,
            target=r,
        )
    years = year - prev.year
    per_year = (prev.value - obs.value) / years  # positive = the rate fell
    required = max(0.0, prev.value - r * years)
    span = f"năm {prev.year}–{year}" if years > 1 else f"so với năm {prev.year}"
    avg = f" (bình quân {span}, thiếu số liệu năm giữa)" if years > 1 else ""
    rates = f"{_n(prev.value)} % → {_n(obs.value)} %"
    gap = r - per_year
    if per_year >= r - 1e-9:
        return _with(
            obs,
            status="achieved",
            reason=f"giảm {_n(per_year, 2)} điểm %/năm{avg} ({rates})",
            value=per_year,
            measured=obs.value,
            target=r,
            required=required,
            gap=gap,
        )
    if prev.value < r and obs.value <= prev.value + 1e-9:
        return _with(
            obs,
            status="achieved",
            reason=(
                f"tỷ lệ hộ nghèo còn {_n(obs.value, 2)} %, dưới mức giảm {_n(r)} điểm/năm nên chỉ cần không tăng lại "
                f"({rates})"
            ),
            value=per_year,
            measured=obs.value,
            target=r,
            required=required,
            gap=0.0,
        )
    if per_year < 0:
        return _with(
            obs,
            status="off_track",
            reason=f"tỷ lệ hộ nghèo tăng {_n(-per_year, 2)} điểm %/năm{avg} ({rates})",
            value=per_year,
            measured=obs.value,
            target=r,
            required=required,
            gap=gap,
        )
    tol = t.tolerance or 0.0
    status = "at_risk" if gap <= tol + 1e-9 else "off_track"
    return _with(
        obs,
        status=status,
        reason=f"chỉ giảm {_n(per_year, 2)} điểm %/năm{avg}, cần ≥ {_n(r)} ({rates})",
        value=per_year,
        measured=obs.value,
        target=r,
        required=required,
        gap=gap,
    )


def _judge_count(t: Target, series: Series, year: int, obs: Observation, _ref: float | None) -> Assessment:
    assert t.target is not None
    v, goal = obs.value, t.target
    deadline = t.target_year or TARGET_YEAR
    gap = goal - v
    facts = {"value": v, "measured": v, "target": goal, "required": goal, "gap": gap}
    if t.meets(v):
        text = "đã đạt" if t.kind == "yes_no" else f"đã có {_n(v)} {t.unit} (chỉ tiêu {t.short_target()})"
        return _with(
            obs, status="achieved", reason=text, value=v, measured=v, target=goal, required=goal, gap=gap
        )
    missing = "chưa đạt" if t.kind == "yes_no" else f"mới có {_n(v)} {t.unit}, cần {t.short_target()}"
    if year < deadline:
        left = deadline - year
        return _with(
            obs,
            status="at_risk",
            reason=f"{missing}; còn {left} năm đến hạn {deadline}",
            **facts,
        )
    return _with(
        obs,
        status="off_track",
        reason=f"{missing}; đã đến hạn {deadline}",
        **facts,
    )


_JUDGES = {
    "level_by_year": _judge_level_by_year,
    "status_by_year": _judge_criteria,
    "level_each_year": _judge_level_each_year,
    "vs_reference": _judge_level_each_year,
    "flow_per_year": _judge_level_each_year,
    "growth_per_year": _judge_growth,
    "change_per_year": _judge_change,
    "count": _judge_count,
    "yes_no": _judge_count,
}


# --- Series from the tables ------------------------------------------------------


def _join_sources(sources: Iterable[str]) -> str:
    seen: list[str] = []
    for s in sources:
        if s and s not in seen:
            seen.append(s)
    return " | ".join(seen)


def unit_series(t: Target, data: IndicatorData, unit_code: str) -> Series:
    """Figures of one 2020 unit for one indicator."""
    if t.kind == "status_by_year":
        return _criteria_series(t, data, unit_code)
    v = data.values
    rows = v[(v["unit_code"] == unit_code) & (v["indicator"] == t.code)]
    points = {
        int(r["year"]): Observation(
            int(r["year"]),
            float(r["value"]),
            str(r["source"]),
            bool(r["illustrative"]),
            str(r.get("note") or ""),
        )
        for r in rows.to_dict("records")
    }
    return Series(points)


def _criteria_series(t: Target, data: IndicatorData, unit_code: str) -> Series:
    required = t.level or "dat"
    c = data.criteria
    rows = c[c["unit_code"] == unit_code]
    points: dict[int, Observation] = {}
    for year, group in rows.groupby("year"):
        if len(group) < len(CRITERIA):
            continue  # an incomplete appraisal is no figure
        levels = tuple(str(lv) for lv in group.sort_values("criterion")["level"])
        points[int(str(year))] = _criteria_observation(
            int(str(year)),
            levels,
            required,
            _join_sources(group["source"]),
            bool(group["illustrative"].any()),
        )
    return Series(points)


def _criteria_observation(
    year: int, levels: tuple[str, ...], required: str, source: str, illustrative: bool
) -> Observation:
    standing = ntm_standing(levels, required)
    detail = ""
    if standing.short:
        names = ", ".join(f"{n} {CRITERIA[n]}" for n in standing.short)
        detail = f"chưa {LEVEL_LABELS[required].lower()}: {names}"
    return Observation(year, float(standing.at_level), source, illustrative, detail, levels)


def _weights(data: IndicatorData, codes: Sequence[str], year: int, column: str) -> dict[str, float] | None:
    p = data.population
    out: dict[str, float] = {}
    for code in codes:
        rows = p[p["unit_code"] == code]
        if rows.empty:
            return None
        nearest = rows.iloc[(rows["year"] - year).abs().argsort().iloc[0]]
        out[code] = float(nearest[column])
    return out


def combine(
    t: Target,
    data: IndicatorData,
    codes: Sequence[str],
    *,
    names: dict[str, str] | None = None,
) -> Series:
    """Aggregate the figures of several 2020 units into one series (see the module doc)."""
    names = names or {}
    per_unit = {code: unit_series(t, data, code) for code in codes}
    with_data = [c for c in codes if per_unit[c].points]
    without = [c for c in codes if not per_unit[c].points]
    coverage = ""
    if without and with_data:
        coverage = (
            "chỉ tính "
            + ", ".join(names.get(c, c) for c in with_data)
            + "; chưa có số liệu: "
            + ", ".join(names.get(c, c) for c in without)
        )
    if not with_data:
        return Series({}, "chưa có số liệu của đơn vị nào", size=len(codes), parts={})
    years = sorted({y for c in with_data for y in per_unit[c].points})
    points: dict[int, Observation] = {}
    parts = {y: sum(1 for c in codes if per_unit[c].get(y) is not None) for y in years}
    for year in years:
        obs = [per_unit[c].get(year) for c in with_data]
        if any(o is None for o in obs):
            continue
        present = [o for o in obs if o is not None]
        values = [o.value for o in present]
        detail = ""
        if t.kind == "status_by_year" and all(len(o.levels) == len(CRITERIA) for o in present):
            # A merged commune meets a criterion only if every part does: the worst level of each.
            levels = tuple(worst_level([o.levels[i] for o in present]) for i in range(len(CRITERIA)))
            points[year] = _criteria_observation(
                year,
                levels,
                t.level or "dat",
                _join_sources(o.source for o in present),
                any(o.illustrative for o in present),
            )
            continue
        if t.aggregation == "sum":
            value = sum(values)
        elif t.aggregation == "min" or t.aggregation == "none":
            value = min(values)
            worst = [o for o in present if o.value == value]
            detail = worst[0].detail if worst else ""
        else:
            column = "households" if t.aggregation == "mean_households" else "population"
            w = _weights(data, with_data, year, column)
            if w is None:
                value = sum(values) / len(values)
                detail = "bình quân không trọng số (thiếu số dân)"
            else:
                total = sum(w.values())
                value = sum(w[c] * o.value for c, o in zip(with_data, present, strict=True)) / total
        points[year] = Observation(
            year,
            value,
            _join_sources(o.source for o in present),
            any(o.illustrative for o in present),
            detail,
        )
    return Series(points, coverage, size=len(codes), parts=parts)


# --- The table ------------------------------------------------------------------


def _reference_value(t: Target, data: IndicatorData, year: int) -> float | None:
    if not t.reference:
        return None
    r = data.reference
    rows = r[(r["series"] == t.reference) & (r["year"] == year)]
    return float(rows.iloc[0]["value"]) if len(rows) else None


def _reference_meta(t: Target, data: IndicatorData, year: int) -> tuple[str, bool]:
    r = data.reference
    rows = r[(r["series"] == t.reference) & (r["year"] == year)]
    if rows.empty:
        return "", False
    return str(rows.iloc[0]["source"]), bool(rows.iloc[0]["illustrative"])


def _share_of_area_target(
    t: Target, data: IndicatorData, members: Sequence[str], year: int
) -> tuple[Target, str]:
    """A commune's part of a 3-commune yearly total, pro rata to its population.

    The plan sets 2 250 jobs a year for the three communes together; to say
    which commune lags, each is compared with its population's share of it.
    """
    assert t.target is not None
    weights = _weights(data, PLAN_CODES, year, "population")
    if not members or weights is None:
        return t, "chỉ tiêu chung 3 xã; "
    share = sum(weights[m] for m in members) / sum(weights.values())
    goal = t.target * share
    tolerance = (t.tolerance or 0.0) * share
    note = (
        f"chỉ tiêu chung 3 xã ({t.short_target()}); phần của xã theo tỷ lệ dân số "
        f"{_n(share * 100)} % là {_n(goal, 0)}: "
    )
    return replace(
        t, target=goal, tolerance=tolerance, target_text=f"{_n(goal, 0)} {t.unit} (phần theo dân số)"
    ), note


@dataclass(frozen=True)
class _Subject:
    code: str
    name: str
    level: str  # "commune" | "area" | "commune_2025"
    members: tuple[str, ...]
    plan_members: tuple[str, ...]


def _subjects(vintage: int) -> list[_Subject]:
    if vintage == 2020:
        out = [_Subject(c, get_unit(c).name, "commune", (c,), (c,)) for c in PLAN_CODES]
    else:
        merged = merger_table()
        out = []
        for u in units(2025):
            members = merged[u.code]
            plan_members = tuple(m for m in members if m in PLAN_CODES)
            out.append(_Subject(u.code, u.name, "commune_2025", members, plan_members))
    out.append(_Subject(AREA_CODE, AREA_NAME, "area", PLAN_CODES, PLAN_CODES))
    return out


def row_target(targets: Sequence[Target], row: Mapping[str, Any]) -> Target | None:
    """The target a status row was judged against (a 2025 commune: its plan commune's).

    Thông Bình's rural-development target is "cơ bản đạt"; Xã Tân Thành, which
    holds it since 1/7/2025, is judged against that one, not the first row of
    ``targets.csv``.
    """
    code = str(row["indicator"])
    if row["level"] == "area":
        return target_for(targets, code, None)
    subject = next(
        (
            s
            for s in _subjects(2025 if row["level"] == "commune_2025" else 2020)
            if s.code == row["unit_code"]
        ),
        None,
    )
    anchor = subject.plan_members[0] if subject is not None and len(subject.plan_members) == 1 else None
    return target_for(targets, code, anchor or str(row["unit_code"])) or target_for(targets, code, None)


def status_table(
    targets: Sequence[Target],
    data: IndicatorData,
    *,
    vintage: int = 2020,
    years: Iterable[int] | None = None,
    indicators: Iterable[str] | None = None,
    include_out_of_scope: bool = True,
) -> pd.DataFrame:
    """Status of every unit × indicator × year, as a tidy frame (:data:`STATUS_COLUMNS`).

    Parameters
    ----------
    targets, data
        The plan's targets and the measured tables.
    vintage
        2020: the three plan communes and their area. 2025: the four communes
        since 1 July 2025 (computed from the old units) and the area.
    years
        Years to judge (default 2020–2025).
    indicators
        Indicator codes (default all).
    include_out_of_scope
        Also judge each commune against a target set for the 3 communes
        together (``in_scope`` false), and the area against commune targets
        (weighted) — useful on the map, not plan targets in themselves.
    """
    years = list(years) if years is not None else list(PLAN_YEARS)
    codes = list(indicators) if indicators is not None else indicator_codes(targets)
    names = {u.code: u.name for u in units(2020)}
    rows: list[dict[str, object]] = []
    for code in codes:
        for subject in _subjects(vintage):
            anchor = subject.plan_members[0] if len(subject.plan_members) == 1 else None
            if subject.level == "area":
                t = target_for(targets, code, None)
                if t is None or t.unit_code is not None:
                    continue  # a per-commune target (NTM, Dinh Bà) has no area figure
            else:
                t = target_for(targets, code, anchor or subject.code)
                if t is None or (t.unit_code is not None and t.unit_code != anchor):
                    continue
            in_scope = (t.scope == "area") == (subject.level == "area")
            if not in_scope and not include_out_of_scope:
                continue
            members = subject.members
            if t.aggregation == "none" and t.unit_code:
                members = tuple(m for m in members if m == t.unit_code)
            series = (
                unit_series(t, data, members[0])
                if len(members) == 1
                else combine(t, data, members, names=names)
            )
            shared = (
                not in_scope
                and subject.level != "area"
                and t.kind == "flow_per_year"
                and t.aggregation == "sum"
            )
            for year in years:
                ref = _reference_value(t, data, year)
                judged, note = t, ""
                if shared:
                    judged, note = _share_of_area_target(t, data, subject.plan_members, year)
                elif not in_scope:
                    note = (
                        "chỉ tiêu chung 3 xã, số của từng xã để tham khảo: "
                        if t.scope == "area"
                        else "chỉ tiêu đặt cho từng xã, số chung 3 xã để tham khảo: "
                    )
                a = assess(judged, series, year, reference=ref)
                source, illustrative = a.source, a.illustrative
                if t.kind == "vs_reference" and ref is not None:
                    rsrc, rill = _reference_meta(t, data, year)
                    source = _join_sources([source, f"Tham chiếu: {rsrc}"])
                    illustrative = illustrative or rill
                reason = f"{note}{a.reason}"
                if series.coverage:
                    reason = f"{reason} ({series.coverage})"
                obs = series.get(year)
                standing = (
                    ntm_standing(obs.levels, t.level or "dat")
                    if obs is not None and len(obs.levels) == len(CRITERIA)
                    else None
                )
                shown = standing.count_text if standing is not None else ""
                measured_parts = series.measured_parts(year)
                rows.append(
                    {
                        "unit_code": subject.code,
                        "unit_name": subject.name,
                        "level": subject.level,
                        "indicator": code,
                        "indicator_name": t.name,
                        "year": year,
                        "value": a.value,
                        "measured": a.measured,
                        "target": a.target if a.target is not None else t.target,
                        "required": a.required,
                        "gap": a.gap,
                        "status": a.status,
                        "status_label": STATUS_LABELS[a.status],
                        "value_text": shown or value_text(a.value, judged),
                        "standing": standing.text if standing is not None else "",
                        "reason": reason,
                        "unit": t.unit,
                        "target_text": t.target_text,
                        "scope": t.scope,
                        "in_scope": in_scope,
                        "coverage": series.coverage,
                        "parts": series.size,
                        "parts_measured": measured_parts,
                        "complete": measured_parts == series.size,
                        "source": source,
                        "illustrative": illustrative,
                    }
                )
    frame = pd.DataFrame(rows, columns=list(STATUS_COLUMNS))
    for c in ("value", "measured", "target", "required", "gap"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    return frame


def plan_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the plan's units: the 3-commune area, the 3 communes, the 2025 communes holding one.

    What "Cả vùng (3 xã biên giới)" shows on the map, in the ranking and in
    the exports: never Xã An Phước, which holds none of the three.
    """
    codes = {AREA_CODE, *PLAN_CODES} | {s.code for s in _subjects(2025) if s.plan_members}
    return table[table["unit_code"].isin(codes)]


def ranking(table: pd.DataFrame, indicator: str, year: int, *, level: str | None = None) -> pd.DataFrame:
    """Communes for one indicator and year, the one that lags most first.

    Sorted by status (off track first), then by the relative gap (the gap as a
    share of the target), so "which commune lags, and by how much" reads from
    the top.
    """
    rows = plan_rows(table)
    rows = rows[(rows["indicator"] == indicator) & (rows["year"] == year) & (rows["level"] != "area")]
    if level is not None:
        rows = rows[rows["level"] == level]
    rows = rows.copy()
    rows["_sev"] = rows["status"].map(SEVERITY)
    denom = rows["target"].abs().where(rows["target"].abs() > 0, 1.0)
    rows["relative_gap"] = (rows["gap"] / denom).astype("float64")
    rows = rows.sort_values(["_sev", "relative_gap"], ascending=[True, False], na_position="last")
    return rows.drop(columns="_sev").reset_index(drop=True)


def trajectory(t: Target, series: Series, years: Iterable[int] = PLAN_YEARS) -> pd.DataFrame:
    """Value and required value per year, for a chart of one unit against its target."""
    years = list(years)
    base = series.baseline(t.base_year)
    out = []
    for y in years:
        obs = series.get(y)
        required: float | None = None
        if t.kind in ("level_by_year", "status_by_year") and base is not None:
            required = _trajectory(t, base, y) if y >= base.year else None
        elif t.kind == "growth_per_year" and base is not None and t.target is not None and y >= base.year:
            required = base.value * (1 + t.target / 100) ** (y - base.year)
        elif t.kind in ("level_each_year", "flow_per_year", "count", "yes_no"):
            required = t.target
        elif t.kind == "change_per_year" and base is not None and t.target is not None and y >= base.year:
            required = max(0.0, base.value - t.target * (y - base.year))
        out.append({"year": y, "value": obs.value if obs else math.nan, "required": required})
    frame = pd.DataFrame(out)
    frame["required"] = pd.to_numeric(frame["required"], errors="coerce").astype("float64")
    return frame
