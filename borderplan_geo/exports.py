"""Exports for meetings: a self-contained HTML map, a 1920×1080 PNG, an A4 PDF handout.

The plan is reviewed in meeting halls, on a projector and often offline, and on
paper. Each export is a pure function returning ``str`` or ``bytes`` (the app
offers them as downloads, the command line writes them to disk):

:func:`export_html`
    The interactive map (:func:`~borderplan_geo.maps.build_map`) as ONE file
    that opens from a USB stick on a machine with no internet: Leaflet, its
    plugins, their images and fonts are inlined
    (:func:`~borderplan_geo.assets.inline_assets`), there are no tiles, and a
    Content-Security-Policy forbids the page to ask any host for anything.
:func:`export_png`
    A static map laid out like a print layout (title, map frame with
    graticule, legend, scale bar, north arrow, notes, sources), drawn with
    matplotlib in UTM zone 48N (EPSG:32648) so the scale bar is measured in
    metres. PNG text chunks carry the title, sources, a description and the
    ids of every feature drawn (``BorderPlan-Features``).
:func:`export_pdf`
    An A4 handout (reportlab): an overview page, then one page per commune
    (its close-up map, indicators, rural-development criteria not yet met
    and projects). Vietnamese text uses DejaVu Sans, which ships with
    matplotlib.

Honesty travels with every output: what a view must disclose (illustrative
figures, approximate boundaries and positions, partial communes, sensitive
items shown or hidden) is decided by
:func:`~borderplan_geo.disclosures.disclosures` and printed on the page; the
data date and the sources are printed, and defence and security items
(``sensitive``) are left out unless asked for.
"""

from __future__ import annotations

import contextlib
import errno
import html as html_lib
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import matplotlib
import pandas as pd
from branca.element import Element, MacroElement
from folium.template import Template
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, PathPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pyproj import Transformer
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepInFrame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import Image as RLImage
from reportlab.platypus.doctemplate import LayoutError
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry

from . import assets
from ._errors import BorderplanError, DataError
from ._html import html_text, js_value, script_hashes
from .boundaries import METRIC, WGS84
from .criteria import CRITERIA, LEVEL_LABELS, ntm_standing
from .dataset import Dataset
from .disclosures import Disclosure, disclosures, view_status_rows
from .formatting import format_number
from .layers import LAYERS, PROJECT_STATUSES, PROJECTS_KEY, PROJECTS_LABEL, SECTORS
from .layers import drawn_frames as layers_drawn_frames
from .maps import PARTIAL_DASH, MapOptions, build_map, filter_projects
from .settings import PLAN_YEARS, TARGET_YEAR, get_settings
from .slides import load_deck
from .status import STATUSES, partial_text, status_text
from .styles import (
    BORDER_STYLE,
    CLUSTER_COLOR,
    PROJECT_STATUS_COLORS,
    ROAD_STYLES,
    ROW_OF_HOUSES,
    ZONE_COLORS,
    StatusStyle,
    status_styles,
)
from .targets import Target, indicator_codes, target_for
from .units import AREA_CODE, PLAN_CODES, get_unit, merger_table, new_unit_of, units
from .views import (
    PARTIAL_LEGEND,
    commune_lines,
    gap_text,
    legend_counts,
    ranking_view,
    target_lines,
    target_summary,
)

EXPORT_FORMATS: tuple[str, ...] = ("html", "png", "pdf")
#: File suffix and MIME type of each format.
MEDIA_TYPES: dict[str, tuple[str, str]] = {
    "html": (".html", "text/html; charset=utf-8"),
    "png": (".png", "image/png"),
    "pdf": (".pdf", "application/pdf"),
}
VINTAGE_LABELS: dict[int, str] = {
    2020: "đơn vị hành chính trước 01/7/2025",
    2025: "đơn vị hành chính từ 01/7/2025",
}
#: PNG text chunk listing, as a JSON array, the ids of the layer features and projects drawn.
FEATURES_CHUNK = "BorderPlan-Features"
#: PNG text chunk: the communes' statuses, each with ``complete`` (:func:`status_records`).
STATUS_CHUNK = "BorderPlan-Status"
#: PNG text chunk: the keys of the view's disclosures (:mod:`borderplan_geo.disclosures`).
DISCLOSURES_CHUNK = "BorderPlan-Disclosures"
#: Stand-in asset URL while rendering the HTML export; every link under it is inlined.
ASSET_PLACEHOLDER = "/__borderplan_vendor__"

#: The PDF commune page's heading over the 19 criteria: neutral, since a commune may have met its level.
CRITERIA_HEADING = "Tiêu chí nông thôn mới so với mức Kế hoạch giao"
#: Disclosures that make the PNG's header say "SỐ LIỆU MINH HỌA".
ILLUSTRATIVE_KEYS = ("illustrative_figures", "illustrative_features")
PRODUCER = "BorderPlan Geo"
#: The plan every export is about, as a line above the title.
PLAN_TITLE = "Kế hoạch phát triển KT-XH 03 xã biên giới huyện Tân Hồng, tỉnh Đồng Tháp, 2020–2025"

_FONT = "DejaVu Sans"


class ExportError(BorderplanError):
    """An export that cannot be made as asked (unknown saved view, unwritable file)."""


# --------------------------------------------------------------------------------------------
# What to export
# --------------------------------------------------------------------------------------------


def resolve_options(
    dataset: Dataset,
    *,
    view: str | None = None,
    indicator: str | None = None,
    year: int | None = None,
    units: int | None = None,
    include_sensitive: bool = False,
) -> MapOptions:
    """The map choices an export shows: a saved view (``--view``), then explicit overrides.

    Parameters
    ----------
    dataset
        The data; its folder holds the saved views (``views/slides.json``).
    view
        Name of a saved view (:mod:`borderplan_geo.slides`); ``None`` shows
        the indicator chosen (clean water by default) over the whole area.
    indicator, year, units
        Override the view's indicator, year and units (2020 or 2025).
        Without a year the view's, else the newest year with figures.
    include_sensitive
        Show defence and security items (hidden by default).

    Raises
    ------
    ExportError
        The saved view does not exist (the message lists those that do).
    DataError
        The saved views file is wrong.
    """
    default_year = dataset.latest_year() or TARGET_YEAR
    if year is not None and year not in PLAN_YEARS:
        raise ExportError(f"năm {year} ngoài giai đoạn {PLAN_YEARS[0]}–{PLAN_YEARS[-1]}")
    if indicator is not None and indicator not in indicator_codes(dataset.targets):
        raise ExportError(f"không có chỉ tiêu '{indicator}'")
    if view:
        deck = load_deck(dataset.source)
        try:
            chosen = deck.get(view)
        except KeyError as exc:
            raise ExportError(str(exc.args[0]) if exc.args else f"không có trang chiếu '{view}'") from None
        options = chosen.map_options(year=default_year)
    else:
        options = MapOptions(indicator=indicator or "clean_water", year=default_year)
    overrides: dict[str, Any] = {"show_sensitive": include_sensitive}
    if indicator is not None:
        overrides["indicator"] = indicator
    if year is not None:
        overrides["year"] = year
    if units is not None and units != options.vintage:
        overrides["vintage"] = units
        overrides["commune"] = _commune_in(options.commune, options.vintage, units)
    return replace(options, **overrides)


def _commune_in(code: str | None, vintage: int, to: int) -> str | None:
    """A commune of one vintage seen in the other (2020 → its 2025 commune; 2025 → none)."""
    if code is None:
        return None
    if vintage == 2020 and to == 2025:
        return new_unit_of(code).code
    return None


def indicator_name(dataset: Dataset, code: str) -> str:
    """The indicator's Vietnamese name (its code if unknown)."""
    return next((t.name for t in dataset.targets if t.code == code), code)


def export_title(dataset: Dataset, options: MapOptions) -> tuple[str, str]:
    """Title and subtitle: the view's title (or the indicator), then indicator, year, units, data date."""
    name = indicator_name(dataset, options.indicator)
    title = options.title or name
    parts = [name] if options.title and options.title != name else []
    parts += [f"năm {options.year}", VINTAGE_LABELS.get(options.vintage, str(options.vintage))]
    if options.commune:
        parts.append(get_unit(options.commune, options.vintage).name)
    when = dataset.data_date()
    if when:
        parts.append(f"số liệu cập nhật {when}")
    subtitle = options.subtitle or " · ".join(parts)
    return title, subtitle


def _status_rows(dataset: Dataset, options: MapOptions) -> pd.DataFrame:
    return view_status_rows(dataset, options)


def drawn_frames(dataset: Dataset, options: MapOptions) -> dict[str, gpd.GeoDataFrame]:
    """The layer features and projects a map with these options shows (:func:`~borderplan_geo.layers.drawn_frames`)."""
    return layers_drawn_frames(dataset.layers, options)


def _distinct(texts: Iterable[object], *, split: str | None = None) -> list[str]:
    seen: list[str] = []
    for raw in texts:
        if raw is None or (isinstance(raw, float) and math.isnan(raw)):
            continue
        for part in str(raw).split(split) if split else [str(raw)]:
            part = part.strip()
            if part and part not in seen:
                seen.append(part)
    return seen


def source_lines(
    dataset: Dataset,
    options: MapOptions,
    frames: dict[str, gpd.GeoDataFrame] | None = None,
    *,
    status_rows: pd.DataFrame | None = None,
) -> list[str]:
    """Where what is shown comes from: the target, the figures, the boundaries, the layers.

    Layers and projects have a source per feature; they are summed up (the
    interactive map and the PDF tables show each one).
    """
    rows = status_rows if status_rows is not None else _status_rows(dataset, options)
    lines: list[str] = []
    targets = _merge_sources(_distinct(t.source for t in dataset.targets if t.code in set(rows["indicator"])))
    if not targets:
        t = target_for(dataset.targets, options.indicator)
        targets = [t.source] if t else []
    if targets:
        lines.append("Chỉ tiêu: " + "; ".join(targets))
    figures = _distinct(rows["source"], split=" | ")
    figures = [
        f
        for f in figures
        if f.removeprefix("Tham chiếu: ") == f or f.removeprefix("Tham chiếu: ") not in figures
    ]
    if figures:
        lines.append("Số liệu: " + "; ".join(figures))
    bounds = _distinct([*dataset.units_2020["source"], *dataset.national_border.get("source", [])])
    if bounds:
        lines.append("Ranh giới, biên giới: " + "; ".join(bounds))
    frames = frames or {}
    if frames:
        sources = _distinct(s for f in frames.values() for s in f["source"])
        count = sum(len(f) for f in frames.values())
        lines.append(
            f"Lớp bản đồ, dự án ({format_number(count)} đối tượng): nguồn ghi ở từng đối tượng "
            f"({format_number(len(sources))} nguồn), xem bản đồ tương tác"
        )
    return lines


_CLAUSE_RE = re.compile(r"^(?P<doc>.*\)),\s*(?P<clause>mục .*)$")


def _merge_sources(sources: Sequence[str]) -> list[str]:
    """Sources citing clauses of one document, said once: "Kế hoạch … (2021), mục II.(2); mục II.(3)"."""
    docs: dict[str, list[str]] = {}
    for source in sources:
        match = _CLAUSE_RE.match(source)
        doc, clause = (match.group("doc"), match.group("clause")) if match else (source, "")
        docs.setdefault(doc, [])
        if clause and clause not in docs[doc]:
            docs[doc].append(clause)
    out = []
    for doc, clauses in docs.items():
        if len(clauses) > 2:
            sections = _distinct(re.findall(r"mục ([IVX]+)", " ".join(clauses)))
            out.append(f"{doc}, mục {', '.join(sections)}" if sections else doc)
        else:
            out.append(f"{doc}, {'; '.join(clauses)}" if clauses else doc)
    return out


def feature_ids(frames: dict[str, gpd.GeoDataFrame]) -> list[str]:
    """Ids of every layer feature and project in ``frames``, layer by layer."""
    return [str(i) for f in frames.values() for i in f["id"]]


def status_records(rows: pd.DataFrame) -> list[dict[str, object]]:
    """Each commune's status as an export carries it, with ``complete`` (false: measured in part).

    The PNG holds them in its :data:`STATUS_CHUNK`; the HTML export's map
    features carry the same ``complete`` property.
    """
    return [
        {
            "unit_code": str(r["unit_code"]),
            "unit_name": str(r["unit_name"]),
            "status": str(r["status"]),
            "status_text": status_text(r),
            "complete": bool(r["complete"]),
        }
        for r in rows.to_dict("records")
    ]


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

#: Stands for the hashes of the page's own scripts until the page is complete.
_SCRIPT_HASHES = "__borderplan_script_hashes__"
#: The page may load nothing: scripts, styles, images and fonts are inline or data: URIs. Only the
#: page's own inline scripts run, each allowed by its hash: no event-handler attribute, no
#: ``javascript:`` URL, no script added later (a hash list makes browsers ignore 'unsafe-inline').
_CSP = (
    f"default-src 'none'; script-src {_SCRIPT_HASHES}; script-src-attr 'none'; "
    "style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'none'; frame-src 'none'; "
    "object-src 'none'; form-action 'none'; base-uri 'none'"
)


