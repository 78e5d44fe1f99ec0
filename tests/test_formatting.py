"""Vietnamese number formats, both ways."""

from __future__ import annotations

import pytest

from borderplan_geo.formatting import format_number, format_percent, format_vnd, parse_number


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (2250, None, "2.250"),
        (68.5, None, "68,5"),
        (68.25, 1, "68,2"),
        (1234567.891, 1, "1.234.567,9"),
        (-3.2, 1, "-3,2"),
        (0.64, None, "0,64"),
        (-0.0001, 1, "0,0"),
        (None, None, "–"),
        (float("nan"), None, "–"),
    ],
)
def test_format_number(value: float | None, decimals: int | None, text: str) -> None:
    assert format_number(value, decimals) == text


def test_format_percent_and_money() -> None:
    assert format_percent(99) == "99,0 %"
    assert format_vnd(12_500_000_000) == "12,5 tỷ đồng"
    assert format_vnd(850_000_000) == "850 triệu đồng"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("68,5", 68.5),
        ("2.250", 2250.0),
        ("1.234.567,8", 1234567.8),
        ("68.5", 68.5),
        ("1,234,567", 1234567.0),
        ("2,250", 2.25),
        ("12 %", 12.0),
        ("1 250", 1250.0),
        ("-1,5", -1.5),
        ("0.640", 0.64),
        (7, 7.0),
        (" 99,3\u00a0", 99.3),
    ],
)
def test_parse_number(text: object, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "12,3,4", "1.2.3", "--", True])
def test_parse_number_refuses_what_is_not_a_number(text: object) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


def test_roundtrip() -> None:
    for x in (0.5, 68.5, 2250, 1234567.8, 99.25):
        assert parse_number(format_number(x)) == pytest.approx(x)
