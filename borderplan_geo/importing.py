"""Bring your own data: check a user's file, show what would change, then save it.

Importing is two steps, so nothing is saved until someone has seen the report:

1. :func:`preview` reads the user's file (any format :mod:`borderplan_geo.io`
   reads), checks every row, merges the good rows into the current data file,
   validates the merged file and the whole data set again with the package's
   own readers, and returns a :class:`Preview`: the report (errors and warnings
   by row of the *user's* file, in Vietnamese), what would change (added,
   updated, unchanged; every changed cell), and the version (SHA-256) of the
   data file it was based on. It never writes.
2. :func:`commit` saves the preview's content through
   :meth:`~borderplan_geo.store.Store.save`: one SQLite transaction, with the
   base version read at preview time (someone saved since → ``StaleSaveError``)
   and every changed cell in the audit log. :meth:`Store.undo` takes it back.

For the app
-----------
Plain functions, no Streamlit::

    from borderplan_geo.importing import KINDS, commit, preview, to_wgs84, from_wgs84
    pv = preview("values", upload.name, upload.getvalue(), source,
                 crs=None, layer=None, default_source=None)   # never writes
    pv.errors, pv.warnings        # Problem objects: file, row, column, message (Vietnamese)
    pv.report(), pv.summary()     # the same as text
    pv.added, pv.updated, pv.unchanged, pv.changes   # changes: one Change per cell
    if pv.can_commit and user_confirmed:
        version = commit(pv, store, author=user)     # Version; StaleSaveError if stale

``preview(kind, filename, content_bytes, source, crs=None, layer=None,
default_source=None, *, indicator=None, year=None, max_bytes=None)`` returns a
frozen :class:`Preview` (safe to keep in the session between the two clicks);
``commit(preview, store, author)`` returns the new
:class:`~borderplan_geo.store.Version`, ``None`` when nothing changes, and
raises :class:`~borderplan_geo._errors.DataError` for a preview with errors.
``to_wgs84(x, y, crs)`` → (longitude, latitude) and ``from_wgs84(lon, lat,
crs)`` → (x, y) (re-exported from :mod:`borderplan_geo.io`) let a user type a
point in VN-2000 (easting, northing; EPSG:5897 or EPSG:3405) or WGS84.

Kinds
-----
``boundaries``
    Official commune polygons (a GIS file). Communes are recognised by code or
    name; each replaces that commune's current polygon, communes the file lacks
    keep theirs (and their ``accuracy``). Saved in WGS84 as
    ``boundaries/official/<name of the user's file>.geojson`` in the store; the
    loader uses the newest such file in place of the approximate units.
``projects`` and ``layer`` (with ``layer=KEY``, one of :data:`~borderplan_geo.layers.LAYERS`)
    Upsert by ``id`` into ``projects/<key>.geojson``. A GIS file, or a
    spreadsheet with longitude/latitude or VN-2000 X/Y columns. An update may
    come without coordinates (the geometry stays) and an empty cell keeps the
    stored value; a new feature needs coordinates. Without an ``id`` column,
    ids are made from the names (with a warning). An empty commune cell is
    filled from the position.
``values``
    Upsert by (commune, indicator, year) into ``indicators/values.csv``.
    Long layout (a row per commune, indicator and year) or wide layout (a row
    per commune, a column per year: "2020 | 2021 | …", or a merged "Năm" over
    the years). In the wide layout the indicator comes from an "indicator"
    column, else from the ``indicator`` option (``--indicator``), else from the
    sheet's title or name ("Tỷ lệ hộ dân sử dụng nước sạch", "BHYT").
``criteria``
    Upsert by (commune, year, criterion) into ``indicators/criteria.csv``.
    Long layout, or a row per criterion with one column per commune (the year
    in a column, the option ``year``, or the title).

Every row needs a source (``Nguồn``) unless ``default_source`` is given.
Rows are reported by the user's own numbering (spreadsheet rows; feature
positions in GIS files); a workbook's sheets are read one by one, "Tổng cộng"
rows and notes under a table are skipped with a warning, and an imported
figure is a reported one (``illustrative`` false) unless a "Minh họa" column
says otherwise.

Coordinates
-----------
The CRS is ``crs`` when given, else the file's own, else (only for longitude/
latitude that fall inside the district) WGS84. VN-2000 goes through the
Helmert EPSG:6960 (:mod:`borderplan_geo.io`). A file whose coordinates cannot
lie in the district is refused with the likely cause and fix (metres without a
CRS → ``--crs EPSG:5897``; swapped longitude/latitude; degrees declared as
metres; …). In spreadsheets, "X"/"Y" columns are told apart by size: here the
northing is about 1,2 million m and the easting about 550 000 m (Vietnamese
surveys call the northing X); the report says what was assumed.

Command line
------------
``python -m borderplan_geo import KIND FILE [--crs EPSG:NNNN] [--dry-run]
[--layer KEY] [--source TEXT] [--indicator CODE] [--year YEAR] [--user NAME]
[--data DIR]`` (:func:`add_import_command`).
"""

from __future__ import annotations

import argparse
import csv
import getpass
import io
import json
import math
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry

from ._errors import BorderplanError, DataError, Problem, UnitNameError
from ._text import clean_text
from ._validate import YEAR_MAX, YEAR_MIN, parse_bool
from .auth import User, accounts_file, check_writer, command_line_author
from .boundaries import (
    METRIC,
    OFFICIAL_DIR,
    OUTSIDE_TOLERANCE_M,
    communes_at,
    district_outline,
    normalise_units,
    read_units,
)
from .criteria import CRITERIA, parse_level
from .dataset import read_dataset
from .formatting import format_number, parse_number
from .indicators import CRITERIA_COLUMNS, CRITERIA_FILE, DERIVED, VALUE_COLUMNS, VALUES_FILE
from .io import (
    VN2000_TM3,
    VN2000_UTM48,
    WGS84,
    Record,
    Table,
    crs_label,
    from_wgs84,
    geometries_to_wgs84,
    header_keys,
    parse_coordinate,
    parse_crs,
    read_user_file,
    round_coordinates,
    to_wgs84,
)
from .layers import (
    ACCURACIES,
    COMMON_FIELDS,
    LAYERS,
    PROJECT_FIELDS,
    PROJECT_STATUSES,
    PROJECTS_KEY,
    SECTORS,
    layer_file,
    read_layer,
    require_admin,
    sensitive_audit,
    sensitive_message,
    sensitive_rule,
)
from .settings import get_settings
from .store import Change, DataSource, Store, Version, sha256
from .targets import TARGETS_FILE, Target, read_targets
from .units import Unit, fold, get_unit, merger_table, resolve_unit, try_resolve, units

__all__ = [
    "KINDS",
    "Preview",
    "add_import_command",
    "commit",
    "from_wgs84",
    "preview",
    "to_wgs84",
]

#: What can be imported, with how the command line names it.
KINDS: dict[str, str] = {
    "boundaries": "ranh giới xã chính thức",
    "projects": "dự án, công trình",
    "layer": "một lớp bản đồ (cần --layer)",
    "values": "số liệu chỉ tiêu",
    "criteria": "tiêu chí nông thôn mới",
}

# --- what people call the columns -------------------------------------------------------------

_ROW_NO = ("stt", "số tt", "tt", "số thứ tự", "thứ tự", "no")
_UNIT = (
    "xã",
    "tên xã",
    "xã, thị trấn",
    "xã/thị trấn",
    "tên xã, thị trấn",
    "đơn vị",
    "đơn vị hành chính",
    "tên đơn vị",
    "địa bàn",
    "địa phương",
    "commune",
    "unit",
    "ten_xa",
    "tenxa",
    "xa",
    "ten_dvhc",
)
_UNIT_CODE = (
    "unit_code",
    "mã xã",
    "ma_xa",
    "maxa",
    "mã đơn vị",
    "mã đvhc",
    "ma_dvhc",
    "gso_code",
    "commune_code",
)
_SOURCE = (
    "source",
    "nguồn",
    "nguồn số liệu",
    "nguồn tài liệu",
    "nguồn thông tin",
    "nguồn dữ liệu",
    "trích nguồn",
    "căn cứ",
)
_ILLUSTRATIVE = ("illustrative", "minh họa", "số liệu minh họa", "giả định")
_NOTE = ("note", "ghi chú")

VALUE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "row_no": _ROW_NO,
    "unit": _UNIT,
    "unit_code": _UNIT_CODE,
    "indicator": ("indicator", "chỉ tiêu", "tên chỉ tiêu", "mã chỉ tiêu", "nội dung", "nội dung chỉ tiêu"),
    "year": ("year", "năm", "năm báo cáo", "kỳ báo cáo"),
    "value": (
        "value",
        "giá trị",
        "số liệu",
        "kết quả",
        "thực hiện",
        "kết quả thực hiện",
        "ước thực hiện",
        "tỷ lệ",
        "số lượng",
    ),
    "source": _SOURCE,
    "illustrative": _ILLUSTRATIVE,
    "note": _NOTE,
}

CRITERIA_SYNONYMS: dict[str, tuple[str, ...]] = {
    "row_no": _ROW_NO,
    "unit": _UNIT,
    "unit_code": _UNIT_CODE,
    "year": ("year", "năm", "năm đánh giá"),
    "criterion": ("criterion", "tiêu chí", "số tiêu chí", "tên tiêu chí", "tiêu chí số", "tc"),
    "level": (
        "level",
        "status",
        "mức đạt",
        "kết quả",
        "đánh giá",
        "kết quả đánh giá",
        "mức độ",
        "mức độ đạt",
        "tình trạng",
        "đạt/chưa đạt",
    ),
    "source": _SOURCE,
    "illustrative": _ILLUSTRATIVE,
    # The layout with one column per commune: "Tân Hộ Cơ | Bình Phú | Thông Bình".
    **{f"commune:{u.code}": (u.short_name, u.name, f"x. {u.short_name}", u.code) for u in units(2020)},
}

_COORDS: dict[str, tuple[str, ...]] = {
    "lon": ("lon", "lng", "long", "longitude", "kinh độ", "kinh độ (wgs84)", "kinh do"),
    "lat": ("lat", "latitude", "vĩ độ", "vĩ độ (wgs84)", "vi do"),
    "x": ("x", "tọa độ x", "toạ độ x", "x vn2000", "x vn 2000", "x (m)", "easting", "tọa độ đông", "đông"),
    "y": ("y", "tọa độ y", "toạ độ y", "y vn2000", "y vn 2000", "y (m)", "northing", "tọa độ bắc", "bắc"),
}

