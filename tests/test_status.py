"""The status engine on worked examples, one kind of target at a time.

Each example is small enough to check by hand; the numbers are in the module
documentation of ``borderplan_geo.status`` too.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from borderplan_geo.indicators import IndicatorData
from borderplan_geo.status import (
    STATUSES,
    Observation,
    Series,
    assess,
    combine,
    ranking,
    status_table,
    trajectory,
)
from borderplan_geo.targets import Target


def target(**kw: object) -> Target:
    base: dict[str, object] = dict(
        code="clean_water",
        clause="II.(10)",
        section="II",
        name="Nước sạch",
        kind="level_by_year",
        direction="increase",
        comparison=">=",
        target=99.0,
        target_text="≥ 99 % năm 2025",
        unit="%",
        measure="Tỷ lệ hộ dùng nước sạch (%)",
        scope="commune",
        unit_code=None,
        level=None,
        reference=None,
        base_year=2020,
        target_year=2025,
        aggregation="mean_households",
        trajectory="linear",
        tolerance=None,
        plan_text="",
        source="Kế hoạch, mục II.(10)",
    )
    base.update(kw)
    return Target(**base)  # type: ignore[arg-type]


def series(values: dict[int, float], *, illustrative: bool = False, detail: str = "") -> Series:
    return Series({y: Observation(y, v, f"nguồn {y}", illustrative, detail) for y, v in values.items()})


# --- level by a year ----------------------------------------------------------------------------


class TestLevelByYear:
    t = target()

    def test_on_the_trajectory(self) -> None:
        a = assess(self.t, series({2020: 94.0, 2022: 96.0}), 2022)
        assert a.status == "on_track"
        assert a.required == pytest.approx(96.0)
        assert a.gap == pytest.approx(3.0)

    def test_behind_the_trajectory_is_at_risk_with_the_gap_in_points(self) -> None:
        a = assess(self.t, series({2020: 94.0, 2022: 95.8}), 2022)
        assert a.status == "at_risk"  # progress 1.8 of the 2.0 required: r = 0.9
        assert a.reason.startswith("cần thêm 3,2 điểm % để đạt 99 % năm 2025")

    def test_far_behind_is_off_track(self) -> None:
        a = assess(self.t, series({2020: 94.0, 2023: 94.5}), 2023)
        assert a.status == "off_track"  # r = 0.5 / 3 < 0.5

    def test_falling_indicator_is_off_track_and_says_so(self) -> None:
        a = assess(self.t, series({2020: 94.0, 2022: 93.0}), 2022)
        assert a.status == "off_track"
        assert "đang đi xuống" in a.reason

    def test_target_already_met(self) -> None:
        a = assess(self.t, series({2020: 94.0, 2021: 99.2}), 2021)
        assert a.status == "achieved"
        assert a.gap == pytest.approx(-0.2)

    def test_met_exactly_counts(self) -> None:
        assert assess(self.t, series({2020: 99.0}), 2020).status == "achieved"

    def test_baseline_year_lies_on_its_own_trajectory(self) -> None:
        a = assess(self.t, series({2020: 94.0}), 2020)
        assert a.status == "on_track"
        assert "năm gốc" in a.reason
        assert "bình quân 1 điểm %/năm" in a.reason

    def test_no_baseline_cannot_judge_pace(self) -> None:
        a = assess(self.t, series({2023: 97.0}), 2023)
        assert a.status == "at_risk"
        assert "chưa có số liệu năm gốc 2020" in a.reason

    def test_no_baseline_after_the_deadline_is_off_track(self) -> None:
        assert assess(self.t, series({2025: 97.0}), 2025).status == "off_track"

    def test_missing_year_is_no_data_with_the_nearest_figure(self) -> None:
        a = assess(self.t, series({2020: 94.0, 2021: 95.0, 2023: 97.0}), 2022)
        assert a.status == "no_data"
        assert "chưa có số liệu năm 2022" in a.reason
        assert "năm 2021 = 95 %" in a.reason

    def test_missing_years_do_not_matter_to_the_trajectory(self) -> None:
        a = assess(self.t, series({2020: 94.0, 2024: 98.0}), 2024)
        assert a.status == "on_track"
        assert a.required == pytest.approx(98.0)

    def test_deadline_missed_narrowly_is_at_risk_widely_off_track(self) -> None:
        assert assess(self.t, series({2020: 94.0, 2025: 98.9}), 2025).status == "at_risk"
        assert assess(self.t, series({2020: 94.0, 2025: 97.0}), 2025).status == "off_track"

    def test_baseline_before_the_plan_is_used(self) -> None:
        a = assess(self.t, series({2019: 93.0, 2022: 96.0}), 2022)
        assert a.required == pytest.approx(93.0 + 6 * 3 / 6)

    def test_compound_trajectory_for_money(self) -> None:
        t = target(
            code="income_per_capita",
            target=68.0,
            unit="triệu đồng/người/năm",
            measure="Thu nhập",
            trajectory="compound",
        )
        required = 48.0 * (68.0 / 48.0) ** (2 / 5)  # 55,2: a constant growth rate, not a straight line
        a = assess(t, series({2020: 48.0, 2022: 55.0}), 2022)
        assert a.required == pytest.approx(required)
        assert a.status == "on_track"  # 7,0 of 7,2 needed
        assert assess(t, series({2020: 48.0, 2022: 53.0}), 2022).status == "at_risk"  # 5,0 of 7,2


# --- level every year, and versus a reference ---------------------------------------------------


class TestEachYear:
    t = target(code="waste_collection", kind="level_each_year", target=80.0, target_year=None, tolerance=5.0)

    @pytest.mark.parametrize(
        ("value", "status"),
        [(80.0, "achieved"), (85.0, "achieved"), (76.0, "at_risk"), (75.0, "at_risk"), (74.9, "off_track")],
    )
    def test_tolerance_band(self, value: float, status: str) -> None:
        assert assess(self.t, series({2022: value}), 2022).status == status

    def test_strict_comparison(self) -> None:
        t = target(
            code="full_immunisation",
            kind="level_each_year",
            comparison=">",
            target=98.0,
            target_year=None,
            tolerance=2.0,
        )
        assert assess(t, series({2022: 98.0}), 2022).status == "at_risk"
        assert assess(t, series({2022: 98.1}), 2022).status == "achieved"
        assert "chưa vượt" in assess(t, series({2022: 98.0}), 2022).reason

    def test_reference_is_the_target_of_that_year(self) -> None:
        t = target(
            code="school_enrolment",
            kind="vs_reference",
            target=None,
            target_year=None,
            reference="prov",
            tolerance=2.0,
        )
        a = assess(t, series({2022: 97.0}), 2022, reference=97.8)
        assert a.status == "at_risk"
        assert a.target == pytest.approx(97.8)
        assert "bình quân tỉnh năm 2022" in a.reason

    def test_without_the_reference_there_is_nothing_to_compare(self) -> None:
        t = target(
            code="school_enrolment", kind="vs_reference", target=None, target_year=None, reference="prov"
        )
        assert assess(t, series({2022: 97.0}), 2022, reference=None).status == "no_data"


# --- growth per year -----------------------------------------------------------------------------


class TestGrowth:
    t = target(
        code="budget_revenue_growth",
        kind="growth_per_year",
        target=12.0,
        unit="%/năm",
        measure="Thu ngân sách (tỷ đồng)",
        tolerance=3.0,
        target_year=None,
        trajectory="compound",
    )

    def test_worked_example(self) -> None:
        a = assess(self.t, series({2020: 20.0, 2023: 26.0}), 2023)
        assert a.value == pytest.approx(((26 / 20) ** (1 / 3) - 1) * 100)
        assert a.status == "at_risk"  # 9.1 %, within 3 points of 12 %
        assert a.required == pytest.approx(20 * 1.12**3)

    def test_on_track_before_the_end_achieved_at_the_end(self) -> None:
        assert assess(self.t, series({2020: 20.0, 2022: 25.2}), 2022).status == "on_track"
        assert assess(self.t, series({2020: 20.0, 2025: 36.0}), 2025).status == "achieved"

    def test_falling_revenue_is_off_track(self) -> None:
        a = assess(self.t, series({2020: 20.0, 2021: 19.0}), 2021)
        assert a.status == "off_track"
        assert "giảm" in a.reason

    def test_no_baseline_no_growth(self) -> None:
        assert assess(self.t, series({2022: 25.0}), 2022).status == "no_data"
        assert assess(self.t, series({2020: 20.0}), 2020).status == "no_data"


# --- change per year (a falling indicator) -------------------------------------------------------


class TestChange:
    t = target(
        code="poverty_reduction",
        kind="change_per_year",
        direction="decrease",
        target=1.5,
        unit="điểm %/năm",
        measure="Tỷ lệ hộ nghèo (%)",
        tolerance=0.5,
        target_year=None,
    )

    def test_a_big_enough_cut_is_achieved(self) -> None:
        a = assess(self.t, series({2021: 4.1, 2022: 2.3}), 2022)
        assert a.status == "achieved"
        assert a.value == pytest.approx(1.8)

    def test_a_small_cut_within_tolerance_is_at_risk(self) -> None:
        assert assess(self.t, series({2021: 4.1, 2022: 2.9}), 2022).status == "at_risk"

    def test_a_rise_is_off_track(self) -> None:
        a = assess(self.t, series({2021: 3.0, 2022: 3.4}), 2022)
        assert a.status == "off_track"
        assert "tăng" in a.reason

    def test_missing_years_are_averaged(self) -> None:
        a = assess(self.t, series({2021: 4.1, 2023: 3.2}), 2023)
        assert a.value == pytest.approx(0.45)
        assert a.status == "off_track"
        assert "bình quân năm 2021–2023" in a.reason

    def test_below_the_yearly_cut_only_not_rising_is_asked(self) -> None:
        a = assess(self.t, series({2021: 0.64, 2022: 0.6}), 2022)
        assert a.status == "achieved"
        assert "chỉ cần không tăng lại" in a.reason
        assert assess(self.t, series({2021: 0.6, 2022: 0.9}), 2022).status == "off_track"

    def test_first_year_has_no_change(self) -> None:
        assert assess(self.t, series({2020: 3.0}), 2020).status == "no_data"


# --- flows, counts, yes/no ------------------------------------------------------------------------


def test_flow_per_year_judges_each_year() -> None:
    t = target(
        code="jobs_created",
        kind="flow_per_year",
        target=2250.0,
        unit="lao động/năm",
        measure="Số lao động",
        tolerance=225.0,
        target_year=None,
    )
    s = series({2020: 2080.0, 2021: 1900.0, 2022: 2300.0})
    assert assess(t, s, 2020).status == "at_risk"
    assert assess(t, s, 2021).status == "off_track"
    assert assess(t, s, 2022).status == "achieved"
    assert "lũy kế" in assess(t, s, 2021).reason


def test_count_before_and_after_the_deadline() -> None:
    t = target(code="exemplary_coops", kind="count", target=1.0, unit="HTX", measure="Số HTX")
    assert assess(t, series({2022: 0.0}), 2022).status == "at_risk"
    assert assess(t, series({2025: 0.0}), 2025).status == "off_track"
    assert assess(t, series({2023: 2.0}), 2023).status == "achieved"


def test_yes_no() -> None:
    t = target(code="urban_type_v", kind="yes_no", target=1.0, unit="", measure="Đạt (1/0)")
    assert assess(t, series({2023: 0.0}), 2023).reason == "chưa đạt; còn 2 năm đến hạn 2025"
    assert assess(t, series({2025: 1.0}), 2025).status == "achieved"


def test_status_by_year_names_the_missing_criteria() -> None:
    t = target(
        code="ntm_status",
        kind="status_by_year",
        target=19.0,
        unit="tiêu chí",
        measure="Số tiêu chí đạt",
        level="dat",
    )
    a = assess(t, series({2020: 12.0, 2022: 14.0}, detail="chưa đạt: 2 Giao thông"), 2022)
    assert a.status == "at_risk"  # 2 of the 2.8 required
    assert "2 Giao thông" in a.reason


def test_every_status_is_known() -> None:
    t = target()
    for values, year in [({2020: 94.0}, 2020), ({}, 2021), ({2020: 94.0, 2025: 99.0}, 2025)]:
        assert assess(t, series(values), year).status in STATUSES


# --- aggregation and the whole table -----------------------------------------------------------------


def _data(values: list[tuple[str, str, int, float]], population: dict[str, int]) -> IndicatorData:
    v = pd.DataFrame(
        [
            {
                "unit_code": u,
                "indicator": i,
                "year": y,
                "value": x,
                "source": "s",
                "illustrative": False,
                "note": "",
            }
            for u, i, y, x in values
        ]
    )
    p = pd.DataFrame(
        [
            {
                "unit_code": u,
                "year": y,
                "population": n,
                "households": n // 4,
                "source": "s",
                "illustrative": True,
            }
            for u, n in population.items()
            for y in range(2020, 2026)
        ]
    )
    empty_c = pd.DataFrame(columns=["unit_code", "year", "criterion", "level", "source", "illustrative"])
    empty_r = pd.DataFrame(
        columns=["series", "year", "value", "unit", "description", "source", "illustrative", "note"]
    )
    return IndicatorData(v, empty_c, p, empty_r)


def test_weighted_mean_uses_population() -> None:
    t = target(code="health_insurance", aggregation="mean_population")
    data = _data(
        [("29929", "health_insurance", 2021, 90.0), ("29935", "health_insurance", 2021, 80.0)],
        {"29929": 3000, "29935": 1000},
    )
    s = combine(t, data, ["29929", "29935"])
    assert s.get(2021) is not None
    assert s.points[2021].value == pytest.approx(87.5)


def test_sum_refuses_a_partial_year_and_notes_units_without_data() -> None:
    t = target(code="jobs_created", kind="flow_per_year", aggregation="sum", target=2250.0)
    data = _data(
        [
            ("29929", "jobs_created", 2021, 900.0),
            ("29935", "jobs_created", 2021, 700.0),
            ("29929", "jobs_created", 2022, 950.0),
        ],
        {"29929": 3000, "29935": 1000, "29941": 500},
    )
    s = combine(t, data, ["29929", "29935", "29941"], names={"29941": "Xã Tân Thành B"})
    assert s.points[2021].value == 1600.0
    assert 2022 not in s.points  # Bình Phú has figures, but not for 2022: no silent partial sum
    assert "chưa có số liệu: Xã Tân Thành B" in s.coverage


def test_status_table_gives_area_and_communes_and_2025_communes() -> None:
    t_area = target(
        code="jobs_created",
        kind="flow_per_year",
        scope="area",
        aggregation="sum",
        target=2250.0,
        unit="lao động/năm",
        tolerance=225.0,
        target_year=None,
    )
    t_commune = target()
    data = _data(
        [(u, "jobs_created", 2025, x) for u, x in (("29929", 900.0), ("29935", 800.0), ("29932", 600.0))]
        + [
            (u, "clean_water", y, x)
            for u in ("29929", "29935", "29932")
            for y, x in ((2020, 95.0), (2025, 99.5 if u != "29932" else 97.0))
        ],
        {"29929": 3000, "29935": 2000, "29932": 1000},
    )
    table = status_table([t_area, t_commune], data, years=[2025], include_out_of_scope=False)
    area = table[table["unit_code"] == "3XBG"]
    assert list(area["indicator"]) == ["jobs_created"]
    assert area.iloc[0]["value"] == 2300.0 and area.iloc[0]["status"] == "achieved"
    communes = table[table["indicator"] == "clean_water"]
    assert sorted(communes["unit_code"]) == ["29929", "29932", "29935"]
    ranked = ranking(table, "clean_water", 2025)
    assert ranked.iloc[0]["unit_code"] == "29932"  # the one that lags comes first

    t2025 = status_table([t_area, t_commune], data, vintage=2025, years=[2025])
    new = t2025[(t2025["indicator"] == "clean_water") & (t2025["level"] == "commune_2025")].set_index(
        "unit_code"
    )
    assert new.loc["29938", "value"] == pytest.approx(97.0)  # Tân Thành holds Thông Bình
    assert "chưa có số liệu: Xã Tân Thành A" in new.loc["29938", "coverage"]
    assert new.loc["29944", "status"] == "no_data"  # An Phước holds no plan commune
    assert "29944" not in set(ranking(t2025, "clean_water", 2025)["unit_code"])  # nor is it ranked
    assert not bool(new.loc["29938", "complete"])  # Tân Thành A has no figure: measured in part
    assert (new.loc["29938", "parts"], new.loc["29938", "parts_measured"]) == (2, 1)


def test_trajectory_frame_for_charts() -> None:
    frame = trajectory(target(), series({2020: 94.0, 2022: 95.0}))
    assert list(frame["year"]) == [2020, 2021, 2022, 2023, 2024, 2025]
    assert frame["required"].tolist() == pytest.approx([94, 95, 96, 97, 98, 99])
    assert frame["value"].isna().sum() == 4


def test_replace_keeps_targets_immutable() -> None:
    t = target()
    assert replace(t, target=50.0).target == 50.0 and t.target == 99.0
