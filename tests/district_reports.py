"""District reports as offices write them, built here (no binary file is committed).

Each builder returns the bytes of a workbook in a layout a district office
uses: a title and the "Kèm theo Báo cáo số …" line above, headers merged over
two rows, Times New Roman, Vietnamese numbers typed as text ("95,6", "2.250"),
totals and averages, notes and a signature block below. The tests
(``tests/test_report_layouts.py``) and the screenshot of the review screen
read the same files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

#: Layout A: the figures the commune columns hold (indicator → Tân Hộ Cơ, Bình Phú, Thông Bình).
INDICATOR_ROWS: dict[str, tuple[float, float, float]] = {
    "clean_water": (95.6, 96.2, 94.8),
    "health_insurance": (93.4, 92.1, 94.0),
    "income_per_capita": (62.5, 60.1, 58.7),
    "jobs_created": (1020, 760, 690),  # typed "1.020": the Vietnamese thousands dot
}
#: Layout B: poverty rate by commune (Tân Hộ Cơ, Bình Phú, Thông Bình) and year.
POVERTY: dict[int, tuple[float, float, float]] = {
    2020: (6.12, 7.40, 8.01),
    2021: (5.03, 6.20, 6.55),
    2022: (4.10, 4.95, 5.30),
    2023: (3.02, 3.80, 4.10),
    2024: (2.15, 2.60, 3.05),
}
ATTACHED_TO = "Báo cáo số 125/BC-PTCKH ngày 10/01/2025 của Phòng Tài chính - Kế hoạch huyện Tân Hồng"
POVERTY_SOURCE = "Phòng Lao động - Thương binh và Xã hội huyện Tân Hồng"


def vn(value: float, decimals: int = 1) -> str:
    """A number typed the Vietnamese way: "95,6", "2.250"."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _times(ws: Worksheet, bold_rows: Sequence[int] = ()) -> None:
    for row in ws.iter_rows():
        for c in row:
            c.font = Font(name="Times New Roman", size=12, bold=c.row in bold_rows)
            c.alignment = Alignment(wrap_text=True, vertical="center")


