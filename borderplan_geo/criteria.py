"""The 19 criteria of the national rural-development programme (nông thôn mới).

Bộ tiêu chí quốc gia về xã nông thôn mới giai đoạn 2021–2025, Quyết định
318/QĐ-TTg of 8 March 2022. Each criterion of a commune in a year is judged
``dat`` (đạt), ``co_ban_dat`` (cơ bản đạt — appraisals use it for "nearly
met") or ``chua_dat`` (chưa đạt).

The plan's target (6) asks Tân Hộ Cơ and Bình Phú to reach the standard (all 19
``dat``) and Thông Bình to "cơ bản đạt 19 tiêu chí" (all 19 at least
``co_ban_dat``) by 2025.
"""

from __future__ import annotations

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
