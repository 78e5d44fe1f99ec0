"""Write the shipped indicator tables of ``data/indicators/``.

Run from the repository root: ``python tools/build_indicators.py``.

What is real and what is not
----------------------------
The few commune-level figures found in public sources (``../shared/plan/DOMAIN.md``)
go in with their sources and ``illustrative = false``:

* Bình Phú, 2021: income above 50 triệu đồng/người and poor households below
  0,64 % (tanhong.dongthap.gov.vn). The value is the bound; the note says so.
* Bình Phú, 2021: recognised as meeting the rural-development standard, which
  means all 19 criteria ``dat``.
* Tân Hộ Cơ, 2020: proposed by the provincial appraisal council (13/4/2021)
  for recognition for 2020, which means all 19 criteria ``dat``.
* Reference series: the province's 8 border communes in 2020 (income above 48
  triệu, poverty 3,29 %, 100 % households with hygienic water) and the
  district's recognition as a rural-development district for 2024.

Everything else — every other value, criterion, population and the province's
enrolment average — is ILLUSTRATIVE: invented to show how the tool behaves,
plausible in size, and flagged ``illustrative = true`` with a source that says
so. It must be replaced by the communes' reported figures.
"""

from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "indicators"
YEARS = (2020, 2021, 2022, 2023, 2024, 2025)

ILLUSTRATIVE = (
    "MINH HỌA — số liệu giả định do BorderPlan Geo tạo để trình diễn, không phải số liệu báo cáo; "
    "cần thay bằng số liệu của xã/huyện"
)
BP_2021 = (
    "Cổng TTĐT huyện Tân Hồng (tanhong.dongthap.gov.vn): xã Bình Phú đạt chuẩn nông thôn mới năm 2021 "
    "(lễ công bố 14/7/2022); cuối năm 2021 thu nhập bình quân trên 50 triệu đồng/người, hộ nghèo dưới 0,64 %"
)
BP_NTM_2021 = (
    "Cổng TTĐT huyện Tân Hồng (tanhong.dongthap.gov.vn): xã Bình Phú được công nhận đạt chuẩn nông thôn mới "
    "năm 2021 (lễ công bố 14/7/2022) — đạt chuẩn nghĩa là đạt đủ 19 tiêu chí"
)
THC_NTM_2020 = (
    "Hội đồng thẩm định tỉnh Đồng Tháp đề nghị công nhận xã Tân Hộ Cơ đạt chuẩn nông thôn mới năm 2020 "
    "(13/4/2021) — đề nghị công nhận nghĩa là đã đạt đủ 19 tiêu chí"
)
BORDER8 = "Báo cáo đề án phát triển KT-XH 08 xã biên giới tỉnh Đồng Tháp (số liệu năm 2020, chung 8 xã)"
DISTRICT_NTM = "Quyết định 654/QĐ-TTg ngày 21/3/2025: huyện Tân Hồng đạt chuẩn nông thôn mới năm 2024"

THC, TB, BP = "29929", "29932", "29935"

