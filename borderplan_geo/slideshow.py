"""Every slide of the deck in one offline HTML file, to carry on a USB stick.

A meeting hall may have a projector, a laptop and no internet, and no way to
run the app. :func:`export_slideshow` writes the whole deck
(``views/slides.json``, :mod:`borderplan_geo.slides`) as ONE page that opens
from ``file://``: the same header and the same 24 px map as the presentation
page (:func:`~borderplan_geo.slides.presentation_options`,
:func:`~borderplan_geo.slides.slide_header`), stepped with → / ←, PageDown /
PageUp (a presenter's clicker), "." / B, Home / End, or the buttons.

Size. 23 maps would repeat the same communes, layers and projects 23 times
(about 3 MB of script). Each geometry is therefore written once in a shared
table, and each large block of map data (a layer, the projects) once in
another; a slide's map refers to them, and is drawn only when the slide is
first shown. Assets are inlined as in the HTML export
(:func:`borderplan_geo.assets.inline_assets`), and the same
Content-Security-Policy forbids any request to any host.

>>> from borderplan_geo.dataset import data_source, load_dataset
>>> page = export_slideshow(load_dataset(data_source()))  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import folium

from . import assets
from ._html import html_text, js_value, script_hashes
from .criteria import LEVEL_LABELS
from .dataset import Dataset
from .exports import _CSP, _SCRIPT_HASHES, ASSET_PLACEHOLDER, PRODUCER, ExportError, _drop_bootstrap_css
from .exports import source_lines as export_source_lines
from .formatting import format_number
from .maps import build_map, filter_projects
from .settings import get_settings
from .slides import PROJECTOR_FONT_PX, SLIDE_WORD, Deck, View, load_deck, presentation_options, slide_header
from .views import criteria_matrix, criteria_sources, project_totals

#: The file name the app offers for the slideshow.
SLIDESHOW_FILE_NAME = "bo-trang-chieu.html"
#: Map data blocks at least this long (characters of JSON) are written once and shared.
_SHARE_FROM = 2000

# --------------------------------------------------------------------------------------------
# Tables shown beside or instead of a map (the presentation page shows the same)
# --------------------------------------------------------------------------------------------

_LEVEL_SYMBOLS = {"dat": "✔", "co_ban_dat": "!", "chua_dat": "✖"}


def criteria_table_html(dataset: Dataset, year: int, *, vintage: int) -> str:
    """The 19 rural-development criteria × communes as a large HTML table (escaped text)."""
    matrix = criteria_matrix(dataset, year, vintage=vintage)
    levels = {label: key for key, label in LEVEL_LABELS.items()}
    header = "".join(f"<th>{html_text(c)}</th>" for c in matrix.columns)
    body = []
    for r in matrix.to_dict("records"):
        cells = [f"<td>{html_text(r['Tiêu chí'])}</td>"]
        for col in matrix.columns[1:]:
            value = str(r[col])
            key = levels.get(value)
            if key:
                cells.append(f'<td class="l-{key}">{_LEVEL_SYMBOLS[key]} {html_text(value)}</td>')
            else:
                cells.append(f"<td><b>{html_text(value)}</b></td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="bp-big-table"><tr>{header}</tr>{"".join(body)}</table>'


def project_totals_html(dataset: Dataset, view: View, year: int) -> str:
    """Projects of a slide by sector: count and investment, as a large HTML table (escaped text)."""
    projects = filter_projects(dataset.projects, presentation_options(view, year))
    totals = project_totals(projects, "sector")
    rows = "".join(
        f"<tr><td>{html_text(r['Nhóm'])}</td><td>{html_text(r['Số công trình'])}</td>"
        f"<td>{html_text(format_number(r['Tổng vốn (tỷ đồng)']))}</td></tr>"
        for r in totals.to_dict("records")
    )
    return f'<table class="bp-big-table"><tr><th>Lĩnh vực</th><th>Số CT</th><th>Vốn (tỷ đồng)</th></tr>{rows}</table>'


#: The tables' look, shared by the presentation page and the slideshow.
TABLE_CSS = f"""
.bp-big-table {{font-size: {PROJECTOR_FONT_PX}px; border-collapse: collapse; width: 100%;}}
.bp-big-table th, .bp-big-table td {{border: 2px solid #222; padding: 4px 10px; text-align: left;}}
.bp-big-table td.l-dat {{background: #004B87; color: #fff;}}
.bp-big-table td.l-co_ban_dat {{background: #FFB000; color: #000;}}
.bp-big-table td.l-chua_dat {{background: #C0392B; color: #fff;}}
"""

# --------------------------------------------------------------------------------------------
# Sharing map data between slides
# --------------------------------------------------------------------------------------------


@dataclass
class _Shared:
    """Geometries and map data blocks written once for every slide."""

    geometries: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    _geometry_index: dict[str, int] = field(default_factory=dict)
    _block_index: dict[str, int] = field(default_factory=dict)

    def geometry(self, geom: object) -> int:
        text = js_value(geom)
        if text not in self._geometry_index:
            self._geometry_index[text] = len(self.geometries)
            self.geometries.append(text)
        return self._geometry_index[text]

    def block(self, text: str) -> str:
        """A JavaScript expression for this JSON block: itself if short, else a shared reference."""
        if len(text) < _SHARE_FROM:
            return text
        if text not in self._block_index:
            self._block_index[text] = len(self.blocks)
            self.blocks.append(text)
        return f"__bpData[{self._block_index[text]}]"

    def script(self) -> str:
        return (
            "var __bpGeom = [" + ",\n".join(self.geometries) + "];\n"
            "var __bpData = [" + ",\n".join(self.blocks) + "];\n"
            "function __bpFeatures(fc) {\n"
            "  fc.features.forEach(function(f) {\n"
            "    if (typeof f.geometry === 'number') { f.geometry = __bpGeom[f.geometry]; }\n"
            "  });\n"
            "  return fc;\n"
            "}\n"
        )


def _elements(root: Any) -> Iterator[Any]:
    yield root
    for child in list(getattr(root, "_children", {}).values()):
        yield from _elements(child)


def _share(m: folium.Map, shared: _Shared) -> None:
    """Point the map's data at the shared tables (before it is rendered).

    Every element attribute ending in ``_js`` holds a JSON value written by
    :func:`~borderplan_geo._html.js_value`; a FeatureCollection's geometries
    go to the geometry table, and any long value to the data table.
    """
    for element in _elements(m):
        for name, value in list(vars(element).items()):
            if not name.endswith("_js") or not isinstance(value, str) or len(value) < _SHARE_FROM:
                continue
            try:
                data = json.loads(value)
            except ValueError:
                continue
            if isinstance(data, dict) and data.get("type") == "FeatureCollection":
                for feature in data.get("features", []):
                    if isinstance(feature, dict) and isinstance(feature.get("geometry"), dict):
                        feature["geometry"] = shared.geometry(feature["geometry"])
                setattr(element, name, f"__bpFeatures({shared.block(js_value(data))})")
            else:
                setattr(element, name, shared.block(value))


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------


@dataclass
class _Slide:
    html: str
    script: str = ""


def _map_slide(
    dataset: Dataset, view: View, year: int, shared: _Shared, head: list[str], *, sensitive: bool
) -> _Slide:
    options = replace(presentation_options(view, year), show_sensitive=sensitive)
    m = build_map(dataset, options, asset_base_url=ASSET_PLACEHOLDER)
    m.options["keyboard"] = False  # the keys step the slides
    assets.drop_unused_defaults(m)
    _drop_bootstrap_css(m)
    _share(m, shared)
    root = m.get_root()
    root.render()
    for child in root.header._children.values():  # type: ignore[attr-defined]
        part = child.render()
        if part not in head:
            head.append(part)
    body = root.html.render()  # type: ignore[attr-defined]
    if view.kind == "projects":
        body = f'<div class="bp-map">{body}</div><div class="bp-side">{project_totals_html(dataset, view, year)}</div>'
    else:
        body = f'<div class="bp-map">{body}</div>'
    return _Slide(body, root.script.render())  # type: ignore[attr-defined]


_PAGE_CSS = f"""
<style>
html, body {{ margin: 0; height: 100%; overflow: hidden; background: #fff; color: #111;
  font-family: 'DejaVu Sans', 'Segoe UI', Arial, sans-serif; font-size: {PROJECTOR_FONT_PX}px; }}
.bp-slide {{ display: none; position: absolute; inset: 0; flex-direction: column; padding: 6px 14px 10px 14px;
  box-sizing: border-box; }}
.bp-slide.bp-on {{ display: flex; }}
.bp-slide header {{ flex: none; }}
.bp-slide h1 {{ font-size: 35px; line-height: 1.15; margin: 0; padding-right: 480px; }}
.bp-slide p {{ margin: 2px 0 0 0; line-height: 1.25; }}
.bp-slide .bp-warn {{ color: #7a3d00; font-weight: 600; margin-bottom: 4px; }}
.bp-sources {{ display: none; position: absolute; z-index: 1500; top: 54px; right: 14px; max-width: 60vw;
  max-height: 70vh; overflow-y: auto; background: #fff; border: 2px solid #444; border-radius: 8px; padding: 8px 12px;
  box-shadow: 0 2px 10px rgba(0,0,0,0.35); }}
body.bp-show-sources .bp-slide.bp-on .bp-sources {{ display: block; }}
.bp-stage {{ flex: 1 1 auto; min-height: 0; display: flex; gap: 12px; }}
.bp-map {{ flex: 1 1 auto; position: relative; min-width: 0; }}
.bp-map .folium-map {{ position: absolute !important; inset: 0; width: auto !important; height: auto !important; }}
.bp-side {{ flex: 0 0 30%; overflow-y: auto; }}
.bp-table {{ flex: 1 1 auto; overflow-y: auto; }}
#bp-nav {{ position: fixed; top: 8px; right: 14px; display: flex; align-items: center; gap: 10px; z-index: 2000; }}
#bp-nav button {{ font: inherit; font-size: {PROJECTOR_FONT_PX}px; padding: 4px 14px; border: 1px solid #888;
  border-radius: 8px; background: #f4f4f4; cursor: pointer; }}
#bp-nav button[aria-pressed="true"] {{ background: #dde8f5; }}
#bp-nav button:disabled {{ opacity: 0.45; cursor: default; }}
#bp-position {{ min-width: 3.5em; text-align: center; font-weight: 600; }}
{TABLE_CSS}
</style>
"""

_DECK_JS = """
(function() {
  var slides = document.querySelectorAll('.bp-slide');
  var drawn = {};
  var current = -1;
  var prev = document.getElementById('bp-prev'), next = document.getElementById('bp-next');
  var position = document.getElementById('bp-position');
  function show(i) {
    i = Math.max(0, Math.min(slides.length - 1, i));
    if (i === current) { return; }
    if (current >= 0) { slides[current].classList.remove('bp-on'); }
    current = i;
    slides[i].classList.add('bp-on');
    if (!drawn[i] && window.__bpSlides[i]) { drawn[i] = true; window.__bpSlides[i](); }
    position.textContent = (i + 1) + '/' + slides.length;
    position.title = slides[i].getAttribute('data-position');
    prev.disabled = i === 0;
    next.disabled = i === slides.length - 1;
    document.title = slides[i].getAttribute('data-title');
    if (history.replaceState) { history.replaceState(null, '', '#' + (i + 1)); }
  }
  var KEYS = {ArrowRight: 1, PageDown: 1, '.': 1, ' ': 1, ArrowLeft: -1, PageUp: -1, b: -1, B: -1};
  document.addEventListener('keydown', function(e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    if (e.key === 'Home') { show(0); } else if (e.key === 'End') { show(slides.length - 1); }
    else if (KEYS.hasOwnProperty(e.key)) { show(current + KEYS[e.key]); }
    else { return; }
    e.preventDefault();
  }, true);
  prev.addEventListener('click', function() { show(current - 1); });
  var sources = document.getElementById('bp-sources-button');
  sources.addEventListener('click', function() {
    var on = document.body.classList.toggle('bp-show-sources');
    sources.setAttribute('aria-pressed', on ? 'true' : 'false');
  });
  next.addEventListener('click', function() { show(current + 1); });
  var start = parseInt((location.hash || '#1').slice(1), 10);
  show(isNaN(start) ? 0 : start - 1);
})();
"""


def export_slideshow(
    dataset: Dataset,
    deck: Deck | None = None,
    *,
    include_sensitive: bool = False,
    vendor_dir: Path | None = None,
) -> str:
    """Every slide of the deck as one self-contained HTML page (see the module's note).

    Parameters
    ----------
    dataset
        The data; its folder holds the deck (``views/slides.json``).
    deck
        The slides (default: the dataset's deck).
    include_sensitive
        Show defence and security items (hidden by default).
    vendor_dir
        Where the offline assets were fetched (default: the settings').

    Raises
    ------
    DataError
        The slides file is wrong.
    AssetError
        An asset is missing.
    """
    deck = deck or load_deck(dataset.source)
    vendor = Path(vendor_dir) if vendor_dir is not None else get_settings().vendor_dir
    shared = _Shared()
    head: list[str] = []
    sections: list[str] = []
    scripts: list[str] = []
    count = len(deck.views)
    when = dataset.data_date()
    for index, view in enumerate(deck.views):
        year = view.year or dataset.latest_year() or 2025
        header = slide_header(
            dataset, view, index=index, count=count, year=year, show_sensitive=include_sensitive
        )
        if view.kind == "criteria":
            slide = _Slide(
                f'<div class="bp-table">{criteria_table_html(dataset, year, vintage=view.units)}</div>'
            )
            sources = [f"Tiêu chí: {s}" for s in criteria_sources(dataset, year)]
        else:
            slide = _map_slide(dataset, view, year, shared, head, sensitive=include_sensitive)
            sources = export_source_lines(
                dataset, replace(presentation_options(view, year), show_sensitive=include_sensitive)
            )
        stamp = f"số liệu cập nhật {when}" if when else "ngày cập nhật không rõ"
        lines = "<br>".join(html_text(s) for s in sources)
        warn = f'<p class="bp-warn">{header.disclosures_html()}</p>' if header.disclosures else ""
        sections.append(
            f'<section class="bp-slide" data-title="{html_text(header.title)}" '
            f'data-position="{html_text(header.position)}">'
            f"<header><h1>{html_text(header.title)}</h1><p>{html_text(header.subtitle)}</p>{warn}</header>"
            f'<div class="bp-sources"><b>Nguồn số liệu</b> ({html_text(stamp)}):<br>{lines}</div>'
            f'<div class="bp-stage">{slide.html}</div></section>'
        )
        scripts.append(f"window.__bpSlides[{index}] = function() {{\n{slide.script}\n}};")
    meta = (
        '<meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f'<meta name="generator" content="{PRODUCER}">'
        f'<meta name="description" content="{html_text(deck.title)} — {count} {SLIDE_WORD.lower()}, '
        f'xuất ngày {date.today():%d/%m/%Y}">'
    )
    nav = (
        '<nav id="bp-nav"><button id="bp-prev" type="button">◀ Trước</button>'
        '<span id="bp-position"></span><button id="bp-next" type="button">Tiếp ▶</button>'
        '<button id="bp-sources-button" type="button" aria-pressed="false">Nguồn</button></nav>'
    )
    page = (
        f'<!DOCTYPE html>\n<html lang="vi">\n<head>{meta}<title>{html_text(deck.title)}</title>\n'
        + "\n".join(head)
        + _PAGE_CSS
        + "</head>\n<body>\n"
        + nav
        + "\n".join(sections)
        + f"\n<script>\n{shared.script()}window.__bpSlides = [];\n"
        + "\n".join(scripts)
        + "\n</script>\n<script>"
        + _DECK_JS
        + "</script>\n</body>\n</html>\n"
    )
    page = assets.inline_assets(page, vendor, ASSET_PLACEHOLDER)
    if ASSET_PLACEHOLDER in page:
        raise ExportError("bộ trang chiếu còn liên kết tới tài nguyên chưa nhúng")
    return page.replace(_CSP, _CSP.replace(_SCRIPT_HASHES, " ".join(script_hashes(page))), 1)


__all__ = ["SLIDESHOW_FILE_NAME", "criteria_table_html", "export_slideshow", "project_totals_html"]