FEATURE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "row_no": _ROW_NO,
    "id": ("id", "mã", "mã dự án", "mã công trình", "mã số", "mã đối tượng", "ma_du_an", "ma_ct"),
    "name": (
        "name",
        "tên",
        "tên dự án",
        "tên công trình",
        "dự án",
        "công trình",
        "tên đối tượng",
        "danh mục",
        "danh mục công trình",
        "tên gọi",
        "ten",
    ),
    "commune_code": (*_UNIT_CODE, *_UNIT, "địa điểm", "địa điểm xây dựng"),
    "kind": ("kind", "loại", "loại hình", "phân loại", "loại đối tượng", "loại công trình"),
    "sector": ("sector", "lĩnh vực", "ngành", "lĩnh vực đầu tư", "nhóm dự án"),
    "status": ("status", "tình trạng", "trạng thái", "tình hình thực hiện", "tình trạng thực hiện"),
    "progress": (
        "progress",
        "tiến độ",
        "tiến độ thực hiện",
        "% hoàn thành",
        "tỷ lệ hoàn thành",
        "khối lượng hoàn thành",
        "giá trị khối lượng hoàn thành",
    ),
    "budget_vnd": (
        "budget_vnd",
        "budget",
        "tổng mức đầu tư",
        "kinh phí",
        "tổng kinh phí",
        "tổng vốn",
        "vốn đầu tư",
        "tổng vốn đầu tư",
        "dự toán",
    ),
    "funding_source": ("funding_source", "nguồn vốn", "nguồn kinh phí", "nguồn vốn đầu tư"),
    "start_year": ("start_year", "năm bắt đầu", "năm khởi công", "khởi công", "thời gian khởi công"),
    "end_year": ("end_year", "năm hoàn thành", "năm kết thúc", "thời gian hoàn thành"),
    "agency": ("agency", "chủ đầu tư", "cơ quan thực hiện", "đơn vị thực hiện", "cơ quan chủ quản"),
    "source": _SOURCE,
    "accuracy": ("accuracy", "độ chính xác", "độ chính xác vị trí", "loại vị trí"),
    "illustrative": _ILLUSTRATIVE,
    "sensitive": ("sensitive", "nhạy cảm", "mật", "không công khai"),
    "description": ("description", "mô tả", "ghi chú", "thông tin thêm"),
    "households": ("households", "số hộ"),
    "capacity_m3_day": ("capacity_m3_day", "công suất", "công suất m3/ngày", "công suất (m3/ngày đêm)"),
    "length_km": ("length_km", "chiều dài", "chiều dài km", "chiều dài (km)"),
    **_COORDS,
}

BOUNDARY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "unit_code": (*_UNIT_CODE, "code", "ma", "mã"),
    "unit": (*_UNIT, "name", "ten", "tên"),
    "source": _SOURCE,
}

_INDICATOR_ALIASES: dict[str, tuple[str, ...]] = {
    "urban_type_v": ("do thi loai v", "dinh ba do thi loai v"),
    "income_per_capita": ("thu nhap", "thu nhap binh quan", "thu nhap binh quan dau nguoi", "thu nhap bq"),
    "budget_revenue_growth": (
        "thu ngan sach",
        "thu ngan sach tren dia ban",
        "thu nsnn",
        "thu ngan sach nha nuoc",
    ),
    "exemplary_coops": ("hop tac xa tieu bieu", "htx tieu bieu", "so htx tieu bieu"),
    "school_enrolment": ("huy dong hoc sinh ra lop", "ty le huy dong hoc sinh", "hoc sinh ra lop"),
    "ntm_status": ("nong thon moi", "ntm", "tieu chi nong thon moi"),
    "poverty_reduction": ("ho ngheo", "ty le ho ngheo", "giam ngheo", "giam ty le ho ngheo"),
    "jobs_created": ("tao viec lam", "giai quyet viec lam", "lao dong duoc tao viec lam", "viec lam"),
    "overseas_workers": (
        "xuat khau lao dong",
        "lao dong di lam viec o nuoc ngoai",
        "di lam viec o nuoc ngoai",
        "lao dong nuoc ngoai",
    ),
    "health_insurance": ("bao hiem y te", "bhyt", "ty le tham gia bhyt", "ty le bao phu bhyt"),
    "clean_water": ("nuoc sach", "nuoc hop ve sinh", "nuoc sach hop ve sinh", "ty le ho dung nuoc sach"),
    "waste_collection": ("thu gom rac", "rac thai", "thu gom rac thai"),
    "child_health_insurance": (
        "bhyt tre em",
        "the bhyt tre em",
        "tre em co the bhyt",
        "tre em duoi 6 tuoi co the bhyt",
        "tre em duoi 6 tuoi duoc cap the bhyt",
    ),
    "birth_registration": ("giay khai sinh", "khai sinh", "dang ky khai sinh"),
    "full_immunisation": ("tiem chung", "tiem chung day du", "tiem chung mo rong"),
}

_STATUS_ALIASES = {
    "hoan thanh": "completed",
    "da hoan thanh": "completed",
    "xong": "completed",
    "dang thi cong": "under_construction",
    "dang trien khai": "under_construction",
    "dang thuc hien": "under_construction",
    "dang xay dung": "under_construction",
    "chuan bi dau tu": "planned",
    "ke hoach": "planned",
    "chua trien khai": "planned",
    "chua khoi cong": "planned",
    "du kien": "planned",
    "tam dung": "suspended",
    "tam ngung": "suspended",
    "dung": "suspended",
}
_SECTOR_ALIASES = {
    "nong nghiep": "agriculture",
    "thuy loi": "agriculture",
    "nong thon": "agriculture",
    "giao thong nong thon": "transport",
    "duong": "transport",
    "dien": "electricity",
    "cua khau": "border_gate",
    "thuong mai": "trade",
    "cho": "trade",
    "giao duc": "education",
    "truong hoc": "education",
    "y te": "health",
    "van hoa": "culture_sports",
    "the thao": "culture_sports",
    "nuoc sach": "water",
    "cap nuoc": "water",
    "nha o": "poor_housing",
    "nha o ho ngheo": "poor_housing",
    "dan cu": "residential_cluster",
    "cum tuyen dan cu": "residential_cluster",
    "quoc phong": "defence_security",
    "an ninh": "defence_security",
    "quoc phong an ninh": "defence_security",
    "quan ly nha nuoc": "state_management",
    "tru so": "state_management",
    "khac": "other",
}
_ACCURACY_ALIASES = {
    "do dac": "surveyed",
    "chinh xac": "surveyed",
    "da do dac": "surveyed",
    "gan dung": "approximate",
    "uoc luong": "approximate",
    "tuong doi": "approximate",
    "so do": "schematic",
    "minh hoa": "schematic",
}
_TOTAL_ROWS = {
    "tong",
    "tong cong",
    "cong",
    "toan huyen",
    "huyen tan hong",
    "3 xa",
    "ba xa",
    "chung 3 xa",
    "ca 3 xa",
    "3 xa bien gioi",
}

#: Features farther than this (metres) from where their coordinates say are refused.
_WHOLE_FILE_OK = 0.8


# --- the preview -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """What an import would do, before anything is saved.

    ``content`` is the whole new data file; ``base_sha`` the version of the
    data file it was merged into (what :func:`commit` checks against).
    """

    kind: str
    filename: str
    target: str
    problems: tuple[Problem, ...]
    changes: tuple[Change, ...] = ()
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    base_sha: str = ""
    folder_content: bytes | None = None
    content: bytes | None = None
    data_dir: Path | None = None
    """The data folder, to read its own file again at commit time."""
    admin_changes: tuple[Problem, ...] = ()
    """Changes to sensitive items that only an administrator may save (one per item, ``value`` = its id)."""

    @property
    def errors(self) -> list[Problem]:
        """The errors: any one blocks the import."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The warnings: shown, they do not block."""
        return [p for p in self.problems if p.severity != "error"]

    @property
    def can_commit(self) -> bool:
        """True when there is something to save and no error."""
        return not self.errors and self.content is not None and bool(self.changes)

    def summary(self) -> str:
        """One line: how many records would be added, updated, left as they are."""
        if self.errors:
            return f"{self.filename}: {len(self.errors)} lỗi — không nhập được, chưa lưu gì."
        target = self.target or "?"
        return (
            f"{self.filename} → {target}: thêm {self.added}, cập nhật {self.updated}, "
            f"không đổi {self.unchanged} ({len(self.changes)} ô thay đổi)."
        )

    def report(self, *, max_changes: int = 30) -> str:
        """The report as text: problems by row, then the changed cells (at most ``max_changes``)."""
        lines = [str(p) for p in self.problems]
        if not self.errors and self.changes:
            lines.append("Các ô thay đổi:")
            for ch in self.changes[:max_changes]:
                old = "(trống)" if ch.old is None else ch.old
                lines.append(f"  {ch.record} · {ch.field}: {old} → {ch.new}")
            if len(self.changes) > max_changes:
                lines.append(f"  … và {len(self.changes) - max_changes} ô khác")
        lines.append(self.summary())
        return "\n".join(lines)


def commit(
    preview: Preview, store: Store, author: User | str, *, note: str = "", accounts: Path | None = None
) -> Version | None:
    """Save a preview's content as a new version; ``None`` when there is nothing to change.

    Parameters
    ----------
    author
        The logged-in :class:`~borderplan_geo.auth.User` (checked against the
        accounts file now, :func:`~borderplan_geo.auth.check_writer`), or the
        name of the person at the server's terminal.
    accounts
        The accounts file; default: the one that goes with the preview's data folder.

    Raises
    ------
    AuthError
        When the account no longer exists (nothing is saved).
    DataError
        When the preview has errors, or changes a sensitive item and the
        author is not an administrator (nothing is saved).
    StaleSaveError
        When the data file changed since the preview was made, in the store or
        in the data folder (nothing is saved: make a new preview).

    Notes
    -----
    Only the file being imported is checked for staleness; the whole-dataset
    validation is the one made at preview time.
    """
    if preview.errors:
        raise DataError(preview.errors)
    if preview.content is None or not preview.changes:
        return None
    writer = check_writer(author, accounts or accounts_file(preview.data_dir))
    require_admin(preview.admin_changes, writer)
    audit = [
        Change(record, field, None, text)
        for record, field, text in sensitive_audit([str(p.value) for p in preview.admin_changes], writer)
    ]
    folder_content = preview.folder_content
    if preview.data_dir is not None:
        # The folder's file as it is now: if it changed since the preview, the save is stale.
        path = preview.data_dir / preview.target
        folder_content = path.read_bytes() if path.is_file() else None
    return store.save(
        preview.target,
        preview.content,
        base_sha=preview.base_sha,
        folder_content=folder_content,
        author=writer.name,
        note=note or f"nhập {KINDS.get(preview.kind, preview.kind)} từ tệp {preview.filename}",
        changes=[*preview.changes, *audit],
        action="import",
    )


@dataclass
class _Plan:
    content: bytes | None = None
    changes: list[Change] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    admin_changes: list[Problem] = field(default_factory=list)