class _SourcesControl(MacroElement):
    """A Leaflet control with the sources and data date (pre-escaped HTML); Leaflet credited as text."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            if (map.attributionControl) { map.attributionControl.setPrefix('Leaflet'); }
            var ctl = L.control({position: 'bottomleft'});
            ctl.onAdd = function() {
                var div = L.DomUtil.create('div', 'bp-sources');
                div.innerHTML = {{ this.html_js }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            ctl.addTo(map);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "BorderplanSources"
        self.html_js = js_value(html)


_SOURCES_CSS = """
<style>
.bp-sources { background: rgba(255,255,255,0.93); color: #222; border-radius: 6px; padding: 5px 8px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); font-size: 11px; line-height: 1.3; max-width: 46vw;
  max-height: 18vh; overflow-y: auto; }
.bp-sources b { color: #111; }
.bp-sources summary { cursor: pointer; font-weight: 700; }
.bp-sources details[open] summary { margin-bottom: 3px; }
</style>
"""


def export_html(dataset: Dataset, options: MapOptions, *, vendor_dir: Path | None = None) -> str:
    """The interactive map as one self-contained HTML page for offline meetings.

    The page needs no server and no internet: no tiles (the basemap is forced
    to none), every script, stylesheet, image and font inline, and a
    Content-Security-Policy that blocks any request to a host. Title,
    subtitle (indicator, year, units, data date), legend, the honesty notes
    and the sources are on the page.

    Parameters
    ----------
    dataset
        The data.
    options
        What to show (:func:`resolve_options`); sensitive items only with
        ``options.show_sensitive``.
    vendor_dir
        Where the offline assets were fetched (default: the settings').

    Raises
    ------
    AssetError
        An asset is missing (run ``python -m borderplan_geo.assets fetch``).
    """
    vendor = Path(vendor_dir) if vendor_dir is not None else get_settings().vendor_dir
    title, subtitle = export_title(dataset, options)
    frames = drawn_frames(dataset, options)
    rows = _status_rows(dataset, options)
    shown = replace(
        options,
        basemap="none",
        controls=False,
        title=title,
        subtitle=subtitle,
        # The disclosures on the map itself; the legend's layer symbols one click away, so that on a
        # projector the legend does not hide the east of the map.
        **_known_options(legend_symbols_open=False, show_notes=True),
    )
    m = build_map(dataset, shown, asset_base_url=ASSET_PLACEHOLDER)
    sources = source_lines(dataset, shown, frames, status_rows=rows)
    when = dataset.data_date()
    lines = "<br>".join(
        f"<b>{html_text(line.split(':', 1)[0])}:</b>{html_text(line.split(':', 1)[1])}" for line in sources
    )
    stamp = f"số liệu cập nhật {when}" if when else "ngày cập nhật không rõ"
    # One line on the projector; the full list a click away (and always in the file).
    body = (
        f"<details><summary>Nguồn số liệu · {html_text(stamp)}</summary>{lines}"
        f"<br><i>Xuất từ {PRODUCER} ngày {date.today():%d/%m/%Y}</i></details>"
    )
    _SourcesControl(body).add_to(m)
    root = m.get_root()
    root.title = html_text(title)  # type: ignore[attr-defined]  # branca puts it in <title> as it is
    description = f"{title} — {subtitle}"
    root.header.add_child(  # type: ignore[attr-defined]
        Element(
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
            f'<meta name="description" content="{html_text(description)}">'
            f'<meta name="generator" content="{PRODUCER}">' + _SOURCES_CSS
        ),
        name="borderplan_export_meta",
        index=0,
    )
    assets.drop_unused_defaults(m)
    _drop_bootstrap_css(m)
    page = root.render()
    page = assets.inline_assets(page, vendor, ASSET_PLACEHOLDER)
    if ASSET_PLACEHOLDER in page:
        raise ExportError("trang xuất còn liên kết tới tài nguyên chưa nhúng")
    # The policy's own text cannot come from data (the title before it is escaped, quotes too).
    page = page.replace(_CSP, _CSP.replace(_SCRIPT_HASHES, " ".join(script_hashes(page))), 1)
    return page.replace("<html>", '<html lang="vi">', 1)


def _known_options(**wanted: Any) -> dict[str, Any]:
    """The map options this version of :class:`MapOptions` has (newer ones are skipped)."""
    names = {f.name for f in fields(MapOptions)}
    return {k: v for k, v in wanted.items() if k in names}


def _drop_bootstrap_css(m: folium.Map) -> None:
    """Leave Bootstrap's CSS out: the map uses none of it (its ``bp-row`` only looks like ``row``)."""
    m.default_css = [(n, u) for n, u in m.default_css if n != "bootstrap_css"]
    root = m.get_root()
    header = getattr(root, "header", None)
    if header is not None:
        header._children.pop("bootstrap_css", None)


# --------------------------------------------------------------------------------------------
# Drawing a map with matplotlib (PNG and PDF)
# --------------------------------------------------------------------------------------------

#: Point symbols by layer kind: (matplotlib marker, colour, size factor). Colours as in styles.py.
_POINT_SYMBOLS: dict[str, tuple[str | MplPath, str, float]] = {
    "international": ("*", "#C2185B", 1.9),
    "secondary": ("D", "#C2185B", 1.05),
    "marker": ("^", "#5D4037", 1.1),
    "water_station": ("d", "#1565C0", 1.25),
    "school": ("s", "#283593", 1.0),
    "health": ("P", "#C62828", 1.15),
    "cluster": ("p", CLUSTER_COLOR, 1.15),
    "line": (
        MplPath([((x - 12) / 12, (12 - y) / 12) for x, y in ROW_OF_HOUSES], closed=True),
        CLUSTER_COLOR,
        1.3,
    ),
    "heritage": ("h", "#6A1B9A", 1.15),
    "tourism": (">", "#00838F", 1.05),
    "market": ("H", "#8C510A", 1.1),
    "waste": ("X", "#455A64", 1.1),
    "admin": ("8", "#37474F", 1.05),
    "border_post": ("v", "#1B5E20", 1.15),
}
_DEFAULT_POINT: tuple[str | MplPath, str, float] = ("o", "#555555", 1.0)
#: Hatch of a commune whose status comes from part of its old communes ("no data" is "///").
_PARTIAL_HATCH = "\\\\\\"

#: Project markers: status → (fill style, marker); colour from PROJECT_STATUS_COLORS.
_PROJECT_MARKERS: dict[str, tuple[str, str]] = {
    "planned": ("none", "o"),
    "under_construction": ("left", "o"),
    "completed": ("full", "o"),
    "suspended": ("full", "X"),
}


def _dashes(spec: str | None, scale: float) -> tuple[float, tuple[float, ...]] | str:
    """A Leaflet dash array ("8 6") as a matplotlib dash pattern in points."""
    if not spec:
        return "solid"
    numbers = tuple(float(x) * scale for x in spec.replace(",", " ").split())
    return (0.0, numbers)


@dataclass(frozen=True)
class _Look:
    """Sizes (points) of one rendering; the PNG and the A4 maps differ."""

    label: float = 12.0
    badge: float = 10.5
    context: float = 9.5
    feature_label: float = 8.5
    marker: float = 9.0
    line: float = 1.0
    tick: float = 8.0
    legend: float = 10.5
    legend_title: float = 12.5
    scale: float = 9.0


_PNG_LOOK = _Look()
_PDF_LOOK = _Look(
    label=7.2,
    badge=6.4,
    context=5.6,
    feature_label=5.0,
    marker=5.2,
    line=0.6,
    tick=5.0,
    legend=5.6,
    legend_title=6.6,
    scale=5.4,
)


@dataclass
class _MapData:
    """The frames of one map, in the metric CRS."""

    units: gpd.GeoDataFrame
    border: gpd.GeoDataFrame
    frames: dict[str, gpd.GeoDataFrame]
    rows: dict[str, dict[str, Any]]
    styles: dict[str, StatusStyle]
    counts: dict[str, int] = field(default_factory=dict)
    """Communes per status, those measured in part left out (:func:`~borderplan_geo.views.legend_counts`)."""
    partial: int = 0
    """Communes measured in part, counted apart from ``counts``."""
    status_rows: pd.DataFrame | None = None
    """The view's status rows (targets per commune for the legend)."""
    area: dict[str, Any] | None = None
    """The 3-commune row of the indicator, when the plan sets the target for the 3 together."""
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Each frame's rows as dicts, made once for every map drawn from this data."""

    def __post_init__(self) -> None:
        self.records = {k: f.to_dict("records") for k, f in self.frames.items()}
        self.records["_units"] = self.units.to_dict("records")
        self.records["_border"] = self.border.to_dict("records")


def _metric(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.empty:
        return frame
    if frame.crs is None:
        frame = frame.set_crs(WGS84)
    return frame.to_crs(METRIC)


def _map_data(dataset: Dataset, options: MapOptions) -> _MapData:
    rows = _status_rows(dataset, options)
    records = rows.to_dict("records")
    by_unit = {str(r["unit_code"]): r for r in records if r["unit_code"] != AREA_CODE}
    area = next((r for r in records if r["unit_code"] == AREA_CODE and r["in_scope"]), None)
    styles = status_styles(options.palette)
    counts, partial = legend_counts(rows)
    return _MapData(
        units=_metric(dataset.units(options.vintage)),
        border=_metric(dataset.national_border),
        frames={k: _metric(f) for k, f in drawn_frames(dataset, options).items()},
        rows=by_unit,
        styles=styles,
        counts=counts,
        partial=partial,
        status_rows=rows,
        area=area,
    )


def _polygon_path(geom: BaseGeometry) -> MplPath | None:
    """A matplotlib path of a (multi)polygon, holes included."""
    polygons = list(getattr(geom, "geoms", [geom]))
    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    for poly in polygons:
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in [poly.exterior, *poly.interiors]:
            coords = list(ring.coords)
            if len(coords) < 3:
                continue
            vertices += coords
            codes += (
                [int(MplPath.MOVETO)] + [int(MplPath.LINETO)] * (len(coords) - 2) + [int(MplPath.CLOSEPOLY)]
            )
    return MplPath(vertices, codes) if vertices else None


def _lines(geom: BaseGeometry) -> list[tuple[list[float], list[float]]]:
    """The x and y lists of each part of a (multi)line or a polygon's rings."""
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type in ("MultiLineString", "MultiPolygon", "GeometryCollection"):
        return [part for g in geom.geoms for part in _lines(g)]
    if geom.geom_type == "Polygon":
        return _lines(geom.exterior)
    if geom.geom_type in ("LineString", "LinearRing"):
        xs, ys = geom.xy
        return [(list(xs), list(ys))]
    return []


def _fit_extent(bounds: Sequence[float], aspect: float, pad: float) -> tuple[float, float, float, float]:
    """Limits around ``bounds`` (minx, miny, maxx, maxy) padded by ``pad`` and widened to ``aspect`` (w/h)."""
    minx, miny, maxx, maxy = bounds
    w, h = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    w, h = w * (1 + 2 * pad), h * (1 + 2 * pad)
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2


_TO_METRIC = Transformer.from_crs(WGS84, METRIC, always_xy=True)
_TO_WGS84 = Transformer.from_crs(METRIC, WGS84, always_xy=True)


def _dms(value: float, positive: str, negative: str) -> str:
    hemisphere = positive if value >= 0 else negative
    value = abs(value)
    degrees = int(value)
    minutes = round((value - degrees) * 60)
    if minutes == 60:
        degrees, minutes = degrees + 1, 0
    return f"{degrees}°{minutes:02d}′{hemisphere}"


def _graticule(ax: Axes, extent: tuple[float, float, float, float], look: _Look) -> None:
    """Meridians and parallels every 3′ as faint lines, labelled on the frame (Đ = east, B = north)."""
    x0, x1, y0, y1 = extent
    lon0, lat0 = _TO_WGS84.transform(x0, y0)
    lon1, lat1 = _TO_WGS84.transform(x1, y1)
    step = 0.05 if (lon1 - lon0) > 0.12 else 0.025
    xt, xl, yt, yl = [], [], [], []
    lon = math.ceil(lon0 / step) * step
    while lon < lon1:
        xa, ya = _TO_METRIC.transform([lon, lon], [lat0 - 0.05, lat1 + 0.05])
        _plot(ax, xa, ya, color="#9aa3ab", lw=0.35 * look.line, alpha=0.55, zorder=1)
        xb, _ = _TO_METRIC.transform(lon, lat0)
        xt.append(xb)
        xl.append(_dms(lon, "Đ", "T"))
        lon += step
    lat = math.ceil(lat0 / step) * step
    while lat < lat1:
        xa, ya = _TO_METRIC.transform([lon0 - 0.05, lon1 + 0.05], [lat, lat])
        _plot(ax, xa, ya, color="#9aa3ab", lw=0.35 * look.line, alpha=0.55, zorder=1)
        _, yb = _TO_METRIC.transform(lon0, lat)
        yt.append(yb)
        yl.append(_dms(lat, "B", "N"))
        lat += step
    ax.set_xticks(xt, xl, fontsize=look.tick, color="#444", fontfamily=_FONT)
    ax.set_yticks(yt, yl, fontsize=look.tick, color="#444", fontfamily=_FONT, rotation=90, va="center")
    ax.tick_params(direction="in", length=3 * look.line + 1, width=0.6, pad=2, top=True, right=True)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def _nice_length(metres: float) -> float:
    """A round scale-bar length (1, 2, 5 × 10ⁿ m) not longer than ``metres``."""
    exponent = math.floor(math.log10(max(metres, 1.0)))
    for factor in (5, 2, 1):
        value = factor * 10**exponent
        if value <= metres:
            return float(value)
    return float(10 ** (exponent - 1) * 5)


def _units_per_point(ax: Axes, extent: tuple[float, float, float, float]) -> float:
    """Map metres per typographic point on the page (the map's x and y scales are equal)."""
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    width_pt = ax.get_position().width * fig.get_size_inches()[0] * 72
    return (extent[1] - extent[0]) / width_pt


def scale_labels(
    length: float, segments: int, left: float, seg: float, width: Callable[[str], float]
) -> list[tuple[float, str, str]]:
    """The scale bar's labels: (x, text, alignment), none running into another.

    The last label carries the unit ("2 km", "500 m"), the others the number alone
    in Vietnamese style ("0,5"). ``0`` and the last are always written; a label in
    between is dropped when it would come within a space's width of its
    neighbours (``width`` measures a text in map units).
    """
    unit_km = length >= 1000
    last = format_number(length / 1000 if unit_km else length) + (" km" if unit_km else " m")
    gap = width(" ")
    end = left + segments * seg
    out = [(left, "0", "center")]
    placed_right = left + width("0") / 2
    for i in range(1, segments):
        x = left + i * seg
        text = format_number(round(i * seg / 1000, 2) if unit_km else i * seg)
        w = width(text)
        if x - w / 2 >= placed_right + gap and x + w / 2 + gap <= end:
            out.append((x, text, "center"))
            placed_right = x + w / 2
    out.append((end, last, "left"))
    return out


def _scale_bar(
    ax: Axes, extent: tuple[float, float, float, float], look: _Look
) -> tuple[float, float, float, float]:
    """A scale bar in the lower left, measured in metres (the map is in UTM 48N); returns its box."""
    x0, x1, y0, _ = extent
    u = _units_per_point(ax, extent)
    length = _nice_length((x1 - x0) * 0.2)
    lead = round(length / 10 ** math.floor(math.log10(length)))
    segments = {5: 5, 2: 4}.get(lead, 2)
    seg = length / segments
    size = look.scale
    pad = size * 0.8 * u
    bar_h = size * 0.55 * u
    left = x0 + size * 2.2 * u
    bottom = y0 + size * 2.0 * u
    labels = scale_labels(length, segments, left, seg, lambda t: _text_width(t, size) * u)
    last = labels[-1][1]
    box_w = length + pad * 2 + _text_width(last, size) * u * 0.6
    box_h = bar_h + size * 1.35 * u + pad * 2
    _add(
        ax,
        FancyBboxPatch(
            (left - pad, bottom - pad),
            box_w,
            box_h,
            boxstyle=f"round,pad=0,rounding_size={size * 0.4 * u}",
            facecolor="white",
            edgecolor="#777",
            lw=0.5,
            alpha=0.9,
            zorder=20,
        ),
    )
    for i in range(segments):
        _add(
            ax,
            Rectangle(
                (left + i * seg, bottom),
                seg,
                bar_h,
                facecolor="#222" if i % 2 == 0 else "white",
                edgecolor="#222",
                lw=0.5 * look.line + 0.1,
                zorder=21,
            ),
        )
    for x, text, align in labels:
        ax.text(
            x,
            bottom + bar_h + size * 0.25 * u,
            text,
            ha=align,
            va="bottom",
            fontsize=size,
            fontfamily=_FONT,
            zorder=22,
            parse_math=False,
        )
    return (left - pad, bottom - pad, left - pad + box_w, bottom - pad + box_h)


def _north_arrow(
    ax: Axes, extent: tuple[float, float, float, float], look: _Look
) -> tuple[float, float, float, float]:
    """A north arrow in the upper right, "B" for Bắc; returns its box.

    The map is in UTM 48N, whose grid north is within 0,1° of true north here.
    """
    _, x1, _, y1 = extent
    u = _units_per_point(ax, extent)
    size = look.legend_title
    half = size * 0.55 * u
    height = size * 2.6 * u
    cx = x1 - size * 2.4 * u
    tip_y = y1 - size * 2.2 * u
    base_y = tip_y - height
    notch_y = base_y + height * 0.3
    _add(
        ax,
        FancyBboxPatch(
            (cx - half * 2.2, base_y - size * 0.6 * u),
            half * 4.4,
            height + size * 2.1 * u,
            boxstyle=f"round,pad=0,rounding_size={size * 0.3 * u}",
            facecolor="white",
            edgecolor="#777",
            lw=0.5,
            alpha=0.9,
            zorder=20,
        ),
    )
    for side, color in ((-1, "#222"), (1, "white")):
        _add(
            ax,
            Polygon(
                [(cx, tip_y), (cx + side * half * 1.5, base_y), (cx, notch_y)],
                closed=True,
                facecolor=color,
                edgecolor="#222",
                lw=0.6 * look.line + 0.1,
                zorder=21,
            ),
        )
    ax.text(
        cx,
        tip_y + size * 0.2 * u,
        "B",
        ha="center",
        va="bottom",
        fontsize=size,
        fontweight="bold",
        fontfamily=_FONT,
        zorder=22,
    )
    return (
        cx - half * 2.2,
        base_y - size * 0.6 * u,
        cx + half * 2.2,
        base_y - size * 0.6 * u + height + size * 2.1 * u,
    )


def _axes_aspect(ax: Axes) -> float:
    """Width / height of the axes box on the figure."""
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    bbox = ax.get_position()
    fw, fh = fig.get_size_inches()
    return float((bbox.width * fw) / (bbox.height * fh))


def _add(ax: Axes, patch: Any) -> None:
    """Add a patch without the data-limit update ``add_patch`` does (the maps set their limits)."""
    ax.add_artist(patch)


def _plot(ax: Axes, xs: Sequence[float], ys: Sequence[float], **style: Any) -> None:
    """Add a line or markers without the data-limit update ``plot`` does."""
    ax.add_artist(Line2D(xs, ys, **style))


def _halo(width: float) -> list[patheffects.AbstractPathEffect]:
    return [patheffects.withStroke(linewidth=width, foreground="white")]


def _draw_map(
    ax: Axes,
    data: _MapData,
    options: MapOptions,
    look: _Look,
    *,
    focus: BaseGeometry | None = None,
    label_features: bool = True,
) -> dict[str, gpd.GeoDataFrame]:
    """Draw communes by status, the border, layers, projects, scale bar and north arrow.

    ``focus`` (metric) is the area to frame; default: every unit of the
    vintage. Labels carry the second cue of status (symbol and value) and are
    placed clear of each other, of the scale bar and of the north arrow.
    Returns the layer features and projects in the frame, by layer key.
    """
    aspect = _axes_aspect(ax)
    target = focus if focus is not None else data.units.union_all()
    pad = 0.04 if focus is None else 0.08
    extent = _fit_extent(target.bounds, aspect, pad)
    frame_box = box(extent[0], extent[2], extent[1], extent[3])
    ax.set_facecolor("#f4f6f8")
    _add(
        ax,
        Rectangle(
            (extent[0], extent[2]), extent[1] - extent[0], extent[3] - extent[2], color="#f4f6f8", zorder=0
        ),
    )
    _graticule(ax, extent, look)
    in_view: dict[str, gpd.GeoDataFrame] = {}
    view_records: dict[str, list[dict[str, Any]]] = {}
    for k, f in data.frames.items():
        mask = f.intersects(frame_box).to_numpy()
        if mask.any():
            in_view[k] = f[mask]
            view_records[k] = [r for r, keep in zip(data.records[k], mask, strict=True) if keep]
    high = options.palette == "high_contrast"

    # Communes: fill by status; outside the target's scope only an outline.
    for rec in data.records["_units"]:
        path = _polygon_path(rec["geometry"])
        if path is None:
            continue
        row = data.rows.get(str(rec["code"]))
        if row is None:
            _add(ax, PathPatch(path, facecolor="#ffffff", edgecolor="#8a8a8a", lw=0.7 * look.line, zorder=2))
            continue
        st = data.styles[str(row["status"])]
        chosen = options.commune == rec["code"]
        partial = bool(row.get("_partial"))
        # A close-up keeps the neighbours' colours but pales them, so the commune stands out.
        alpha = (0.78 if high else 0.62) if chosen or options.commune is None else 0.3
        hatch = "///" if row["status"] == "no_data" else _PARTIAL_HATCH if partial else None
        _add(
            ax,
            PathPatch(path, facecolor=st.color, alpha=alpha, edgecolor="none", hatch=hatch, zorder=2),
        )
        _add(
            ax,
            PathPatch(
                path,
                facecolor="none",
                edgecolor="#222",
                lw=(2.6 if chosen else 1.1) * look.line * (1.4 if high else 1.0) * (1.3 if partial else 1.0),
                linestyle=_dashes(PARTIAL_DASH if partial else st.dash, 0.5 * look.line),
                zorder=6,
            ),
        )

    # Zones and residential areas (polygons), then lines.
    for key in ("economic_zones", "residential_clusters", PROJECTS_KEY):
        for rec in view_records.get(key, []):
            geom = rec["geometry"]
            if geom.geom_type not in ("Polygon", "MultiPolygon"):
                continue
            path = _polygon_path(geom)
            if path is None:
                continue
            if key == PROJECTS_KEY:
                color = PROJECT_STATUS_COLORS.get(str(rec.get("status")), "#555")
            else:
                color = ZONE_COLORS.get(str(rec.get("kind")), CLUSTER_COLOR)
            _add(ax, PathPatch(path, facecolor=color, alpha=0.22, edgecolor="none", zorder=3))
            _add(
                ax,
                PathPatch(
                    path,
                    facecolor="none",
                    edgecolor=color,
                    lw=1.1 * look.line,
                    linestyle=(0, (4 * look.line, 2.5 * look.line)),
                    zorder=3.1,
                ),
            )
    for rec in view_records.get("roads", []):
        ls = ROAD_STYLES.get(str(rec.get("kind")))
        color = ls.color if ls else CLUSTER_COLOR
        width = (ls.weight if ls else 3) * 0.55 * look.line
        for xs, ys in _lines(rec["geometry"]):
            _plot(
                ax,
                xs,
                ys,
                color=color,
                lw=width,
                linestyle=_dashes(ls.dash if ls else "4 4", 0.45 * look.line),
                solid_capstyle="round",
                zorder=4,
            )
    for rec in view_records.get("residential_clusters", []):
        if rec["geometry"].geom_type in ("LineString", "MultiLineString"):
            for xs, ys in _lines(rec["geometry"]):
                _plot(ax, xs, ys, color=CLUSTER_COLOR, lw=2.4 * look.line, linestyle=(0, (2, 1)), zorder=4)
    projects = view_records.get(PROJECTS_KEY, [])
    for rec in projects:
        if rec["geometry"].geom_type in ("LineString", "MultiLineString"):
            color = PROJECT_STATUS_COLORS.get(str(rec.get("status")), "#555")
            for xs, ys in _lines(rec["geometry"]):
                _plot(
                    ax,
                    xs,
                    ys,
                    color=color,
                    lw=3.2 * look.line,
                    alpha=0.75,
                    solid_capstyle="round",
                    zorder=4.5,
                )

    # The national border.
    for rec in data.records["_border"]:
        for xs, ys in _lines(rec["geometry"]):
            _plot(ax, xs, ys, color="white", lw=BORDER_STYLE.weight * 0.9 * look.line, zorder=7)
            _plot(
                ax,
                xs,
                ys,
                color=BORDER_STYLE.color,
                lw=BORDER_STYLE.weight * 0.6 * look.line,
                linestyle=_dashes(BORDER_STYLE.dash, 0.42 * look.line),
                zorder=7.1,
            )

    # Point layers, then projects on top.
    gate_labels: list[tuple[str, float, float]] = []
    for key, recs in view_records.items():
        if key == PROJECTS_KEY:
            continue
        for rec in recs:
            geom = rec["geometry"]
            if geom.geom_type != "Point":
                continue
            marker, color, factor = _POINT_SYMBOLS.get(str(rec.get("kind")), _DEFAULT_POINT)
            _plot(
                ax,
                [geom.x],
                [geom.y],
                marker=marker,
                markersize=look.marker * factor,
                markerfacecolor=color,
                markeredgecolor="white",
                markeredgewidth=0.9 * look.line,
                linestyle="none",
                zorder=9,
            )
            if label_features and key == "border_gates" and rec.get("kind") != "marker":
                gate_labels.append((str(rec["name"]), geom.x, geom.y))
    for rec in projects:
        geom = rec["geometry"]
        point = geom if geom.geom_type == "Point" else geom.representative_point()
        status = str(rec.get("status"))
        fill, marker = _PROJECT_MARKERS.get(status, ("full", "o"))
        color = PROJECT_STATUS_COLORS.get(status, "#555")
        _plot(
            ax,
            [point.x],
            [point.y],
            marker=marker,
            markersize=look.marker * 0.95,
            fillstyle=fill,
            markerfacecolor=color,
            markerfacecoloralt="white",
            markeredgecolor=color if fill != "full" else "white",
            markeredgewidth=(1.6 if fill != "full" else 0.8) * look.line,
            linestyle="none",
            zorder=10,
        )

    # Labels, kept whole inside the frame and clear of each other: the gates' names, then the
    # communes of the indicator (name, then symbol and value on the status colour), then the others.
    u = _units_per_point(ax, extent)
    placed = [_scale_bar(ax, extent, look), _north_arrow(ax, extent, look)]
    for name, gx, gy in gate_labels:
        w = _text_width(name, look.feature_label, bold=True) * u
        h = look.feature_label * 1.3 * u
        cx = min(max(gx, extent[0] + w / 2 + 2 * u), extent[1] - w / 2 - 2 * u)
        bottom = gy + look.marker * 0.9 * u
        if bottom + h > extent[3] - 2 * u:
            bottom = gy - look.marker * 0.9 * u - h
        box_ = (cx - w / 2, bottom, cx + w / 2, bottom + h)
        if _overlaps(box_, placed):
            continue
        placed.append(box_)
        ax.text(
            cx,
            bottom,
            name,
            ha="center",
            va="bottom",
            fontsize=look.feature_label,
            color="#6a0f36",
            fontweight="bold",
            fontfamily=_FONT,
            path_effects=_halo(2.2 * look.line + 0.6),
            zorder=12,
            clip_on=True,
            parse_math=False,
        )
    ordered = sorted(data.records["_units"], key=lambda r: str(r["code"]) not in data.rows)
    for rec in ordered:
        row = data.rows.get(str(rec["code"]))
        name = str(rec["name"])
        if row is None:
            w = _text_width(name, look.context) * u
            above, below = look.context * 0.65 * u, look.context * 0.65 * u
        else:
            badge = f"{data.styles[str(row['status'])].symbol} {row['_value_text']}"
            w = max(
                _text_width(name, look.label, bold=True),
                _text_width(badge, look.badge, bold=True) + look.badge,
                _text_width(str(row.get("_partial") or ""), look.context, bold=True),
            )
            w *= u
            above, below = look.label * 1.3 * u, look.badge * 2.1 * u
            if row.get("_partial"):
                below += look.context * 1.4 * u
        point = _label_point(rec["geometry"], extent, w, above, below, placed, margin=look.label * 0.4 * u)
        if point is None:
            continue
        placed.append((point[0] - w / 2, point[1] - below, point[0] + w / 2, point[1] + above))
        if row is None:
            ax.text(
                point[0],
                point[1],
                name,
                ha="center",
                va="center",
                fontsize=look.context,
                color="#555",
                style="italic",
                fontfamily=_FONT,
                path_effects=_halo(2.0 * look.line + 0.5),
                zorder=13,
                clip_on=True,
                parse_math=False,
            )
            continue
        st = data.styles[str(row["status"])]
        ax.text(
            point[0],
            point[1],
            name,
            ha="center",
            va="bottom",
            fontsize=look.label,
            fontweight="bold",
            color="#111",
            fontfamily=_FONT,
            path_effects=_halo(2.6 * look.line + 0.6),
            zorder=14,
            clip_on=True,
            parse_math=False,
        )
        ax.annotate(
            f"{st.symbol} {row['_value_text']}",
            point,
            xytext=(0, -look.badge * 0.45),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=look.badge,
            fontweight="bold",
            color=st.text_color,
            fontfamily=_FONT,
            bbox={
                "boxstyle": "round,pad=0.28,rounding_size=0.3",
                "facecolor": st.color,
                "edgecolor": "#222",
                "lw": 0.6 * look.line + 0.2,
            },
            zorder=14,
            annotation_clip=True,
            clip_on=True,
            parse_math=False,
        )
        if row.get("_partial"):
            ax.annotate(
                str(row["_partial"]),
                point,
                xytext=(0, -look.badge * 2.15),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=look.context,
                fontweight="bold",
                color="#5a3500",
                fontfamily=_FONT,
                path_effects=_halo(2.0 * look.line + 0.5),
                zorder=14,
                annotation_clip=True,
                clip_on=True,
                parse_math=False,
            )
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    for spine in ax.spines.values():
        spine.set_linewidth(1.0)
        spine.set_color("#222")
    return in_view


def _overlaps(
    box_: tuple[float, float, float, float], placed: Sequence[tuple[float, float, float, float]]
) -> bool:
    x0, y0, x1, y1 = box_
    return any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in placed)


def _label_point(
    geom: BaseGeometry,
    extent: tuple[float, float, float, float],
    width: float,
    above: float,
    below: float,
    placed: Sequence[tuple[float, float, float, float]],
    *,
    margin: float,
) -> tuple[float, float] | None:
    """Where a label fits: inside the frame, on its unit, clear of the labels placed; ``None`` if nowhere.

    Tries the unit's representative point first, then points of a grid over
    the part of the unit where the label fits, nearest first.
    """
    x0, x1, y0, y1 = extent
    inner = box(x0 + width / 2 + margin, y0 + below + margin, x1 - width / 2 - margin, y1 - above - margin)
    if inner.is_empty or inner.area <= 0:
        return None
    area = geom.intersection(inner)
    if area.is_empty:
        return None
    start = geom.representative_point()
    candidates = [start] if area.contains(start) else []
    bx0, by0, bx1, by1 = area.bounds
    steps = 9
    grid = [
        Point(bx0 + (bx1 - bx0) * (i + 0.5) / steps, by0 + (by1 - by0) * (j + 0.5) / steps)
        for i in range(steps)
        for j in range(steps)
    ]
    inside = [p for p in grid if area.contains(p)]
    candidates += sorted(inside, key=lambda p: p.distance(start))
    for p in candidates:
        box_ = (p.x - width / 2, p.y - below, p.x + width / 2, p.y + above)
        if not _overlaps(box_, placed):
            return (p.x, p.y)
    return None


def _with_value_texts(dataset: Dataset, data: _MapData, options: MapOptions) -> None:
    """Give each status row the value as the planner reads it (``_value_text``), from the status table."""
    for row in data.rows.values():
        row["_value_text"] = str(row["value_text"])
        row["_partial"] = partial_text(row) if row["status"] != "no_data" else ""
    if data.area is not None:
        data.area["_value_text"] = str(data.area["value_text"])


# --- legend -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Swatch:
    kind: str  # "patch" | "line" | "marker" | "zone" | "text"
    color: str = "#000"
    edge: str = "#222"
    text: str = ""
    text_color: str = "#000"
    hatch: str | None = None
    dash: str | None = None
    width: float = 1.0
    marker: str | MplPath = "o"
    fill: str = "full"
    size: float = 1.0
    halo: str | None = None


@dataclass(frozen=True)
class _LegendRow:
    swatch: _Swatch | None
    label: str


@dataclass(frozen=True)
class _LegendSection:
    title: str
    rows: tuple[_LegendRow, ...]


def _legend_sections(
    dataset: Dataset,
    options: MapOptions,
    data: _MapData,
    shown: dict[str, gpd.GeoDataFrame],
    *,
    counts: bool = True,
) -> list[_LegendSection]:
    """The legend: statuses (colour, symbol, word, count), boundaries, layer kinds and project statuses shown."""
    t = target_for(dataset.targets, options.indicator)
    rows = data.status_rows if data.status_rows is not None else _status_rows(dataset, options)
    per_commune = commune_lines(rows, dataset.targets)
    targets = target_lines(rows)
    goal = targets[0][0] if len(targets) == 1 else t.target_text if t is not None and not targets else ""
    status_rows = [_LegendRow(None, line) for line in per_commune]
    for key in STATUSES:
        st = data.styles[key]
        label = st.label + (f" ({data.counts.get(key, 0)})" if counts else "")
        status_rows.append(
            _LegendRow(
                _Swatch(
                    "patch",
                    color=st.color,
                    text=st.symbol,
                    text_color=st.text_color,
                    hatch="///" if key == "no_data" else None,
                    dash=st.dash,
                ),
                label,
            )
        )
    if data.partial:
        status_rows.append(
            _LegendRow(
                _Swatch("patch", color="#bdbdbd", hatch=_PARTIAL_HATCH, dash=PARTIAL_DASH),
                f"{PARTIAL_LEGEND} ({data.partial})" if counts else PARTIAL_LEGEND,
            )
        )
    if data.area is not None and "_value_text" in data.area:
        # The plan's own figure for a target set for the 3 communes together; each commune's
        # colour is then for reference only.
        st = data.styles[str(data.area["status"])]
        status_rows.append(
            _LegendRow(
                _Swatch("patch", color=st.color, text=st.symbol, text_color=st.text_color, edge="#000"),
                f"Chung 3 xã: {data.area['_value_text']} — {st.label}",
            )
        )
        if any(not r["in_scope"] for r in data.rows.values()):
            status_rows.append(_LegendRow(None, "Chỉ tiêu đặt chung cho 3 xã: màu từng xã chỉ để tham khảo."))
    sections = [
        _LegendSection(
            f"{indicator_name(dataset, options.indicator)} — năm {options.year}"
            + (
                f" (mục tiêu: {goal})" if goal else " (mục tiêu Kế hoạch giao từng xã)" if per_commune else ""
            ),
            tuple(status_rows),
        )
    ]
    base = [
        _LegendRow(
            _Swatch("line", color=BORDER_STYLE.color, dash=BORDER_STYLE.dash, width=2.4, halo="white"),
            "Biên giới quốc gia",
        ),
    ]
    if len(data.rows) < len(data.units):
        base.append(
            _LegendRow(_Swatch("patch", color="#ffffff", edge="#8a8a8a"), "Xã ngoài phạm vi chỉ tiêu")
        )
    layer_rows: list[_LegendRow] = []
    for key, spec in LAYERS.items():
        frame = shown.get(key)
        if frame is None:
            continue
        present = set(frame["kind"].astype(str))
        geoms = {str(k): set(frame[frame["kind"] == k].geom_type) for k in present}
        for kind, label in spec.kinds.items():
            if kind not in present:
                continue
            if key == "roads":
                ls = ROAD_STYLES.get(kind)
                layer_rows.append(
                    _LegendRow(
                        _Swatch(
                            "line",
                            color=ls.color if ls else CLUSTER_COLOR,
                            dash=ls.dash if ls else "4 4",
                            width=(ls.weight if ls else 3) * 0.55,
                        ),
                        label,
                    )
                )
            elif key == "economic_zones" or geoms[kind] & {"Polygon", "MultiPolygon"}:
                color = ZONE_COLORS.get(kind, CLUSTER_COLOR)
                layer_rows.append(_LegendRow(_Swatch("zone", color=color), label))
            elif geoms[kind] & {"LineString", "MultiLineString"} and key == "residential_clusters":
                layer_rows.append(
                    _LegendRow(_Swatch("line", color=CLUSTER_COLOR, dash="2 1", width=2.4), label)
                )
            else:
                marker, color, factor = _POINT_SYMBOLS.get(kind, _DEFAULT_POINT)
                layer_rows.append(
                    _LegendRow(_Swatch("marker", color=color, marker=marker, size=factor), label)
                )
    sections.append(_LegendSection("Ranh giới và lớp bản đồ", tuple(base + layer_rows)))
    projects = shown.get(PROJECTS_KEY)
    if projects is not None:
        present = set(projects["status"].astype(str))
        rows = []
        for status, label in PROJECT_STATUSES.items():
            if status not in present:
                continue
            fill, marker = _PROJECT_MARKERS.get(status, ("full", "o"))
            rows.append(
                _LegendRow(
                    _Swatch(
                        "marker",
                        color=PROJECT_STATUS_COLORS.get(status, "#555"),
                        marker=marker,
                        fill=fill,
                        size=0.95,
                    ),
                    f"{label} ({int((projects['status'] == status).sum())})" if counts else label,
                )
            )
        if set(projects.geom_type) - {"Point"}:
            rows.append(
                _LegendRow(
                    _Swatch("line", color="#8a8a8a", width=3.2 * 0.75),
                    "Tuyến, khu vực của dự án (màu theo tình trạng)",
                )
            )
        sections.append(_LegendSection(PROJECTS_LABEL, tuple(rows)))
    return sections


#: Measures text as Agg draws it (hinting makes it a few % wider than the outlines say).
_MEASURE = RendererAgg(16, 16, 100)


@lru_cache(maxsize=4096)
def _text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of a text in points, in DejaVu Sans, as the Agg renderer lays it out."""
    prop = FontProperties(family=_FONT, size=size, weight="bold" if bold else "normal")
    width, _, _ = _MEASURE.get_text_width_height_descent(text, prop, ismath=False)
    return float(width) * 72 / 100


def _wrap(text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
    """Greedy word wrap to ``width`` points, measured with the real font."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if current and _text_width(candidate, size, bold) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines


def _panel(fig: Figure, rect: Sequence[float]) -> tuple[Axes, float, float]:
    """An invisible axes whose data units are points, y growing downwards; returns it and its size."""
    ax = fig.add_axes(tuple(rect))  # type: ignore[arg-type]
    fw, fh = fig.get_size_inches()
    w, h = rect[2] * fw * 72, rect[3] * fh * 72
    ax.set_xlim(0, w)
    ax.set_ylim(h, 0)
    ax.set_axis_off()
    return ax, w, h


def _draw_swatch(ax: Axes, sw: _Swatch, x: float, y: float, w: float, h: float, look: _Look) -> None:
    """One legend symbol in the box (x, y, w, h) of a points panel (y down)."""
    cx, cy = x + w / 2, y + h / 2
    if sw.kind == "patch":
        ax.add_patch(
            Rectangle(
                (x, y),
                w,
                h,
                facecolor=sw.color,
                edgecolor=sw.edge,
                hatch=sw.hatch,
                lw=0.7,
                linestyle=_dashes(sw.dash, 0.35) if sw.dash else "solid",
            )
        )
        if sw.text:
            ax.text(
                cx,
                cy,
                sw.text,
                ha="center",
                va="center_baseline",
                fontsize=look.legend * 0.95,
                fontweight="bold",
                color=sw.text_color,
                fontfamily=_FONT,
                parse_math=False,
            )
    elif sw.kind == "zone":
        ax.add_patch(Rectangle((x, y), w, h, facecolor=sw.color, alpha=0.25, edgecolor="none"))
        ax.add_patch(
            Rectangle((x, y), w, h, facecolor="none", edgecolor=sw.color, lw=1.0, linestyle=(0, (3, 2)))
        )
    elif sw.kind == "line":
        lw = sw.width * look.line
        if sw.halo:
            ax.plot([x, x + w], [cy, cy], color=sw.halo, lw=lw * 1.6, solid_capstyle="butt")
        ax.plot([x, x + w], [cy, cy], color=sw.color, lw=lw, linestyle=_dashes(sw.dash, 0.45 * look.line))
    elif sw.kind == "marker":
        full = sw.fill == "full"
        ax.plot(
            [cx],
            [cy],
            marker=sw.marker,
            markersize=look.marker * sw.size,
            fillstyle=sw.fill,
            markerfacecolor=sw.color,
            markerfacecoloralt="white",
            markeredgecolor="white" if full else sw.color,
            markeredgewidth=(0.9 if full else 1.6) * look.line,
            linestyle="none",
        )


def _draw_legend(
    ax: Axes,
    sections: Sequence[_LegendSection],
    width: float,
    height: float,
    look: _Look,
    *,
    top: float = 0.0,
) -> float:
    """Lay the legend out in columns inside a points panel; returns the bottom of what was drawn.

    A label too long for its column wraps onto a second line and its row
    grows; a section moves to the next column rather than leave its title alone.
    """
    size = look.legend
    line_h = size * 1.2
    row_h = size * 1.75
    sw_w, sw_h = size * 2.1, size * 1.25
    gap = size * 0.6
    title_h = look.legend_title * 1.3

    def layout(columns: int) -> list[tuple[float, list[tuple[str, list[str], _Swatch | None]]]]:
        col_w = width / columns
        label_w = col_w - sw_w - gap - 4
        out = []
        for sec in sections:
            rows: list[tuple[str, list[str], _Swatch | None]] = [
                # A line of text without a symbol takes the column's full width.
                (
                    r.label,
                    _wrap(r.label, label_w if r.swatch else col_w - 4, size)[: 3 if r.swatch else 6],
                    r.swatch,
                )
                for r in sec.rows
            ]
            out.append((col_w, rows))
        return out

    def heights(rows: list[tuple[str, list[str], _Swatch | None]]) -> list[float]:
        return [max(row_h, len(lines) * line_h + size * 0.55) for _, lines, _ in rows]

    columns = 1
    while columns < 4:
        col_w = width / columns
        total = 0.0
        for sec, (_, rows) in zip(sections, layout(columns), strict=True):
            total += len(_wrap(sec.title, col_w - 4, look.legend_title, bold=True)) * title_h
            total += sum(heights(rows)) + size * 1.3
        if total <= (height - top) * columns * 0.92:
            break
        columns += 1
    col_w = width / columns
    x, y, bottom = 0.0, top, top
    for sec, (_, rows) in zip(sections, layout(columns), strict=True):
        title_lines = _wrap(sec.title, col_w - 4, look.legend_title, bold=True)
        hs = heights(rows)
        need = len(title_lines) * title_h + sum(hs[:2])
        if y + need > height and y > top:
            x, y = x + col_w, top
        for line in title_lines:
            ax.text(
                x,
                y,
                line,
                ha="left",
                va="top",
                fontsize=look.legend_title,
                fontweight="bold",
                color="#111",
                fontfamily=_FONT,
                parse_math=False,
            )
            y += title_h
        y += size * 0.35
        for (_, lines, swatch), h in zip(rows, hs, strict=True):
            if y + h > height:
                x, y = x + col_w, top
            label_x = x
            if swatch is not None:
                _draw_swatch(ax, swatch, x, y + (row_h - sw_h) / 2 - row_h * 0.1, sw_w, sw_h, look)
                label_x = x + sw_w + gap
            for i, line in enumerate(lines):
                ax.text(
                    label_x,
                    y + row_h * 0.4 + i * line_h,
                    line,
                    ha="left",
                    va="center",
                    fontsize=size,
                    color="#111",
                    fontfamily=_FONT,
                    parse_math=False,
                )
            y += h
            bottom = max(bottom, y)
        y += size * 0.9
        bottom = max(bottom, y)
    return bottom


def _text_block(
    ax: Axes,
    lines: Sequence[str],
    x: float,
    y: float,
    width: float,
    size: float,
    *,
    color: str = "#222",
    leading: float = 1.3,
    max_lines: int | None = None,
) -> float:
    """Wrapped lines from (x, y) in a points panel; returns the y after them.

    Beyond ``max_lines`` the text is cut, and the last line shown ends with "…".
    """
    parts = [part for text in lines for part in _wrap(text, width, size)]
    if max_lines is not None and len(parts) > max_lines:
        parts = parts[:max_lines]
        last = parts[-1]
        while last and _text_width(last + " …", size) > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        parts[-1] = last + " …"
    for part in parts:
        ax.text(
            x,
            y,
            part,
            ha="left",
            va="top",
            fontsize=size,
            color=color,
            fontfamily=_FONT,
            parse_math=False,
        )
        y += size * leading
    return y


def _figure_png(fig: Figure, dpi: float, *, compress_level: int = 1) -> bytes:
    """Render a figure with Agg to PNG bytes (no pyplot, no global state).

    The handout's maps are decoded again by reportlab, so they are barely
    compressed here (level 1 is several times faster than the default).
    """
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(
        buf,
        format="png",
        dpi=dpi,
        facecolor=fig.get_facecolor(),
        pil_kwargs={"compress_level": compress_level},
    )
    return buf.getvalue()


def _figure_image(fig: Figure) -> Image.Image:
    """Render a figure with Agg straight to an RGB image."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    width, height = canvas.get_width_height()
    return Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")


def _prepare(dataset: Dataset, options: MapOptions) -> _MapData:
    data = _map_data(dataset, options)
    _with_value_texts(dataset, data, options)
    return data


def _focus(data: _MapData, options: MapOptions, code: str | None = None) -> BaseGeometry | None:
    """What a map frames: a commune, else the plan's communes (2020 units), else every unit."""
    code = code or options.commune
    if code is None:
        if options.vintage == 2020 and data.units["in_plan"].astype(bool).any():
            return data.units[data.units["in_plan"].astype(bool)].union_all()
        return None
    chosen = data.units[data.units["code"] == code]
    return None if chosen.empty else chosen.union_all()


# --------------------------------------------------------------------------------------------
# PNG
# --------------------------------------------------------------------------------------------


def export_png(dataset: Dataset, options: MapOptions, *, width: int = 1920, height: int = 1080) -> bytes:
    """A projector-ready map image laid out like a print layout.

    Communes are filled with the status colour of the chosen indicator, year
    and units, and labelled with their name, the status symbol and the value
    (a second cue for grey printouts and colour-blind readers). Around the map
    frame: title and subtitle, a legend of everything drawn, a scale bar
    measured in metres (the map is drawn in UTM zone 48N, EPSG:32648), a north
    arrow, a graticule in degrees, the honesty notes, data date and sources.

    The PNG's text chunks hold ``Title``, ``Description``, ``Source``,
    ``Disclaimer``, ``Software``, ``Creation Time`` and
    :data:`FEATURES_CHUNK` (a JSON array of the layer features and projects
    drawn; sensitive ones only with ``options.show_sensitive``),
    :data:`STATUS_CHUNK` (each commune's status with ``complete``) and
    :data:`DISCLOSURES_CHUNK` (the keys of the notes printed).
    """
    dpi = 100.0
    s = min(width / 1920, height / 1080)
    look = _scaled(_PNG_LOOK, s)
    W, H = float(width), float(height)
    pt = 72 / dpi  # points per pixel

    def rect(x: float, top: float, w: float, h: float) -> tuple[float, float, float, float]:
        """Figure fractions of a box given in pixels from the top left."""
        return (x / W, (H - top - h) / H, w / W, h / H)

    fig = Figure(figsize=(W / dpi, H / dpi), dpi=dpi, facecolor="white")
    title, subtitle = export_title(dataset, options)
    data = _prepare(dataset, options)
    rows = _status_rows(dataset, options)

    margin, header_h, footer_h = 30 * s, 118 * s, 112 * s
    panel_w, gap = 540 * s, 24 * s
    body_h = H - header_h - footer_h
    ax = fig.add_axes(rect(margin + 8 * s, header_h, W - 2 * margin - panel_w - gap - 8 * s, body_h))
    shown = _draw_map(ax, data, options, look, focus=_focus(data, options))

    # Header (points): the plan, title, subtitle, a badge when figures or works are illustrative.
    head, hw, hh = _panel(fig, rect(margin, 0, W - 2 * margin, header_h - 12 * s))
    head.plot([0, hw], [hh - 1.5 * s, hh - 1.5 * s], color="#1d3557", lw=2.4 * s)
    head.text(
        0,
        6 * s,
        PLAN_TITLE.upper(),
        fontsize=10 * s,
        color="#5b6b7b",
        va="top",
        fontweight="bold",
        fontfamily=_FONT,
        parse_math=False,
    )
    title_size = 24 * s
    while _text_width(title, title_size, bold=True) > hw - 190 * s and title_size > 15 * s:
        title_size -= 1 * s
    head.text(
        0,
        21 * s,
        title,
        fontsize=title_size,
        fontweight="bold",
        color="#1d3557",
        va="top",
        fontfamily=_FONT,
        parse_math=False,
    )
    head.text(
        0, 53 * s, subtitle, fontsize=13 * s, color="#333", va="top", fontfamily=_FONT, parse_math=False
    )
    found = disclosures(dataset, options)
    if any(d.key in ILLUSTRATIVE_KEYS for d in found):
        head.text(
            hw - 6 * s,
            24 * s,
            "SỐ LIỆU MINH HỌA",
            ha="right",
            va="top",
            fontsize=15 * s,
            fontweight="bold",
            color="white",
            fontfamily=_FONT,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": "#b3261e", "edgecolor": "none"},
        )

    # Beside the map: the legend, then the notes.
    px0 = W - margin - panel_w
    panel, pw, ph = _panel(fig, rect(px0, header_h, panel_w, body_h))
    panel.add_patch(Rectangle((0.5, 0.5), pw - 1, ph - 1, facecolor="white", edgecolor="#222", lw=1.0))
    inner = 14 * s  # pixels
    panel.text(
        inner * pt,
        inner * pt,
        "CHÚ GIẢI",
        fontsize=look.legend_title + 1.5 * s,
        fontweight="bold",
        va="top",
        color="#1d3557",
        fontfamily=_FONT,
    )
    notes = [d.text for d in found]
    note_size = look.legend * 0.92
    note_w = pw - 2 * inner * pt - 10 * s
    note_lines = [part for n in notes for part in _wrap(f"⚠ {n}", note_w, note_size)]
    notes_h = (len(note_lines) * note_size * 1.3 + 14 * s) if notes else 0.0  # points
    title_h = 34 * s
    legend_top = header_h + inner + title_h
    legend_h = body_h - inner - title_h - notes_h / pt - inner - (10 * s if notes else 0)
    legend_ax, lw_, lh_ = _panel(fig, rect(px0 + inner, legend_top, panel_w - 2 * inner, legend_h))
    _draw_legend(legend_ax, _legend_sections(dataset, options, data, shown), lw_, lh_, look)
    if notes:
        y0 = ph - inner * pt - notes_h
        panel.add_patch(
            Rectangle(
                (inner * pt * 0.7, y0),
                pw - inner * pt * 1.4,
                notes_h,
                facecolor="#fff4d6",
                edgecolor="#E69F00",
                lw=1.2,
            )
        )
        _text_block(
            panel, note_lines, inner * pt + 4 * s, y0 + 7 * s, note_w + 20, note_size, color="#5a3500"
        )

    # Footer: data date, reference system, sources.
    foot, fw_pt, _ = _panel(fig, rect(margin, H - footer_h + 30 * s, W - 2 * margin, footer_h - 36 * s))
    when = dataset.data_date()
    sources = source_lines(dataset, options, shown, status_rows=rows)
    meta = (
        f"Số liệu cập nhật: {when or 'không rõ'} · Hệ tọa độ bản đồ: WGS 84 / UTM múi 48N (EPSG:32648), "
        f"lưới kinh độ, vĩ độ WGS 84 · Xuất từ {PRODUCER} ngày {date.today():%d/%m/%Y}"
    )
    y = _text_block(foot, [meta], 0, 0, fw_pt, look.tick * 1.15, color="#111")
    _text_block(
        foot, ["Nguồn — " + " · ".join(sources)], 0, y + 1, fw_pt, look.tick * 1.05, color="#333", max_lines=4
    )

    return _png_with_metadata(
        _figure_image(fig),
        {
            "Title": title,
            "Description": subtitle,
            "Source": "\n".join(sources),
            "Disclaimer": " ".join(notes),
            "Software": PRODUCER,
            "Creation Time": date.today().isoformat(),
            FEATURES_CHUNK: json.dumps(feature_ids(shown), ensure_ascii=False),
            STATUS_CHUNK: json.dumps(status_records(rows), ensure_ascii=False),
            DISCLOSURES_CHUNK: json.dumps([d.key for d in found]),
        },
    )


def _scaled(look: _Look, s: float) -> _Look:
    if abs(s - 1) < 1e-9:
        return look
    return _Look(**{k: v * s for k, v in look.__dict__.items()})


def _png_with_metadata(image: Image.Image, text: dict[str, str]) -> bytes:
    """PNG bytes of an image with UTF-8 text chunks (iTXt)."""
    info = PngInfo()
    for key, value in text.items():
        info.add_itxt(key, value)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info, compress_level=6)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------

_PDF_FONT = "DejaVuSans"
_PDF_BOLD = "DejaVuSans-Bold"


@lru_cache(maxsize=1)
def _register_fonts() -> None:
    """Register DejaVu Sans (shipped with matplotlib) with reportlab: it covers Vietnamese."""

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = {
        _PDF_FONT: "DejaVuSans.ttf",
        _PDF_BOLD: "DejaVuSans-Bold.ttf",
        "DejaVuSans-Oblique": "DejaVuSans-Oblique.ttf",
        "DejaVuSans-BoldOblique": "DejaVuSans-BoldOblique.ttf",
    }
    for name, file in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    addMapping(_PDF_FONT, 0, 0, _PDF_FONT)
    addMapping(_PDF_FONT, 1, 0, _PDF_BOLD)
    addMapping(_PDF_FONT, 0, 1, "DejaVuSans-Oblique")
    addMapping(_PDF_FONT, 1, 1, "DejaVuSans-BoldOblique")


def _map_image_png(
    dataset: Dataset,
    options: MapOptions,
    data: _MapData,
    *,
    width_mm: float,
    height_mm: float,
    dpi: int,
    focus: BaseGeometry | None,
    legend_share: float,
    counts: bool,
) -> tuple[bytes, dict[str, gpd.GeoDataFrame]]:
    """A map (and its legend beside it) for the handout, at print resolution."""
    look = _PDF_LOOK
    w_in, h_in = width_mm / 25.4, height_mm / 25.4
    fig = Figure(figsize=(w_in, h_in), dpi=dpi, facecolor="white")
    gap = 0.012
    ax = fig.add_axes((0.045, 0.06, 1 - legend_share - 0.06, 0.92))
    shown = _draw_map(ax, data, options, look, focus=focus, label_features=focus is None)
    panel, pw, ph = _panel(fig, (1 - legend_share + gap, 0.02, legend_share - gap - 0.004, 0.96))
    sections = _legend_sections(dataset, options, data, shown, counts=counts)
    if counts:
        _draw_legend(panel, sections, pw, ph, look)
    else:
        # A close-up keeps the status key; the other symbols are in page 1's legend.
        bottom = _draw_legend(panel, sections[:1], pw, ph, look)
        _text_block(
            panel, ["Các ký hiệu khác: xem chú giải ở trang 1."], 0, bottom, pw, look.legend, color="#444"
        )
    return _figure_png(fig, dpi), shown


def _hex(color: str) -> Any:
    return colors.HexColor(color)


def _tint(color: str, amount: float = 0.55) -> str:
    """A lighter colour for table backgrounds (black text stays readable)."""
    c = color.lstrip("#")
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    r, g, b = (round(v + (255 - v) * amount) for v in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"


@dataclass
class _PageNote:
    """What a page's footer says beyond the page number: sources and the page's disclosures."""

    sources: list[str]
    notes: list[Disclosure]


class _Styles:
    """Paragraph styles of the handout (DejaVu Sans)."""

    def __init__(self) -> None:
        base = ParagraphStyle("bp", fontName=_PDF_FONT, fontSize=7.4, leading=9.0)
        self.body = base
        self.small = ParagraphStyle("bp-small", parent=base, fontSize=6.4, leading=7.7)
        self.kicker = ParagraphStyle(
            "bp-kicker", parent=base, fontName=_PDF_BOLD, fontSize=6.6, leading=8, textColor=_hex("#5b6b7b")
        )
        self.small_after = ParagraphStyle("bp-small-a", parent=self.small, spaceBefore=2)
        self.cell = ParagraphStyle("bp-cell", parent=base, fontSize=6.3, leading=7.5)
        self.cell_bold = ParagraphStyle("bp-cell-b", parent=self.cell, fontName=_PDF_BOLD)
        self.cell_ref = ParagraphStyle(
            "bp-cell-ref", parent=self.cell, fontName="DejaVuSans-Oblique", textColor=_hex("#333333")
        )
        self.head = ParagraphStyle("bp-head", parent=self.cell, fontName=_PDF_BOLD, textColor=_hex("#ffffff"))
        self.title = ParagraphStyle(
            "bp-title",
            parent=base,
            fontName=_PDF_BOLD,
            fontSize=14.5,
            leading=17.5,
            textColor=_hex("#1d3557"),
        )
        self.subtitle = ParagraphStyle(
            "bp-sub", parent=base, fontSize=8.4, leading=10.4, textColor=_hex("#333333")
        )
        self.h2 = ParagraphStyle(
            "bp-h2",
            parent=base,
            fontName=_PDF_BOLD,
            fontSize=9.2,
            leading=11.2,
            textColor=_hex("#1d3557"),
            spaceBefore=4,
            spaceAfter=2,
        )
        self.note = ParagraphStyle(
            "bp-note",
            parent=self.small,
            textColor=_hex("#5a3500"),
            backColor=_hex("#fff4d6"),
            borderColor=_hex("#E69F00"),
            borderWidth=0.6,
            borderPadding=3,
            spaceBefore=5,
        )
        self.footer = ParagraphStyle(
            "bp-foot", parent=base, fontSize=5.6, leading=6.7, textColor=_hex("#444444")
        )
        self.footer_note = ParagraphStyle(
            "bp-foot-n", parent=self.footer, fontName=_PDF_BOLD, textColor=_hex("#8a4b00")
        )


#: Characters of one text on paper: a longer one (a name of 10 000 characters) ends in "…" so that
#: its cell fits a page; the full text stays in the data, the map and the HTML export.
PDF_TEXT_CHARS = 400


def _p(text: object, style: Any) -> Any:
    plain = _clip("" if text is None else str(text), PDF_TEXT_CHARS)
    return Paragraph(html_lib.escape(plain).replace("\n", "<br/>"), style)


#: Openings of a reason that the table already says another way ("(tk)").
_REFERENCE_PREFIXES = (
    "chỉ tiêu chung 3 xã, số của từng xã để tham khảo: ",
    "chỉ tiêu đặt cho từng xã, số chung 3 xã để tham khảo: ",
)


def _short_reason(reason: str, coverage: Sequence[str]) -> str:
    """A reason without what the page says once already: the coverage, the "for reference" opening."""
    for c in coverage:
        reason = reason.replace(f" ({c})", "")
    for prefix in _REFERENCE_PREFIXES:
        if reason.startswith(prefix):
            reason = reason[len(prefix) :]
    return reason[:1].upper() + reason[1:]


def _pm(main: str, detail: str, style: Any) -> Any:
    """A cell with a main text and, on the next line, a grey detail."""
    return Paragraph(
        f"{html_lib.escape(_clip(main, PDF_TEXT_CHARS))}<br/><font color='#555555' size='{style.fontSize - 0.6}'>"
        f"{html_lib.escape(_clip(detail, PDF_TEXT_CHARS))}</font>",
        style,
    )


def _table(
    rows: list[list[Any]],
    widths: Sequence[float],
    *,
    extra: Sequence[tuple[Any, ...]] = (),
    header: bool = True,
) -> Any:
    """A table with a dark header row that repeats on a new page, fine grid, zebra rows."""

    table = Table(rows, colWidths=list(widths), repeatRows=1 if header else 0, hAlign="LEFT")
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, _hex("#9aa3ab")),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.4),
    ]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), _hex("#1d3557"))]
        for i in range(2, len(rows), 2):
            style.append(("BACKGROUND", (0, i), (-1, i), _hex("#f3f5f7")))
    table.setStyle(TableStyle(style + list(extra)))
    return table


