"""Units and commune-name normalisation."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from borderplan_geo.units import (
    PLAN_CODES,
    UnitNameError,
    fold,
    merger_table,
    new_unit_of,
    plan_units,
    resolve_unit,
    units,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "written",
    [
        "Tân Hộ Cơ",
        "xã Tân Hộ Cơ",
        "Xã Tân Hộ Cơ",
        "X. Tân Hộ Cơ",
        "X.Tân Hộ Cơ",
        "x tân hộ cơ",
        "TÂN HỘ CƠ",
        "XÃ TÂN HỘ CƠ",
        "Tan Ho Co",
        "tan ho co",
        "  tan   ho  co ",
        "TanHoCo",
        "29929",
        29929,
        "29929.0",
        "Tân Hộ Cơ (cũ)",
    ],
)
def test_every_common_spelling_of_tan_ho_co_resolves(written: object) -> None:
    assert resolve_unit(written).code == "29929"


def test_decomposed_unicode_is_the_same_name() -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Thông Bình")
    assert resolve_unit(nfd).code == "29932"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Thị trấn Sa Rài", "29926"),
        ("TT Sa Rài", "29926"),
        ("TT. Sa Rài", "29926"),
        ("sa rai", "29926"),
        ("Bình Phú", "29935"),
        ("binh phu", "29935"),
        ("Tân Thành A", "29938"),
        ("tan thanh b", "29941"),
        ("Tân Công Chí", "29947"),
        ("X. An Phước", "29950"),
    ],
)
def test_other_units_and_prefixes(written: str, code: str) -> None:
    assert resolve_unit(written).code == code


def test_d_with_stroke_folds_to_d() -> None:
    assert fold("Đinh Bà") == "dinh ba"


def test_unknown_name_is_refused_with_a_suggestion() -> None:
    with pytest.raises(UnitNameError) as err:
        resolve_unit("Tân Hộ Co0")
    assert "không nhận ra" in str(err.value)
    assert "Tân Hộ Cơ" in str(err.value)  # the closest name is suggested


def test_name_of_another_district_is_refused() -> None:
    with pytest.raises(UnitNameError, match="không nhận ra tên xã 'Mỹ Tho'"):
        resolve_unit("Mỹ Tho")


def test_ambiguous_name_lists_the_candidates() -> None:
    with pytest.raises(UnitNameError) as err:
        resolve_unit("Tân Thành", 2020)
    assert "không rõ" in str(err.value)
    assert set(err.value.candidates) == {"Xã Tân Thành A", "Xã Tân Thành B"}


def test_the_same_name_is_not_ambiguous_in_2025() -> None:
    assert resolve_unit("Tân Thành", 2025).code == "29938"
    assert resolve_unit("xã Tân Hồng", 2025).code == "29926"


def test_codes_belong_to_a_vintage() -> None:
    assert resolve_unit("29926", 2020).name == "Thị trấn Sa Rài"
    assert resolve_unit("29926", 2025).name == "Xã Tân Hồng"
    with pytest.raises(UnitNameError, match="không phải mã xã"):
        resolve_unit("29935", 2025)  # Bình Phú no longer exists


def test_empty_name_is_an_error() -> None:
    with pytest.raises(UnitNameError, match="trống"):
        resolve_unit("  ")


def test_plan_units_are_the_three_border_communes_west_to_east() -> None:
    assert [u.short_name for u in plan_units()] == ["Bình Phú", "Tân Hộ Cơ", "Thông Bình"]
    assert {u.code for u in units(2020) if u.in_plan} == set(PLAN_CODES)


def test_merger_table_matches_the_resolution_and_the_facts() -> None:
    merged = merger_table()
    assert merged == {
        "29926": ("29926", "29935", "29947"),
        "29929": ("29929", "29941"),
        "29938": ("29932", "29938"),
        "29944": ("29944", "29950"),
    }
    assert new_unit_of("29932").name == "Xã Tân Thành"
    with (ROOT / "data" / "reference" / "tan_hong_communes_2020_2025.csv").open(encoding="utf-8") as f:
        facts = list(csv.DictReader(f))
    assert len(facts) == 9
    for row in facts:
        unit = resolve_unit(row["gso_code"])
        assert unit.name == row["name"]
        assert unit.merged_into == row["merged_2025_into_code"]
        assert unit.in_plan == (row["in_plan"] == "yes")
