"""How statuses, projects and layers look: colours, symbols, line styles.

Status is data (:mod:`borderplan_geo.status`); this module only says how to
draw it. Colours come from the Okabe–Ito palette, which stays distinct for the
common forms of colour blindness, and every status also has a symbol and a
word so it reads without colour (on a washed-out projector, on a grey
printout). The high-contrast palette darkens the fills and thickens the lines
for projectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .status import STATUS_LABELS


@dataclass(frozen=True)
class StatusStyle:
    """Fill colour, symbol and pattern of one status."""

    color: str
    symbol: str
    text_color: str
    label: str
    dash: str | None = None


_BASE = {
    "achieved": ("#0072B2", "✔", "#ffffff"),
    "on_track": ("#56B4E9", "↗", "#0b2540"),
    "at_risk": ("#E69F00", "!", "#1a1200"),
    "off_track": ("#D55E00", "✖", "#ffffff"),
    "no_data": ("#BDBDBD", "?", "#222222"),
}
_HIGH_CONTRAST = {
    "achieved": ("#004B87", "✔", "#ffffff"),
    "on_track": ("#2C8FD1", "↗", "#ffffff"),
    "at_risk": ("#FFB000", "!", "#000000"),
    "off_track": ("#C0392B", "✖", "#ffffff"),
    "no_data": ("#8C8C8C", "?", "#ffffff"),
}


def status_styles(palette: str = "default") -> dict[str, StatusStyle]:
    """Style of each status in a palette (``default`` or ``high_contrast``)."""
    table = _HIGH_CONTRAST if palette == "high_contrast" else _BASE
    return {
        k: StatusStyle(color, symbol, text, STATUS_LABELS[k], "6 4" if k == "no_data" else None)
        for k, (color, symbol, text) in table.items()
    }


PROJECT_STATUS_COLORS: dict[str, str] = {
    "planned": "#6F6F6F",
    "under_construction": "#E69F00",
    "completed": "#009E73",
    "suspended": "#CC3311",
}
PROJECT_STATUS_SYMBOLS: dict[str, str] = {
    "planned": "○",
    "under_construction": "◐",
    "completed": "●",
    "suspended": "⊘",
}

#: Short glyphs for sectors, drawn inside project markers.
SECTOR_GLYPHS: dict[str, str] = {
    "agriculture": "NN",
    "transport": "GT",
    "electricity": "Đ",
    "border_gate": "CK",
    "trade": "TM",
    "education": "GD",
    "health": "YT",
    "culture_sports": "VH",
    "water": "N",
    "poor_housing": "NỞ",
    "residential_cluster": "DC",
    "defence_security": "QP",
    "state_management": "QL",
    "other": "K",
}


@dataclass(frozen=True)
class LineStyle:
    """How a line layer's kind is drawn."""

    color: str
    weight: int
    dash: str | None = None


ROAD_STYLES: dict[str, LineStyle] = {
    "border_road": LineStyle("#B35806", 4),
    "patrol_road": LineStyle("#1B7837", 4, "8 6"),
    "main_road": LineStyle("#4D4D4D", 5),
    "waterway": LineStyle("#2166AC", 3),
    "canal_dredging": LineStyle("#2166AC", 3, "2 6"),
}
BORDER_STYLE = LineStyle("#C2185B", 4, "12 6 3 6")

ZONE_COLORS: dict[str, str] = {
    "industrial_park": "#762A83",
    "urban_area": "#C51B7D",
    "trade_zone": "#8C510A",
    "rice_zone": "#7FBC41",
}
CLUSTER_COLOR = "#8C510A"

#: The outline of a row of three houses on a 24×24 box (y down): the residential line's symbol,
#: drawn from these points on the map (SVG) and in the PNG and PDF (a matplotlib marker).
ROW_OF_HOUSES: tuple[tuple[float, float], ...] = (
    (1, 21),
    (1, 12),
    (4.7, 7),
    (8.3, 12),
    (12, 7),
    (15.7, 12),
    (19.3, 7),
    (23, 12),
    (23, 21),
)