class _Handout:
    """Builds the A4 handout's flowables, page by page."""

    def __init__(self, dataset: Dataset, options: MapOptions, *, include_sensitive: bool, dpi: int) -> None:
        self.dataset = dataset
        self.options = replace(options, show_sensitive=include_sensitive)
        self.dpi = dpi
        self.mm = mm
        self.page_w, self.page_h = A4
        self.margin = 14 * mm
        self.top = 12 * mm
        self.bottom = 39 * mm  # room for the sources and every disclosure of the page
        self.frame_w = self.page_w - 2 * self.margin
        self.frame_h = self.page_h - self.top - self.bottom
        self.st = _Styles()
        self.data = _prepare(dataset, self.options)
        self.table = dataset.status(self.options.vintage)
        self.year = self.options.year
        self.styles = status_styles(self.options.palette)
        self.when = dataset.data_date()
        self.title, self.subtitle = export_title(dataset, self.options)
        self.projects = filter_projects(dataset.projects, self.options)

    # --- pieces ---------------------------------------------------------------------------

    def _image(self, png: bytes, width_mm: float, height_mm: float) -> Any:
        return RLImage(io.BytesIO(png), width=width_mm * self.mm, height=height_mm * self.mm)

    def _target(self, indicator: str, unit_code: str | None) -> Target | None:
        anchor = unit_code if self.options.vintage == 2020 and unit_code != AREA_CODE else None
        return target_for(self.dataset.targets, indicator, anchor) or target_for(
            self.dataset.targets, indicator
        )

    def _value(self, row: dict[str, Any]) -> str:
        text = str(row["value_text"])
        return text + (" *" if row["illustrative"] and text != "–" else "")

    def _status_cell(self, status: str, text: str) -> Any:
        """A table cell: the status symbol (the cue that survives grey print), then the text."""
        return _p(f"{self.styles[status].symbol} {text}", self.st.cell)

    def _status_background(self, status: str) -> Any:
        return _hex(_tint(self.styles[status].color, 0.5))

    def _units(self) -> list[tuple[str, str]]:
        """(code, name) of the communes with a page: the plan's 3 (2020) or the 4 communes (2025)."""
        if self.options.vintage == 2020:
            return [(c, get_unit(c).name) for c in PLAN_CODES]
        return [(u.code, u.name) for u in units(2025)]

    def _rows(self, unit_code: str) -> list[dict[str, Any]]:
        t = self.table
        rows = t[(t["unit_code"] == unit_code) & (t["year"] == self.year)]
        return list(rows.to_dict("records"))

    # --- page 1 ---------------------------------------------------------------------------

    def overview(self) -> list[Any]:
        st, mm = self.st, self.mm
        rows = _status_rows(self.dataset, self.options)
        png, shown = _map_image_png(
            self.dataset,
            self.options,
            self.data,
            width_mm=182,
            height_mm=96,
            dpi=self.dpi,
            focus=_focus(self.data, self.options),
            legend_share=0.4,
            counts=True,
        )
        notes = disclosures(self.dataset, self.options)
        sources = source_lines(self.dataset, self.options, shown, status_rows=rows)
        story: list[Any] = [
            _PageInfo(_PageNote(sources, notes)),
            _p(PLAN_TITLE.upper(), st.kicker),
            _p(self.title, st.title),
            _p(self.subtitle, st.subtitle),
            Spacer(1, 2 * mm),
            self._image(png, 182, 96),
            Spacer(1, 1.5 * mm),
            _p(
                f"Xếp hạng các xã — {indicator_name(self.dataset, self.options.indicator)}, năm {self.year}",
                st.h2,
            ),
            self._ranking_table(),
            _p(f"Tổng hợp các chỉ tiêu năm {self.year}", st.h2),
            self._summary_matrix(),
            _p(self._status_key(), st.small),
        ]
        return story

    def _ranking_table(self) -> Any:
        st = self.st
        view = ranking_view(self.dataset, self.options.indicator, self.year, vintage=self.options.vintage)
        head = ["Xã", "Giá trị", "Mục tiêu", "Chênh lệch", "Tình trạng", "Nhận định"]
        rows: list[list[Any]] = [[_p(h, st.head) for h in head]]
        extra: list[tuple[Any, ...]] = []
        for i, r in enumerate(view.to_dict("records"), start=1):
            value = str(r["Giá trị"]) + (" *" if r["Minh họa"] and r["Giá trị"] != "–" else "")
            rows.append(
                [
                    _p(r["Xã"], st.cell_bold),
                    _p(value, st.cell),
                    _p(r["Mục tiêu"], st.cell),
                    _p(r["Chênh lệch"], st.cell),
                    self._status_cell(str(r["status"]), str(r["Tình trạng"])),
                    _p(r["Nhận định"], st.cell),
                ]
            )
            extra.append(("BACKGROUND", (4, i), (4, i), self._status_background(str(r["status"]))))
        area = [
            r
            for r in self._rows(AREA_CODE)
            if r["indicator"] == self.options.indicator and r["level"] == "area"
        ]
        for r in area:
            t = self._target(self.options.indicator, AREA_CODE)
            i = len(rows)
            rows.append(
                [
                    _p(r["unit_name"], st.cell_bold),
                    _p(self._value(r), st.cell),
                    _p(r["target_text"], st.cell),
                    _p(gap_text(r["gap"], t, str(r["status"])) if t else "–", st.cell),
                    self._status_cell(str(r["status"]), status_text(r)),
                    _p(r["reason"], st.cell),
                ]
            )
            extra.append(("BACKGROUND", (4, i), (4, i), self._status_background(str(r["status"]))))
            extra.append(("LINEABOVE", (0, i), (-1, i), 0.8, _hex("#1d3557")))
        mm = self.mm
        widths = [26 * mm, 19 * mm, 31 * mm, 21 * mm, 26 * mm]
        widths.append(self.frame_w - sum(widths))
        return _table(rows, widths, extra=extra)

    def _summary_matrix(self) -> Any:
        st, mm = self.st, self.mm
        columns = [*self._units(), (AREA_CODE, "3 xã biên giới")]
        head = ["Chỉ tiêu", "Mục tiêu", *(_short_name(code, name) for code, name in columns)]
        rows: list[list[Any]] = [[_p(h, st.head) for h in head]]
        extra: list[tuple[Any, ...]] = []
        t = self.table
        year_rows = t[t["year"] == self.year]
        for code in indicator_codes(self.dataset.targets):
            target = target_for(self.dataset.targets, code)
            name = target.name if target else code
            clause = f"{target.clause} " if target else ""
            line: list[Any] = [
                _p(f"{clause}{name}", st.cell),
                _p(target_summary(self.dataset.targets, code), st.cell),
            ]
            i = len(rows)
            for j, (unit_code, _) in enumerate(columns, start=2):
                hit = year_rows[(year_rows["indicator"] == code) & (year_rows["unit_code"] == unit_code)]
                if hit.empty:
                    line.append(_p("không áp dụng", st.small))
                    continue
                r = hit.iloc[0].to_dict()
                status = str(r["status"])
                text = self._value(r)
                partial = partial_text(r) if status != "no_data" else ""
                text += f" · {partial}" if partial else ""
                if r["in_scope"]:
                    line.append(self._status_cell(status, text))
                    extra.append(("BACKGROUND", (j, i), (j, i), self._status_background(status)))
                else:
                    # For reference only: the target is set for another level (area / commune).
                    sym = self.styles[status].symbol
                    line.append(_p(f"{sym} {text}", st.cell_ref))
                    extra.append(("BACKGROUND", (j, i), (j, i), _hex(_tint(self.styles[status].color, 0.8))))
            rows.append(line)
        fixed = [47 * mm, 34 * mm]
        rest = (self.frame_w - sum(fixed)) / len(columns)
        return _table(rows, [*fixed, *([rest] * len(columns))], extra=extra)

    def _status_key(self) -> str:
        parts = [f"{s.symbol} {s.label}" for s in self.styles.values()]
        return (
            "Ký hiệu: "
            + " · ".join(parts)
            + ". * số liệu minh họa. Chữ nghiêng, nền nhạt: số để tham khảo (chỉ tiêu đặt chung cho 3 xã, "
            "hoặc chỉ tiêu đặt cho từng xã tính chung 3 xã). "
            "Lý do chi tiết ở trang của từng xã."
        )

    # --- a commune's page -----------------------------------------------------------------

    def commune(self, code: str, name: str) -> list[Any]:
        st, mm = self.st, self.mm
        vintage = self.options.vintage
        members = merger_table()[code] if vintage == 2025 else (code,)
        plan_members = [m for m in members if m in PLAN_CODES]
        rows = self._rows(code)
        projects = self._commune_projects(members)
        png, shown = _map_image_png(
            self.dataset,
            replace(self.options, commune=code),
            self.data,
            width_mm=182,
            height_mm=56,
            dpi=self.dpi,
            focus=_focus(self.data, self.options, code),
            legend_share=0.2,
            counts=False,
        )
        shown_projects = {PROJECTS_KEY: projects} if not projects.empty else {}
        frames = {**{k: v for k, v in shown.items() if k != PROJECTS_KEY}, **shown_projects}
        status_rows = pd.DataFrame(rows) if rows else _status_rows(self.dataset, self.options).iloc[0:0]
        notes = disclosures(
            self.dataset, replace(self.options, commune=code), status_rows=status_rows, frames=frames
        )
        sources = source_lines(self.dataset, self.options, frames, status_rows=status_rows)
        said = " ".join(sources)
        crit_sources = [c for c in self._criteria_sources(plan_members) if c not in said]
        if crit_sources:
            sources.insert(min(2, len(sources)), "Tiêu chí NTM: " + "; ".join(crit_sources))
        subtitle = [f"Mã {code}", f"năm {self.year}", VINTAGE_LABELS[vintage]]
        if vintage == 2025:
            subtitle.append("gồm " + ", ".join(get_unit(m).name for m in members))
        story: list[Any] = [
            _PageInfo(_PageNote(sources, notes)),
            _p(name, st.title),
            _p(" · ".join(subtitle), st.subtitle),
            Spacer(1, 1.5 * mm),
            self._image(png, 182, 56),
        ]
        if not plan_members:
            story.append(
                _p(
                    f"Không xã cũ nào của {name} thuộc Kế hoạch 03 xã biên giới: các chỉ tiêu của Kế hoạch "
                    "không đặt cho xã này; bảng dưới chỉ để đối chiếu.",
                    st.note,
                )
            )
        coverage = _distinct(r["coverage"] for r in rows)
        story.append(_p(f"Các chỉ tiêu năm {self.year}", st.h2))
        if coverage:
            story.append(_p("Phạm vi số liệu: " + "; ".join(coverage), st.small))
        own = [r for r in rows if r["in_scope"]]
        reference = [r for r in rows if not r["in_scope"]]
        story.append(self._indicator_table(own, coverage))
        if reference:
            story.append(self._reference_line(reference))
        story.append(_p(CRITERIA_HEADING, st.h2))
        story += self._criteria_standing(plan_members)
        story.append(_p(f"{PROJECTS_LABEL} ({format_number(len(projects))})", st.h2))
        story.append(self._projects_table(projects))
        return story

    def _indicator_table(self, rows: list[dict[str, Any]], coverage: list[str]) -> Any:
        st, mm = self.st, self.mm
        head = ["Chỉ tiêu", "Mục tiêu", "Giá trị", "Tình trạng", "Nhận định"]
        table: list[list[Any]] = [[_p(h, st.head) for h in head]]
        extra: list[tuple[Any, ...]] = []
        order = {c: i for i, c in enumerate(indicator_codes(self.dataset.targets))}
        for r in sorted(rows, key=lambda r: order.get(str(r["indicator"]), 99)):
            i = len(table)
            table.append(
                [
                    _p(r["indicator_name"], st.cell),
                    _p(r["target_text"], st.cell),
                    _p(self._value(r), st.cell_bold),
                    self._status_cell(str(r["status"]), status_text(r)),
                    _p(_short_reason(str(r["reason"]), coverage), st.cell),
                ]
            )
            extra.append(("BACKGROUND", (3, i), (3, i), self._status_background(str(r["status"]))))
        if len(table) == 1:
            table.append(
                [_p("Không có chỉ tiêu nào của Kế hoạch áp dụng cho xã này.", st.cell), "", "", "", ""]
            )
            extra.append(("SPAN", (0, 1), (-1, 1)))
        widths = [42 * mm, 29 * mm, 22 * mm, 22 * mm]
        widths.append(self.frame_w - sum(widths))
        return _table(table, widths, extra=extra)

    def _reference_line(self, rows: list[dict[str, Any]]) -> Any:
        """Figures of the commune for targets set for the 3 communes together: value and status only."""
        order = {c: i for i, c in enumerate(indicator_codes(self.dataset.targets))}
        parts = []
        for r in sorted(rows, key=lambda r: order.get(str(r["indicator"]), 99)):
            st = self.styles[str(r["status"])]
            parts.append(
                f"<b>{html_lib.escape(str(r['indicator_name']))}</b>: {html_lib.escape(self._value(r))} "
                f"({html_lib.escape(st.symbol)} {html_lib.escape(st.label)})"
            )
        intro = (
            "Chỉ tiêu chung 3 xã — số của xã để tham khảo (so với phần của xã theo dân số hoặc mức chung): "
        )
        return Paragraph(html_lib.escape(intro) + "; ".join(parts) + ".", self.st.small_after)

    def _criteria_sources(self, plan_members: Sequence[str]) -> list[str]:
        c = self.dataset.indicators.criteria
        c = c[(c["year"] == self.year) & (c["unit_code"].isin(list(plan_members)))]
        return _distinct(c["source"])

    def _criteria_standing(self, plan_members: Sequence[str]) -> list[Any]:
        """Each plan commune's 19 criteria against the level the plan set for it (criteria.ntm_standing).

        The standing sentence first ("17 đạt, 2 cơ bản đạt — đạt mức “cơ bản
        đạt 19 tiêu chí” Kế hoạch giao"), then the criteria below the level
        asked, or, when it is met, those not yet fully "đạt".
        """
        st = self.st
        c = self.dataset.indicators.criteria
        out: list[Any] = []
        for member in plan_members:
            t = target_for(self.dataset.targets, "ntm_status", member)
            required = (t.level if t else None) or "dat"
            rows = c[(c["unit_code"] == member) & (c["year"] == self.year)].sort_values("criterion")
            label = get_unit(member).name
            if len(rows) < len(CRITERIA):
                out.append(_p(f"{label}: chưa có đủ kết quả đánh giá 19 tiêu chí năm {self.year}.", st.body))
                continue
            records = rows.to_dict("records")
            standing = ntm_standing([str(r["level"]) for r in records], required)
            illustrative = " *" if bool(rows["illustrative"].astype(bool).any()) else ""
            below = [
                f"{int(r['criterion'])}. {CRITERIA[int(r['criterion'])]} ({LEVEL_LABELS[str(r['level'])].lower()})"
                for r in records
                if int(r["criterion"]) in standing.short
            ]
            not_full = [
                f"{int(r['criterion'])}. {CRITERIA[int(r['criterion'])]}"
                for r in records
                if r["level"] != "dat"
            ]
            text = f"{label}: {standing.text}."
            if below:
                text += f" Chưa đạt mức Kế hoạch giao: {'; '.join(below)}."
            elif not_full:
                text += f" Tiêu chí mới {LEVEL_LABELS['co_ban_dat'].lower()}: {'; '.join(not_full)}."
            out.append(_p(text + illustrative, st.body))
        if not out:
            out.append(_p("Không áp dụng: xã không thuộc Kế hoạch.", st.body))
        return out

    def _commune_projects(self, members: Sequence[str]) -> gpd.GeoDataFrame:
        frame = self.projects
        if frame.empty:
            return frame
        wanted = set(members)
        mask = frame["commune_code"].astype(str).map(lambda s: bool(wanted & set(s.split(";"))))
        return frame[mask]

    def _projects_table(self, projects: gpd.GeoDataFrame) -> Any:
        st, mm = self.st, self.mm
        head = ["Mã", "Tên công trình", "Lĩnh vực", "Tình trạng", "Tiến độ", "Vốn (tỷ đồng)"]
        table: list[list[Any]] = [[_p(h, st.head) for h in head]]
        extra: list[tuple[Any, ...]] = []
        if projects.empty:
            table.append(
                [_p("Không có công trình nào (theo bộ lọc đang chọn).", st.cell), "", "", "", "", ""]
            )
            extra.append(("SPAN", (0, 1), (-1, 1)))
        order = {s: i for i, s in enumerate(PROJECT_STATUSES)}
        records = sorted(
            projects.to_dict("records"),
            key=lambda r: (order.get(str(r.get("status")), 9), str(r.get("sector")), str(r.get("id"))),
        )
        for r in records:
            progress = r.get("progress")
            progress_text = (
                f"{format_number(progress)} %"
                if progress is not None and not (isinstance(progress, float) and math.isnan(progress))
                else "–"
            )
            name = str(r["name"]) + (" *" if r.get("illustrative") else "")
            if r.get("sensitive"):
                name += " [QP-AN, không công bố]"
            status = str(r.get("status"))
            i = len(table)
            table.append(
                [
                    _p(r["id"], st.cell),
                    _p(name, st.cell),
                    _p(SECTORS.get(str(r.get("sector")), str(r.get("sector"))), st.cell),
                    _p(PROJECT_STATUSES.get(status, status), st.cell),
                    _p(progress_text, st.cell),
                    _p(_billions(r.get("budget_vnd")), st.cell),
                ]
            )
            color = PROJECT_STATUS_COLORS.get(status)
            if color:
                extra.append(("BACKGROUND", (3, i), (3, i), _hex(_tint(color, 0.62))))
        if records:
            budget = pd.to_numeric(projects["budget_vnd"], errors="coerce").fillna(0).sum()
            done = int((projects["status"] == "completed").sum())
            table.append(
                [
                    _p("", st.cell),
                    _p(
                        f"Tổng cộng: {format_number(len(records))} công trình, "
                        f"{format_number(done)} hoàn thành",
                        st.cell_bold,
                    ),
                    "",
                    "",
                    "",
                    _p(_billions(float(budget)), st.cell_bold),
                ]
            )
            extra.append(("SPAN", (1, len(table) - 1), (4, len(table) - 1)))
            extra.append(("LINEABOVE", (0, len(table) - 1), (-1, len(table) - 1), 0.8, _hex("#1d3557")))
        widths = [11 * mm, 0.0, 33 * mm, 22 * mm, 11.5 * mm, 15 * mm]
        widths[1] = self.frame_w - sum(widths)
        return _table(table, widths, extra=extra)


