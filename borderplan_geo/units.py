"""Administrative units of huyện Tân Hồng, before and since 1 July 2025.

The plan (Kế hoạch 03 xã biên giới 2020–2025) speaks of three communes on the
Cambodian border: Tân Hộ Cơ, Bình Phú and Thông Bình. They are three of the nine
units (đơn vị hành chính cấp xã) of huyện Tân Hồng (GSO 869), tỉnh Đồng Tháp.
On 1 July 2025 (Nghị quyết 1663/NQ-UBTVQH15) districts were abolished and the
nine units were merged, whole, into four communes.

Codes and names: PyPI package ``vietnamadminunits`` 1.0.4 (MIT), as copied in
``data/reference/``. A code alone is ambiguous across the two vintages (29929
is Tân Hộ Cơ both before and after), so every lookup names its vintage.

People write a commune many ways in spreadsheets; :func:`resolve_unit` accepts
"Tân Hộ Cơ", "xã Tân Hộ Cơ", "X. Tân Hộ Cơ", "TÂN HỘ CƠ", "Tan Ho Co",
"tan ho co" and "29929" alike, and refuses an unknown or ambiguous name with a
message that lists what it could have meant.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ._errors import UnitNameError

Vintage = Literal[2020, 2025]

#: Pseudo-unit for the three plan communes taken together ("3 xã biên giới").
AREA_CODE = "3XBG"
AREA_NAME = "3 xã biên giới"

DISTRICT_CODE = "869"
DISTRICT_NAME = "Huyện Tân Hồng"
PROVINCE_CODE = "87"
PROVINCE_NAME = "Tỉnh Đồng Tháp"


@dataclass(frozen=True)
class Unit:
    """One administrative unit (xã or thị trấn) of one vintage."""

    code: str
    name: str
    """Full name with its type, as official lists write it ("Xã Tân Hộ Cơ")."""
    short_name: str
    """Name without the type ("Tân Hộ Cơ")."""
    unit_type: str
    """"Xã" or "Thị trấn"."""
    vintage: int
    """2020 for the units before 1 July 2025, 2025 for those since."""
    in_plan: bool = False
    """True for the three border communes the plan covers (2020 vintage only)."""
    merged_into: str | None = None
    """2020 units: code of the 2025 commune it became part of."""


UNITS_2020: tuple[Unit, ...] = (
    Unit("29926", "Thị trấn Sa Rài", "Sa Rài", "Thị trấn", 2020, False, "29926"),
    Unit("29929", "Xã Tân Hộ Cơ", "Tân Hộ Cơ", "Xã", 2020, True, "29929"),
    Unit("29932", "Xã Thông Bình", "Thông Bình", "Xã", 2020, True, "29938"),
    Unit("29935", "Xã Bình Phú", "Bình Phú", "Xã", 2020, True, "29926"),
    Unit("29938", "Xã Tân Thành A", "Tân Thành A", "Xã", 2020, False, "29938"),
    Unit("29941", "Xã Tân Thành B", "Tân Thành B", "Xã", 2020, False, "29929"),
    Unit("29944", "Xã Tân Phước", "Tân Phước", "Xã", 2020, False, "29944"),
    Unit("29947", "Xã Tân Công Chí", "Tân Công Chí", "Xã", 2020, False, "29926"),
    Unit("29950", "Xã An Phước", "An Phước", "Xã", 2020, False, "29944"),
)

UNITS_2025: tuple[Unit, ...] = (
    Unit("29926", "Xã Tân Hồng", "Tân Hồng", "Xã", 2025),
    Unit("29929", "Xã Tân Hộ Cơ", "Tân Hộ Cơ", "Xã", 2025),
    Unit("29938", "Xã Tân Thành", "Tân Thành", "Xã", 2025),
    Unit("29944", "Xã An Phước", "An Phước", "Xã", 2025),
)

#: The plan's three communes, west to east: Bình Phú, Tân Hộ Cơ, Thông Bình.
PLAN_CODES: tuple[str, ...] = ("29935", "29929", "29932")

#: Source of the merger table.
MERGER_SOURCE = "Nghị quyết 1663/NQ-UBTVQH15 ngày 16/6/2025 (hiệu lực 1/7/2025)"


def units(vintage: int = 2020) -> tuple[Unit, ...]:
    """The units of one vintage, in GSO code order."""
    if vintage == 2020:
        return UNITS_2020
    if vintage == 2025:
        return UNITS_2025
    raise ValueError(f"vintage must be 2020 or 2025, not {vintage!r}")


def plan_units() -> tuple[Unit, ...]:
    """The three border communes of the plan, west to east."""
    by_code = {u.code: u for u in UNITS_2020}
    return tuple(by_code[c] for c in PLAN_CODES)


def get_unit(code: str, vintage: int = 2020) -> Unit:
    """The unit with this GSO code in this vintage (``KeyError`` if none)."""
    for u in units(vintage):
        if u.code == str(code).strip():
            return u
    raise KeyError(code)


def unit_name(code: str, vintage: int = 2020) -> str:
    """Display name of a code, the 3-commune area included."""
    if code == AREA_CODE:
        return AREA_NAME
    try:
        return get_unit(code, vintage).name
    except KeyError:
        return code


def merger_table() -> dict[str, tuple[str, ...]]:
    """2025 commune code → the 2020 unit codes it was formed from."""
    out: dict[str, list[str]] = {u.code: [] for u in UNITS_2025}
    for old in UNITS_2020:
        assert old.merged_into is not None
        out[old.merged_into].append(old.code)
    return {k: tuple(v) for k, v in out.items()}


def new_unit_of(old_code: str) -> Unit:
    """The 2025 commune a 2020 unit became part of."""
    old = get_unit(old_code, 2020)
    assert old.merged_into is not None
    return get_unit(old.merged_into, 2025)


# --- Name normalisation ---------------------------------------------------

# Prefixes people put before a commune name, longest first.
_PREFIXES = (
    "thi tran",
    "t.tran",
    "tt.",
    "tt",
    "xa",
    "x.",
    "x",
    "phuong",
    "p.",
)


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese accents (đ → d) and squeeze spaces.

    >>> fold("  TÂN  HỘ CƠ ")
    'tan ho co'

    Short texts (names, headers, choices) are remembered: an import folds the same
    few names for every row.
    """
    text = str(text)
    return _fold_short(text) if len(text) <= _FOLD_CACHED_CHARS else _fold(text)