def preview(
    kind: str,
    filename: str,
    content: bytes,
    source: DataSource,
    crs: str | CRS | None = None,
    layer: str | None = None,
    default_source: str | None = None,
    *,
    indicator: str | None = None,
    year: int | None = None,
    max_bytes: int | None = None,
) -> Preview:
    """Check a user's file and work out what importing it would change; never writes.

    Parameters
    ----------
    kind
        One of :data:`KINDS`.
    filename
        The file's name (its suffix says its format; messages name it).
    content
        The file's bytes.
    source
        The data as it is now (folder and store).
    crs
        Overrides the file's CRS ("EPSG:5897").
    layer
        The layer key when ``kind == "layer"``.
    default_source
        The source for rows that give none.
    indicator, year
        For a wide spreadsheet that does not say them itself.
    max_bytes
        Largest file accepted (default: the settings' ``max_import_bytes``).
    """
    filename = clean_text(str(filename))  # the name appears in every message and in the history
    label = Path(filename).name or filename
    target = ""
    try:
        target = _target(kind, layer, source, label)
        limit = max_bytes if max_bytes is not None else get_settings().max_import_bytes
        if len(content) > limit:
            raise DataError(
                Problem(
                    label,
                    f"tệp quá lớn ({format_number(len(content) / 1e6, 1)} MB, tối đa "
                    f"{format_number(limit / 1e6, 1)} MB): chia nhỏ tệp hoặc bớt cột không cần",
                )
            )
        base = source.read_bytes(target)
        ctx = _Context(label, source, (default_source or "").strip() or None)
        crs_option = parse_crs(crs) if crs not in (None, "") else None
        if kind == "values":
            plan = _plan_values(ctx, filename, content, base, indicator=indicator)
        elif kind == "criteria":
            plan = _plan_criteria(ctx, filename, content, base, year=year)
        elif kind == "boundaries":
            plan = _plan_boundaries(ctx, filename, content, crs_option, target)
        else:
            key = PROJECTS_KEY if kind == "projects" else str(layer)
            plan = _plan_features(ctx, filename, content, base, key, crs_option)
    except DataError as exc:
        return Preview(kind, label, target, tuple(exc.problems))
    except Exception as exc:  # an input no check foresaw: a message naming the file, never a traceback
        message = f"không đọc được tệp (lỗi không lường trước: {type(exc).__name__}): tệp có thể bị hỏng"
        return Preview(kind, label, target, (Problem(label, message),))
    # The user's file first, file-level problems before rows, rows in order.
    problems = sorted(
        plan.problems, key=lambda p: (p.file != label and not p.file.startswith(label), p.row or 0)
    )
    if not any(p.severity == "error" for p in problems) and plan.content is not None and plan.changes:
        problems += _validate_merged(source, target, plan.content)
    return Preview(
        kind,
        label,
        target,
        tuple(problems),
        tuple(plan.changes),
        plan.added,
        plan.updated,
        plan.unchanged,
        sha256(base),
        source.folder_bytes(target),
        plan.content,
        source.data_dir,
        tuple(plan.admin_changes),
    )


def _target(kind: str, layer: str | None, source: DataSource, label: str) -> str:
    if kind not in KINDS:
        choices = ", ".join(f"{k} ({v})" for k, v in KINDS.items())
        raise DataError(Problem(label, f"không có kiểu nhập '{kind}': chọn một trong {choices}"))
    if kind == "values":
        return VALUES_FILE
    if kind == "criteria":
        return CRITERIA_FILE
    if kind == "projects":
        return layer_file(PROJECTS_KEY)
    if kind == "layer":
        known = ", ".join(f"{k} ({s.label})" for k, s in LAYERS.items())
        if not layer:
            raise DataError(Problem(label, f"nhập một lớp bản đồ cần --layer KEY; các lớp: {known}"))
        if layer != PROJECTS_KEY and layer not in LAYERS:
            raise DataError(Problem(label, f"không có lớp bản đồ '{layer}': chọn một trong {known}"))
        return layer_file(layer)
    return _official_target(source, label)


def _official_target(source: DataSource, label: str) -> str:
    """``boundaries/official/<name of the user's file>.geojson``.

    The loader reads the newest file the users saved there, so a new name is
    safe; the same file imported again becomes a new version of the same path.
    ``osm.geojson`` belongs to the OpenStreetMap import and is never reused.
    """
    del source
    stem = re.sub(r"[^a-z0-9]+", "_", fold(Path(label).stem)).strip("_") or "ranh_gioi"
    if stem == "osm":
        stem = "ranh_gioi_chinh_thuc"
    return f"{OFFICIAL_DIR}/{stem}.geojson"


# --- shared context and checks -------------------------------------------------------------------


class _Context:
    """What every kind needs from the current data, read once and lazily."""

    def __init__(self, label: str, source: DataSource, default_source: str | None) -> None:
        self.label = label
        self.source = source
        self.default_source = default_source
        self._targets: list[Target] | None = None
        self._units: gpd.GeoDataFrame | None = None
        self._outline: BaseGeometry | None = None

    @property
    def targets(self) -> list[Target]:
        if self._targets is None:
            self._targets, problems = read_targets(self.source.read_bytes(TARGETS_FILE), TARGETS_FILE)
            if any(p.severity == "error" for p in problems):
                head = Problem(self.label, "không đọc được danh sách chỉ tiêu hiện tại: sửa lỗi này trước")
                raise DataError([head, *problems])
        return self._targets

    @property
    def units(self) -> gpd.GeoDataFrame:
        if self._units is None:
            units, problems = read_units(self.source)
            errors = [p for p in problems if p.severity == "error"]
            if errors or units.empty:
                head = Problem(
                    self.label, "ranh giới xã hiện tại có lỗi nên không kiểm tra được vị trí: sửa trước"
                )
                raise DataError([head, *errors])
            self._units = units
        return self._units

    @property
    def outline_metric(self) -> BaseGeometry:
        if self._outline is None:
            outline = district_outline(self.units)
            self._outline = gpd.GeoSeries([outline], crs=WGS84).to_crs(METRIC).iloc[0]
        return self._outline