def _billions(amount: object) -> str:
    """An amount of đồng in tỷ đồng ("142,11"), for a column headed "(tỷ đồng)"."""
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "–"
    return format_number(round(float(str(amount)) / 1e9, 2))


def _short_name(code: str, name: str) -> str:
    """A column heading for a commune: its name without "Xã"."""
    return re.sub(r"^(Xã|Thị trấn)\s+", "", name) if code != AREA_CODE else name


class _PageInfo(Flowable):
    """An invisible mark telling the footer what the page it lands on shows."""

    _ZEROSIZE = True  # drawn even inside KeepInFrame, which skips other zero-size flowables

    def __init__(self, note: _PageNote) -> None:
        super().__init__()
        self.note = note

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        self.canv._bp_note = self.note


def _fit_page(flowables: list[Any], width: float, height: float) -> list[Any]:
    """One page for a section when it nearly fits (shrunk at most ~20 %), else let it flow on."""

    need = 0.0
    for f in flowables:
        _, h = f.wrap(width, height)
        need += h + f.getSpaceBefore() + f.getSpaceAfter()
    if need <= height * 1.22:
        return [KeepInFrame(width, height, flowables, mode="shrink")]
    return flowables


def export_pdf(
    dataset: Dataset, options: MapOptions, *, include_sensitive: bool = False, dpi: int = 300
) -> bytes:
    """An A4 handout: an overview page, then one page per commune.

    Page 1: title, data date, the map of the chosen indicator (with legend,
    scale bar and north arrow), the communes ranked on that indicator (value,
    target, gap, status, reason) and a matrix of every indicator of the year
    by commune (value and status). Then, for each commune (the 3 plan
    communes with 2020 units; the 4 communes with 2025 units): its close-up
    map, every indicator with value, target, status and reason, the
    rural-development criteria not yet at the level the plan asks ("đạt", or
    "cơ bản đạt" for Thông Bình) and its projects (name, sector, status,
    progress, budget). The footer carries the page number, the sources and,
    where the page shows any, the illustrative and approximate notes.

    A page whose content overflows by a little is shrunk to fit (at most by
    about a fifth); beyond that it flows on to the next page, tables
    repeating their header, so a commune with very many projects takes two
    pages rather than print unreadably small.

    Parameters
    ----------
    dataset, options
        The data and what to show (indicator, year, units, filters).
    include_sensitive
        Include defence and security items. ``options.show_sensitive`` is
        ignored here, so a setting left on screen cannot leak onto paper.
    dpi
        Resolution of the embedded maps.
    """

    _register_fonts()
    handout = _Handout(dataset, options, include_sensitive=include_sensitive, dpi=dpi)
    h = handout
    buf = io.BytesIO()
    frame = Frame(
        h.margin,
        h.bottom,
        h.frame_w,
        h.frame_h,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    footer_style, note_style = h.st.footer, h.st.footer_note

    def footer(canvas: Any, doc: Any) -> None:
        note: _PageNote | None = getattr(canvas, "_bp_note", None)
        canvas.saveState()
        canvas.setStrokeColor(_hex("#1d3557"))
        canvas.setLineWidth(0.6)
        y = h.bottom - 4 * mm
        canvas.line(h.margin, y, h.page_w - h.margin, y)
        parts: list[Any] = []
        if note is not None:
            notes = [d.text for d in note.notes]
            if any(d.key == "illustrative_figures" for d in note.notes):
                notes.append("Dấu * sau một số liệu: số liệu minh họa.")
            if notes:
                parts.append(Paragraph("⚠ " + " ⚠ ".join(html_lib.escape(n) for n in notes), note_style))
            text = "Nguồn — " + " · ".join(note.sources)
            parts.append(Paragraph(html_lib.escape(_clip(text, 760)), footer_style))
        y -= 1.2 * mm
        for para in parts:
            _, ph = para.wrap(h.frame_w, 30 * mm)
            if y - ph < 7.5 * mm:
                break
            para.drawOn(canvas, h.margin, y - ph)
            y -= ph + 0.8 * mm
        canvas.setFont(_PDF_FONT, 6)
        canvas.setFillColor(_hex("#444444"))
        stamp = f"{PRODUCER} · xuất ngày {date.today():%d/%m/%Y}"
        if h.when:
            stamp += f" · số liệu cập nhật {h.when}"
        canvas.drawString(h.margin, 4.5 * mm, stamp)
        canvas.restoreState()

    doc = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=h.margin,
        rightMargin=h.margin,
        topMargin=h.top,
        bottomMargin=h.bottom,
        title=f"{h.title} — {h.subtitle}",
        author=PRODUCER,
        subject="Kế hoạch phát triển KT-XH 03 xã biên giới huyện Tân Hồng 2020–2025",
        creator=PRODUCER,
        keywords="Tân Hồng; biên giới; kế hoạch 2020–2025",
        lang="vi-VN",
        pageTemplates=[PageTemplate(id="page", frames=[frame], onPageEnd=footer)],
    )
    story: list[Any] = _fit_page(h.overview(), h.frame_w, h.frame_h)
    for code, name in h._units():
        story.append(PageBreak())
        story += _fit_page(h.commune(code, name), h.frame_w, h.frame_h)
    saved = rl_config.useA85
    rl_config.useA85 = 0  # images as binary streams: reportlab's pure-Python ASCII85 is slow
    try:
        doc.build(story, canvasmaker=_numbered_canvas(h))
    except LayoutError as exc:  # a block taller than a page, whatever the clipping missed: a message
        raise ExportError(
            "không dàn được trang PDF: một bảng hoặc đoạn chữ cao hơn cả trang A4 — rút ngắn tên, ghi chú "
            "quá dài trong dữ liệu rồi xuất lại (bản HTML vẫn xuất được)"
        ) from exc
    finally:
        rl_config.useA85 = saved
    return buf.getvalue()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _numbered_canvas(h: _Handout) -> type:
    """A canvas class that writes "Trang X/Y" once the page count is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(_PDF_BOLD, 7)
                self.setFillColor(_hex("#1d3557"))
                self.drawRightString(h.page_w - h.margin, 4.5 * mm, f"Trang {self._pageNumber}/{total}")
                super().showPage()
            super().save()

    return NumberedCanvas


# --------------------------------------------------------------------------------------------
# One call per format, and writing files
# --------------------------------------------------------------------------------------------


def export_bytes(
    dataset: Dataset, fmt: str, options: MapOptions, *, include_sensitive: bool = False
) -> bytes:
    """The export in one format as bytes (the HTML in UTF-8)."""
    if fmt == "html":
        return export_html(dataset, replace(options, show_sensitive=include_sensitive)).encode("utf-8")
    if fmt == "png":
        return export_png(dataset, replace(options, show_sensitive=include_sensitive))
    if fmt == "pdf":
        return export_pdf(dataset, options, include_sensitive=include_sensitive)
    raise ExportError(f"định dạng '{fmt}' không hỗ trợ; chọn một trong: {', '.join(EXPORT_FORMATS)}")


_OS_ERRORS: dict[int, str] = {
    errno.EACCES: "không có quyền ghi vào thư mục này",
    errno.EPERM: "không có quyền ghi vào thư mục này",
    errno.EROFS: "ổ đĩa chỉ cho đọc (USB bị khóa ghi?)",
    errno.ENOSPC: "ổ đĩa đã hết chỗ trống",
    errno.EDQUOT: "đã hết hạn mức dung lượng",
    errno.ENOENT: "không tạo được tệp ở đây",
    errno.ENAMETOOLONG: "tên tệp quá dài",
}


def check_writable(path: Path) -> None:
    """Refuse early, before a long export, a path that cannot be written.

    Raises
    ------
    ExportError
        The path is a folder, its folder does not exist, or it is not writable.
    """
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise ExportError(f"'{path}' là một thư mục; hãy ghi cả tên tệp (ví dụ {path / 'ban-do.html'})")
    if not folder.is_dir():
        raise ExportError(f"thư mục '{folder}' không tồn tại; không ghi được '{path.name}'")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"không ghi được tệp '{path}': {_OS_ERRORS[errno.EACCES]}")


def write_atomic(path: Path, content: bytes | str) -> None:
    """Write a file whole or not at all: a temporary file in the same folder, then ``os.replace``.

    A reader (or a USB stick pulled out) never sees half a file; a failed
    write leaves the old file as it was.

    Raises
    ------
    ExportError
        The folder does not exist or cannot be written (message in Vietnamese).
    """
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    check_writable(path)
    tmp_name: str | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)  # mkstemp makes 0600; give the usual mode of a new file
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        reason = _OS_ERRORS.get(exc.errno or 0, f"lỗi hệ thống ({exc.strerror or exc})")
        raise ExportError(f"không ghi được tệp '{path}': {reason}") from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


__all__ = [
    "DISCLOSURES_CHUNK",
    "EXPORT_FORMATS",
    "FEATURES_CHUNK",
    "STATUS_CHUNK",
    "DataError",
    "ExportError",
    "check_writable",
    "export_bytes",
    "export_html",
    "export_pdf",
    "export_png",
    "export_title",
    "feature_ids",
    "resolve_options",
    "source_lines",
    "status_records",
    "write_atomic",
]
