"""Numbers and dates written the Vietnamese way.

Vietnamese uses a comma for decimals and a dot between thousands:
68,5 triệu đồng; 2.250 lao động; 1.234.567,8. Every figure the app, the
exports and the command line's ``table`` format show passes through here.
"""

from __future__ import annotations

import math
import re

_NBSP = "\u00a0"


def format_number(value: float | int | None, decimals: int | None = None, *, missing: str = "–") -> str:
    """Format a number in Vietnamese style.

    Parameters
    ----------
    value
        The number; ``None`` or NaN gives ``missing``.
    decimals
        Digits after the comma. ``None`` chooses: none for whole numbers, else
        up to 2 with trailing zeros dropped.

    >>> format_number(2250)
    '2.250'
    >>> format_number(68.5)
    '68,5'
    >>> format_number(-1234567.891, 1)
    '-1.234.567,9'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    if decimals is None:
        if float(value).is_integer():
            decimals = 0
        else:
            text = f"{float(value):.2f}".rstrip("0")
            decimals = len(text.split(".")[1]) if "." in text else 0
    text = f"{abs(float(value)):,.{decimals}f}"
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if float(value) < 0 and any(ch not in "0.," for ch in text):
        text = "-" + text
    return text


def format_percent(value: float | None, decimals: int | None = 1, *, missing: str = "–") -> str:
    """A percentage: ``format_percent(68.25)`` → ``'68,3 %'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return f"{format_number(value, decimals)} %"


def format_vnd(amount: float | None, *, missing: str = "–") -> str:
    """An amount of Vietnamese đồng in the unit a planner reads.

    >>> format_vnd(12_500_000_000)
    '12,5 tỷ đồng'
    >>> format_vnd(850_000_000)
    '850 triệu đồng'
    """
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return missing
    if abs(amount) >= 1e9:
        return f"{format_number(round(amount / 1e9, 2))} tỷ đồng"
    if abs(amount) >= 1e6:
        return f"{format_number(round(amount / 1e6, 1))} triệu đồng"
    return f"{format_number(round(amount))} đồng"


_MACHINE = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")


def format_size(size: int) -> str:
    """A file size: "50 MB", "1,5 MB", "800 kB" (one decimal from 1 MB up, none when it is whole)."""
    mib = 1024 * 1024
    if size >= mib:
        return f"{format_number(size / mib, 0 if size % mib == 0 else 1)} MB"
    return f"{format_number(size / 1024, 0)} kB"


def parse_number(text: object, *, machine: bool = False) -> float:
    """Read a number written the Vietnamese or the English way.

    Vietnamese first: a single comma is the decimal mark (``68,5``; so
    ``2,250`` is 2,25), a dot before exactly three digits separates thousands
    (``2.250`` is 2250). Also accepts ``1.234.567,8``, ``68.5``, ``12 %``,
    ``1 250`` and English thousands with several commas (``1,234,567``).

    With ``machine=True`` (the data folder's own files, written by programs
    with a dot decimal and no grouping) a plain ``1.250`` is 1,25; anything
    else is still read the Vietnamese way.

    Raises
    ------
    ValueError
        When the text is not a number; the message is in Vietnamese.

    >>> parse_number("68,5"), parse_number("2.250"), parse_number("1.234.567,8")
    (68.5, 2250.0, 1234567.8)
    """
    if isinstance(text, bool):
        raise ValueError(f"'{text}' không phải là số")
    if isinstance(text, int | float):
        if isinstance(text, float) and math.isnan(text):
            raise ValueError("ô trống")
        return float(text)
    raw = str(text).strip()
    if machine and _MACHINE.fullmatch(raw):
        return float(raw)
    s = raw.replace(_NBSP, " ").replace("\u202f", " ").replace("%", "").strip()
    s = s.replace(" ", "")
    if not s:
        raise ValueError("ô trống")
    neg = s.startswith("-") or s.startswith("−")
    s = s.lstrip("-−+")
    if not re.fullmatch(r"[0-9.,]+", s) or not re.search(r"[0-9]", s):
        raise ValueError(f"'{raw}' không phải là số")
    has_dot, has_comma = "." in s, "," in s
    if has_dot and has_comma:
        # The separator that comes last is the decimal one.
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif has_comma:
        parts = s.split(",")
        if len(parts) == 2:
            s = s.replace(",", ".")  # Vietnamese decimal comma: "68,5", "2,250" = 2,25
        elif all(len(p) == 3 for p in parts[1:]):
            s = s.replace(",", "")  # English thousands: "1,234,567"
        else:
            raise ValueError(f"'{raw}' không phải là số")
    elif has_dot:
        parts = s.split(".")
        if len(parts) > 2:
            if all(len(p) == 3 for p in parts[1:]):
                s = s.replace(".", "")
            else:
                raise ValueError(f"'{raw}' không phải là số")
        elif len(parts[1]) == 3 and parts[0] not in ("", "0"):
            # "2.250": the Vietnamese thousands dot.
            s = s.replace(".", "")
    try:
        value = float(s)
    except ValueError as exc:  # pragma: no cover - the regex above guards this
        raise ValueError(f"'{raw}' không phải là số") from exc
    return -value if neg else value