# Illustrative series, 2020–2025, per plan commune. None = no figure that year.
SERIES: dict[str, dict[str, list[float | None]]] = {
    "income_per_capita": {  # triệu đồng/người/năm
        THC: [48.1, 50.2, 54.6, 58.3, 62.9, 67.1],
        BP: [46.8, 50.0, 54.2, 57.9, 61.5, 65.8],  # 2021 is the reported lower bound
        TB: [43.9, 45.1, 48.8, 52.0, 55.6, 59.4],
    },
    "budget_revenue_growth": {  # tỷ đồng thu ngân sách trên địa bàn
        THC: [18.5, 19.2, 22.8, 25.9, 29.7, 33.4],
        BP: [6.2, 6.5, 7.3, 8.1, 8.9, 9.8],
        TB: [4.1, 4.3, 4.6, 5.0, 5.5, 6.0],
    },
    "exemplary_coops": {
        THC: [0, 0, 1, 1, 1, 1],
        BP: [0, 0, 0, 1, 1, 1],
        TB: [0, 0, 0, 0, 0, 1],
    },
    "school_enrolment": {
        THC: [97.6, 97.9, 98.3, 98.4, 98.7, 98.9],
        BP: [98.0, 98.1, 98.2, 98.6, 98.8, 99.0],
        TB: [95.9, 96.3, 96.8, 97.1, 97.6, 98.0],
    },
    "poverty_reduction": {  # tỷ lệ hộ nghèo, %
        THC: [3.8, 2.6, 1.9, 1.2, 0.9, 0.7],
        BP: [2.9, 0.64, 0.6, 0.5, 0.45, 0.4],  # 2021 is the reported upper bound
        TB: [5.6, 4.5, None, 2.6, 1.8, 1.1],  # 2022 missing on purpose: shows averaging
    },
    "jobs_created": {
        THC: [820, 760, 850, 900, 940, 960],
        BP: [700, 640, 720, 760, 790, 800],
        TB: [560, 500, 580, 610, 630, 650],
    },
    "overseas_workers": {
        THC: [14, 6, 12, 17, 19, 20],
        BP: [12, 4, 10, 14, 15, 16],
        TB: [9, 3, 8, 11, 12, 13],
    },
    "health_insurance": {
        THC: [86.5, 88.9, 90.7, 92.4, 93.8, 95.2],
        BP: [88.1, 90.3, 92.0, 93.6, 94.9, 95.6],
        TB: [83.2, 85.0, 86.1, 87.9, 89.6, 91.3],
    },
    "clean_water": {
        THC: [94.2, 95.3, 96.1, 97.2, 98.1, 99.1],
        BP: [95.5, 96.4, 97.3, 98.2, 98.8, 99.3],
        TB: [90.8, 92.0, 93.1, 94.6, 95.8, 96.9],
    },
    "waste_collection": {
        THC: [72.0, 76.0, 79.0, 81.5, 83.0, 85.0],
        BP: [70.0, 74.5, 78.0, 80.5, 82.0, 84.0],
        TB: [61.0, 66.0, 70.0, 73.5, 76.4, 78.2],
    },
    "child_health_insurance": {
        THC: [97.5, 98.2, 99.0, 99.4, 100.0, 100.0],
        BP: [98.1, 98.9, 99.5, 100.0, 100.0, 100.0],
        TB: [95.4, 96.2, 97.1, 97.9, 98.6, 99.2],
    },
    "birth_registration": {
        THC: [98.9, 99.3, 99.6, 100.0, 100.0, 100.0],
        BP: [99.1, 99.5, 100.0, 100.0, 100.0, 100.0],
        TB: [97.6, 98.3, 98.9, 99.4, 99.7, 100.0],
    },
    "full_immunisation": {
        THC: [96.8, 95.2, 97.9, 98.4, 98.7, 99.0],
        BP: [97.4, 96.1, 98.3, 98.6, 98.9, 99.1],
        TB: [95.1, 93.8, 96.5, 97.4, 97.9, 98.3],
    },
    "urban_type_v": {  # Dinh Bà area, in Tân Hộ Cơ; 2025 appraisal not known: no figure
        THC: [0, 0, 0, 0, 0, None],
    },
}

# Reported figures: (unit, indicator, year) → (source, note).
REPORTED = {
    (BP, "income_per_capita", 2021): (BP_2021, "trên 50 triệu đồng/người: giá trị ghi là cận dưới"),
    (BP, "poverty_reduction", 2021): (BP_2021, "dưới 0,64 %: giá trị ghi là cận trên"),
}

# Criteria (numbers) that are not "dat", per commune and year; the rest are "dat".
CRITERIA_GAPS: dict[str, dict[int, dict[str, list[int]]]] = {
    THC: {
        2020: {},  # reported: proposed for recognition
        2021: {},
        2022: {"co_ban_dat": [17]},
        2023: {},
        2024: {},
        2025: {},
    },
    BP: {
        2020: {"co_ban_dat": [2, 17], "chua_dat": [10]},
        2021: {},  # reported: recognised
        2022: {},
        2023: {},
        2024: {"co_ban_dat": [17]},
        2025: {},
    },
    TB: {
        2020: {"co_ban_dat": [3, 5, 14], "chua_dat": [2, 10, 13, 17]},
        2021: {"co_ban_dat": [3, 5, 14], "chua_dat": [2, 13, 17]},
        2022: {"co_ban_dat": [3, 5, 14], "chua_dat": [13, 17]},
        2023: {"co_ban_dat": [3, 5, 14, 2], "chua_dat": [17]},
        2024: {"co_ban_dat": [3, 14, 17, 13]},
        2025: {"co_ban_dat": [14, 17]},
    },
}
CRITERIA_REPORTED = {(THC, 2020): THC_NTM_2020, (BP, 2021): BP_NTM_2021}

