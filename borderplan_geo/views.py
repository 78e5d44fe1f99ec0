"""The planner's tables, ready to show: ranking, criteria matrix, trajectories, projects.

Each function returns a plain ``pandas.DataFrame`` with Vietnamese column names
and Vietnamese number formats where the table is for reading (the app, the PDF
handout); the frames keep raw numbers where a chart or a sort needs them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from .criteria import CRITERIA, LEVEL_LABELS, ntm_standing
from .dataset import Dataset
from .formatting import format_number
from .layers import PROJECT_STATUSES, SECTORS
from .status import (
    STATUSES,
    combine,
    partial_text,
    ranking,
    row_target,
    status_text,
    trajectory,
    unit_series,
)
from .status import value_text as value_text  # re-exported: the tables and maps read values from here
from .targets import Target, target_for
from .units import PLAN_CODES, get_unit, merger_table, new_unit_of, units


def _target(dataset: Dataset, code: str, unit_code: str | None = None) -> Target:
    t = target_for(dataset.targets, code, unit_code)
    if t is None:
        raise KeyError(code)
    return t


def gap_text(gap: float | None, t: Target, status: str) -> str:
    """How far from the target, in words: "thiếu 2,1 điểm %", "vượt 0,3 điểm %"."""
    if gap is None or (isinstance(gap, float) and math.isnan(gap)) or status == "no_data":
        return "–"
    if abs(gap) < 1e-9:
        return "đúng mức"
    unit = "điểm %" if t.is_percent or t.unit.startswith("%") or t.kind == "change_per_year" else t.unit
    if t.kind == "growth_per_year":
        unit = "điểm %"
    if t.kind == "status_by_year":
        unit = "tiêu chí"
    amount = format_number(round(abs(gap), 2 if abs(gap) < 1 else 1))
    word = "thiếu" if gap > 0 else "vượt"
    return f"{word} {amount} {unit}".strip()


def ranking_view(dataset: Dataset, indicator: str, year: int, *, vintage: int = 2020) -> pd.DataFrame:
    """Communes for one indicator and year, the one that lags most first, for reading."""
    table = dataset.status(vintage)
    ranked = ranking(table, indicator, year)
    rows = []
    for i, r in enumerate(ranked.to_dict("records"), start=1):
        anchor = r["unit_code"] if vintage == 2020 else None
        t = _target(dataset, indicator, anchor)
        rows.append(
            {
                "Hạng": i,
                "Xã": r["unit_name"],
                "Giá trị": r["value_text"],
                "Mục tiêu": r["target_text"],
                "Chênh lệch": gap_text(r["gap"], t, r["status"]),
                "Tình trạng": status_text(r),
                "Nhận định": r["reason"],
                "Nguồn": r["source"],
                "Minh họa": bool(r["illustrative"]),
                "Mã xã": r["unit_code"],
                "status": r["status"],
                "complete": bool(r["complete"]),
            }
        )
    return pd.DataFrame(rows)


def target_lines(rows: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """The targets of the communes shown, each with the communes it is set for.

    One pair when every commune has the same target; for the rural-development
    target (6) two: ("đạt chuẩn…", [Tân Hộ Cơ, Bình Phú]) and ("cơ bản đạt 19
    tiêu chí…", [Thông Bình]). The legends (map, PNG, PDF) say it from here.
    """
    own = rows[(rows["level"] != "area") & rows["in_scope"].astype(bool)]
    groups: dict[str, list[str]] = {}
    for r in own.to_dict("records"):
        groups.setdefault(str(r["target_text"]), []).append(str(r["unit_name"]))
    return list(groups.items())


def target_summary(targets: Sequence[Target], code: str) -> str:
    """An indicator's target in one cell: the target text, or each commune's when they differ.

    "Tân Hộ Cơ, Bình Phú: đạt chuẩn nông thôn mới; Thông Bình: cơ bản đạt 19 tiêu chí".
    """
    groups: dict[str, list[str]] = {}
    first: Target | None = None
    for unit_code in PLAN_CODES:
        t = target_for(targets, code, unit_code)
        if t is None:
            continue
        first = first or t
        groups.setdefault(t.short_target(), []).append(get_unit(unit_code).short_name)
    if first is None:
        return ""
    if len(groups) <= 1:
        return first.target_text
    return "; ".join(f"{', '.join(names)}: {goal}" for goal, names in groups.items())


def commune_lines(rows: pd.DataFrame, targets: Sequence[Target]) -> list[str]:
    """One line per commune when their targets differ: its standing against the target set for it.

    "Thông Bình: 17 đạt, 2 cơ bản đạt — đạt mức “cơ bản đạt 19 tiêu chí” Kế
    hoạch giao" (the status table's ``standing``, from
    :func:`~borderplan_geo.criteria.ntm_standing`).
    Empty when every commune has the same target (the legend says it once).
    """
    if len(target_lines(rows)) <= 1:
        return []
    own = rows[(rows["level"] != "area") & rows["in_scope"].astype(bool)]
    out = []
    for r in own.to_dict("records"):
        t = row_target(targets, r)
        goal = t.short_target() if t is not None else str(r["target_text"])
        partial = partial_text(r)
        name = re.sub(r"^(Xã|Thị trấn)\s+", "", str(r["unit_name"]))
        said = str(r.get("standing") or "") or f"{r['value_text']} — mục tiêu “{goal}”"
        out.append(f"{name}: {said}" + (f" ({partial})" if partial else ""))
    return out


def legend_counts(rows: pd.DataFrame) -> tuple[dict[str, int], int]:
    """Communes per status, and apart from them the communes measured in part, for every legend.

    A commune with no figure at all is "no data", not partial: its colour says so.
    """
    counts = dict.fromkeys(STATUSES, 0)
    partial = 0
    for r in rows[rows["level"] != "area"].to_dict("records"):
        if partial_text(r) and r["status"] != "no_data":
            partial += 1
        else:
            counts[str(r["status"])] += 1
    return counts, partial


#: The legend's word for a commune measured in part (hatched on every map).
PARTIAL_LEGEND = "Số liệu một phần các xã cũ (gạch chéo)"


def area_row(dataset: Dataset, indicator: str, year: int, *, vintage: int = 2020) -> dict[str, object] | None:
    """The 3-commune figure of an indicator, when the plan sets one."""
    table = dataset.status(vintage)
    rows = table[(table["indicator"] == indicator) & (table["year"] == year) & (table["level"] == "area")]
    if rows.empty:
        return None
    r = rows.iloc[0].to_dict()
    t = _target(dataset, indicator)
    r["gap_text"] = gap_text(r["gap"], t, r["status"])
    return r


def criteria_matrix(dataset: Dataset, year: int, *, vintage: int = 2020) -> pd.DataFrame:
    """The 19 criteria × the plan's communes for a year (Đạt / Cơ bản đạt / Chưa đạt / –).

    The last rows count each level per commune, then say each commune's
    standing against its own level (:data:`STANDING_ROW`). In the 2025 view the columns
    keep the old communes (the criteria were appraised on them) and say which
    new commune each now belongs to.
    """
    c = dataset.indicators.criteria
    c = c[c["year"] == year]
    columns: dict[str, str] = {}
    for code in PLAN_CODES:
        unit = get_unit(code)
        label = unit.short_name
        if vintage == 2025:
            label = f"{unit.short_name} (nay thuộc {new_unit_of(code).name})"
        columns[code] = label
    rows = []
    for number, name in CRITERIA.items():
        row: dict[str, object] = {"Tiêu chí": f"{number}. {name}"}
        for code, label in columns.items():
            hit = c[(c["unit_code"] == code) & (c["criterion"] == number)]
            row[label] = LEVEL_LABELS[str(hit.iloc[0]["level"])] if len(hit) else "–"
        rows.append(row)
    frame = pd.DataFrame(rows)
    for level in ("dat", "co_ban_dat", "chua_dat"):
        label = LEVEL_LABELS[level]
        summary: dict[str, object] = {"Tiêu chí": f"Số tiêu chí {label.lower()}"}
        for col in columns.values():
            summary[col] = str(int((frame[col] == label).sum()))
        frame = pd.concat([frame, pd.DataFrame([summary])], ignore_index=True)
    # The level the plan set for each commune, and whether it is reached (the same words as the map).
    standing: dict[str, object] = {"Tiêu chí": STANDING_ROW}
    levels_of = {label: key for key, label in LEVEL_LABELS.items()}
    for code, col in columns.items():
        t = target_for(dataset.targets, "ntm_status", code)
        levels = [levels_of.get(str(v)) for v in frame[col].iloc[: len(CRITERIA)]]
        known = [lv for lv in levels if lv is not None]
        standing[col] = (
            ntm_standing(known, (t.level if t else None) or "dat").text
            if len(known) == len(CRITERIA)
            else "–"
        )
    return pd.concat([frame, pd.DataFrame([standing])], ignore_index=True)


#: The criteria table's last row: each commune's standing against the level the plan set for it.
STANDING_ROW = "So với mức Kế hoạch giao"


def criteria_sources(dataset: Dataset, year: int) -> list[str]:
    """Distinct sources of the criteria shown for a year."""
    c = dataset.indicators.criteria
    return sorted({str(s) for s in c[c["year"] == year]["source"]})


def trajectories(dataset: Dataset, indicator: str, *, vintage: int = 2020) -> pd.DataFrame:
    """Value and required value per unit and year (long format), for the chart."""
    names = {u.code: u.name for u in units(2020)}
    frames = []
    subjects: list[tuple[str, tuple[str, ...]]]
    if vintage == 2020:
        subjects = [(get_unit(code).name, (code,)) for code in PLAN_CODES]
    else:
        merged = merger_table()
        subjects = [(u.name, merged[u.code]) for u in units(2025)]
    for name, members in subjects:
        anchor = next((m for m in members if m in PLAN_CODES), None)
        t = target_for(dataset.targets, indicator, anchor)
        if t is None or (t.unit_code is not None and t.unit_code != anchor):
            continue
        if t.aggregation == "none" and t.unit_code:
            members = tuple(m for m in members if m == t.unit_code)
        s = (
            unit_series(t, dataset.indicators, members[0])
            if len(members) == 1
            else combine(t, dataset.indicators, members, names=names)
        )
        if not s.points:
            continue
        f = trajectory(t, s)
        f["Xã"] = name
        frames.append(f)
    if not frames:
        return pd.DataFrame(columns=["year", "value", "required", "Xã"])
    return pd.concat(frames, ignore_index=True)


def projects_view(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Projects as a planner's table (raw numbers kept for sorting)."""
    rows = []
    for r in frame.to_dict("records"):
        start, end = r.get("start_year"), r.get("end_year")
        years = ""
        if start is not None and not _nan(start):
            years = f"{int(start)}–{int(end)}" if end is not None and not _nan(end) else f"từ {int(start)}"
        budget = r.get("budget_vnd")
        rows.append(
            {
                "Mã": r["id"],
                "Tên công trình": r["name"],
                "Lĩnh vực": SECTORS.get(str(r.get("sector")), str(r.get("sector"))),
                "Xã": r.get("commune_name", ""),
                "Tình trạng": PROJECT_STATUSES.get(str(r.get("status")), str(r.get("status"))),
                "Tiến độ (%)": r.get("progress"),
                "Tổng vốn (tỷ đồng)": None
                if budget is None or _nan(budget)
                else round(float(budget) / 1e9, 2),
                "Nguồn vốn": r.get("funding_source", ""),
                "Thời gian": years,
                "Chủ đầu tư": r.get("agency", ""),
                "Minh họa": bool(r.get("illustrative")),
                "Vị trí": "gần đúng" if r.get("accuracy") != "surveyed" else "đo đạc",
            }
        )
    columns = [
        "Mã",
        "Tên công trình",
        "Lĩnh vực",
        "Xã",
        "Tình trạng",
        "Tiến độ (%)",
        "Tổng vốn (tỷ đồng)",
        "Nguồn vốn",
        "Thời gian",
        "Chủ đầu tư",
        "Minh họa",
        "Vị trí",
    ]
    return pd.DataFrame(rows, columns=columns)