#: Texts up to this length are folded once and remembered (names, headers, choices).
_FOLD_CACHED_CHARS = 200


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = text.replace("đ", "d").replace("Đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    bare = re.sub(r"[_\-–—,;:]+", " ", bare)
    return re.sub(r"\s+", " ", bare).strip()


_fold_short = functools.lru_cache(maxsize=8192)(_fold)


def _strip_prefix(folded: str) -> str:
    for prefix in _PREFIXES:
        if folded.startswith(prefix):
            rest = folded[len(prefix) :]
            # "x." and "tt." may touch the name ("X.Tân Hộ Cơ"); words need a space.
            if prefix.endswith(".") or rest.startswith(" "):
                stripped = rest.strip(" .")
                if stripped:
                    return stripped
    return folded


def _keys(unit: Unit) -> set[str]:
    short = fold(unit.short_name)
    return {short, short.replace(" ", ""), fold(unit.name)}


def resolve_unit(name: object, vintage: int = 2020) -> Unit:
    """Map the way a commune is written to its unit.

    Parameters
    ----------
    name
        A name in any common form ("X. Tân Hộ Cơ", "tan ho co", "TÂN HỘ CƠ")
        or a GSO code ("29929", 29929).
    vintage
        2020 for the units the plan was written for, 2025 for the communes
        since 1 July 2025.

    Raises
    ------
    UnitNameError
        When the name matches no unit of the vintage, or several.
    """
    raw = "" if name is None else str(name)
    text = raw.strip()
    if text.endswith(".0") and text[:-2].isdigit():  # 29929.0 from a spreadsheet
        text = text[:-2]
    if not text:
        raise UnitNameError(raw, "tên xã trống")
    pool = units(vintage)
    if text.isdigit():
        matches = [u for u in pool if u.code == text.zfill(5)]
        if matches:
            return matches[0]
        raise UnitNameError(
            raw,
            f"mã '{text}' không phải mã xã nào của huyện Tân Hồng (đơn vị {_vintage_label(vintage)})",
            tuple(f"{u.code} {u.name}" for u in pool),
        )
    key = _strip_prefix(fold(text))
    key = re.sub(r"\s*\(.*\)$", "", key).strip()  # "Tân Hộ Cơ (cũ)"
    exact = [u for u in pool if key in _keys(u) or key.replace(" ", "") in _keys(u)]
    if len(exact) == 1:
        return exact[0]
    # A name that starts several units ("Tân Thành" for Tân Thành A and B).
    partial = [u for u in pool if fold(u.short_name).startswith(key + " ")]
    if len(partial) == 1:
        return partial[0]
    if len(partial) > 1:
        names = tuple(u.name for u in partial)
        raise UnitNameError(
            raw,
            f"tên '{raw.strip()}' không rõ là xã nào: có thể là {' hoặc '.join(names)}",
            names,
        )
    other = 2025 if vintage == 2020 else 2020
    elsewhere = [u for u in units(other) if key in _keys(u)]
    if elsewhere and vintage == 2020:
        new = elsewhere[0]
        parts = ", ".join(old.name for old in UNITS_2020 if old.merged_into == new.code)
        raise UnitNameError(
            raw,
            f"'{raw.strip()}' là xã mới từ 1/7/2025 (gộp từ {parts}); số liệu theo đơn vị trước 1/7/2025 "
            "cần ghi tên xã cũ",
            tuple(old.name for old in UNITS_2020 if old.merged_into == new.code),
        )
    if elsewhere and vintage == 2025:
        old_unit = elsewhere[0]
        new_of_old = next(u for u in UNITS_2025 if u.code == old_unit.merged_into)
        raise UnitNameError(
            raw,
            f"'{raw.strip()}' là đơn vị trước 1/7/2025, nay thuộc {new_of_old.name}",
            (new_of_old.name,),
        )
    hint = _closest(key, pool)
    suffix = f"; có phải '{hint.name}'?" if hint else ""
    raise UnitNameError(
        raw,
        f"không nhận ra tên xã '{raw.strip()}' trong huyện Tân Hồng "
        f"(đơn vị {_vintage_label(vintage)}){suffix}",
        tuple(u.name for u in pool),
    )


def try_resolve(name: object, vintage: int = 2020) -> Unit | None:
    """Like :func:`resolve_unit`, but ``None`` instead of an error."""
    try:
        return resolve_unit(name, vintage)
    except UnitNameError:
        return None


def _vintage_label(vintage: int) -> str:
    return "trước 1/7/2025" if vintage == 2020 else "từ 1/7/2025"


def _closest(key: str, pool: Iterable[Unit]) -> Unit | None:
    """The unit whose folded name is closest to ``key`` (at most 3 edits away)."""
    best: tuple[int, Unit] | None = None
    for u in pool:
        d = _edit_distance(key, fold(u.short_name))
        if d <= 3 and (best is None or d < best[0]):
            best = (d, u)
    return best[1] if best else None


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