# Illustrative population and households in 2020, all nine 2020 units.
POPULATION_2020 = {
    "29926": (11600, 3180),
    THC: (11900, 3270),
    TB: (8700, 2390),
    BP: (10100, 2780),
    "29938": (8300, 2280),
    "29941": (7600, 2090),
    "29944": (10800, 2970),
    "29947": (12400, 3410),
    "29950": (6900, 1900),
}

PROVINCE_ENROLMENT = [97.2, 97.5, 97.8, 98.0, 98.3, 98.5]


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    values: list[list[object]] = []
    for indicator, per_unit in SERIES.items():
        for unit, series in per_unit.items():
            for year, value in zip(YEARS, series, strict=True):
                if value is None:
                    continue
                source, note = REPORTED.get((unit, indicator, year), (ILLUSTRATIVE, ""))
                illustrative = source == ILLUSTRATIVE
                values.append([unit, indicator, year, _fmt(value), source, str(illustrative).lower(), note])
    _write(
        OUT / "values.csv",
        ["unit_code", "indicator", "year", "value", "source", "illustrative", "note"],
        values,
    )

    criteria: list[list[object]] = []
    for unit, by_year in CRITERIA_GAPS.items():
        for year, gaps in by_year.items():
            level_of = {n: level for level, ns in gaps.items() for n in ns}
            source = CRITERIA_REPORTED.get((unit, year), ILLUSTRATIVE)
            for n in range(1, 20):
                criteria.append(
                    [unit, year, n, level_of.get(n, "dat"), source, str(source == ILLUSTRATIVE).lower()]
                )
    _write(
        OUT / "criteria.csv", ["unit_code", "year", "criterion", "level", "source", "illustrative"], criteria
    )

    population: list[list[object]] = []
    for unit, (pop, hh) in POPULATION_2020.items():
        for i, year in enumerate(YEARS):
            growth = 1.004**i
            population.append([unit, year, round(pop * growth), round(hh * 1.009**i), ILLUSTRATIVE, "true"])
    _write(
        OUT / "population.csv",
        ["unit_code", "year", "population", "households", "source", "illustrative"],
        population,
    )

    reference: list[list[object]] = []
    for year, value in zip(YEARS, PROVINCE_ENROLMENT, strict=True):
        reference.append(
            [
                "province_school_enrolment",
                year,
                _fmt(value),
                "%",
                "Tỷ lệ huy động học sinh ra lớp bình quân tỉnh Đồng Tháp",
                ILLUSTRATIVE,
                "true",
                "",
            ]
        )
    reference += [
        [
            "border8_income",
            2020,
            "48",
            "triệu đồng/người/năm",
            "Thu nhập bình quân đầu người, 8 xã biên giới tỉnh",
            BORDER8,
            "false",
            "trên 48 triệu đồng/người: giá trị ghi là cận dưới",
        ],
        ["border8_poverty", 2020, "3.29", "%", "Tỷ lệ hộ nghèo, 8 xã biên giới tỉnh", BORDER8, "false", ""],
        [
            "border8_hygienic_water",
            2020,
            "100",
            "%",
            "Tỷ lệ hộ dùng nước hợp vệ sinh, 8 xã biên giới tỉnh",
            BORDER8,
            "false",
            "nước hợp vệ sinh (chưa phải nước sạch theo quy chuẩn)",
        ],
        [
            "border8_electricity",
            2020,
            "100",
            "%",
            "Tỷ lệ hộ sử dụng điện, 8 xã biên giới tỉnh",
            BORDER8,
            "false",
            "",
        ],
        [
            "district_ntm",
            2024,
            "1",
            "",
            "Huyện Tân Hồng đạt chuẩn huyện nông thôn mới (1 = đạt)",
            DISTRICT_NTM,
            "false",
            "",
        ],
    ]
    _write(
        OUT / "reference.csv",
        ["series", "year", "value", "unit", "description", "source", "illustrative", "note"],
        reference,
    )
    print(
        f"values: {len(values)}, criteria: {len(criteria)}, population: {len(population)}, reference: {len(reference)}"
    )


if __name__ == "__main__":
    main()