def _save(wb: openpyxl.Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def indicators_in_rows(*, common_header: str = "Bình quân 3 xã") -> bytes:
    """Layout A: indicators in rows, communes in columns under a merged "Thực hiện năm 2024".

    ``common_header`` names the column of the three communes together, as offices write it
    ("Bình quân 3 xã", "Chung 3 xã", "Toàn huyện").
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Biểu 01"
    ws["A1"] = "UBND HUYỆN TÂN HỒNG"
    ws.merge_cells("A1:C1")
    ws["E1"] = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    ws.merge_cells("E1:I1")
    ws["A2"] = "PHÒNG TÀI CHÍNH - KẾ HOẠCH"
    ws.merge_cells("A2:C2")
    ws["E2"] = "Độc lập - Tự do - Hạnh phúc"
    ws.merge_cells("E2:I2")
    ws["A4"] = "BIỂU TỔNG HỢP KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU KINH TẾ - XÃ HỘI 03 XÃ BIÊN GIỚI"
    ws.merge_cells("A4:I4")
    ws["A5"] = f"(Kèm theo {ATTACHED_TO})"
    ws.merge_cells("A5:I5")
    heads = ["STT", "Chỉ tiêu", "ĐVT", "Kế hoạch năm 2025", "Thực hiện năm 2024", common_header, "Ghi chú"]
    for col, text in zip("ABCDEHI", heads, strict=True):
        ws[f"{col}7"] = text
    ws.merge_cells("E7:G7")
    for col in "ABCDHI":
        ws.merge_cells(f"{col}7:{col}8")
    ws["E8"], ws["F8"], ws["G8"] = "Xã Tân Hộ Cơ", "Xã Bình Phú", "Xã Thông Bình"
    w, h, i, j = (
        INDICATOR_ROWS[k] for k in ("clean_water", "health_insurance", "income_per_capita", "jobs_created")
    )
    rows: list[list[object]] = [
        ["I", "CHỈ TIÊU XÃ HỘI"],
        [1, "Tỷ lệ hộ sử dụng nước sạch, hợp vệ sinh", "%", 99, *(vn(v) for v in w), "95,5", None],
        # A figure typed as a number (Excel's own) beside figures typed as text.
        [2, "Tỷ lệ người dân tham gia bảo hiểm y tế", "%", 95, h[0], vn(h[1]), vn(h[2]), "93,2", None],
        # The average row disagrees with its parts: a warning, not an error.
        [
            3,
            "Thu nhập bình quân đầu người",
            "triệu đồng/người/năm",
            68,
            *(vn(v) for v in i),
            "70,0",
            "Số ước",
        ],
        [4, "Số lao động được tạo việc làm", "lao động", "2.250", *(vn(v, 0) for v in j), None, None],
        [5, "Số trường học đạt chuẩn quốc gia", "trường", 9, 3, 2, 3, None, None],
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.cell(row=9 + r, column=1 + c, value=value)
    ws["A16"] = "Ghi chú: Số liệu thu nhập năm 2024 là số ước thực hiện."
    ws.merge_cells("A16:I16")
    ws["B18"], ws["G18"] = "NGƯỜI LẬP BIỂU", "TRƯỞNG PHÒNG"
    ws["B19"], ws["G19"] = "(Ký, ghi rõ họ tên)", "(Ký, ghi rõ họ tên)"
    ws["B22"], ws["G22"] = "Nguyễn Văn An", "Trần Thị Bích"
    _times(ws, bold_rows=(4, 7, 8, 18))
    return _save(wb)


def communes_in_rows(*, total_2024: str = "4,90") -> bytes:
    """Layout B: communes in rows, years in columns, a "Cộng 3 xã" row, footnotes and signatures."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Hộ nghèo"
    ws["A1"] = "TỶ LỆ HỘ NGHÈO CÁC XÃ BIÊN GIỚI GIAI ĐOẠN 2020 - 2024"
    ws.merge_cells("A1:H1")
    ws["G2"] = "Đơn vị tính: %"
    years = sorted(POVERTY)
    head = ["STT", "Đơn vị", *(f"Năm {y}" for y in years[:-1]), f"Ước TH {years[-1]}", "Ghi chú"]
    for c, text in enumerate(head):
        ws.cell(row=4, column=1 + c, value=text)
        ws.cell(row=5, column=1 + c, value=f"({c + 1})")  # the column numbers under the header
    names = ["Xã Tân Hộ Cơ", "Xã Bình Phú", "Xã Thông Bình"]
    for r, name in enumerate(names):
        ws.cell(row=6 + r, column=1, value=r + 1)
        ws.cell(row=6 + r, column=2, value=name)
        for c, y in enumerate(years):
            ws.cell(row=6 + r, column=3 + c, value=vn(POVERTY[y][r], 2))
    ws.cell(row=8, column=8, value="chuẩn nghèo đa chiều từ 2022")
    ws.cell(row=9, column=2, value="Cộng 3 xã")
    for c, y in enumerate(years[:-1]):
        ws.cell(row=9, column=3 + c, value=vn(sum(POVERTY[y]) / 3, 2))
    ws.cell(row=9, column=3 + len(years) - 1, value=total_2024)
    ws["A11"] = "Ghi chú: (1) Năm 2024 là số ước thực hiện; (2) Chuẩn nghèo đa chiều giai đoạn 2022-2025."
    ws["A12"] = f"Nguồn: {POVERTY_SOURCE}."
    ws["F14"] = "Tân Hồng, ngày 05 tháng 3 năm 2025"
    ws["B15"], ws["F15"] = "NGƯỜI LẬP BIỂU", "KT. CHỦ TỊCH"
    ws["F16"] = "PHÓ CHỦ TỊCH"
    ws["B19"], ws["F19"] = "Lê Văn Cường", "Phạm Minh Đức"
    _times(ws, bold_rows=(1, 4, 15))
    return _save(wb)


def unknown_headers(year: int = 2023, values: Sequence[str] = ("78,5", "80,2", "75,0")) -> bytes:
    """Headers no synonym knows ("Đơn vị báo cáo", "Kỳ BC", "Kết quả đạt được"): the importer asks."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Rác thải"
    ws["A1"] = "TỶ LỆ THU GOM RÁC THẢI TRÊN ĐỊA BÀN"
    ws.merge_cells("A1:E1")
    ws.append([])
    ws.append(["TT", "Đơn vị báo cáo", "Kỳ BC", "Kết quả đạt được", "Văn bản nguồn"])
    for r, (name, value) in enumerate(zip(["Tân Hộ Cơ", "Bình Phú", "Thông Bình"], values, strict=True)):
        ws.append([r + 1, name, year, value, f"Báo cáo {r + 10}/BC-UBND xã {name}"])
    _times(ws, bold_rows=(1, 3))
    return _save(wb)


def as_csv(content: bytes) -> bytes:
    """The first sheet as an office's "Save as CSV (UTF-8)": merged cells keep their value in one cell."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    ws = book.worksheets[0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in ws.iter_rows(values_only=True):
        writer.writerow(["" if v is None else v for v in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")
