"""What a view must disclose: one function decides, every surface renders it.

The rules of the house ask every figure to carry its source and every
illustrative figure or approximate position to say so. Which of those notes a
view needs is decided here, once, by :func:`disclosures`; the app's map page
(its banner), the presentation page (the slide's header), the interactive map
and the HTML export (the notes on the map), the PNG (the notes panel) and the
PDF (each page's footer) only render the list they are given. A test holds
them to the same list for the same view.

Each disclosure is a :class:`Disclosure`: a stable ``key`` (tests, styling,
``data-key`` in HTML), a Vietnamese sentence (``text``), a short form for a
slide's header (``short``) and a ``severity`` (``danger`` > ``warning`` >
``info``). The list keeps the order of :data:`CATALOGUE`.

========================= ========= ====================================================
key                       severity  when
========================= ========= ====================================================
``sensitive_shown``       danger    defence/security items are drawn
``illustrative_figures``  warning   a figure of the view (or a criteria appraisal) is illustrative
``illustrative_features`` warning   a work or place drawn is illustrative
``partial_coverage``      warning   a commune's status comes from part of its old communes
``boundaries_<accuracy>`` warning   the units drawn are not official (approximate, osm, reference…)
``border_approximate``    warning   the national border drawn is not surveyed
``positions_approximate`` warning   a work or place drawn is at an approximate or schematic position
``sensitive_hidden``      info      the layers shown hold defence/security items, left out
========================= ========= ====================================================

Worked example: the shipped data, clean water 2025 on the 2020 units, seen by
a visitor: illustrative figures, illustrative works, approximate boundaries,
approximate border, approximate positions, sensitive items hidden. The same
view from a folder with official boundaries, surveyed works and reported
figures: only ``sensitive_hidden`` (if it holds such items).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from .boundaries import BOUNDARY_ACCURACY
from .layers import LAYERS, PROJECTS_KEY, drawn_frames
from .status import partial_text, plan_rows
from .units import PLAN_CODES

if TYPE_CHECKING:
    from .dataset import Dataset
    from .maps import MapOptions

SEVERITIES: tuple[str, ...] = ("danger", "warning", "info")
#: The kinds of view: a status map, a project map (statuses drawn too), the 19-criteria table.
VIEW_KINDS: tuple[str, ...] = ("map", "projects", "criteria")


@dataclass(frozen=True)
class Disclosure:
    """One thing a view must say about itself."""

    key: str
    text: str
    """The sentence, in Vietnamese (banner, notes on the map, PNG, PDF)."""
    short: str
    """A few words for a slide's header, where a meeting hall reads from afar."""
    severity: str


#: Every disclosure with a fixed wording, in the order surfaces list them. Boundary accuracies
#: not named here (a new kind a user's file declares) get ``boundaries_<accuracy>`` and the
#: description of :data:`~borderplan_geo.boundaries.BOUNDARY_ACCURACY`.
CATALOGUE: dict[str, Disclosure] = {
    d.key: d
    for d in (
        Disclosure(
            "sensitive_shown",
            "Có nội dung quốc phòng – an ninh (nhạy cảm): không công bố, không chia sẻ ra ngoài.",
            "NHẠY CẢM: không công bố",
            "danger",
        ),
        Disclosure(
            "illustrative_figures",
            "Số liệu MINH HỌA (giả định để trình diễn), không phải số liệu báo cáo.",
            "MINH HỌA: số liệu giả định",
            "warning",
        ),
        Disclosure(
            "illustrative_features",
            "Công trình, địa điểm MINH HỌA (giả định để trình diễn), không phải danh mục thật.",
            "MINH HỌA: công trình giả định",
            "warning",
        ),
        Disclosure(
            "partial_coverage",
            "Xã tô gạch chéo chỉ có số liệu của một phần các xã cũ (ghi “số liệu 1/3 xã cũ”…): "
            "màu là của phần đã có số liệu, chưa phải của cả xã.",
            "MỘT PHẦN: xã gạch chéo thiếu số liệu xã cũ",
            "warning",
        ),
        Disclosure(
            "boundaries_approximate",
            "Ranh giới xã GẦN ĐÚNG (dựng từ dữ liệu công khai), không phải ranh giới pháp lý: "
            "không dùng để đo đạc, xác định mốc giới.",
            "GẦN ĐÚNG: ranh giới xã",
            "warning",
        ),
        Disclosure(
            "boundaries_osm",
            "Ranh giới xã theo OpenStreetMap (cộng đồng đóng góp), không phải ranh giới pháp lý.",
            "OSM: ranh giới xã không pháp lý",
            "warning",
        ),
        Disclosure(
            "boundaries_reference",
            "Ranh giới xã là bản THAM KHẢO do người dùng cung cấp, không phải ranh giới pháp lý.",
            "THAM KHẢO: ranh giới xã",
            "warning",
        ),
        Disclosure(
            "border_approximate",
            "Đường biên giới quốc gia vẽ GẦN ĐÚNG: không dùng để xác định mốc giới.",
            "GẦN ĐÚNG: đường biên giới",
            "warning",
        ),
        Disclosure(
            "positions_approximate",
            "Vị trí công trình, địa điểm GẦN ĐÚNG (hoặc sơ đồ): không dùng để đo đạc.",
            "GẦN ĐÚNG: vị trí công trình",
            "warning",
        ),
        Disclosure(
            "sensitive_hidden",
            "Công trình quốc phòng – an ninh (nhạy cảm) được ẩn khỏi bản đồ này.",
            "Đã ẩn mục nhạy cảm",
            "info",
        ),
    )
}