class _Check:
    """Problems of one table of the user's file, by the file's own rows and headers."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.problems: list[Problem] = []
        self.row: int | None = None
        self.ok = True
        self.failed: set[tuple[int | None, str | None]] = set()

    def at(self, record: Record) -> None:
        self.row = record.row
        self.ok = True

    def column(self, name: str | None) -> str | None:
        if name is None:
            return None
        if name == "geometry":
            cols = [self.table.header(c) for c in ("lon", "lat", "x", "y") if c in self.table.fields]
            return ", ".join(cols) if cols and not self.table.vector else None
        return self.table.header(name) if name in self.table.fields else None

    def error(self, name: str | None, message: str, value: object = None, *, row: int | None = -1) -> None:
        at = self.row if row == -1 else row
        self.ok = False
        self.failed.add((at, name))
        self.problems.append(
            Problem(self.table.label, message, row=at, column=self.column(name), value=value)
        )

    def warn(self, name: str | None, message: str, value: object = None, *, row: int | None = -1) -> None:
        at = self.row if row == -1 else row
        self.problems.append(
            Problem(
                self.table.label, message, row=at, column=self.column(name), value=value, severity="warning"
            )
        )

    def file_error(self, message: str) -> None:
        row = self.table.header_rows[-1] if self.table.header_rows else None
        self.error(None, message, row=row)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip()


def _text(value: object) -> str:
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _unit(check: _Check, raw: object, name: str = "unit") -> Unit | None:
    """A commune in any common form; an error naming what it could have been otherwise."""
    try:
        return resolve_unit(raw, 2020)
    except UnitNameError as exc:
        hint = "ghi tên xã như 'Tân Hộ Cơ', 'X. Bình Phú', 'Thông Bình' hoặc mã 29929"
        new = try_resolve(raw, 2025)
        if new is not None and fold(_text(raw)) != fold(new.code):
            members = ", ".join(get_unit(c).short_name for c in merger_table()[new.code])
            check.error(
                name,
                f"'{_text(raw)}' là {new.name} từ 1/7/2025 (gộp {members}); số liệu và dự án ghi theo xã trước "
                f"sáp nhập: ghi một trong {members}",
                _text(raw),
            )
            return None
        check.error(name, f"{exc}: {hint}", _text(raw))
        return None


def _is_total(raw: object) -> bool:
    key = fold(_text(raw)).strip(" .:")
    return key in _TOTAL_ROWS or key.startswith("tong cong")


def _source(check: _Check, record: Record, ctx: _Context) -> str:
    text = _text(record.cells.get("source"))
    if text:
        return text
    if ctx.default_source:
        return ctx.default_source
    check.error(
        "source",
        "thiếu nguồn số liệu: mỗi số liệu phải có nguồn — ghi vào cột 'Nguồn' (ví dụ 'Báo cáo UBND xã "
        'số 12/BC-UBND ngày 15/12/2023\') hoặc chạy lại với --source "…"',
    )
    return ""


def _require_source_column(check: _Check, ctx: _Context) -> None:
    if "source" not in check.table.fields and not ctx.default_source:
        check.file_error(
            "thiếu cột nguồn (Nguồn/source): mỗi số liệu phải có nguồn — thêm cột 'Nguồn' hoặc chạy lại "
            'với --source "tên văn bản, báo cáo"'
        )


def _flag(check: _Check, record: Record, name: str) -> bool | None:
    raw = record.cells.get(name)
    if _blank(raw):
        return None
    try:
        return parse_bool(raw)
    except ValueError as exc:
        check.error(name, f"{exc}: ghi 'có' hoặc 'không'", _text(raw))
        return None


def _number(
    check: _Check,
    raw: object,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    what: str = "",
) -> float | None:
    try:
        value = parse_number(raw)
    except ValueError as exc:
        check.error(name, f"{exc}: ghi số như 68,5 hoặc 2.250", _text(raw))
        return None
    if minimum is not None and value < minimum:
        check.error(name, f"{what or 'giá trị'} {_text(raw)} nhỏ hơn {format_number(minimum)}", _text(raw))
        return None
    if maximum is not None and value > maximum:
        check.error(
            name,
            f"{what or 'giá trị'} {_text(raw)} vượt quá {format_number(maximum)}: kiểm tra lại (nhập nhầm?)",
            _text(raw),
        )
        return None
    return value


def _year(check: _Check, raw: object, name: str = "year") -> int | None:
    if _blank(raw):
        check.error(name, "thiếu năm")
        return None
    try:
        value = parse_number(raw)
    except ValueError:
        m = re.search(r"(20\d\d)", _text(raw))
        if not m:
            check.error(name, f"'{_text(raw)}' không phải là năm: ghi năm dạng 2023", _text(raw))
            return None
        value = float(m.group(1))
    if not float(value).is_integer() or not YEAR_MIN <= value <= YEAR_MAX:
        check.error(
            name,
            f"năm {_text(raw)} nằm ngoài khoảng {YEAR_MIN}–{YEAR_MAX}: kiểm tra lại năm (Kế hoạch 2020–2025)",
            _text(raw),
        )
        return None
    return int(value)


def _warn_unused(check: _Check) -> None:
    unused = [c.header for c in check.table.columns if c.field is None and c.year is None and c.header]
    if unused:
        check.warn(
            None,
            f"bỏ qua các cột không dùng: {', '.join(repr(u) for u in unused)}",
            row=check.table.header_rows[-1] if check.table.header_rows else None,
        )


# --- tables into CSV files -------------------------------------------------------------------------


def _num_text(value: float) -> str:
    """A number as the data files store it, read back exactly by ``parse_number``."""
    if float(value).is_integer():
        return str(int(value))
    text = np.format_float_positional(float(value), trim="-")
    if re.fullmatch(r"-?[1-9]\d*\.\d{3}", text):
        text += "0"  # "1.250" would read as 1250 (the Vietnamese thousands dot)
    return text


@dataclass
class _CsvFile:
    header: list[str]
    rows: list[list[str]]

    @classmethod
    def parse(cls, content: bytes | None, columns: Sequence[str]) -> _CsvFile:
        if content is None:
            return cls(list(columns), [])
        text = content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        if not rows:
            return cls(list(columns), [])
        header, body = rows[0], rows[1:]
        for c in columns:
            if c not in header:
                header.append(c)
                for r in body:
                    r.append("")
        return cls(header, body)

    def get(self, row: list[str], column: str) -> str:
        i = self.header.index(column)
        return row[i] if i < len(row) else ""

    def set(self, row: list[str], column: str, value: str) -> None:
        i = self.header.index(column)
        while len(row) <= i:
            row.append("")
        row[i] = value

    def dump(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return out.getvalue().encode("utf-8")


def _upsert_rows(
    file: _CsvFile,
    records: list[tuple[tuple[object, ...], dict[str, str]]],
    key_of: Callable[[list[str]], tuple[object, ...] | None],
    record_name: Callable[[tuple[object, ...]], str],
    compare: Mapping[str, Callable[[str, str], bool]],
    plan: _Plan,
) -> None:
    """Update rows with the same key, append the others; count and log every changed cell."""
    index: dict[tuple[object, ...], list[str]] = {}
    for row in file.rows:
        key = key_of(row)
        if key is not None:
            index.setdefault(key, row)
    for key, values in records:
        stored = index.get(key)
        name = record_name(key)
        if stored is None:
            stored = [""] * len(file.header)
            for col, val in values.items():
                file.set(stored, col, val)
                if val != "":
                    plan.changes.append(Change(name, col, None, val))
            file.rows.append(stored)
            index[key] = stored
            plan.added += 1
            continue
        changed = False
        for col, val in values.items():
            old = file.get(stored, col)
            same = compare.get(col, lambda a, b: a == b)
            if not same(old, val):
                plan.changes.append(Change(name, col, old if old != "" else None, val))
                file.set(stored, col, val)
                changed = True
        if changed:
            plan.updated += 1
        else:
            plan.unchanged += 1


def _same_number(a: str, b: str) -> bool:
    try:
        return math.isclose(parse_number(a), parse_number(b), rel_tol=0, abs_tol=1e-9)
    except ValueError:
        return a == b


def _same_flag(a: str, b: str) -> bool:
    try:
        return parse_bool(a) == parse_bool(b)
    except ValueError:
        return a == b


def _unit_column(header: Sequence[str]) -> str:
    for name in ("unit_code", "unit", "commune", "xa", "xã"):
        if name in header:
            return name
    return "unit_code"


def _code_of(text: str) -> str | None:
    unit = try_resolve(text, 2020)
    return unit.code if unit else None


def _int_of(text: str) -> int | None:
    try:
        value = parse_number(text)
    except ValueError:
        return None
    return int(value) if float(value).is_integer() else None


# --- values ------------------------------------------------------------------------------------------


def _indicator_names(targets: list[Target]) -> dict[str, set[str]]:
    names: dict[str, set[str]] = {}
    for t in targets:
        keys = names.setdefault(t.code, set())
        keys.add(t.code)
        keys.update(header_keys(t.name))
        keys.update(header_keys(t.measure))
    for code, aliases in _INDICATOR_ALIASES.items():
        names.setdefault(code, set()).update(aliases)
    return names


def match_indicator(text: object, targets: list[Target]) -> tuple[str | None, list[str]]:
    """The indicator code a cell or a title names, and the candidates when it is ambiguous.

    Exact names first (a code, the target's name, what it measures, a common
    short name such as "BHYT" or "nước sạch"), then names contained in the text
    (a title "Báo cáo tỷ lệ hộ dân sử dụng nước sạch năm 2024").
    """
    names = _indicator_names(targets)
    raw = _text(text)
    if not raw:
        return None, []
    keys = set(header_keys(raw)) | {raw.strip()}
    for code, known in names.items():
        if keys & known:
            return code, []
    folded = f" {header_keys(raw)[1]} "
    found: dict[str, str] = {}
    for code, known in names.items():
        for alias in known:
            if alias and f" {alias} " in folded and len(alias) > len(found.get(code, "")):
                found[code] = alias
    best = [c for c, a in found.items() if not any(a != b and a in b for b in found.values())]
    if len(best) == 1:
        return best[0], []
    return None, best


def _indicator_list(targets: list[Target]) -> str:
    seen: dict[str, str] = {}
    for t in targets:
        if t.code not in DERIVED:
            seen.setdefault(t.code, t.name)
    return "; ".join(f"{code} ({name})" for code, name in seen.items())


def _plan_values(
    ctx: _Context, filename: str, content: bytes, base: bytes | None, *, indicator: str | None
) -> _Plan:
    tables, problems = read_user_file(filename, content, VALUE_SYNONYMS, years=True)
    plan = _Plan(problems=list(problems))
    targets = ctx.targets
    by_code = {t.code: t for t in targets}
    option_code: str | None = None
    if indicator:
        option_code, _ = match_indicator(indicator, targets)
        if option_code is None:
            raise DataError(
                Problem(
                    ctx.label,
                    f"--indicator '{indicator}' không phải chỉ tiêu nào: chọn một trong {_indicator_list(targets)}",
                )
            )
    records: list[tuple[tuple[object, ...], dict[str, str]]] = []
    seen: dict[tuple[str, str, int], tuple[str, int]] = {}
    percent_values: list[float] = []
    for table in tables:
        check = _Check(table)
        fields = table.fields
        wide = bool(table.year_columns) and not {"year", "value"} <= fields
        if not fields & {"unit", "unit_code"}:
            check.file_error("thiếu cột xã (Xã/Tên xã/Mã xã): thêm cột ghi tên hoặc mã xã cho mỗi dòng")
        if not wide and not {"year", "value"} <= fields:
            missing = [h for f, h in (("year", "'Năm'"), ("value", "'Giá trị'")) if f not in fields]
            check.file_error(
                f"thiếu cột {' và '.join(missing)}: bảng cần cột Năm và Giá trị, hoặc mỗi năm một cột (2020, 2021, …)"
            )
        table_code = option_code
        if "indicator" not in fields and table_code is None:
            table_code, candidates = match_indicator(table.title, targets)
            if table_code is None:
                more = f" (tiêu đề có thể là: {', '.join(candidates)})" if candidates else ""
                check.file_error(
                    "không biết số liệu thuộc chỉ tiêu nào: thêm cột 'Chỉ tiêu', ghi tên chỉ tiêu ở dòng tiêu "
                    f"đề hoặc tên trang, hoặc chạy lại với --indicator MÃ{more}; các mã: {_indicator_list(targets)}"
                )
        _require_source_column(check, ctx)
        _warn_unused(check)
        if not check.ok:
            plan.problems += check.problems
            continue
        for record in table.records:
            check.at(record)
            raw_unit = record.cells.get("unit_code") if not _blank(record.cells.get("unit_code")) else None
            raw_unit = raw_unit if raw_unit is not None else record.cells.get("unit")
            payload = [record.cells.get(k) for k in ("year", "value")] + list(record.years.values())
            if _blank(raw_unit) and all(_blank(v) for v in payload):
                continue  # a note or a signature under the table
            if _is_total(raw_unit):
                check.warn(
                    "unit", f"bỏ qua dòng tổng '{_text(raw_unit)}': số liệu chung được tính từ từng xã"
                )
                continue
            unit_field = "unit_code" if not _blank(record.cells.get("unit_code")) else "unit"
            unit = _unit(check, raw_unit, unit_field) if not _blank(raw_unit) else None
            if _blank(raw_unit):
                check.error(unit_field, "thiếu tên xã: ghi tên hoặc mã xã (ví dụ 'Tân Hộ Cơ' hoặc 29929)")
            code = table_code
            if "indicator" in fields:
                raw_ind = record.cells.get("indicator")
                code, candidates = match_indicator(raw_ind, targets) if not _blank(raw_ind) else (None, [])
                if _blank(raw_ind) and table_code:
                    code = table_code
                elif code is None:
                    more = f" (có thể là: {', '.join(candidates)})" if candidates else ""
                    check.error(
                        "indicator",
                        f"không nhận ra chỉ tiêu '{_text(raw_ind)}'{more}: dùng mã hoặc tên chỉ tiêu — "
                        f"{_indicator_list(targets)}",
                        _text(raw_ind),
                    )
            if code in DERIVED:
                check.error(
                    "indicator",
                    f"chỉ tiêu '{code}' được tính từ {DERIVED[code]}: nhập các tiêu chí bằng 'import criteria'",
                    code,
                )
                code = None
            target = by_code.get(code) if code else None
            source = _source(check, record, ctx)
            illustrative = _flag(check, record, "illustrative")
            note = _text(record.cells.get("note")) if "note" in fields else None
            cells: list[tuple[int, object, str]] = []  # (year, raw value, column)
            if wide:
                for y, raw in record.years.items():
                    if not _blank(raw):
                        cells.append((y, raw, table.year_columns.get(y, str(y))))
                if not cells:
                    check.warn(None, "dòng không có số liệu năm nào: bỏ qua")
            else:
                year_value = _year(check, record.cells.get("year"))
                if _blank(record.cells.get("value")):
                    check.error("value", "thiếu giá trị: ghi số liệu, hoặc xóa dòng nếu chưa có")
                elif year_value is not None:
                    cells.append((year_value, record.cells.get("value"), "value"))
            for y, raw, column in cells:
                value = _value(check, raw, column, target, wide)
                if wide and not YEAR_MIN <= y <= YEAR_MAX:
                    check.error(
                        None,
                        f"cột năm {y} nằm ngoài khoảng {YEAR_MIN}–{YEAR_MAX}: kiểm tra lại tiêu đề cột",
                        y,
                    )
                    continue
                if not check.ok or unit is None or target is None or value is None:
                    continue
                key = (unit.code, target.code, y)
                if key in seen:
                    where = seen[key]
                    check.error(
                        column if not wide else None,
                        f"trùng số liệu: {unit.name}, {target.name}, năm {y} đã có ở dòng {where[1]}"
                        f"{'' if where[0] == table.label else ' (' + where[0] + ')'}: giữ một dòng",
                    )
                    continue
                seen[key] = (table.label, record.row)
                if target.is_percent:
                    percent_values.append(value)
                row = {"indicator": target.code, "year": str(y), "value": _num_text(value), "source": source}
                if illustrative is not None or "illustrative" in fields:
                    row["illustrative"] = "true" if illustrative else "false"
                if note is not None:
                    row["note"] = note
                records.append(((unit.code, target.code, y), row))
        plan.problems += check.problems
    if percent_values and max(percent_values) <= 1 and len(percent_values) >= 2:
        plan.problems.append(
            Problem(
                ctx.label,
                "mọi tỷ lệ % trong tệp đều ≤ 1: nếu 0,95 nghĩa là 95 % hãy ghi 95 (hoặc định dạng ô là %)",
                severity="warning",
            )
        )
    if any(p.severity == "error" for p in plan.problems):
        return plan
    file = _CsvFile.parse(base, VALUE_COLUMNS)
    unit_col = _unit_column(file.header)
    full: list[tuple[tuple[object, ...], dict[str, str]]] = []
    for record_key, row in records:
        values = {unit_col: str(record_key[0]), **row}
        if "illustrative" not in values:
            values["illustrative"] = "false"
        full.append((record_key, values))

    def key_of(row: list[str]) -> tuple[object, ...] | None:
        code = _code_of(file.get(row, unit_col))
        year = _int_of(file.get(row, "year"))
        return None if code is None or year is None else (code, file.get(row, "indicator").strip(), year)

    _upsert_rows(
        file,
        full,
        key_of,
        lambda k: f"{k[0]}/{k[1]}/{k[2]}",
        {"value": _same_number, "illustrative": _same_flag, "year": _same_number},
        plan,
    )
    plan.content = file.dump()
    return plan


def _value(check: _Check, raw: object, column: str, target: Target | None, wide: bool) -> float | None:
    name = column if not wide else None
    if target is not None and target.kind == "yes_no" and isinstance(raw, str):
        key = fold(raw)
        if key in ("dat", "co", "da dat", "yes"):
            return 1.0
        if key in ("chua dat", "khong", "khong dat", "no"):
            return 0.0
    maximum = None
    if target is not None and target.is_percent:
        maximum = 100.0
    if target is not None and target.kind == "yes_no":
        maximum = 1.0
    what = "tỷ lệ %" if maximum == 100 else "giá trị"
    if wide:
        # The column is the year's: name it through the header the user wrote.
        before = len(check.problems)
        value = _number(check, raw, "value", minimum=0, maximum=maximum, what=what)
        for i in range(before, len(check.problems)):
            p = check.problems[i]
            check.problems[i] = Problem(p.file, p.message, p.row, column, p.value, p.severity)
        return value
    return _number(check, raw, name or "value", minimum=0, maximum=maximum, what=what)


# --- criteria -----------------------------------------------------------------------------------------


def _criterion(check: _Check, raw: object) -> int | None:
    text = _text(raw)
    if not text:
        check.error("criterion", "thiếu số tiêu chí (1–19)")
        return None
    key = fold(text)
    m = re.match(r"^(?:tieu chi|tc)?\s*(?:so)?\s*(\d{1,2})(?:\s|\.|$|:)", key)
    if m:
        number = int(m.group(1))
    else:
        by_name = {fold(n): i for i, n in CRITERIA.items()}
        number = by_name.get(key) or next((i for n, i in by_name.items() if key.startswith(n)), 0)
    if not 1 <= number <= len(CRITERIA):
        check.error(
            "criterion",
            f"'{text}' không phải tiêu chí nông thôn mới nào: ghi số 1–19 hoặc tên (ví dụ 2 hay 'Giao thông')",
            text,
        )
        return None
    return number


def _plan_criteria(
    ctx: _Context, filename: str, content: bytes, base: bytes | None, *, year: int | None
) -> _Plan:
    tables, problems = read_user_file(filename, content, CRITERIA_SYNONYMS, years=False)
    plan = _Plan(problems=list(problems))
    records: list[tuple[tuple[object, ...], dict[str, str]]] = []
    seen: dict[tuple[str, int, int], int] = {}
    for table in tables:
        check = _Check(table)
        fields = table.fields
        unit_columns = {
            c.field: resolve_unit(c.field.split(":")[1]) for c in table.columns if c.field and ":" in c.field
        }
        wide = bool(unit_columns) and not fields & {"unit", "unit_code"}
        if not wide and not fields & {"unit", "unit_code"}:
            check.file_error("thiếu cột xã (Xã/Tên xã/Mã xã), hoặc mỗi xã một cột")
        if "criterion" not in fields:
            check.file_error("thiếu cột tiêu chí (Tiêu chí: số 1–19 hoặc tên)")
        if not wide and "level" not in fields:
            check.file_error("thiếu cột kết quả (Mức đạt: Đạt / Cơ bản đạt / Chưa đạt)")
        table_year = year
        if "year" not in fields and table_year is None:
            found = sorted({int(y) for y in re.findall(r"\b(20\d\d)\b", table.title)})
            if len(found) == 1:
                table_year = found[0]
            else:
                check.file_error(
                    "không biết năm đánh giá: thêm cột 'Năm', ghi năm ở tiêu đề (ví dụ 'năm 2023') hoặc "
                    "chạy lại với --year NĂM"
                )
        _require_source_column(check, ctx)
        _warn_unused(check)
        if not check.ok:
            plan.problems += check.problems
            continue
        for record in table.records:
            check.at(record)
            if all(_blank(record.cells.get(k)) for k in ("criterion", "level", *unit_columns)):
                continue  # a note or a signature under the table
            criterion = _criterion(check, record.cells.get("criterion"))
            y = _year(check, record.cells.get("year")) if "year" in fields else table_year
            if y is not None and not YEAR_MIN <= y <= YEAR_MAX:
                check.error(None, f"năm {y} nằm ngoài khoảng {YEAR_MIN}–{YEAR_MAX}", y)
            source = _source(check, record, ctx)
            illustrative = _flag(check, record, "illustrative")
            cells: list[tuple[Unit | None, object, str]] = []
            if wide:
                for name, column_unit in unit_columns.items():
                    raw = record.cells.get(name)
                    if not _blank(raw):
                        cells.append((column_unit, raw, table.header(name)))
            else:
                raw_unit = record.cells.get("unit_code")
                raw_unit = raw_unit if not _blank(raw_unit) else record.cells.get("unit")
                unit_field = "unit_code" if not _blank(record.cells.get("unit_code")) else "unit"
                if _blank(raw_unit):
                    check.error(unit_field, "thiếu tên xã")
                    continue
                cells.append((_unit(check, raw_unit, unit_field), record.cells.get("level"), "level"))
            for unit, raw_level, column in cells:
                try:
                    level = parse_level(raw_level)
                except ValueError as exc:
                    check.error(column if not wide else None, str(exc), _text(raw_level))
                    if wide:
                        p = check.problems[-1]
                        check.problems[-1] = Problem(p.file, p.message, p.row, column, p.value, p.severity)
                    continue
                if not check.ok or unit is None or criterion is None or y is None:
                    continue
                key = (unit.code, y, criterion)
                if key in seen:
                    check.error(
                        "criterion",
                        f"trùng: {unit.name}, năm {y}, tiêu chí {criterion} đã có ở dòng {seen[key]}: giữ một dòng",
                    )
                    continue
                seen[key] = record.row
                row = {"year": str(y), "criterion": str(criterion), "level": level, "source": source}
                row["illustrative"] = "true" if illustrative else "false"
                records.append(((unit.code, y, criterion), row))
        plan.problems += check.problems
    if any(p.severity == "error" for p in plan.problems):
        return plan
    file = _CsvFile.parse(base, CRITERIA_COLUMNS)
    unit_col = _unit_column(file.header)
    level_col = "level" if "level" in file.header else "status"

    def key_of(row: list[str]) -> tuple[object, ...] | None:
        code = _code_of(file.get(row, unit_col))
        y, c = _int_of(file.get(row, "year")), _int_of(file.get(row, "criterion"))
        return None if code is None or y is None or c is None else (code, y, c)

    full: list[tuple[tuple[object, ...], dict[str, str]]] = []
    for record_key, row in records:
        values = {unit_col: str(record_key[0]), **row}
        if level_col != "level":
            values[level_col] = values.pop("level")
        full.append((record_key, values))
    _upsert_rows(
        file,
        full,
        key_of,
        lambda k: f"{k[0]}/{k[1]}/tiêu chí {k[2]}",
        {"illustrative": _same_flag, level_col: lambda a, b: _same_level(a, b)},
        plan,
    )
    plan.content = file.dump()
    return plan


def _same_level(a: str, b: str) -> bool:
    try:
        return parse_level(a) == parse_level(b)
    except ValueError:
        return a == b


# --- coordinates ----------------------------------------------------------------------------------------


def _envelope_ok(lon: float, lat: float) -> bool:
    return 104.5 < lon < 106.5 and 10.0 < lat < 11.8


def _raw_points(check: _Check, table: Table) -> tuple[list[BaseGeometry | None], CRS | None, str]:
    """Each record's geometry as written, the CRS the file or its headers declare, and how."""
    if table.vector:
        return [r.geometry for r in table.records], table.crs, "file"
    fields = table.fields
    if {"lon", "lat"} <= fields:
        pair, declared, how = ("lon", "lat"), CRS.from_user_input(WGS84), "headers"
    elif {"x", "y"} <= fields:
        pair, declared, how = ("x", "y"), None, "xy"
    else:
        return [None for _ in table.records], None, "none"
    out: list[BaseGeometry | None] = []
    values: list[tuple[float, float] | None] = []
    for record in table.records:
        check.at(record)
        a, b = record.cells.get(pair[0]), record.cells.get(pair[1])
        if _blank(a) and _blank(b):
            values.append(None)
            continue
        try:
            values.append((parse_coordinate(a), parse_coordinate(b)))
        except ValueError as exc:
            check.error("geometry", f"tọa độ không đọc được: {exc}", f"{_text(a)}; {_text(b)}")
            values.append(None)
    if pair == ("x", "y"):
        xs = [v[0] for v in values if v]
        ys = [v[1] for v in values if v]
        if xs:
            mx, my = float(np.median(xs)), float(np.median(ys))
            hx, hy = table.header("x"), table.header("y")
            if mx > 900_000 and 100_000 < my < 900_000:
                values = [(v[1], v[0]) if v else None for v in values]
                check.warn(
                    None,
                    f"cột '{hx}' (khoảng {format_number(round(mx))} m) được hiểu là tọa độ Bắc (northing) và cột "
                    f"'{hy}' (khoảng {format_number(round(my))} m) là tọa độ Đông (easting), theo quy ước trắc "
                    "địa Việt Nam (X hướng Bắc)",
                    row=table.header_rows[-1] if table.header_rows else None,
                )
            elif my > 900_000 and 100_000 < mx < 900_000:
                check.warn(
                    None,
                    f"cột '{hx}' được hiểu là tọa độ Đông (easting) và cột '{hy}' là tọa độ Bắc (northing)",
                    row=table.header_rows[-1] if table.header_rows else None,
                )
    for v in values:
        out.append(Point(v) if v else None)
    return out, declared, how


