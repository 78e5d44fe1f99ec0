"""The interactive map: a ``folium.Map`` built from a dataset, rendering nothing itself.

Like geopandas' ``explore()``, :func:`build_map` returns a map object; the app
hands it to streamlit-folium, the exports write it to a file. Everything on it
is part of the map's own script — the legend, the layer control, the title —
so it survives every Streamlit rerun, and every asset is localised
(:mod:`borderplan_geo.assets`): the map asks no host but its own.

Safety: every text that reaches HTML (names, sources, descriptions, which
users type) is escaped here, in Python, by :func:`~borderplan_geo._html.html_text`
before it is placed in a tooltip, a popup, a label or a layer name (Leaflet's
layer control inserts names as HTML); the project layer's script builds its
HTML only from such pre-escaped strings; and every value enters a script as
JSON from :func:`~borderplan_geo._html.js_value`. Neither lets a ``{{``,
``{%`` or ``{#`` through: branca renders the map's script twice through
Jinja, so text from data must never be template source.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd
import shapely
import shapely.geometry
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from shapely.geometry.base import BaseGeometry

from . import assets
from ._html import html_text, js_value
from .boundaries import BOUNDARY_ACCURACY, outside_note, total_bounds_to_folium
from .dataset import Dataset
from .disclosures import Disclosure, disclosures, view_status_rows
from .formatting import format_number, format_vnd
from .layers import (
    ACCURACIES,
    LAYERS,
    PROJECT_STATUSES,
    PROJECTS_KEY,
    PROJECTS_LABEL,
    SECTORS,
    filter_projects,
    visible,
)
from .status import STATUSES, partial_text, row_target, status_text
from .styles import (
    BORDER_STYLE,
    CLUSTER_COLOR,
    PROJECT_STATUS_COLORS,
    ROAD_STYLES,
    ZONE_COLORS,
    project_svg,
    status_styles,
    symbol_svg,
)
from .targets import target_for
from .units import AREA_CODE
from .views import PARTIAL_LEGEND, commune_lines, legend_counts, target_lines
from .views import value_text as views_value_text

BASEMAPS: dict[str, tuple[str, str, str]] = {
    # key: (label, url, attribution)
    "osm": (
        "OpenStreetMap",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
    ),
    "light": (
        "Nền sáng (CARTO)",
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> &copy; <a href="https://carto.com/attributions">CARTO</a>',
    ),
    "satellite": (
        "Ảnh vệ tinh (Esri)",
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "Tiles &copy; Esri — Source: Esri, Maxar, Earthstar Geographics, and the GIS User Community",
    ),
}
BASEMAP_LABELS: dict[str, str] = {"none": "Không nền (luôn dùng được khi mất mạng)"} | {
    k: v[0] for k, v in BASEMAPS.items()
}
#: ``auto``: OpenStreetMap tiles if the *browser* can reach them, else no basemap.
#: The server never checks: it makes no outside request for a basemap (rules of the house).
AUTO_BASEMAP = "osm"
#: What the map says when the browser could not load online tiles and dropped them.
OFFLINE_NOTE = "Không tải được nền bản đồ trực tuyến: bản đồ vẽ không có nền, mọi lớp dữ liệu vẫn đầy đủ."

#: Status feature-group name prefix: tests and the app find the layer by it.
STATUS_LAYER = "Tình trạng chỉ tiêu"

#: The words Leaflet and its plugins write into the map in English, and what the map shows instead
#: (button titles, the measuring tool's panel and results). Its units are set in Vietnamese too
#: (:data:`MEASURE_UNITS`), and its numbers use Vietnamese separators ("1.234,5 m").
CONTROL_TEXT: dict[str, str] = {
    # Leaflet
    "Zoom in": "Phóng to",
    "Zoom out": "Thu nhỏ",
    "Layers": "Lớp bản đồ",
    "Close popup": "Đóng",
    # leaflet-measure 2.1.7 (its English strings; no build of it has Vietnamese)
    "Measure": "Đo",
    "Measure distances and areas": "Đo khoảng cách, diện tích",
    "Create a new measurement": "Bắt đầu đo",
    "Start creating a measurement by adding points to the map": "Bấm lên bản đồ để thêm các điểm đo",
    "Finish measurement": "Kết thúc đo",
    "Last point": "Điểm cuối",
    "Area": "Diện tích",
    "Perimeter": "Chu vi",
    "Point location": "Vị trí điểm",
    "Area measurement": "Đo diện tích",
    "Linear measurement": "Đo chiều dài",
    "Path distance": "Chiều dài",
    "Center on this area": "Đưa vùng này vào giữa",
    "Center on this line": "Đưa đường này vào giữa",
    "Center on this location": "Đưa điểm này vào giữa",
    "Cancel": "Hủy",
    "Delete": "Xóa",
}
#: The measuring tool's units, named as a Vietnamese map names them.
MEASURE_UNITS: dict[str, dict[str, object]] = {
    "meters": {"factor": 1, "display": "m", "decimals": 0},
    "kilometers": {"factor": 0.001, "display": "km", "decimals": 2},
    "sqmeters": {"factor": 1, "display": "m²", "decimals": 0},
    "hectares": {"factor": 0.0001, "display": "ha", "decimals": 2},
}


@dataclass(frozen=True)
class MapOptions:
    """What the map shows; every field has a default that shows the whole plan."""

    indicator: str = "clean_water"
    year: int = 2025
    vintage: int = 2020
    commune: str | None = None
    """Code of a commune to zoom to (of the vintage)."""
    sectors: tuple[str, ...] | None = None
    """Project sectors shown; ``None`` = all."""
    project_statuses: tuple[str, ...] | None = None
    """Project statuses shown; ``None`` = all."""
    layers: tuple[str, ...] | None = None
    """Layer keys shown (of :data:`~borderplan_geo.layers.LAYERS` and ``projects``); ``None`` = all."""
    basemap: str = "none"
    """``none``; a key of :data:`BASEMAPS`; or ``auto`` (tiles if the browser reaches them, else none)."""
    show_sensitive: bool = False
    palette: str = "default"
    font_px: int = 13
    """Size of labels and legend text; presentation mode uses 24 or more."""
    selected_project: str | None = None
    cluster_threshold: int = 30
    title: str | None = None
    subtitle: str | None = None
    legend_collapsed: bool = False
    legend_symbols_open: bool = False
    """Open the legend's layer and project symbols at start (exports); else one click away."""
    show_notes: bool = True
    """The approximate/illustrative notes on the map itself (the app shows them above it)."""
    controls: bool = True
    """Fullscreen and measuring tools (off for exports)."""
    height: str = "100%"
    extra_notes: tuple[str, ...] = field(default_factory=tuple)


#: From this font size up the map is drawn for a projector: no text on it is smaller.
PROJECTOR_PX = 24


# --- small helpers --------------------------------------------------------------------------------


def _table(rows: Sequence[tuple[str, str]]) -> str:
    """A two-column table of already-escaped cells."""
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows if v != "")
    return f'<table class="bp-kv">{body}</table>'


def _group(name: str) -> folium.FeatureGroup:
    """A feature group whose name (shown as HTML by the layer control) is escaped text."""
    return folium.FeatureGroup(name=html_text(name), show=True)


def folium_bounds(frame: gpd.GeoDataFrame) -> list[list[float]]:
    """The frame's extent as folium wants it."""
    return total_bounds_to_folium(frame.total_bounds)


class _Css(MacroElement):
    """CSS in the page header (kept by streamlit-folium, which drops only links)."""

    def __init__(self, css: str) -> None:
        super().__init__()
        self._name = "BorderplanCss"
        self.css = css
        self._template = Template(
            "{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}"
        )