def project_totals(frame: gpd.GeoDataFrame, by: str = "sector") -> pd.DataFrame:
    """Count, budget and progress of projects by sector or by commune.

    Progress is weighted by budget (a big road counts more than a small
    well); projects without a budget count with weight 1 billion VND.
    """
    if frame.empty:
        return pd.DataFrame(
            columns=["Nhóm", "Số công trình", "Hoàn thành", "Tổng vốn (tỷ đồng)", "Tiến độ bình quân (%)"]
        )
    data = pd.DataFrame(frame.drop(columns="geometry"))
    if by == "commune":
        data = data.assign(group=data["commune_code"].astype(str).str.split(";")).explode("group")
        data["group"] = [get_unit(c).name for c in data["group"]]
    else:
        data["group"] = [SECTORS.get(str(s), str(s)) for s in data["sector"]]
    data["budget"] = pd.to_numeric(data["budget_vnd"], errors="coerce").fillna(0.0)
    data["weight"] = data["budget"].where(data["budget"] > 0, 1e9)
    data["progress_num"] = pd.to_numeric(data["progress"], errors="coerce").fillna(0.0)
    rows = []
    for group, g in data.groupby("group", sort=True):
        rows.append(
            {
                "Nhóm": group,
                "Số công trình": len(g),
                "Hoàn thành": int((g["status"] == "completed").sum()),
                "Tổng vốn (tỷ đồng)": round(g["budget"].sum() / 1e9, 1),
                "Tiến độ bình quân (%)": round(
                    float((g["progress_num"] * g["weight"]).sum() / g["weight"].sum()), 1
                ),
            }
        )
    out = pd.DataFrame(rows).sort_values("Tổng vốn (tỷ đồng)", ascending=False).reset_index(drop=True)
    total = {
        "Nhóm": "Tổng cộng",
        "Số công trình": len(frame),
        "Hoàn thành": int((frame["status"] == "completed").sum()),
        "Tổng vốn (tỷ đồng)": round(
            float(pd.to_numeric(frame["budget_vnd"], errors="coerce").fillna(0).sum()) / 1e9, 1
        ),
        "Tiến độ bình quân (%)": None,
    }
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def _nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)