def _candidates() -> list[tuple[str, bool, str]]:
    """(CRS, swapped, what it would mean) to try on coordinates that do not fit."""
    return [
        (WGS84, True, "swap"),
        (WGS84, False, "degrees"),
        (VN2000_TM3, False, "vn2000"),
        (VN2000_UTM48, False, "vn2000"),
        (VN2000_TM3, True, "vn2000_swap"),
    ]


def _distances(lon: np.ndarray, lat: np.ndarray, outline_metric: BaseGeometry) -> np.ndarray:
    """Metres outside the district of each WGS84 point (``inf`` for no position on Earth)."""
    out = np.full(len(lon), np.inf)
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    if ok.any():
        tr = Transformer.from_crs(WGS84, METRIC, always_xy=True)
        mx, my = tr.transform(lon[ok], lat[ok])
        pts = shapely.points(np.asarray(mx), np.asarray(my))
        d = shapely.distance(pts, outline_metric)
        inside = shapely.intersects(pts, outline_metric)
        out[ok] = np.where(inside, 0.0, d)
    return out


def _try(xs: np.ndarray, ys: np.ndarray, crs: str | CRS, swapped: bool, outline: BaseGeometry) -> np.ndarray:
    a, b = (ys, xs) if swapped else (xs, ys)
    try:
        lon, lat = to_wgs84(a, b, crs)
    except BorderplanError:
        return np.full(len(xs), np.inf)
    return _distances(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), outline)