def _boundary_disclosure(accuracy: str) -> Disclosure:
    key = f"boundaries_{accuracy}"
    if key in CATALOGUE:
        return CATALOGUE[key]
    text = BOUNDARY_ACCURACY.get(accuracy, f"Ranh giới xã loại “{accuracy}”, không phải ranh giới chính thức")
    return Disclosure(key, f"{text}.", "Ranh giới xã không chính thức", "warning")


def _any(frame: pd.DataFrame, column: str) -> bool:
    return bool(len(frame)) and column in frame and bool(frame[column].astype(bool).any())


def _order(key: str) -> int:
    keys = list(CATALOGUE)
    if key in CATALOGUE:
        return keys.index(key)
    return keys.index("boundaries_reference")  # other boundary kinds sit with the boundaries


def view_status_rows(dataset: Dataset, options: MapOptions) -> pd.DataFrame:
    """The status rows a map view colours: its indicator and year, on the plan's units (:func:`plan_rows`)."""
    table = plan_rows(dataset.status(options.vintage))
    return table[(table["indicator"] == options.indicator) & (table["year"] == options.year)]


def disclosures(
    dataset: Dataset,
    options: MapOptions,
    *,
    kind: str = "map",
    status_rows: pd.DataFrame | None = None,
    frames: Mapping[str, gpd.GeoDataFrame] | None = None,
) -> list[Disclosure]:
    """The disclosures of one view, in catalogue order.

    Parameters
    ----------
    dataset
        The data shown.
    options
        The view: indicator, year, units, layers and filters, and
        ``show_sensitive`` — which the app sets only for a user allowed to
        see defence and security items who asked to (the permission enters here).
    kind
        ``map`` or ``projects`` (a map: statuses, boundaries, layers) or
        ``criteria`` (the 19-criteria table: only its appraisals).
    status_rows, frames
        What a page shows when it is not the view's own map (a PDF commune
        page: every indicator of one commune, its projects). Default: the
        view's status rows and the layer features and projects it draws.
    """
    if kind not in VIEW_KINDS:
        raise ValueError(f"kind phải là một trong {', '.join(VIEW_KINDS)}")
    found: list[Disclosure] = []
    if kind == "criteria":
        c = dataset.indicators.criteria
        year_rows = c[(c["year"] == options.year) & c["unit_code"].isin(list(PLAN_CODES))]
        if _any(year_rows, "illustrative"):
            found.append(CATALOGUE["illustrative_figures"])
        return found

    rows = status_rows if status_rows is not None else view_status_rows(dataset, options)
    shown = dict(frames) if frames is not None else drawn_frames(dataset.layers, options)
    shown = {k: f for k, f in shown.items() if not f.empty}

    if any(_any(f, "sensitive") for f in shown.values()):
        found.append(CATALOGUE["sensitive_shown"])
    if _any(rows, "illustrative"):
        found.append(CATALOGUE["illustrative_figures"])
    if any(_any(f, "illustrative") for f in shown.values()):
        found.append(CATALOGUE["illustrative_features"])
    if any(partial_text(r) for r in rows.to_dict("records") if r.get("status") != "no_data"):
        found.append(CATALOGUE["partial_coverage"])
    accuracies = dict.fromkeys(str(a) for a in dataset.units(options.vintage)["accuracy"])
    found += [_boundary_disclosure(a) for a in accuracies if a != "official"]
    border = dataset.national_border
    if not border.empty and bool((border["accuracy"].astype(str) != "surveyed").any()):
        found.append(CATALOGUE["border_approximate"])
    if any(bool((f["accuracy"].astype(str) != "surveyed").any()) for f in shown.values()):
        found.append(CATALOGUE["positions_approximate"])
    if not options.show_sensitive and _hides_sensitive(dataset, options):
        found.append(CATALOGUE["sensitive_hidden"])
    return sorted(found, key=lambda d: _order(d.key))


def _hides_sensitive(dataset: Dataset, options: MapOptions) -> bool:
    """True when a layer the view asks for holds defence/security items (which it leaves out)."""
    wanted = set(options.layers) if options.layers is not None else {*LAYERS, PROJECTS_KEY}
    return any(_any(f, "sensitive") for k, f in dataset.layers.items() if k in wanted)


def keys(found: list[Disclosure]) -> list[str]:
    """The keys of a list of disclosures (tests and surfaces compare by key)."""
    return [d.key for d in found]