class _Control(MacroElement):
    """A Leaflet control holding fixed, pre-escaped HTML (legend, title, notes)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var ctl = L.control({position: {{ this.position_js }}});
            ctl.onAdd = function() {
                var div = L.DomUtil.create('div', {{ this.css_class_js }});
                div.innerHTML = {{ this.html_js }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                var toggle = div.querySelector('.bp-toggle');
                if (toggle) {
                    toggle.addEventListener('click', function() { div.classList.toggle('bp-collapsed'); });
                }
                return div;
            };
            ctl.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "BorderplanControl"
        self.position_js = js_value(position)
        self.css_class_js = js_value(css_class)
        self.html_js = js_value(html)


class _GeoJsonLayer(MacroElement):
    """Features drawn from a compact GeoJSON whose properties carry pre-escaped HTML.

    Properties read by the script: ``style`` (Leaflet path options), ``tip``
    and ``pop`` (tooltip and popup HTML, escaped in Python), ``icon`` (index
    into ``icons`` for points). One element per layer keeps the page small and
    the rerender fast, whatever the number of features.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var icons = {{ this.icons_js }};
            var size = {{ this.icon_size }};
            var layer = L.geoJSON({{ this.data_js }}, {
                interactive: {{ this.interactive }},
                style: function(f) { return f.properties.style || {}; },
                pointToLayer: function(f, latlng) {
                    var html = icons[f.properties.icon] || '';
                    return L.marker(latlng, {
                        icon: L.divIcon({className: 'bp-symbol', html: html, iconSize: [size, size],
                                         iconAnchor: [size / 2, size / 2]}),
                        keyboard: true
                    });
                },
                onEachFeature: function(f, l) {
                    if (f.properties.tip) { l.bindTooltip(f.properties.tip, {sticky: {{ this.sticky }}}); }
                    if (f.properties.pop) { l.bindPopup(f.properties.pop, {maxWidth: 420}); }
                    if ({{ this.highlight }} > 0 && l.setStyle) {
                        l.on('mouseover', function() { l.setStyle({weight: {{ this.highlight }}, fillOpacity: 0.8}); });
                        l.on('mouseout', function() { l.setStyle(f.properties.style || {}); });
                    }
                }
            });
            layer.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        features: list[dict[str, Any]],
        *,
        icons: list[str] | None = None,
        icon_size: int = 24,
        interactive: bool = True,
        highlight: int = 0,
        sticky: bool = False,
    ) -> None:
        super().__init__()
        self._name = "BorderplanGeoJson"
        self.data_js = js_value({"type": "FeatureCollection", "features": features})
        self.icons_js = js_value(icons or [])
        self.icon_size = int(icon_size)
        self.interactive = "true" if interactive else "false"
        self.highlight = int(highlight)
        self.sticky = "true" if sticky else "false"