#: Marker shapes (SVG bodies on a 24×24 box) by layer kind.
_SHAPES: dict[str, tuple[str, str]] = {
    # kind: (fill, svg body with {fill})
    "international": (
        "#C2185B",
        '<polygon points="12,1 15,9 23,9 16.5,14 19,22 12,17 5,22 7.5,14 1,9 9,9" fill="{fill}" stroke="#fff" stroke-width="1.5"/>',
    ),
    "secondary": (
        "#C2185B",
        '<polygon points="12,2 22,12 12,22 2,12" fill="{fill}" stroke="#fff" stroke-width="2"/>',
    ),
    "marker": ("#5D4037", '<polygon points="12,3 21,20 3,20" fill="{fill}" stroke="#fff" stroke-width="2"/>'),
    "water_station": (
        "#1565C0",
        '<path d="M12 2 C12 2 4 11 4 15 a8 8 0 0 0 16 0 C20 11 12 2 12 2z" fill="{fill}" stroke="#fff" stroke-width="1.5"/>',
    ),
    "school": (
        "#283593",
        '<rect x="3" y="3" width="18" height="18" rx="2" fill="{fill}" stroke="#fff" stroke-width="2"/><path d="M7 9 L12 6 L17 9 L12 12 Z M9 11 v4 h6 v-4" fill="none" stroke="#fff" stroke-width="1.6"/>',
    ),
    "health": (
        "#C62828",
        '<circle cx="12" cy="12" r="10" fill="#fff" stroke="{fill}" stroke-width="2"/><path d="M10 6h4v4h4v4h-4v4h-4v-4H6v-4h4z" fill="{fill}"/>',
    ),
    "cluster": (
        "#8C510A",
        '<path d="M12 3 L22 11 L19 11 L19 21 L5 21 L5 11 L2 11 Z" fill="{fill}" stroke="#fff" stroke-width="1.5"/>',
    ),
    # A residential line (tuyến dân cư): a row of three houses; a cluster (cụm) is one house.
    "line": (
        "#8C510A",
        f'<polygon points="{" ".join(f"{x},{y}" for x, y in ROW_OF_HOUSES)}" fill="{{fill}}" stroke="#fff" '
        'stroke-width="1.5"/>',
    ),
    "heritage": (
        "#6A1B9A",
        '<polygon points="12,2 22,9 18,21 6,21 2,9" fill="{fill}" stroke="#fff" stroke-width="1.5"/>',
    ),
    "tourism": (
        "#00838F",
        '<path d="M6 22 V3 L19 7 L6 12" fill="{fill}" stroke="{fill}" stroke-width="2" stroke-linejoin="round"/>',
    ),
    "market": (
        "#8C510A",
        '<rect x="3" y="6" width="18" height="14" fill="{fill}" stroke="#fff" stroke-width="1.5"/><path d="M3 6 L6 2 H18 L21 6" fill="{fill}" stroke="#fff" stroke-width="1.5"/>',
    ),
    "waste": (
        "#455A64",
        '<path d="M6 7 H18 L17 21 H7 Z M4 7 H20 M10 4 H14" fill="{fill}" stroke="#fff" stroke-width="1.5"/>',
    ),
    "admin": (
        "#37474F",
        '<path d="M3 21 H21 M5 21 V10 H19 V21 M3 10 L12 3 L21 10" fill="{fill}" stroke="#fff" stroke-width="1.5"/>',
    ),
    "border_post": (
        "#1B5E20",
        '<path d="M12 2 L20 5 V11 C20 16 16.5 20 12 22 C7.5 20 4 16 4 11 V5 Z" fill="{fill}" stroke="#fff" stroke-width="1.5"/>',
    ),
}
_DEFAULT_SHAPE = ("#555555", '<circle cx="12" cy="12" r="8" fill="{fill}" stroke="#fff" stroke-width="2"/>')


def symbol_svg(kind: str, *, size: int = 24) -> str:
    """An inline SVG symbol for a layer's kind (no fonts, no images: works offline)."""
    fill, body = _SHAPES.get(kind, _DEFAULT_SHAPE)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 24 24" '
        f'aria-hidden="true">{body.format(fill=fill)}</svg>'
    )


def project_svg(status: str, sector: str | None, *, size: int = 28, glyph_px: float | None = None) -> str:
    """A project marker: a disc in the status colour, its sector's glyph inside.

    The status also has a shape cue: planned is a ring, under construction is
    half filled, suspended is crossed. ``sector=None`` draws the status alone
    (the legend's key to the statuses). ``glyph_px``: the glyph's size on
    screen, for a projector (default: in proportion to the marker, about a
    third of it).
    """
    color = PROJECT_STATUS_COLORS.get(status, "#555")
    glyph = escape(SECTOR_GLYPHS.get(sector, "?")) if sector is not None else ""
    if status == "planned":
        disc = f'<circle cx="14" cy="14" r="11" fill="#fff" stroke="{color}" stroke-width="4"/>'
        text_color = "#222"
    elif status == "under_construction":
        disc = (
            f'<circle cx="14" cy="14" r="12" fill="#fff" stroke="{color}" stroke-width="2.5"/>'
            f'<path d="M14 2 A12 12 0 0 1 14 26 Z" fill="{color}"/>'
        )
        text_color = "#111"
    elif status == "suspended":
        disc = (
            f'<circle cx="14" cy="14" r="12" fill="{color}" stroke="#fff" stroke-width="2"/>'
            '<path d="M6 22 L22 6" stroke="#fff" stroke-width="2.5"/>'
        )
        text_color = "#fff"
    else:
        disc = f'<circle cx="14" cy="14" r="12" fill="{color}" stroke="#fff" stroke-width="2"/>'
        text_color = "#fff"
    font: float = 10 if len(glyph) <= 2 else 8
    if glyph_px is not None:
        font = round(glyph_px * 28 / size, 2)  # the viewBox is 28 units wide
    halo = "#fff" if text_color in ("#111", "#222") else "none"
    text = (
        f'<text x="14" y="{round(14 + font * 0.36, 2)}" text-anchor="middle" font-family="sans-serif" '
        f'font-weight="700" font-size="{font}" fill="{text_color}" paint-order="stroke" stroke="{halo}" '
        f'stroke-width="0">{glyph}</text>'
        if glyph
        else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 28 28" '
        f'aria-hidden="true">{disc}{text}</svg>'
    )