def _fix_hint(meaning: str, table: Table, declared: CRS | None, *, from_option: bool = False) -> str:
    if meaning == "swap":
        if not table.vector and {"lon", "lat"} <= table.fields:
            return (
                f"có vẻ đảo kinh độ/vĩ độ: đổi chỗ hai cột '{table.header('lon')}' và '{table.header('lat')}' "
                "(kinh độ ở Tân Hồng khoảng 105,4; vĩ độ khoảng 10,9)"
            )
        return "có vẻ đảo kinh độ/vĩ độ: xuất lại tệp với thứ tự (kinh độ, vĩ độ)"
    if meaning == "degrees":
        said = "--crs là" if from_option else "tệp khai báo"
        return (
            f"tọa độ dạng độ (kinh độ/vĩ độ) nhưng {said} {crs_label(declared) if declared else 'hệ mét'}: "
            "chạy lại với --crs EPSG:4326"
        )
    if meaning == "vn2000":
        return (
            f"tọa độ dạng mét, có vẻ VN-2000 TM-3 105° ({VN2000_TM3}) hoặc UTM 48N ({VN2000_UTM48}): chạy lại "
            f"với --crs {VN2000_TM3} (hỏi đơn vị đo đạc nếu không chắc; thường dùng {VN2000_TM3} ở Đồng Tháp)"
        )
    return (
        "tọa độ dạng mét nhưng X/Y bị đảo (theo quy ước Việt Nam X là hướng Bắc): xuất lại tệp với (Đông, Bắc) "
        f"rồi chạy với --crs {VN2000_TM3}"
    )


def _locate(check: _Check, table: Table, ctx: _Context, crs_option: CRS | None) -> list[BaseGeometry | None]:
    """Every record's geometry in WGS84, or an error naming the likely CRS problem and its fix."""
    raws, declared, how = _raw_points(check, table)
    present = [i for i, g in enumerate(raws) if g is not None and not g.is_empty]
    result: list[BaseGeometry | None] = [None] * len(raws)
    if not present:
        return result
    reps = [raws[i].representative_point() for i in present]  # type: ignore[union-attr]
    xs = np.array([p.x for p in reps], dtype=float)
    ys = np.array([p.y for p in reps], dtype=float)
    mx, my = float(np.median(xs)), float(np.median(ys))
    crs = crs_option or declared
    header_row = table.header_rows[-1] if table.header_rows else None
    magnitude = f"(tọa độ khoảng {format_number(round(mx, 4))}; {format_number(round(my, 4))})"
    if crs is None:
        if abs(mx) <= 180 and abs(my) <= 90 and _envelope_ok(mx, my):
            crs = CRS.from_user_input(WGS84)
            if table.fmt != "geojson":  # GeoJSON is WGS84 by definition (RFC 7946)
                check.warn(
                    None,
                    "tệp không khai báo hệ tọa độ; tọa độ dạng độ nằm trong huyện nên được hiểu là WGS84 "
                    "(EPSG:4326)",
                    row=header_row,
                )
        else:
            hints = _hints(xs, ys, table, None, ctx)
            what = {
                "shapefile": "tệp không khai báo hệ tọa độ (Shapefile thiếu tệp .prj)",
                "geojson": "GeoJSON phải ghi kinh độ/vĩ độ WGS84 (RFC 7946), tệp này lại không khai báo hệ tọa độ",
            }.get(
                table.fmt,
                "tệp không khai báo hệ tọa độ" if table.vector else "bảng không nói tọa độ theo hệ nào",
            )
            check.error(
                "geometry",
                f"{what} {magnitude}: {hints or 'chạy lại với --crs EPSG:NNNN theo hệ tọa độ của tệp'}",
                row=header_row,
            )
            for i in present:
                check.failed.add((table.records[i].row, "geometry"))
            return result
    dist = _try(xs, ys, crs, False, ctx.outline_metric)
    outside = dist > OUTSIDE_TOLERANCE_M
    if outside.all() or (len(dist) >= 3 and outside.mean() > 0.5):
        hints = _hints(xs, ys, table, crs, ctx, from_option=crs_option is not None)
        if hints:
            check.error(
                "geometry",
                f"tọa độ {magnitude} không nằm trong huyện Tân Hồng khi đọc theo {crs_label(crs)}: {hints}",
                row=header_row,
            )
            for i in present:
                check.failed.add((table.records[i].row, "geometry"))
            return result
    if crs.to_epsg(min_confidence=70) == 32648 and crs_option is None:
        check.warn(
            None,
            "tệp khai báo WGS 84 / UTM 48N (EPSG:32648): số liệu của cơ quan Việt Nam thường là VN-2000 — nếu vậy "
            f"vị trí lệch khoảng 200 m, hãy chạy lại với --crs {VN2000_UTM48}",
            row=header_row,
        )
    inside = [i for k, i in enumerate(present) if not outside[k]]
    try:
        converted = dict(zip(inside, geometries_to_wgs84([raws[i] for i in inside], crs), strict=True))
    except BorderplanError as exc:
        check.error("geometry", f"không chuyển được tọa độ theo {crs_label(crs)}: {exc}", row=header_row)
        return result
    swapped = _try(xs, ys, WGS84, True, ctx.outline_metric) if how != "xy" else np.full(len(xs), np.inf)
    for k, i in enumerate(present):
        record = table.records[i]
        check.at(record)
        if outside[k]:
            try:
                lon, lat = to_wgs84(xs[k], ys[k], crs)
            except BorderplanError:
                lon = lat = math.inf
            if math.isfinite(dist[k]) and abs(lat) <= 90 and abs(lon) <= 180:
                msg = (
                    f"vị trí ({format_number(round(lat, 4))} B, {format_number(round(lon, 4))} Đ) nằm ngoài huyện "
                    f"Tân Hồng khoảng {format_number(round(dist[k] / 1000, 1))} km"
                )
            else:
                msg = (
                    f"tọa độ ({format_number(xs[k])}; {format_number(ys[k])}) không phải kinh độ/vĩ độ hợp lệ "
                    "(vĩ độ phải trong khoảng -90 đến 90)"
                )
            if swapped[k] <= OUTSIDE_TOLERANCE_M:
                msg += " — có vẻ đảo kinh độ/vĩ độ: đổi chỗ hai giá trị"
            else:
                msg += ": kiểm tra lại tọa độ (gõ nhầm số?) hoặc hệ tọa độ (--crs)"
            check.error("geometry", msg)
            continue
        g = converted.get(i)
        result[i] = round_coordinates(g) if g is not None else None
    return result


def _hints(
    xs: np.ndarray,
    ys: np.ndarray,
    table: Table,
    used: CRS | None,
    ctx: _Context,
    *,
    from_option: bool = False,
) -> str:
    """What reading of the coordinates would put them in the district, as advice."""
    hints: list[str] = []
    seen: set[str] = set()
    used_epsg = used.to_epsg(min_confidence=70) if used is not None else None
    for crs, swapped, meaning in _candidates():
        if meaning in seen:
            continue
        if not swapped and used_epsg is not None and f"EPSG:{used_epsg}" == crs:
            continue
        if meaning == "degrees" and (used is None or used.is_geographic):
            continue
        d = _try(xs, ys, crs, swapped, ctx.outline_metric)
        if (d <= OUTSIDE_TOLERANCE_M).mean() >= _WHOLE_FILE_OK:
            hints.append(_fix_hint(meaning, table, used, from_option=from_option))
            seen.add(meaning)
    return "; ".join(hints)


# --- projects and layers ---------------------------------------------------------------------------------


def _choice_key(text: str, options: Mapping[str, str], aliases: Mapping[str, str]) -> str | None:
    key = fold(text)
    by_fold = {fold(k): k for k in options} | {fold(v): k for k, v in options.items()}
    return by_fold.get(key) or by_fold.get(key.replace(" ", "_")) or aliases.get(key)


def _budget_factor(header: str) -> float:
    key = fold(header)
    if "ty" in key.split() or "ty dong" in key:
        return 1e9
    if "trieu" in key:
        return 1e6
    if "nghin" in key or "ngan" in key:
        return 1e3
    return 1.0


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:40]


def _feature_collection_bytes(key: str, features: Iterable[dict[str, object]]) -> bytes:
    lines = [json.dumps(f, ensure_ascii=False) for f in features]
    head = f'{{"type": "FeatureCollection", "name": "{key}", "features": [\n'
    return (head + ",\n".join(lines) + "\n]}\n").encode("utf-8")