class _MetricScale(MacroElement):
    """A scale bar in metres and kilometres only (Vietnam is metric)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, maxWidth: 200, position: 'bottomleft'}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "BorderplanScale"


class _FitView(MacroElement):
    """Fit the view to the focus, clear of the controls in the map's corners, once the map has a size.

    The legend, title, notes and buttons sit in the four corners; their size is
    known only in the browser (fonts, screen size, a 24 px projector legend). For
    each corner the focus is kept either beside it or below/above it, whichever
    of these choices gives the largest zoom, so no control ever covers the
    commune the view is about. A map drawn in a hidden tab starts at 0 × 0: the
    fit waits until it has a size; it fits again when its size changes, until the
    user moves the map. A legend that would leave the focus less than half the
    size it has without it is folded to its button (one click opens it). Fires
    ``bp:fitted`` (labels then tidy themselves).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var bounds = L.latLngBounds({{ this.bounds_js }});
            var box = map.getContainer();
            var moved = false;
            ['mousedown', 'wheel', 'touchstart', 'keydown'].forEach(function(type) {
                box.addEventListener(type, function() { moved = true; }, {passive: true});
            });
            function corner(name) {
                var el = map._controlCorners && map._controlCorners[name];
                var outer = box.getBoundingClientRect();
                var w = 0, h = 0;
                if (!el) { return null; }
                Array.prototype.forEach.call(el.children, function(c) {
                    var r = c.getBoundingClientRect();
                    if (!r.width || !r.height) { return; }
                    w = Math.max(w, name.indexOf('left') > 0 ? r.right - outer.left : outer.right - r.left);
                    h = Math.max(h, name.indexOf('top') === 0 ? r.bottom - outer.top : outer.bottom - r.top);
                });
                return w && h ? {name: name, w: w + 8, h: h + 8} : null;
            }
            function best(size) {
                var corners = ['topleft', 'topright', 'bottomleft', 'bottomright'].map(corner)
                    .filter(function(c) { return c; });
                var found = {zoom: -1, pad: {top: 16, left: 16, bottom: 16, right: 16}};
                for (var choice = 0; choice < (1 << corners.length); choice++) {
                    var pad = {top: 16, left: 16, bottom: 16, right: 16};
                    corners.forEach(function(c, i) {
                        var beside = (choice >> i) & 1;
                        var side = beside ? (c.name.indexOf('left') > 0 ? 'left' : 'right')
                                          : (c.name.indexOf('top') === 0 ? 'top' : 'bottom');
                        pad[side] = Math.max(pad[side], beside ? c.w : c.h);
                    });
                    if (pad.left + pad.right >= size.x - 40 || pad.top + pad.bottom >= size.y - 40) { continue; }
                    var zoom = map.getBoundsZoom(bounds, false, L.point(pad.left + pad.right, pad.top + pad.bottom));
                    if (zoom > found.zoom) { found = {zoom: zoom, pad: pad}; }
                }
                return found;
            }
            var legend = box.querySelector('.bp-legend');
            var folded = false;  // folded here (not by the user): unfolded again when there is room
            function fit() {
                var size = map.getSize();
                if (!size.x || !size.y) { return false; }
                if (folded) { legend.classList.remove('bp-collapsed'); folded = false; }
                var choice = best(size);
                // A legend that would leave the focus less than half its size folds to its button.
                if (legend && !legend.classList.contains('bp-collapsed')) {
                    legend.classList.add('bp-collapsed');
                    var shut = best(size);
                    if (shut.zoom - choice.zoom >= 1) { choice = shut; folded = true; }
                    else { legend.classList.remove('bp-collapsed'); }
                }
                var pad = choice.pad;
                map.fitBounds(bounds, {paddingTopLeft: [pad.left, pad.top],
                                       paddingBottomRight: [pad.right, pad.bottom], animate: false});
                map.fire('bp:fitted');
                return true;
            }
            map.on('resize', function() { if (!moved) { fit(); } });
            // A page may size the map's box from outside (the map page sets streamlit-folium's box to the
            // window) without resizing the frame: Leaflet hears no window resize, so the box is watched.
            if (window.ResizeObserver) {
                new ResizeObserver(function() { map.invalidateSize({pan: false}); }).observe(box);
            }
            if (!fit()) {
                var timer = setInterval(function() {
                    if (!map.getSize().x) { return; }
                    clearInterval(timer);
                    map.invalidateSize();
                    fit();
                }, 300);
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "BorderplanFitView"
        self.bounds_js = js_value(bounds)


class _TileFallback(MacroElement):
    """In the browser: drop an online basemap that loads no tile, and say so on the map.

    The first tile error before any tile has loaded, or no tile within a few
    seconds, removes the tile layer and shows :data:`OFFLINE_NOTE`. The check
    is the browser's own request for a tile: the server asks no outside host.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var tiles = {{ this.layer_name }};
            var loaded = false, dropped = false;
            function drop() {
                if (loaded || dropped) { return; }
                dropped = true;
                map.removeLayer(tiles);
                var note = L.control({position: 'bottomleft'});
                note.onAdd = function() {
                    var div = L.DomUtil.create('div', 'bp-notes bp-offline-note');
                    div.textContent = {{ this.note_js }};
                    return div;
                };
                note.addTo(map);
            }
            tiles.on('tileload', function() { loaded = true; });
            tiles.on('tileerror', drop);
            setTimeout(drop, {{ this.wait_ms }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, layer: folium.TileLayer, *, wait_ms: int = 8000) -> None:
        super().__init__()
        self._name = "BorderplanTileFallback"
        self.layer_name = layer.get_name()
        self.note_js = js_value(OFFLINE_NOTE)
        self.wait_ms = int(wait_ms)


#: The map pane of labels: above markers (600) and below tooltips (650), so that icons never cover
#: a commune's name or value, and clicks go through to what is below.
LABEL_PANE = "bpLabels"


class _MapSetup(MacroElement):
    """What every map needs before its layers: the label pane, popup padding, Vietnamese controls.

    Popups keep clear of the corner buttons when they open (auto-pan padding), so
    a project's title is never under the layer button. Leaflet and its plugins
    write a few words of English into the page (button titles, the measuring
    tool's panel and results); each is replaced by its Vietnamese in
    :data:`CONTROL_TEXT`, whenever it appears.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var pane = map.createPane({{ this.pane_js }});
            pane.style.zIndex = 640;
            pane.style.pointerEvents = 'none';
            L.Popup.mergeOptions({autoPanPaddingTopLeft: L.point(64, 72), autoPanPaddingBottomRight: L.point(24, 24)});
            if (map.attributionControl) { map.attributionControl.setPrefix('Leaflet'); }
            var words = {{ this.words_js }};
            var attrs = ['title', 'aria-label', 'placeholder'];
            function translate(node) {
                if (node.nodeType === 3) {
                    var text = node.nodeValue, key = text.trim();
                    if (words.hasOwnProperty(key)) { node.nodeValue = text.replace(key, words[key]); }
                    return;
                }
                if (node.nodeType !== 1) { return; }
                attrs.forEach(function(a) {
                    var v = node.getAttribute(a);
                    if (v && words.hasOwnProperty(v.trim())) { node.setAttribute(a, words[v.trim()]); }
                });
                for (var c = node.firstChild; c; c = c.nextSibling) { translate(c); }
            }
            var box = map.getContainer();
            translate(box);
            new MutationObserver(function(changes) {
                changes.forEach(function(ch) {
                    if (ch.type === 'childList') { ch.addedNodes.forEach(translate); } else { translate(ch.target); }
                });
            }).observe(box, {subtree: true, childList: true, characterData: true, attributes: true,
                             attributeFilter: attrs});
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "BorderplanSetup"
        self.pane_js = js_value(LABEL_PANE)
        self.words_js = js_value(CONTROL_TEXT)


class _LabelLayer(MacroElement):
    """Text labels (pre-escaped HTML) in the label pane, above every icon, never catching clicks.

    Each row may carry a ``rank``: when two labels would overlap once drawn,
    :class:`_Declutter` moves or hides the one of lower rank. A row with a
    ``unit`` (a commune's code) is that commune's label: it may move only
    within that commune.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var parent = {{ this._parent.get_name() }};
            {{ this.rows_js }}.forEach(function(r) {
                var size = r.size || 0;
                var opts = {className: r.cls, html: r.html};
                if (size) { opts.iconSize = [size, size]; opts.iconAnchor = [size / 2, size / 2]; }
                var label = L.marker([r.lat, r.lng], {icon: L.divIcon(opts), interactive: false, keyboard: false,
                                                      pane: {{ this.pane_js }}, bpRank: r.rank || 0,
                                                      bpUnit: r.unit || null});
                label.addTo(parent);
                (window.__bpLabels = window.__bpLabels || []).push(label);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[dict[str, object]]) -> None:
        super().__init__()
        self._name = "BorderplanLabels"
        self.rows_js = js_value(rows)
        self.pane_js = js_value(LABEL_PANE)


class _Declutter(MacroElement):
    """Labels never overlap: after layout, a label that would cover one of higher rank moves or hides.

    Done in the browser, after fonts and sizes are known, at each zoom and
    resize: the labels are taken by rank (the commune in focus, then the
    communes of the plan, then their neighbours); each keeps its place if it is
    clear of the labels placed before it and of the map's controls, else tries a
    few nearby places, else is hidden until the next zoom. A commune's label
    never moves off its own commune (its middle, and the points half-way from
    there to its edges, stay inside the shape): a label that finds no clear place there is hidden, never put on a
    neighbour, where it would name the wrong commune.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            function clear(a, b) {
                return a.right + 2 <= b.left || b.right + 2 <= a.left || a.bottom + 2 <= b.top || b.bottom + 2 <= a.top;
            }
            function shapeOf(unit) {
                var found = null;
                map.eachLayer(function(l) {
                    if (!found && l.getLatLngs && l.feature && l.feature.properties
                        && l.feature.properties.unit_code === unit) { found = l; }
                });
                return found;
            }
            // Inside the commune's shape, in map coordinates (not the drawn SVG, which may lag a view change):
            // even-odd over every ring, so holes and multi-part communes count right.
            function inside(shape, x, y) {
                var o = map.getContainer().getBoundingClientRect();
                var p = map.containerPointToLatLng(L.point(x - o.left, y - o.top));
                var odd = false;
                (function walk(parts) {
                    if (!parts.length) { return; }
                    if (parts[0] instanceof L.LatLng) {
                        for (var i = 0, j = parts.length - 1; i < parts.length; j = i++) {
                            var a = parts[i], b = parts[j];
                            if ((a.lat > p.lat) !== (b.lat > p.lat)
                                && p.lng < (b.lng - a.lng) * (p.lat - a.lat) / (b.lat - a.lat) + a.lng) { odd = !odd; }
                        }
                        return;
                    }
                    parts.forEach(walk);
                })(shape.getLatLngs());
                return odd;
            }
            function tidy() {
                var labels = (window.__bpLabels || []).filter(function(l) {
                    return l._map === map && l._icon && l._icon.firstElementChild;
                });
                labels.forEach(function(l) {
                    l._icon.classList.remove('bp-hidden');
                    var d = l._icon.firstElementChild;
                    d.style.left = '0px';
                    d.style.top = '0px';
                });
                labels.sort(function(a, b) { return (b.options.bpRank || 0) - (a.options.bpRank || 0); });
                // The controls (legend, buttons, scale) are in place first: no label goes under them.
                var placed = Array.prototype.map.call(
                    map.getContainer().querySelectorAll('.leaflet-control'),
                    function(c) { return c.getBoundingClientRect(); }
                ).filter(function(r) { return r.width && r.height; });
                labels.forEach(function(l) {
                    var r = l._icon.firstElementChild.getBoundingClientRect();
                    if (!r.width || !r.height) { return; }
                    var w = r.width, h = r.height;
                    var moves = [[0, 0], [0, h * 0.6], [0, -h * 0.6], [w * 0.6, 0], [-w * 0.6, 0],
                                 [0, h * 1.1], [0, -h * 1.1], [w * 0.6, h * 0.6], [-w * 0.6, h * 0.6],
                                 [w * 0.6, -h * 0.6], [-w * 0.6, -h * 0.6]];
                    // Further out, for a wide label near a large legend (a 24 px projector legend).
                    [0.6, 1.1, 1.6].forEach(function(fy) {
                        [-1, 1].forEach(function(sy) {
                            moves.push([-w * 0.3, sy * h * fy], [-w * 0.5, sy * h * fy], [w * 0.3, sy * h * fy]);
                        });
                    });
                    moves.push([0, h * 1.6], [0, -h * 1.6], [-w, 0], [w, 0]);
                    var own = l.options.bpUnit ? shapeOf(l.options.bpUnit) : null;
                    for (var i = 0; i < moves.length; i++) {
                        var dx = moves[i][0], dy = moves[i][1];
                        var c = {left: r.left + dx, right: r.right + dx, top: r.top + dy, bottom: r.bottom + dy};
                        // Moved, it stays well inside its commune: its middle and the points half-way to its edges.
                        var mx = (c.left + c.right) / 2, my = (c.top + c.bottom) / 2;
                        if (own && (dx || dy) && ![[0, 0], [-w / 4, 0], [w / 4, 0], [0, -h / 4], [0, h / 4]].every(
                            function(q) { return inside(own, mx + q[0], my + q[1]); })) {
                            continue;
                        }
                        if (placed.every(function(p) { return clear(p, c); })) {
                            l._icon.firstElementChild.style.left = dx + 'px';
                            l._icon.firstElementChild.style.top = dy + 'px';
                            placed.push(c);
                            return;
                        }
                    }
                    l._icon.classList.add('bp-hidden');
                });
            }
            map.on('zoomend moveend resize overlayadd bp:fitted', tidy);
            setTimeout(tidy, 0);
            // Sizes measured before the page has its styles and fonts are not final: tidy again after.
            window.addEventListener('load', function() { tidy({type: 'load'}); });
            if (document.fonts && document.fonts.ready) { document.fonts.ready.then(function() { tidy({type: 'fonts'}); }); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "BorderplanDeclutter"


#: Fill of a commune whose status comes from part of its old communes: the status colour, hatched.
PARTIAL_PATTERN = "bp-partial-{status}"
#: Outline of such a commune: dash-dot, unlike the dashes of "no data".
PARTIAL_DASH = "10 4 2 4"


class _PartialPatterns(MacroElement):
    """SVG hatch patterns (one per status colour) that partial communes are filled with.

    Leaflet writes a path's ``fillColor`` into its ``fill`` attribute, so a
    fill of ``url(#bp-partial-achieved)`` draws the pattern defined here. Ids
    and colours are fixed by the palette: no text from data.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            if (document.getElementById('bp-patterns')) { return; }
            var ns = 'http://www.w3.org/2000/svg';
            var svg = document.createElementNS(ns, 'svg');
            svg.setAttribute('id', 'bp-patterns');
            svg.setAttribute('width', '0');
            svg.setAttribute('height', '0');
            svg.setAttribute('aria-hidden', 'true');
            svg.style.position = 'absolute';
            var defs = document.createElementNS(ns, 'defs');
            {{ this.patterns_js }}.forEach(function(p) {
                var pat = document.createElementNS(ns, 'pattern');
                pat.setAttribute('id', p.id);
                pat.setAttribute('patternUnits', 'userSpaceOnUse');
                pat.setAttribute('width', '10');
                pat.setAttribute('height', '10');
                pat.setAttribute('patternTransform', 'rotate(45)');
                var base = document.createElementNS(ns, 'rect');
                base.setAttribute('width', '10');
                base.setAttribute('height', '10');
                base.setAttribute('fill', p.color);
                var stripe = document.createElementNS(ns, 'rect');
                stripe.setAttribute('width', '4');
                stripe.setAttribute('height', '10');
                stripe.setAttribute('fill', '#ffffff');
                pat.appendChild(base);
                pat.appendChild(stripe);
                defs.appendChild(pat);
            });
            svg.appendChild(defs);
            document.body.appendChild(svg);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, colors: dict[str, str]) -> None:
        super().__init__()
        self._name = "BorderplanPatterns"
        self.patterns_js = js_value(
            [{"id": PARTIAL_PATTERN.format(status=k), "color": c} for k, c in colors.items()]
        )


class _ProjectLayer(JSCSSMixin, MacroElement):
    """Project markers built in the browser from a compact table of pre-escaped strings.

    Every text is HTML-escaped in Python and stored once in a string table;
    each row holds indices into it, and the tooltip and popup are assembled
    only from those escaped strings and fixed labels, when first opened. This
    keeps a 10 000-project page a few MB and the rerender fast. Markers are
    clustered (Leaflet.markercluster) above a threshold.
    """

    default_js = list(folium.plugins.MarkerCluster.default_js)  # noqa: RUF012 (folium's own pattern)
    default_css = list(folium.plugins.MarkerCluster.default_css)  # noqa: RUF012

    #: Row layout: lat, lng, icon, then string-table indices of these fields.
    FIELDS = (
        "id",
        "name",
        "title",
        "sector",
        "commune",
        "status",
        "progress",
        "budget",
        "funding",
        "years",
        "agency",
        "description",
        "where",
        "source",
        "secret",
        "outside",
    )
    LABELS = (
        ("sector", "Lĩnh vực"),
        ("commune", "Xã"),
        ("status", "Tình trạng"),
        ("progress", "Tiến độ"),
        ("budget", "Tổng vốn"),
        ("funding", "Nguồn vốn"),
        ("years", "Thời gian"),
        ("agency", "Chủ đầu tư"),
        ("description", "Mô tả"),
        ("where", "Vị trí, số liệu"),
        ("outside", "Cảnh báo"),
        ("source", "Nguồn"),
        ("id", "Mã"),
    )

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var S = {{ this.strings_js }};
            var rows = {{ this.rows_js }};
            var icons = {{ this.icons_js }};
            var F = {{ this.fields_js }};
            var L_ = {{ this.labels_js }};
            var size = {{ this.icon_size }};
            var at = {};
            F.forEach(function(name, i) { at[name] = i + 3; });
            function get(r, name) { return S[r[at[name]]]; }
            function tip(r) {
                var prog = get(r, 'progress');
                return '<b>[' + get(r, 'id') + ']</b> ' + get(r, 'name') + '<br>' + get(r, 'status') +
                    (prog ? ' · ' + prog : '') + (get(r, 'where') ? '<br><i>vị trí gần đúng</i>' : '') +
                    (get(r, 'outside') ? '<br><b class="bp-outside">⚠ ' + get(r, 'outside') + '</b>' : '');
            }
            function pop(r) {
                var html = '<div class="bp-pop"><h4>' + get(r, 'name') + '</h4><table class="bp-kv">';
                if (get(r, 'secret')) { html += '<tr><th>Bảo mật</th><td><span class="bp-warn">' + get(r, 'secret') + '</span></td></tr>'; }
                L_.forEach(function(pair) {
                    var v = get(r, pair[0]);
                    if (v) { html += '<tr><th>' + pair[1] + '</th><td>' + v + '</td></tr>'; }
                });
                return html + '</table></div>';
            }
            var target = {{ this.cluster_js }} ? L.markerClusterGroup({
                showCoverageOnHover: false, maxClusterRadius: 40, spiderfyOnMaxZoom: true, chunkedLoading: true
            }) : L.featureGroup();
            var markers = rows.map(function(r) {
                var icon = L.divIcon({className: 'bp-project', html: icons[r[2]], iconSize: [size, size],
                                      iconAnchor: [size / 2, size / 2]});
                var m = L.marker([r[0], r[1]], {icon: icon, title: get(r, 'title'), keyboard: true});
                // A string tooltip: the app reads the clicked project's id from it.
                m.bindTooltip(tip(r), {direction: 'top', offset: [0, -size / 2]});
                m.bindPopup(function() { return pop(r); }, {maxWidth: 380});
                return m;
            });
            if (target.addLayers) { target.addLayers(markers); } else { markers.forEach(function(m) { target.addLayer(m); }); }
            target.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        strings: list[str],
        rows: list[list[object]],
        icons: list[str],
        *,
        cluster: bool,
        icon_size: int = 28,
    ) -> None:
        super().__init__()
        self._name = "BorderplanProjects"
        self.strings_js = js_value(strings)
        self.rows_js = js_value(rows)
        self.icons_js = js_value(icons)
        self.fields_js = js_value(list(self.FIELDS))
        self.labels_js = js_value([list(p) for p in self.LABELS])
        self.cluster_js = "true" if cluster else "false"
        self.icon_size = int(icon_size)


# --- CSS -----------------------------------------------------------------------------------------------


def _css(options: MapOptions) -> str:
    """The map's stylesheet. From a 24 px font up (a projector), no text on the map is smaller."""
    f = options.font_px
    small = f if f >= PROJECTOR_PX else max(11, round(f * 0.85))
    cluster = max(30, round(small * 1.5))
    button = f + 12
    zoom = (
        f".leaflet-bar a.leaflet-control-zoom-in, .leaflet-bar a.leaflet-control-zoom-out {{ font-size: {f}px; "
        f"width: {button}px; height: {button}px; line-height: {button}px; }}"
        if f >= PROJECTOR_PX
        else ""
    )
    return f"""
.leaflet-container {{ background: #eef1f4; font-family: 'DejaVu Sans', 'Segoe UI', Arial, sans-serif; }}
.bp-legend, .bp-title, .bp-notes {{ background: rgba(255,255,255,0.95); color: #111; border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.35); padding: 8px 10px; font-size: {f}px; line-height: 1.35; }}
.bp-legend {{ max-height: calc(100vh - 130px); overflow-y: auto; min-width: 12em; max-width: 40vw; }}
.bp-legend h4 {{ margin: 0 0 4px 0; font-size: {f}px; }}
.bp-legend .bp-sec {{ margin: 6px 0 2px 0; font-weight: 700; font-size: {small}px; color: #333; }}
.bp-legend .bp-row {{ display: flex; align-items: center; gap: 6px; margin: 2px 0; white-space: nowrap; }}
.bp-legend .bp-sw {{ display: inline-flex; align-items: center; justify-content: center; width: {f + 8}px;
  height: {f + 6}px; border: 1px solid #333; font-weight: 700; font-size: {small}px; flex: none; }}
.bp-legend .bp-line {{ display: inline-block; width: {f + 14}px; height: 0; flex: none; }}
.bp-legend svg {{ width: {f + 8}px; height: {f + 8}px; flex: none; }}
.bp-legend .bp-toggle {{ float: right; cursor: pointer; border: 1px solid #999; border-radius: 4px; background: #f4f4f4;
  font-size: {small}px; padding: 0 6px; margin-left: 8px; }}
.bp-legend.bp-collapsed .bp-body {{ display: none; }}
.bp-legend details summary {{ cursor: pointer; font-weight: 700; font-size: {small}px; margin-top: 6px; color: #333; }}
.bp-title {{ font-size: {round(f * 1.35)}px; font-weight: 700; max-width: 60vw; }}
.bp-title .bp-sub {{ font-size: {small}px; font-weight: 400; color: #333; }}
.bp-notes {{ font-size: {small}px; max-width: 46vw; background: #fff8e1; border-left: 4px solid #E69F00; }}
.bp-label {{ background: transparent; border: none; }}
.bp-label div {{ position: relative; width: max-content; transform: translate(-50%, -50%); text-align: center;
  font-size: {f}px;
  font-weight: 700; color: #111; white-space: nowrap; text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 4px #fff;
  background: rgba(255,255,255,0.6); border-radius: 5px; padding: 0 4px; }}
.bp-label .bp-badge {{ display: inline-block; border-radius: 4px; padding: 0 5px; margin-top: 2px; font-size: {small}px;
  border: 1px solid #222; text-shadow: none; }}
.bp-label.bp-context div {{ font-weight: 400; color: #555; font-size: {small}px; }}
.bp-label.bp-hidden {{ display: none; }}
.bp-label .bp-partial-note {{ font-size: {small}px; font-weight: 700; color: #5a3500; }}
.bp-legend .bp-target {{ white-space: normal; margin: 1px 0 3px 0; }}
.bp-legend .bp-sw-partial {{ background: repeating-linear-gradient(45deg, #777 0 3px, #fff 3px 7px);
  border: 2px dashed #222; }}
.bp-project, .bp-symbol {{ background: transparent; border: none; }}
.bp-selected {{ border: 4px solid #000; border-radius: 50%; box-shadow: 0 0 0 4px #FFEB3B; background: transparent; }}
.bp-outside-mark {{ border: 3px dashed #D55E00; border-radius: 50%; background: transparent; }}
.bp-outside {{ color: #A33A00; }}
table.bp-kv {{ border-collapse: collapse; font-size: {small}px; }}
table.bp-kv th {{ text-align: left; padding: 1px 8px 1px 0; color: #444; vertical-align: top; font-weight: 600; }}
table.bp-kv td {{ padding: 1px 0; vertical-align: top; max-width: 22em; }}
.bp-pop h4 {{ margin: 0 0 4px 0; font-size: {f}px; }}
.bp-warn {{ color: #8a4b00; font-weight: 600; }}
.leaflet-tooltip, .leaflet-popup-content {{ font-size: {small}px; }}
.leaflet-control-layers, .leaflet-control-attribution {{ font-size: {small}px; }}
.leaflet-control-scale-line {{ font-size: {small}px; line-height: 1.2; }}
{zoom}.leaflet-container .marker-cluster div {{ width: {cluster}px; height: {cluster}px; margin: {(40 - cluster) / 2}px 0 0 {(40 - cluster) / 2}px;
  border-radius: 50%; font-size: {small}px; font-weight: 700; }}
.leaflet-container .marker-cluster span {{ line-height: {cluster}px; }}
"""


# --- the layers ------------------------------------------------------------------------------------------


def _accuracy_note(accuracy: object, illustrative: object) -> str:
    parts = []
    if accuracy and accuracy != "surveyed":
        parts.append(
            f'<span class="bp-warn">{html_text(ACCURACIES.get(str(accuracy), str(accuracy)))}</span>'
        )
    if bool(illustrative):
        parts.append('<span class="bp-warn">Dữ liệu minh họa, không phải báo cáo</span>')
    return " · ".join(parts)


def _shape(geom: BaseGeometry, *, precision: int = 6) -> dict[str, Any]:
    """GeoJSON geometry with rounded coordinates (1e-6 degree ≈ 0.1 m)."""
    return dict(shapely.geometry.mapping(shapely.set_precision(geom, 10**-precision)))


def _feature(geom: BaseGeometry, **properties: object) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": _shape(geom)}


def display_geometries(frame: gpd.GeoDataFrame, tolerance: float = 0.00004) -> list[BaseGeometry]:
    """Polygons simplified together for the screen (~4 m), neighbours kept edge to edge."""
    geoms = list(frame.geometry)
    try:
        return list(shapely.coverage_simplify(geoms, tolerance))
    except Exception:  # not a clean coverage (a user's official file): simplify one by one
        return [g.simplify(tolerance, preserve_topology=True) for g in geoms]


def _status_layer(m: folium.Map, dataset: Dataset, options: MapOptions, focus: Sequence[str] = ()) -> None:
    """Communes coloured by status, with tooltip, popup and a label (name, value, symbol).

    A commune whose status comes from part of its old communes is hatched
    (:data:`PARTIAL_PATTERN`), outlined dash-dot, and says "số liệu 1/3 xã cũ"
    in its label, tooltip and popup; its feature carries ``complete: false``.
    The communes the view is about (``focus``) carry the class ``bp-focus`` and
    the labels of highest rank (no other label or control may cover them).
    """
    styles = status_styles(options.palette)
    units = dataset.units(options.vintage)
    targets = dataset.targets
    code = options.indicator
    rows = view_status_rows(dataset, options)
    by_unit = {r["unit_code"]: r for r in rows.to_dict("records") if r["unit_code"] != AREA_CODE}
    name = next((t.name for t in targets if t.code == code), code)
    group = _group(f"{STATUS_LAYER}: {name} ({options.year})")
    labels = _group("Nhãn xã")
    weight = 3 if options.palette == "high_contrast" else 2
    _PartialPatterns({k: st.color for k, st in styles.items()}).add_to(group)
    features: list[dict[str, Any]] = []
    label_rows: list[dict[str, object]] = []
    for unit, geom in zip(units.to_dict("records"), display_geometries(units), strict=True):
        row = by_unit.get(unit["code"])
        point = unit["geometry"].representative_point()
        if row is None:
            # A unit outside the plan (or the target does not apply): outline only.
            features.append(
                _feature(
                    geom,
                    unit_code=unit["code"],
                    status="none",
                    fill="#ffffff",
                    style={"color": "#777", "weight": 1, "fillColor": "#ffffff", "fillOpacity": 0.15},
                    tip=f"{html_text(unit['name'])} — ngoài phạm vi chỉ tiêu này",
                )
            )
            label_rows.append(
                {
                    "lat": point.y,
                    "lng": point.x,
                    "html": f"<div>{html_text(unit['name'])}</div>",
                    "cls": "bp-label bp-context",
                    "rank": 1,
                    "unit": unit["code"],
                }
            )
            continue
        st = styles[row["status"]]
        t = row_target(targets, row)
        kind = t.kind if t else ""
        value_text = str(row["value_text"])
        partial = partial_text(row) if row["status"] != "no_data" else ""
        said = status_text(row) if partial else st.label
        tooltip = (
            f"<b>{html_text(unit['name'])}</b><br>{html_text(st.symbol)} {html_text(said)} — "
            f"{html_text(row['standing'] or value_text)}"
            f"<br>Mục tiêu: {html_text(row['target_text'])}"
            + (f"<br><i>{html_text(row['coverage'])}</i>" if partial else "")
            + f"<br>{html_text(name)}, năm {options.year}"
        )
        required = (
            views_value_text(row["required"], t) if t and kind in ("level_by_year", "status_by_year") else ""
        )
        popup_rows = [
            ("Chỉ tiêu", html_text(name)),
            ("Năm", str(options.year)),
            ("Giá trị", html_text(value_text)),
            ("Mục tiêu", html_text(row["target_text"])),
            ("Lộ trình năm này", html_text(required)),
            ("Tình trạng", f"<b>{html_text(st.symbol)} {html_text(said)}</b>"),
            ("Nhận định", html_text(row["reason"])),
            ("Phạm vi số liệu", html_text(row["coverage"]) if partial else ""),
            ("Nguồn", html_text(row["source"]) or "–"),
        ]
        if row["illustrative"]:
            popup_rows.append(("Lưu ý", '<span class="bp-warn">Số liệu minh họa, không phải báo cáo</span>'))
        if not row["in_scope"]:
            popup_rows.append(("Phạm vi", html_text("Chỉ tiêu chung 3 xã: số của xã để tham khảo")))
        accuracy = str(unit.get("accuracy") or "approximate")
        popup_rows.append(("Ranh giới", html_text(BOUNDARY_ACCURACY.get(accuracy, accuracy))))
        style = {
            "color": "#222",
            "weight": weight + (1 if options.commune == unit["code"] else 0) + (1 if partial else 0),
            "fillColor": f"url(#{PARTIAL_PATTERN.format(status=row['status'])})" if partial else st.color,
            "fillOpacity": 0.62 if options.palette != "high_contrast" else 0.78,
            "dashArray": PARTIAL_DASH if partial else st.dash,
            "className": "bp-unit bp-focus" if unit["code"] in focus else "bp-unit",
        }
        features.append(
            _feature(
                geom,
                # What the colour means travels with the shape (tests and tools read it).
                unit_code=unit["code"],
                status=row["status"],
                fill=st.color,
                complete=bool(row["complete"]),
                style=style,
                tip=tooltip,
                pop=f'<div class="bp-pop"><h4>{html_text(unit["name"])}</h4>{_table(popup_rows)}</div>',
            )
        )
        badge = (
            f'<span class="bp-badge" style="background:{st.color};color:{st.text_color}">'
            f"{html_text(st.symbol)} {html_text(value_text)}</span>"
        )
        note = f'<br><span class="bp-partial-note">{html_text(partial)}</span>' if partial else ""
        label_rows.append(
            {
                "lat": point.y,
                "lng": point.x,
                "html": f"<div>{html_text(unit['name'])}<br>{badge}{note}</div>",
                "cls": "bp-label",
                "rank": 3 if unit["code"] in focus else 2,
                "unit": unit["code"],
            }
        )
    _GeoJsonLayer(features, highlight=weight + 2, sticky=True).add_to(group)
    _LabelLayer(label_rows).add_to(labels)
    group.add_to(m)
    labels.add_to(m)


def _border_layer(m: folium.Map, dataset: Dataset) -> None:
    border = dataset.national_border  # the file, or the new units' outer edge
    if border.empty:
        return
    group = _group("Đường biên giới quốc gia")
    style = {"color": BORDER_STYLE.color, "weight": BORDER_STYLE.weight, "dashArray": BORDER_STYLE.dash}
    features = []
    for rec in border.to_dict("records"):
        note = _accuracy_note(rec.get("accuracy"), False)
        rows = [
            ("Tên", html_text(rec.get("name"))),
            ("Độ chính xác", note),
            ("Nguồn", html_text(rec.get("source"))),
        ]
        features.append(
            _feature(
                rec["geometry"],
                style=style,
                tip=f"{html_text(rec.get('name') or 'Đường biên giới')}<br>{note}",
                pop=_table(rows),
            )
        )
    _GeoJsonLayer(features).add_to(group)
    group.add_to(m)


def _feature_popup(rec: dict[str, Any], kind_label: str, extra: list[tuple[str, str]] | None = None) -> str:
    rows = [
        ("Loại", html_text(kind_label)),
        ("Xã", html_text(rec.get("commune_name"))),
        *(extra or []),
        ("Mô tả", html_text(rec.get("description"))),
        ("Vị trí", _accuracy_note(rec.get("accuracy"), rec.get("illustrative")) or "Đo đạc"),
        ("Nguồn", html_text(rec.get("source"))),
        ("Mã", html_text(rec.get("id"))),
    ]
    return f'<div class="bp-pop"><h4>{html_text(rec.get("name"))}</h4>{_table(rows)}</div>'


def _outside_notes(dataset: Dataset) -> dict[tuple[str, str], str]:
    """(layer, id) → 'nằm ngoài xã …' for the works now outside their commune."""
    return {
        (str(r["layer"]), str(r["id"])): outside_note(r) for r in dataset.outside_features.to_dict("records")
    }


def _outside_mark(geom: BaseGeometry, size: int) -> dict[str, object]:
    p = geom if geom.geom_type == "Point" else geom.representative_point()
    return {"lat": p.y, "lng": p.x, "html": "", "cls": "bp-outside-mark", "size": size}


def _layer_group(
    m: folium.Map,
    key: str,
    frame: gpd.GeoDataFrame,
    options: MapOptions,
    outside: dict[tuple[str, str], str] | None = None,
    marks: list[dict[str, object]] | None = None,
) -> None:
    spec = LAYERS[key]
    group = _group(spec.label)
    icons: list[str] = []
    icon_index: dict[str, int] = {}
    features = []
    size = options.font_px + 13
    for rec in frame.to_dict("records"):
        geom = rec["geometry"]
        kind = str(rec.get("kind"))
        kind_label = spec.kinds.get(kind, kind)
        extra: list[tuple[str, str]] = []
        if rec.get("households") not in (None, "") and not _isnan(rec.get("households")):
            extra.append(("Số hộ", html_text(format_number(rec["households"]))))
        if rec.get("capacity_m3_day") not in (None, "") and not _isnan(rec.get("capacity_m3_day")):
            extra.append(("Công suất", html_text(f"{format_number(rec['capacity_m3_day'])} m³/ngày")))
        warn = " (vị trí gần đúng)" if rec.get("accuracy") != "surveyed" else ""
        away = (outside or {}).get((key, str(rec.get("id"))))
        if away:
            extra.append(("Cảnh báo", f'<span class="bp-outside">{html_text(away)}</span>'))
            if marks is not None:
                marks.append(_outside_mark(geom, size + 12))
        props: dict[str, object] = {
            "tip": f"{html_text(rec['name'])}<br><i>{html_text(kind_label)}{html_text(warn)}</i>"
            + (f'<br><b class="bp-outside">⚠ {html_text(away)}</b>' if away else ""),
            "pop": _feature_popup(rec, kind_label, extra),
        }
        if geom.geom_type == "Point":
            if kind not in icon_index:
                icon_index[kind] = len(icons)
                icons.append(symbol_svg(kind, size=size))
            props["icon"] = icon_index[kind]
        elif geom.geom_type in ("LineString", "MultiLineString"):
            ls = ROAD_STYLES.get(kind)
            color = ls.color if ls else CLUSTER_COLOR
            props["style"] = {
                "color": color,
                "weight": ls.weight if ls else 4,
                "dashArray": ls.dash if ls else "4 4",
            }
        else:
            color = ZONE_COLORS.get(kind, CLUSTER_COLOR)
            props["style"] = {
                "color": color,
                "weight": 2,
                "fillColor": color,
                "fillOpacity": 0.25,
                "dashArray": "5 3",
            }
        features.append(_feature(geom, **props))
    _GeoJsonLayer(features, icons=icons, icon_size=size).add_to(group)
    group.add_to(m)


def _isnan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def project_fields(rec: dict[str, Any]) -> dict[str, str]:
    """The texts of one project as its tooltip and popup show them, each HTML-escaped.

    ``title`` is the plain "[id] name" for the marker's title attribute (set as
    a DOM property, never parsed as HTML); every other value is escaped HTML.
    """
    years = ""
    start, end = rec.get("start_year"), rec.get("end_year")
    if start is not None and not _isnan(start):
        years = f"{int(start)}–{int(end)}" if end is not None and not _isnan(end) else f"từ {int(start)}"
    progress = rec.get("progress")
    budget = rec.get("budget_vnd")
    return {
        "id": html_text(rec.get("id")),
        "name": html_text(rec.get("name")),
        "title": f"[{rec.get('id')}] {rec.get('name')}",
        "sector": html_text(SECTORS.get(str(rec.get("sector")), rec.get("sector"))),
        "commune": html_text(rec.get("commune_name")),
        "status": html_text(PROJECT_STATUSES.get(str(rec.get("status")), rec.get("status"))),
        "progress": html_text(f"{format_number(progress)} %")
        if progress is not None and not _isnan(progress)
        else "",
        "budget": html_text(format_vnd(budget)) if budget is not None and not _isnan(budget) else "",
        "funding": html_text(rec.get("funding_source")),
        "years": html_text(years),
        "agency": html_text(rec.get("agency")),
        "description": html_text(rec.get("description")),
        "where": _accuracy_note(rec.get("accuracy"), rec.get("illustrative")),
        "source": html_text(rec.get("source")),
        "secret": "Quốc phòng – an ninh: không công bố" if rec.get("sensitive") else "",
        "outside": "",
    }


def _projects_layer(
    m: folium.Map,
    frame: gpd.GeoDataFrame,
    options: MapOptions,
    outside: dict[tuple[str, str], str] | None = None,
    marks: list[dict[str, object]] | None = None,
) -> None:
    group = _group(PROJECTS_LABEL)
    icons: list[str] = []
    icon_index: dict[tuple[str, str], int] = {}
    strings: list[str] = [""]
    string_index: dict[str, int] = {"": 0}
    rows: list[list[object]] = []
    shapes: list[dict[str, Any]] = []
    projector = options.font_px >= PROJECTOR_PX
    # On a projector the sector's letters inside a marker are as large as any text (a 2-letter glyph
    # of font_px fits a disc twice as wide).
    size = 2 * options.font_px if projector else max(24, options.font_px + 12)
    glyph_px = options.font_px if projector else None

    def ref(text: str) -> int:
        if text not in string_index:
            string_index[text] = len(strings)
            strings.append(text)
        return string_index[text]

    statuses = frame["status"].astype(str).tolist()
    sectors = frame["sector"].astype(str).tolist()
    for i, (rec, geom) in enumerate(
        zip(frame.drop(columns="geometry").to_dict("records"), frame.geometry, strict=True)
    ):
        if geom is None or geom.is_empty:
            continue
        key = (statuses[i], sectors[i])
        if key not in icon_index:
            icon_index[key] = len(icons)
            icons.append(project_svg(key[0], key[1], size=size, glyph_px=glyph_px))
        point = geom if geom.geom_type == "Point" else geom.representative_point()
        if geom.geom_type != "Point":
            color = PROJECT_STATUS_COLORS.get(key[0], "#555")
            style = {"color": color, "weight": 5, "opacity": 0.85, "fillColor": color, "fillOpacity": 0.2}
            shapes.append(_feature(geom, style=style))
        fields = project_fields(rec)
        away = (outside or {}).get((PROJECTS_KEY, str(rec.get("id"))))
        if away:
            fields["outside"] = html_text(away)
            if marks is not None:
                marks.append(_outside_mark(geom, size + 12))
        rows.append(
            [
                round(point.y, 6),
                round(point.x, 6),
                icon_index[key],
                *(ref(fields[f]) for f in _ProjectLayer.FIELDS),
            ]
        )
    if shapes:
        _GeoJsonLayer(shapes, interactive=False).add_to(group)
    cluster = len(rows) > options.cluster_threshold
    _ProjectLayer(strings, rows, icons, cluster=cluster, icon_size=size).add_to(group)
    group.add_to(m)
    if options.selected_project:
        sel = frame[frame["id"] == options.selected_project]
        if not sel.empty:
            g = sel.iloc[0]["geometry"]
            p = g if g.geom_type == "Point" else g.representative_point()
            ring = size + 14
            _LabelLayer([{"lat": p.y, "lng": p.x, "html": "", "cls": "bp-selected", "size": ring}]).add_to(m)


# --- legend, title, notes -------------------------------------------------------------------------------------


def legend_html(
    dataset: Dataset,
    options: MapOptions,
    rows: pd.DataFrame,
    shown_layers: Sequence[str],
    project_statuses: Sequence[str],
) -> str:
    """The legend's HTML: target(s), status (colour, symbol, word, count), partial communes, symbols.

    When the communes have different targets (rural development: Thông Bình
    "cơ bản đạt", the others "đạt chuẩn") the legend names each commune's
    target and standing (:func:`~borderplan_geo.views.commune_lines`).
    Communes measured in part are counted apart
    (:func:`~borderplan_geo.views.legend_counts`).
    """
    styles = status_styles(options.palette)
    name = next((t.name for t in dataset.targets if t.code == options.indicator), options.indicator)
    t = target_for(dataset.targets, options.indicator, None)
    parts = [
        '<span class="bp-toggle" role="button" tabindex="0" title="Thu gọn / mở chú giải">Chú giải ▾</span>',
        f"<h4>{html_text(name)} — {options.year}</h4>",
        '<div class="bp-body">',
    ]
    per_commune = commune_lines(rows, dataset.targets)
    targets = target_lines(rows)
    if per_commune:
        parts.append('<div class="bp-sec">Mục tiêu Kế hoạch giao từng xã:</div>')
        parts += [f'<div class="bp-target">{html_text(line)}</div>' for line in per_commune]
    elif targets or t is not None:
        text = targets[0][0] if targets else t.target_text if t is not None else ""
        parts.append(f'<div class="bp-sec">Mục tiêu: {html_text(text)}</div>')
    counts, partial = legend_counts(rows)
    for key in STATUSES:
        st = styles[key]
        count = counts.get(key, 0)
        parts.append(
            f'<div class="bp-row"><span class="bp-sw" style="background:{st.color};color:{st.text_color}">'
            f"{html_text(st.symbol)}</span>{html_text(st.label)} ({count})</div>"
        )
    if partial:
        parts.append(
            '<div class="bp-row bp-partial-row"><span class="bp-sw bp-sw-partial"></span>'
            f"{html_text(PARTIAL_LEGEND)} ({partial})</div>"
        )
    symbols = bool(shown_layers or project_statuses)
    if symbols:
        parts.append(
            '<details class="bp-symbols"' + (" open" if options.legend_symbols_open else "") + ">"
            "<summary>Ký hiệu lớp bản đồ, dự án</summary>"
        )
    if shown_layers:
        parts.append('<div class="bp-sec">Lớp bản đồ</div>')
        parts.append(
            f'<div class="bp-row"><span class="bp-line" style="border-top:{BORDER_STYLE.weight}px dashed {BORDER_STYLE.color}"></span>Biên giới quốc gia</div>'
        )
        for key in shown_layers:
            spec = LAYERS[key]
            for kind, label in spec.kinds.items():
                if key == "roads":
                    ls = ROAD_STYLES[kind]
                    style = "dashed" if ls.dash else "solid"
                    swatch = (
                        f'<span class="bp-line" style="border-top:{ls.weight}px {style} {ls.color}"></span>'
                    )
                elif key == "economic_zones":
                    color = ZONE_COLORS.get(kind, CLUSTER_COLOR)
                    swatch = (
                        f'<span class="bp-sw" style="background:{color}40;border:2px dashed {color}"></span>'
                    )
                else:
                    swatch = symbol_svg(kind)
                parts.append(f'<div class="bp-row">{swatch}{html_text(label)}</div>')
    if project_statuses:
        parts.append(f'<div class="bp-sec">{html_text(PROJECTS_LABEL)}</div>')
        for status in project_statuses:
            parts.append(
                f'<div class="bp-row">{project_svg(status, None)}{html_text(PROJECT_STATUSES[status])}</div>'
            )
    if symbols:
        parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)


def disclosures_html(found: Sequence[Disclosure], extra: Sequence[str] = ()) -> str:
    """The disclosures as the notes on the map (and the HTML export): one line each, keyed."""
    lines = [
        f'<div class="bp-disclosure bp-{d.severity}" data-key="{html_text(d.key)}">⚠ {html_text(d.text)}</div>'
        for d in found
    ]
    lines += [f'<div class="bp-disclosure">⚠ {html_text(n)}</div>' for n in extra]
    return "".join(lines)


# --- the map ----------------------------------------------------------------------------------------------------


def build_map(dataset: Dataset, options: MapOptions | None = None, *, asset_base_url: str) -> folium.Map:
    """Build the whole map for a dataset and a set of choices.

    Parameters
    ----------
    dataset
        The data (see :func:`borderplan_geo.dataset.load_dataset`).
    options
        What to show; defaults show everything for clean water in 2025.
    asset_base_url
        Where the browser finds Leaflet and the plugins (the app's static
        folder). Every CDN URL folium would use is replaced by one under it.
    """
    options = options or MapOptions()
    units = dataset.units(options.vintage)
    focus = units[units["in_plan"].astype(bool)]
    if options.commune:
        chosen = units[units["code"] == options.commune]
        if not chosen.empty:
            focus = chosen
    bounds = folium_bounds(focus)
    m = folium.Map(
        location=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
        zoom_start=12,
        tiles=None,
        control_scale=False,  # a metric-only scale bar is added below
        zoom_snap=0.25,
        width="100%",
        height=options.height,
    )
    # Without a tile layer Leaflet has no maxZoom, and marker clustering needs one.
    m.options["max_zoom"] = 19
    _Css(_css(options)).add_to(m)
    _MapSetup().add_to(m)
    basemap = AUTO_BASEMAP if options.basemap == "auto" else options.basemap
    if basemap in BASEMAPS:
        label, url, attribution = BASEMAPS[basemap]
        tiles = folium.TileLayer(url, name=label, attr=attribution, max_zoom=19, control=True)
        tiles.add_to(m)
        _TileFallback(tiles).add_to(m)

    _status_layer(m, dataset, options, focus=list(focus["code"]))
    _border_layer(m, dataset)
    wanted = set(options.layers) if options.layers is not None else {*LAYERS, PROJECTS_KEY}
    shown_layers = []
    outside = _outside_notes(dataset)  # works now outside their commune: noted and ringed
    marks: list[dict[str, object]] = []
    for key in LAYERS:
        if key not in wanted:
            continue
        frame = visible(dataset.layers[key], show_sensitive=options.show_sensitive)
        if frame.empty:
            continue
        _layer_group(m, key, frame, options, outside, marks)
        shown_layers.append(key)
    project_statuses: list[str] = []
    if PROJECTS_KEY in wanted:
        projects = filter_projects(dataset.projects, options)
        if not projects.empty:
            _projects_layer(m, projects, options, outside, marks)
            project_statuses = [s for s in PROJECT_STATUSES if s in set(projects["status"])]

    if marks:
        _LabelLayer(marks).add_to(m)
    rows = view_status_rows(dataset, options)
    legend = legend_html(dataset, options, rows, shown_layers, project_statuses)
    css_class = "bp-legend bp-collapsed" if options.legend_collapsed else "bp-legend"
    _Control(legend, position="bottomright", css_class=css_class).add_to(m)
    found = disclosures(dataset, options) if options.show_notes else []
    if found or options.extra_notes:
        _Control(
            disclosures_html(found, options.extra_notes), position="bottomleft", css_class="bp-notes"
        ).add_to(m)
    if options.title:
        sub = f'<div class="bp-sub">{html_text(options.subtitle)}</div>' if options.subtitle else ""
        _Control(f"{html_text(options.title)}{sub}", position="topright", css_class="bp-title").add_to(m)
    _MetricScale().add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    if options.controls:
        folium.plugins.Fullscreen(
            position="topleft", title="Toàn màn hình", title_cancel="Thoát toàn màn hình"
        ).add_to(m)
        folium.plugins.MeasureControl(
            position="topleft",
            primary_length_unit="meters",
            secondary_length_unit="kilometers",
            primary_area_unit="hectares",
            secondary_area_unit="sqmeters",
            units=MEASURE_UNITS,
            dec_point=",",
            thousands_sep=".",
        ).add_to(m)
    if options.selected_project:
        sel = dataset.projects[dataset.projects["id"] == options.selected_project]
        if not sel.empty:
            g = sel.iloc[0]["geometry"]
            p = g if g.geom_type == "Point" else g.representative_point()
            pad = 0.01
            bounds = [[p.y - pad, p.x - pad], [p.y + pad, p.x + pad]]
    # No folium fit_bounds: its animated zoom would end after, and undo, the fit clear of the controls.
    _FitView(bounds).add_to(m)
    _Declutter().add_to(m)
    assets.localise(m, asset_base_url)
    return m
