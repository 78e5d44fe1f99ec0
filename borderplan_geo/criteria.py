"""The 19 criteria of the national rural-development programme (nông thôn mới).

Bộ tiêu chí quốc gia về xã nông thôn mới giai đoạn 2021–2025, Quyết định
318/QĐ-TTg of 8 March 2022. Each criterion of a commune in a year is judged
``dat`` (đạt), ``co_ban_dat`` (cơ bản đạt — appraisals use it for "nearly
met") or ``chua_dat`` (chưa đạt).

The plan's target (6) asks Tân Hộ Cơ and Bình Phú to reach the standard (all 19
``dat``) and Thông Bình to "cơ bản đạt 19 tiêu chí" (all 19 at least
``co_ban_dat``) by 2025.

Every surface that says where a commune stands on target (6) — the ranking,
the legend, the tooltip and label, the status table and the command line's
reason, the PDF, the PNG, the slides — takes its words from
:func:`ntm_standing`: the count of criteria split by level and whether the
commune reached the level the plan set *for it*.

>>> s = ntm_standing(["dat"] * 17 + ["co_ban_dat"] * 2, "co_ban_dat")
>>> s.count_text
'17 đạt, 2 cơ bản đạt'
>>> s.text
'17 đạt, 2 cơ bản đạt — đạt mức “cơ bản đạt 19 tiêu chí” Kế hoạch giao'
>>> ntm_standing(["dat"] * 17 + ["co_ban_dat"] * 2, "dat").text
'17 đạt, 2 cơ bản đạt — chưa đạt mức “đạt chuẩn nông thôn mới” Kế hoạch giao (còn 2 tiêu chí)'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .units import fold

CRITERIA_SOURCE = "Quyết định 318/QĐ-TTg ngày 08/3/2022 (Bộ tiêu chí quốc gia về xã nông thôn mới 2021–2025)"

#: Criterion number → its name, as the decision writes it.
CRITERIA: dict[int, str] = {
    1: "Quy hoạch",
    2: "Giao thông",
    3: "Thủy lợi và phòng, chống thiên tai",
    4: "Điện",
    5: "Trường học",
    6: "Cơ sở vật chất văn hóa",
    7: "Cơ sở hạ tầng thương mại nông thôn",
    8: "Thông tin và Truyền thông",
    9: "Nhà ở dân cư",
    10: "Thu nhập",
    11: "Nghèo đa chiều",
    12: "Lao động",
    13: "Tổ chức sản xuất và phát triển kinh tế nông thôn",
    14: "Giáo dục và Đào tạo",
    15: "Y tế",
    16: "Văn hóa",
    17: "Môi trường và an toàn thực phẩm",
    18: "Hệ thống chính trị và tiếp cận pháp luật",
    19: "Quốc phòng và An ninh",
}

#: The three levels, best first.
LEVELS: tuple[str, ...] = ("dat", "co_ban_dat", "chua_dat")
LEVEL_LABELS: dict[str, str] = {"dat": "Đạt", "co_ban_dat": "Cơ bản đạt", "chua_dat": "Chưa đạt"}
_LEVEL_RANK = {"dat": 2, "co_ban_dat": 1, "chua_dat": 0}

_ALIASES = {
    "dat": "dat",
    "da dat": "dat",
    "yes": "dat",
    "met": "dat",
    "co ban dat": "co_ban_dat",
    "co_ban_dat": "co_ban_dat",
    "cbd": "co_ban_dat",
    "nearly met": "co_ban_dat",
    "chua dat": "chua_dat",
    "chua_dat": "chua_dat",
    "khong dat": "chua_dat",
    "no": "chua_dat",
    "not met": "chua_dat",
}


def parse_level(text: object) -> str:
    """Read a criterion level as people write it ("Đạt", "cơ bản đạt", "chua_dat").

    Raises
    ------
    ValueError
        For anything else, with a Vietnamese message listing the accepted words.
    """
    key = fold(str(text)).replace("_", " ").strip()
    key = key.replace("  ", " ")
    level = _ALIASES.get(key) or _ALIASES.get(key.replace(" ", "_"))
    if level is None:
        raise ValueError(f"'{text}' không phải mức đánh giá tiêu chí (Đạt / Cơ bản đạt / Chưa đạt)")
    return level


def meets(level: str, required: str) -> bool:
    """True when ``level`` is at least ``required`` (``co_ban_dat`` ≥ ``chua_dat``)."""
    return _LEVEL_RANK[level] >= _LEVEL_RANK[required]


#: What the plan asks of a commune, by the level its criteria must reach (target II.(6)).
TARGET_LEVEL_NAMES: dict[str, str] = {
    "dat": "đạt chuẩn nông thôn mới",
    "co_ban_dat": "cơ bản đạt 19 tiêu chí",
}


def worst_level(levels: Sequence[str]) -> str:
    """The lowest of some levels (a merged commune meets a criterion only if every part does)."""
    return min(levels, key=_LEVEL_RANK.__getitem__)


@dataclass(frozen=True)
class NtmStanding:
    """Where a commune stands on the 19 criteria against the level the plan set for it.

    ``levels`` holds the level of each criterion, in criterion order;
    ``required`` is the level the plan asks (``dat``: đạt chuẩn; ``co_ban_dat``:
    cơ bản đạt 19 tiêu chí).
    """

    levels: tuple[str, ...]
    required: str

    @property
    def counts(self) -> dict[str, int]:
        """Criteria at each level, best first (levels with none included, as 0)."""
        return {level: sum(1 for lv in self.levels if lv == level) for level in LEVELS}

    @property
    def at_level(self) -> int:
        """Criteria at the required level or better (the figure the status engine judges)."""
        return sum(1 for lv in self.levels if meets(lv, self.required))

    @property
    def short(self) -> list[int]:
        """Numbers of the criteria below the required level."""
        return [i for i, lv in enumerate(self.levels, start=1) if not meets(lv, self.required)]

    @property
    def met(self) -> bool:
        """True when all 19 criteria are at the required level."""
        return len(self.levels) == len(CRITERIA) and not self.short

    @property
    def target_name(self) -> str:
        """The plan's words for the level asked: "cơ bản đạt 19 tiêu chí"."""
        return TARGET_LEVEL_NAMES.get(self.required, f"{LEVEL_LABELS[self.required].lower()} 19 tiêu chí")

    @property
    def count_text(self) -> str:
        """The count split by level: "17 đạt, 2 cơ bản đạt" (levels with none left out)."""
        parts = [f"{n} {LEVEL_LABELS[level].lower()}" for level, n in self.counts.items() if n]
        return ", ".join(parts) or "chưa có đánh giá"

    @property
    def verdict(self) -> str:
        """Whether the commune's own level is reached: "đạt mức “…” Kế hoạch giao"."""
        if self.met:
            return f"đạt mức “{self.target_name}” Kế hoạch giao"
        return f"chưa đạt mức “{self.target_name}” Kế hoạch giao (còn {len(self.short)} tiêu chí)"

    @property
    def text(self) -> str:
        """The one answer: count by level, then the verdict against the commune's own target."""
        return f"{self.count_text} — {self.verdict}"


def ntm_standing(levels: Sequence[str], required: str) -> NtmStanding:
    """The standing of one commune (or a merged one: pass the worst level of each criterion)."""
    return NtmStanding(tuple(levels), required)