def _existing_features(base: bytes | None, label: str) -> list[dict[str, object]]:
    if base is None:
        return []
    try:
        doc = json.loads(base.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(
            Problem(label, f"tệp dữ liệu hiện tại không đọc được ({exc}): sửa tệp đó trước")
        ) from exc
    feats = doc.get("features") if isinstance(doc, dict) else None
    return [f for f in feats if isinstance(f, dict)] if isinstance(feats, list) else []


def _plan_features(
    ctx: _Context, filename: str, content: bytes, base: bytes | None, key: str, crs_option: CRS | None
) -> _Plan:
    tables, problems = read_user_file(filename, content, FEATURE_SYNONYMS)
    plan = _Plan(problems=list(problems))
    spec = LAYERS.get(key)
    target = layer_file(key)
    existing = _existing_features(base, target)
    by_id: dict[str, dict[str, object]] = {}
    for f in existing:
        props = f.get("properties")
        if isinstance(props, dict) and str(props.get("id") or "").strip():
            by_id.setdefault(str(props["id"]).strip(), f)
    fields_order = [*PROJECT_FIELDS, "description"] if spec is None else [*COMMON_FIELDS, "description"]
    incoming: list[tuple[Record, _Check, dict[str, object], BaseGeometry | None]] = []
    seen_ids: dict[str, int] = {}
    for table in tables:
        check = _Check(table)
        fields = table.fields
        if "id" not in fields and "name" not in fields:
            check.file_error(
                "thiếu cột mã (id/Mã) và cột tên (Tên): cần ít nhất một để nhận ra từng đối tượng"
            )
        if "id" not in fields and "name" in fields:
            check.warn(
                None,
                f"không có cột mã (id): mã được tạo từ tên ('{key}-…'); lần nhập sau hãy giữ cột mã để cập nhật",
                row=table.header_rows[-1] if table.header_rows else None,
            )
        _require_source_column(check, ctx)
        _warn_unused(check)
        if not check.ok:
            plan.problems += check.problems
            continue
        geoms = _locate(check, table, ctx, crs_option)
        defaulted_accuracy = 0
        derived_communes: list[int] = []
        for record, geom in zip(table.records, geoms, strict=True):
            check.at(record)
            cells = record.cells
            fid = _text(cells.get("id"))
            filled = [v for k, v in cells.items() if k != "row_no" and not _blank(v)]
            if not table.vector and not fid and len(filled) <= 1:
                if filled:
                    check.warn(None, f"bỏ qua dòng chỉ có '{_text(filled[0])}' (ghi chú, chữ ký?)")
                continue
            if not fid and not _blank(cells.get("name")):
                fid = f"{key}-{_slug(_text(cells.get('name')))}"
                if "id" in fields:
                    check.warn("id", f"ô mã trống: dùng mã '{fid}' tạo từ tên")
            if not fid:
                check.error("id", "thiếu mã (id): mỗi đối tượng cần một mã để cập nhật về sau")
                continue
            if fid in seen_ids:
                check.error("id", f"mã '{fid}' trùng với dòng {seen_ids[fid]}: mỗi mã chỉ một dòng", fid)
                continue
            seen_ids[fid] = record.row
            old = by_id.get(fid)
            old_props = dict(old.get("properties") or {}) if old else {}  # type: ignore[call-overload]
            new: dict[str, object] = {}
            for name in ("name", "funding_source", "agency", "description"):
                if name in fields and not _blank(cells.get(name)):
                    new[name] = _text(cells.get(name))
            if "commune_code" in fields and not _blank(cells.get("commune_code")):
                codes = []
                for part in re.split(r"[;,]", _text(cells.get("commune_code"))):
                    if part.strip():
                        unit = _unit(check, part.strip(), "commune_code")
                        if unit:
                            codes.append(unit.code)
                if codes:
                    new["commune_code"] = ";".join(codes)
            src = _text(cells.get("source")) or ctx.default_source
            if src:
                new["source"] = src
            else:
                _source(check, record, ctx)
            for name, options, aliases in (
                ("accuracy", ACCURACIES, _ACCURACY_ALIASES),
                *((("kind", spec.kinds, {}),) if spec else ()),
                *(
                    (("sector", SECTORS, _SECTOR_ALIASES), ("status", PROJECT_STATUSES, _STATUS_ALIASES))
                    if spec is None
                    else ()
                ),
            ):
                raw = _text(cells.get(name))
                if raw:
                    choice = _choice_key(raw, options, aliases)
                    if choice:
                        new[name] = choice
                    else:
                        labels = ", ".join(f"{v} ({k})" for k, v in options.items())
                        check.error(name, f"'{raw}' không hợp lệ; chọn một trong: {labels}", raw)
            for name in ("progress", "households", "capacity_m3_day", "length_km"):
                if name in fields and not _blank(cells.get(name)):
                    value = _number(
                        check, cells.get(name), name, minimum=0, maximum=100 if name == "progress" else None
                    )
                    if value is not None:
                        new[name] = value
            if "budget_vnd" in fields and not _blank(cells.get("budget_vnd")):
                value = _number(check, cells.get("budget_vnd"), "budget_vnd", minimum=0)
                if value is not None:
                    new["budget_vnd"] = value * _budget_factor(table.header("budget_vnd"))
            for name in ("start_year", "end_year"):
                if name in fields and not _blank(cells.get(name)):
                    y = _year(check, cells.get(name), name)
                    if y is not None:
                        new[name] = y
            for name in ("illustrative", "sensitive"):
                flag = _flag(check, record, name)
                if flag is not None:
                    new[name] = flag
            props = {**old_props, **new}
            if old is None:
                props = {name: props.get(name) for name in fields_order} | props
                props["id"] = fid
                if props.get("accuracy") is None:
                    props["accuracy"] = "approximate"
                    defaulted_accuracy += 1
                for name in ("illustrative", "sensitive"):
                    if props.get(name) is None:
                        props[name] = False
                if spec is not None and props.get("kind") is None and len(spec.kinds) == 1:
                    props["kind"] = next(iter(spec.kinds))
                required = (
                    {"kind": spec.kinds}
                    if spec is not None
                    else {"sector": SECTORS, "status": PROJECT_STATUSES, "progress": {}}
                )
                for name, options in required.items():
                    if props.get(name) is None and (record.row, name) not in check.failed:
                        what = {"kind": "loại", "sector": "lĩnh vực", "status": "tình trạng"}.get(name)
                        if what:
                            labels = ", ".join(options.values())
                            check.error(name, f"đối tượng mới cần {what}: ghi một trong {labels}")
                        else:
                            check.error(name, "dự án mới cần tiến độ (%): ghi 0 nếu chưa triển khai")
            rule = sensitive_rule(key, old_props if old is not None else None, props)
            if rule.forced:
                check.warn("sensitive", sensitive_message(rule))
            if rule.needs_admin:
                column = rule.admin_fields[0]
                check.warn(
                    column, f"{sensitive_message(rule)}: chỉ quản trị viên lưu được, có ghi nhật ký", fid
                )
                plan.admin_changes.append(
                    Problem(check.table.label, sensitive_message(rule), record.row, check.column(column), fid)
                )
            geometry = geom
            if geometry is None and (record.row, "geometry") not in check.failed:
                if old is not None and isinstance(old.get("geometry"), dict):
                    geometry = shape(old["geometry"])
                else:
                    check.error(
                        "geometry",
                        "đối tượng mới cần tọa độ (Kinh độ/Vĩ độ hoặc X/Y): thêm tọa độ, hoặc kiểm tra lại mã "
                        f"'{fid}' nếu định cập nhật một đối tượng đã có",
                    )
            if geometry is not None and _blank(props.get("commune_code")):
                props["commune_code"] = ";".join(communes_at(geometry, ctx.units))
                derived_communes.append(record.row)
            incoming.append((record, check, props, geometry))
        if defaulted_accuracy:
            check.warn(
                "accuracy",
                f"{defaulted_accuracy} đối tượng mới không ghi độ chính xác vị trí: ghi là 'approximate' "
                "(vị trí gần đúng); thêm cột 'Độ chính xác' (đo đạc / gần đúng / sơ đồ) nếu khác",
                row=None,
            )
        if derived_communes:
            rows = ", ".join(str(r) for r in derived_communes[:10]) + (
                "…" if len(derived_communes) > 10 else ""
            )
            check.warn(None, f"xã được suy ra từ vị trí ở các dòng {rows}", row=None)
        plan.problems += check.problems
    # The package's own layer reader checks the features as they would be stored, row by row of the user's file.
    feats = [
        {"type": "Feature", "properties": props, "geometry": mapping(g) if g is not None else None}
        for _, _, props, g in incoming
    ]
    _, found = read_layer(_feature_collection_bytes(key, feats), key, label=ctx.label, outline_metric=None)
    for p in found:
        if p.row is None or not 1 <= p.row <= len(incoming):
            continue
        record, check, _, _ = incoming[p.row - 1]
        if (record.row, p.column) in check.failed or (
            p.column in ("geometry", "commune_code") and (record.row, "geometry") in check.failed
        ):
            continue
        if p.column == "sensitive" and p.severity != "error":
            continue  # already said above
        plan.problems.append(
            Problem(check.table.label, p.message, record.row, check.column(p.column), p.value, p.severity)
        )
    if any(p.severity == "error" for p in plan.problems):
        return plan
    out = [dict(f) for f in existing]
    position: dict[str, int] = {}
    for i, f in enumerate(out):
        props = f.get("properties")
        if isinstance(props, dict) and str(props.get("id") or "").strip():
            position.setdefault(str(props["id"]).strip(), i)
    for _, _, props, geom in incoming:
        fid = str(props["id"])
        assert geom is not None
        feature = {"type": "Feature", "properties": props, "geometry": mapping(geom)}
        if fid in position:
            old = out[position[fid]]
            old_props = old.get("properties") if isinstance(old.get("properties"), dict) else {}
            assert isinstance(old_props, dict)
            changed = _diff_props(fid, old_props, props, plan)
            old_geom = old.get("geometry")
            if not _same_geometry(old_geom, feature["geometry"]):
                plan.changes.append(
                    Change(fid, "geometry", _geom_text(old_geom), _geom_text(feature["geometry"]))
                )
                changed = True
            if changed:
                out[position[fid]] = feature
                plan.updated += 1
            else:
                plan.unchanged += 1
        else:
            out.append(feature)
            position[fid] = len(out) - 1
            plan.added += 1
            for name, cell in props.items():
                if cell not in (None, ""):
                    plan.changes.append(Change(fid, name, None, _cell(cell)))
            plan.changes.append(Change(fid, "geometry", None, _geom_text(feature["geometry"])))
    plan.content = _feature_collection_bytes(key, out)
    return plan


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _num_text(value)
    return str(value)


def _diff_props(fid: str, old: Mapping[str, object], new: Mapping[str, object], plan: _Plan) -> bool:
    changed = False
    for name in dict.fromkeys([*old, *new]):
        a, b = old.get(name), new.get(name)
        if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
            if math.isclose(float(a), float(b), abs_tol=1e-9):
                continue
        elif a == b or (a in (None, "") and b in (None, "")):
            continue
        plan.changes.append(
            Change(fid, name, None if a is None else _cell(a), None if b is None else _cell(b))
        )
        changed = True
    return changed


def _same_geometry(a: object, b: object) -> bool:
    if not isinstance(a, dict) or not isinstance(b, dict):
        return a == b
    try:
        return bool(shapely.equals_exact(shape(a), shape(b), tolerance=1e-7))
    except Exception:  # a malformed stored geometry is a change
        return False


def _geom_text(geom: object) -> str | None:
    if not isinstance(geom, dict):
        return None
    try:
        g = shape(geom)
    except Exception:  # a malformed stored geometry: show it raw
        return json.dumps(geom)[:200]
    if g.geom_type == "Point":
        return f"{g.y:.6f} B, {g.x:.6f} Đ"
    c = g.centroid
    return f"{g.geom_type} quanh {c.y:.5f} B, {c.x:.5f} Đ"


# --- boundaries ------------------------------------------------------------------------------------------


def _plan_boundaries(
    ctx: _Context, filename: str, content: bytes, crs_option: CRS | None, target: str
) -> _Plan:
    tables, problems = read_user_file(filename, content, BOUNDARY_SYNONYMS)
    plan = _Plan(problems=list(problems))
    table = tables[0]
    check = _Check(table)
    if not table.vector:
        raise DataError(
            Problem(
                ctx.label,
                "ranh giới xã cần một tệp bản đồ có vùng (GeoJSON, GeoPackage, Shapefile nén .zip, KML), "
                "không phải bảng tính",
            )
        )
    if not table.fields & {"unit", "unit_code"}:
        check.file_error(
            "không tìm thấy cột mã xã hoặc tên xã (code/Mã xã/name/Tên xã) để nhận ra từng xã: thêm một cột như vậy"
        )
    _require_source_column(check, ctx)
    if not check.ok:
        plan.problems += check.problems
        return plan
    geoms = _locate(check, table, ctx, crs_option)
    rows = []
    for record, geom in zip(table.records, geoms, strict=True):
        check.at(record)
        src = _text(record.cells.get("source")) or ctx.default_source or ""
        if not src:
            _source(check, record, ctx)
        rows.append(
            {
                "code": record.cells.get("unit_code") if not _blank(record.cells.get("unit_code")) else None,
                "name": record.cells.get("unit"),
                "source": src,
                "geometry": geom,
            }
        )
    frame = gpd.GeoDataFrame(
        rows, columns=["code", "name", "source", "geometry"], geometry="geometry", crs=WGS84
    )
    official, found = normalise_units(frame, ctx.label, official=True)
    for p in found:
        if p.row is None:
            continue  # communes the file lacks keep their current polygons (said below)
        record = table.records[p.row - 1]
        if (record.row, "geometry") in check.failed and "hình học" in p.message:
            continue
        column = (
            check.column("unit_code" if "unit_code" in table.fields else "unit")
            if "xã" in p.message
            else None
        )
        check.problems.append(Problem(table.label, p.message, record.row, column, p.value, p.severity))
    plan.problems += check.problems
    if any(p.severity == "error" for p in plan.problems):
        return plan
    current = ctx.units
    given = set(official["code"])
    kept = [c for c in current["code"] if c not in given]
    if kept:
        names = ", ".join(str(n) for c, n in zip(current["code"], current["name"], strict=True) if c in kept)
        plan.problems.append(
            Problem(
                ctx.label,
                f"tệp không có {len(kept)} xã ({names}): các xã này giữ ranh giới hiện tại",
                severity="warning",
            )
        )
    new_by = {r["code"]: r for r in official.to_dict("records")}
    features = []
    for rec in current.to_dict("records"):
        code = rec["code"]
        row = new_by.get(code)
        props = {"code": code, "name": rec["name"], "accuracy": rec["accuracy"], "source": rec["source"]}
        geom = rec["geometry"]
        if row is not None:
            new_props = {"code": code, "name": rec["name"], "accuracy": "official", "source": row["source"]}
            new_geom = round_coordinates(row["geometry"])
            changed = False
            for name in ("accuracy", "source"):
                if props[name] != new_props[name]:
                    plan.changes.append(Change(code, name, props[name], new_props[name]))
                    changed = True
            if not shapely.equals_exact(geom, new_geom, tolerance=1e-7):
                old_area = gpd.GeoSeries([geom], crs=WGS84).to_crs(METRIC).area.iloc[0] / 1e6
                new_area = gpd.GeoSeries([new_geom], crs=WGS84).to_crs(METRIC).area.iloc[0] / 1e6
                plan.changes.append(
                    Change(
                        code,
                        "geometry",
                        f"vùng {format_number(round(old_area, 2))} km²",
                        f"vùng {format_number(round(new_area, 2))} km²",
                    )
                )
                changed = True
            plan.updated += changed
            plan.unchanged += not changed
            props, geom = new_props, new_geom
        features.append({"type": "Feature", "properties": props, "geometry": mapping(geom)})
    plan.content = _feature_collection_bytes("units_2020_official", features)
    if ctx.source.read_bytes(target) is None:
        # A new official file: every commune's row counts as added to that file.
        plan.added, plan.updated = plan.updated, 0
    return plan


# --- the merged data, checked by the package's own readers -------------------------------------------------


class _OverlayStore(Store):
    """The users' store as it would be after saving ``files``: they are its newest versions."""

    def __init__(self, base: Store | None, files: Mapping[str, bytes]) -> None:
        super().__init__(base.path if base is not None else Path("/nonexistent/store.sqlite"))
        self._base = base
        self._files = dict(files)

    def current(self, path: str) -> tuple[bytes, Version] | None:
        if path in self._files:
            content = self._files[path]
            return content, Version(path, 10**9, sha256(content), "9999-12-31T23:59:59+00:00", "", "")
        return self._base.current(path) if self._base is not None else None

    def history(self, path: str | None = None) -> list[Version]:
        mine = [held[1] for p in self._files if path in (None, p) and (held := self.current(p)) is not None]
        return mine + (self._base.history(path) if self._base is not None else [])

    def paths(self) -> list[str]:
        return sorted(set(self._files) | set(self._base.paths() if self._base is not None else []))


class _Overlay(DataSource):
    """The data as it would be after saving ``files`` (read from memory, never written)."""

    def __init__(self, base: DataSource, files: Mapping[str, bytes]) -> None:
        super().__init__(base.data_dir, _OverlayStore(base.store, files))
        self._files = dict(files)


def _validate_merged(source: DataSource, target: str, content: bytes) -> list[Problem]:
    """Errors of the whole data set as it would be after saving (every reader of the package)."""
    _, after = read_dataset(_Overlay(source, {target: content}))
    errors = [p for p in after if p.severity == "error"]
    if not errors:
        return []
    _, before = read_dataset(source)
    known = {(p.file, p.row, p.column, p.message) for p in before if p.severity == "error"}
    out = [
        Problem(
            target,
            "dữ liệu sau khi gộp không hợp lệ nên không lưu; chi tiết bên dưới",
        )
    ]
    for p in errors:
        note = (
            " (lỗi có sẵn trong dữ liệu hiện tại, không do tệp này)"
            if (p.file, p.row, p.column, p.message) in known
            else ""
        )
        out.append(Problem(f"{p.file} (sau khi gộp)", p.message + note, p.row, p.column, p.value))
    return out


# --- command line --------------------------------------------------------------------------------------------


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def cmd_import(args: argparse.Namespace) -> int:
    """``python -m borderplan_geo import KIND FILE …``: report, summary, then save unless ``--dry-run``."""
    settings = get_settings(data_dir=args.data)
    store = Store(settings.store)
    source = DataSource(settings.data_dir, store)
    path = Path(args.file)
    if not path.is_file():
        sys.stderr.write(f"{path}: lỗi: không tìm thấy tệp — kiểm tra lại đường dẫn và tên tệp\n")
        return 1
    if path.stat().st_size > settings.max_import_bytes:
        sys.stderr.write(
            f"{path.name}: lỗi: tệp quá lớn (tối đa {format_number(settings.max_import_bytes / 1e6, 1)} MB)\n"
        )
        return 1
    year = None
    if args.year:
        try:
            year = int(args.year)
        except ValueError:
            sys.stderr.write(f"--year: lỗi: '{args.year}' không phải là năm\n")
            return 1
    pv = preview(
        args.kind,
        path.name,
        path.read_bytes(),
        source,
        crs=args.crs,
        layer=args.layer,
        default_source=args.source,
        indicator=args.indicator,
        year=year,
        max_bytes=settings.max_import_bytes,
    )
    _out(pv.report())
    if pv.errors:
        sys.stderr.write(
            f"Không nhập được {path.name}: {len(pv.errors)} lỗi — chưa lưu gì. Sửa các dòng trên rồi chạy lại.\n"
        )
        return 1
    if not pv.changes:
        _out("Không có gì thay đổi: chưa lưu gì.")
        return 0
    if args.dry_run:
        _out("--dry-run: chưa lưu gì")
        return 0
    name = args.user or os.environ.get("BORDERPLAN_USER") or _login()
    version = commit(pv, store, command_line_author(settings.users, name), accounts=settings.users)
    assert version is not None
    _out(
        f"đã lưu {pv.target} (phiên bản {version.version}, người nhập: {version.author}); "
        "có thể hoàn tác phiên bản này"
    )
    return 0


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "dòng lệnh"


def add_import_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    """Add ``import`` to the command line's sub-commands; returns its parser."""
    p = sub.add_parser(
        "import",
        parents=[common],
        help="nhập dữ liệu của người dùng (kiểm tra, xem trước, rồi lưu)",
        description="Nhập tệp của người dùng: "
        + "; ".join(f"{k} — {v}" for k, v in KINDS.items())
        + ". Báo lỗi theo dòng của tệp; có lỗi thì không lưu gì.",
    )
    p.add_argument("kind", metavar="KIND", help="boundaries | projects | layer | values | criteria")
    p.add_argument(
        "file",
        metavar="FILE",
        type=Path,
        help="tệp cần nhập (CSV, XLSX, GeoJSON, GPKG, Shapefile .zip, KML/KMZ)",
    )
    p.add_argument("--crs", default=None, help="hệ tọa độ của tệp, ví dụ EPSG:5897 (VN-2000 TM-3 105°)")
    p.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra và báo thay đổi, không lưu")
    p.add_argument("--layer", default=None, help="mã lớp bản đồ khi KIND là layer, ví dụ water_stations")
    p.add_argument("--source", default=None, help="nguồn ghi cho các dòng không có cột nguồn")
    p.add_argument("--indicator", default=None, help="mã chỉ tiêu cho bảng mỗi năm một cột")
    p.add_argument("--year", default=None, help="năm đánh giá cho bảng tiêu chí mỗi xã một cột")
    p.add_argument(
        "--user",
        "--as",
        dest="user",
        default=None,
        help="tên người nhập (ghi vào nhật ký); tên một tài khoản thì theo vai trò của tài khoản đó",
    )
    p.set_defaults(handler=cmd_import)
    return p
