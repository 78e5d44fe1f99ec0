"""The plan's targets as encoded in data/indicators/targets.csv."""

from __future__ import annotations

from pathlib import Path

import pytest

from borderplan_geo.store import DataSource
from borderplan_geo.targets import INDICATOR_CODES, TARGETS_FILE, load_targets, read_targets, target_for

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def targets() -> list:
    return load_targets(DataSource(ROOT / "data"))


def test_every_indicator_code_has_a_target(targets: list) -> None:
    assert {t.code for t in targets} == set(INDICATOR_CODES)


@pytest.mark.parametrize(
    ("code", "unit_code", "value", "kind", "scope", "year", "clause"),
    [
        ("urban_type_v", "29929", 1, "yes_no", "commune", 2025, "II.(1)"),
        ("income_per_capita", None, 68, "level_by_year", "area", 2025, "II.(2)"),
        ("budget_revenue_growth", None, 12, "growth_per_year", "area", 2025, "II.(3)"),
        ("exemplary_coops", None, 1, "count", "area", 2025, "II.(4)"),
        ("school_enrolment", None, None, "vs_reference", "commune", None, "II.(5)"),
        ("ntm_status", "29929", 19, "status_by_year", "commune", 2025, "II.(6)"),
        ("poverty_reduction", None, 1.5, "change_per_year", "commune", None, "II.(7)"),
        ("jobs_created", None, 2250, "flow_per_year", "area", None, "II.(7)"),
        ("overseas_workers", None, 45, "flow_per_year", "area", None, "II.(8)"),
        ("health_insurance", None, 95, "level_by_year", "commune", 2025, "II.(9)"),
        ("clean_water", None, 99, "level_by_year", "commune", 2025, "II.(10)"),
        ("waste_collection", None, 80, "level_each_year", "commune", None, "II.(11)"),
        ("child_health_insurance", None, 100, "level_each_year", "commune", None, "III.2"),
        ("birth_registration", None, 100, "level_each_year", "commune", None, "III.2"),
        ("full_immunisation", None, 98, "level_each_year", "commune", None, "III.2"),
    ],
)
def test_the_plans_numbers(
    targets: list,
    code: str,
    unit_code: str | None,
    value: float | None,
    kind: str,
    scope: str,
    year: int | None,
    clause: str,
) -> None:
    t = target_for(targets, code, unit_code)
    assert t is not None
    assert t.target == value
    assert (t.kind, t.scope, t.target_year, t.clause) == (kind, scope, year, clause)
    assert t.source.startswith("Kế hoạch phát triển kinh tế - xã hội 03 xã biên giới")
    assert t.plan_text  # the plan's own words travel with the target


def test_target_six_differs_per_commune(targets: list) -> None:
    assert target_for(targets, "ntm_status", "29929").level == "dat"
    assert target_for(targets, "ntm_status", "29935").level == "dat"
    assert target_for(targets, "ntm_status", "29932").level == "co_ban_dat"


def test_dinh_ba_target_applies_to_tan_ho_co_only(targets: list) -> None:
    assert target_for(targets, "urban_type_v", "29932") is None


def test_strict_comparison_for_immunisation(targets: list) -> None:
    t = target_for(targets, "full_immunisation")
    assert t.comparison == ">"
    assert not t.meets(98.0) and t.meets(98.1)


def test_poverty_is_a_falling_indicator(targets: list) -> None:
    assert target_for(targets, "poverty_reduction").direction == "decrease"


def test_bad_rows_are_reported_with_row_and_column() -> None:
    content = (ROOT / "data" / TARGETS_FILE).read_bytes().decode()
    lines = content.splitlines()
    lines[2] = lines[2].replace("level_by_year", "sometimes", 1)
    _, problems = read_targets("\n".join(lines).encode(), TARGETS_FILE)
    assert [(p.row, p.column) for p in problems] == [(3, "kind")]
    assert "sometimes" in problems[0].message
