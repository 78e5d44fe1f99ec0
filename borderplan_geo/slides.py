"""Saved views, shown as slides ("trang chiếu") in meetings: ``data/views/slides.json``.

A saved view is data, not code: a planner adds one by adding an entry to the
file (or editing it in the app). Each entry names what to show:

.. code-block:: json

    {"name": "nuoc-sach", "title": "Nước sạch, hợp vệ sinh", "kind": "map",
     "indicator": "clean_water", "year": 2025, "units": 2020, "commune": null,
     "layers": null, "sectors": null, "statuses": null, "note": "…"}

``kind`` is ``map`` (a status map), ``projects`` (the project map with totals
by sector) or ``criteria`` (the 19 rural-development criteria × communes).
Missing fields take defaults: the newest year with figures, the 2020 units,
the whole area, every layer, sector and status.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from ._errors import DataError, Problem
from ._html import html_text
from .dataset import Dataset
from .disclosures import Disclosure, disclosures
from .layers import LAYERS, PROJECT_STATUSES, PROJECTS_KEY, SECTORS
from .maps import MapOptions
from .settings import PLAN_YEARS
from .store import DataSource
from .targets import INDICATOR_CODES
from .units import UnitNameError, resolve_unit

SLIDES_FILE = "views/slides.json"
KINDS = ("map", "projects", "criteria")
#: What a slide is called on screen: what a district office says for a slide of a presentation.
SLIDE_WORD = "Trang chiếu"
#: Text size on a projector: every text of a slide is at least this large, in CSS pixels.
PROJECTOR_FONT_PX = 24


@dataclass(frozen=True)
class View:
    """One saved view."""

    name: str
    title: str
    kind: str = "map"
    indicator: str = "ntm_status"
    year: int | None = None
    units: int = 2020
    commune: str | None = None
    layers: tuple[str, ...] | None = None
    sectors: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    note: str = ""

    def map_options(self, *, year: int, **overrides: object) -> MapOptions:
        """The map this view shows (``overrides``: palette, font size, sensitivity…)."""
        options = MapOptions(
            indicator=self.indicator,
            year=self.year or year,
            vintage=self.units,
            commune=self.commune,
            layers=self.layers,
            sectors=self.sectors,
            project_statuses=self.statuses,
            title=self.title,
        )
        return replace(options, **overrides)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Deck:
    """The saved views and the deck's title."""

    title: str
    views: tuple[View, ...]

    def get(self, name: str) -> View:
        """The view with this name; ``KeyError`` listing the names otherwise."""
        for v in self.views:
            if v.name == name:
                return v
        raise KeyError(f"không có trang chiếu '{name}'; có: {', '.join(v.name for v in self.views)}")


def _tuple(
    raw: object, allowed: set[str], field: str, where: str, problems: list[Problem], i: int
) -> tuple[str, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        problems.append(Problem(where, f"'{field}' phải là danh sách", row=i, column=field))
        return None
    bad = [x for x in raw if x not in allowed]
    if bad:
        problems.append(
            Problem(where, f"giá trị không hợp lệ: {', '.join(bad)}", row=i, column=field, value=bad)
        )
        return None
    return tuple(raw)


def read_deck(content: bytes | None, label: str = SLIDES_FILE) -> tuple[Deck, list[Problem]]:
    """Parse the saved views; every problem is reported with the view's position."""
    if content is None:
        return default_deck(), []
    problems: list[Problem] = []
    try:
        doc = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        return default_deck(), [Problem(label, f"không đọc được JSON: {exc}")]
    if not isinstance(doc, dict) or not isinstance(doc.get("views"), list):
        return default_deck(), [Problem(label, 'tệp cần có dạng {"title": …, "views": [ … ]}')]
    views: list[View] = []
    names: set[str] = set()
    layer_keys = {*LAYERS, PROJECTS_KEY}
    for i, raw in enumerate(doc["views"], start=1):
        if not isinstance(raw, dict):
            problems.append(Problem(label, "mỗi trang chiếu phải là một đối tượng", row=i))
            continue
        before = len(problems)
        name = str(raw.get("name") or "").strip()
        if not name:
            problems.append(Problem(label, "thiếu tên (name)", row=i, column="name"))
        elif name in names:
            problems.append(Problem(label, f"tên '{name}' bị trùng", row=i, column="name"))
        kind = raw.get("kind", "map")
        if kind not in KINDS:
            problems.append(
                Problem(label, f"kind phải là một trong {', '.join(KINDS)}", row=i, column="kind")
            )
        indicator = raw.get("indicator", "ntm_status")
        if indicator not in INDICATOR_CODES:
            problems.append(Problem(label, f"chỉ tiêu '{indicator}' không có", row=i, column="indicator"))
        year = raw.get("year")
        if year is not None and year not in PLAN_YEARS:
            problems.append(Problem(label, f"năm {year} ngoài 2020–2025", row=i, column="year"))
        units = raw.get("units", 2020)
        if units not in (2020, 2025):
            problems.append(Problem(label, "units phải là 2020 hoặc 2025", row=i, column="units"))
        commune = raw.get("commune")
        if commune is not None:
            try:
                commune = resolve_unit(commune, units if units in (2020, 2025) else 2020).code
            except UnitNameError as exc:
                problems.append(Problem(label, str(exc), row=i, column="commune"))
        layers = _tuple(raw.get("layers"), layer_keys, "layers", label, problems, i)
        sectors = _tuple(raw.get("sectors"), set(SECTORS), "sectors", label, problems, i)
        statuses = _tuple(raw.get("statuses"), set(PROJECT_STATUSES), "statuses", label, problems, i)
        if len(problems) > before:
            continue
        names.add(name)
        views.append(
            View(
                name=name,
                title=str(raw.get("title") or name),
                kind=kind,
                indicator=indicator,
                year=year,
                units=units,
                commune=commune,
                layers=layers,
                sectors=sectors,
                statuses=statuses,
                note=str(raw.get("note") or ""),
            )
        )
    if not views:
        problems.append(Problem(label, "không có trang chiếu hợp lệ nào"))
        return default_deck(), problems
    return Deck(str(doc.get("title") or default_deck().title), tuple(views)), problems


def presentation_options(view: View, year: int, *, show_sensitive: bool = False) -> MapOptions:
    """The map of a slide on a projector: large text, high contrast, no tools, the notes above it.

    The presentation page and the offline slideshow draw the same map from this.
    """
    return view.map_options(
        year=year,
        palette="high_contrast",
        font_px=PROJECTOR_FONT_PX,
        controls=False,
        title=None,
        legend_symbols_open=view.kind == "projects",
        show_notes=False,  # the slide's header carries them, in large type
        show_sensitive=show_sensitive,
    )


@dataclass(frozen=True)
class SlideHeader:
    """The lines above a slide: its title, what it shows, and what it must disclose."""

    title: str
    subtitle: str
    disclosures: tuple[Disclosure, ...]
    position: str
    """"Trang chiếu 3/24"."""

    def disclosures_html(self) -> str:
        """The disclosures as escaped HTML, each a ``bp-disclosure`` span with its ``data-key``."""
        return " ".join(
            f'<span class="bp-disclosure" data-key="{html_text(d.key)}" title="{html_text(d.text)}">'
            f"⚠ {html_text(d.short)}</span>"
            for d in self.disclosures
        )


def slide_header(
    dataset: Dataset, view: View, *, index: int, count: int, year: int, show_sensitive: bool = False
) -> SlideHeader:
    """What the presentation page and the offline slideshow write above a slide (one answer for both)."""
    date = dataset.data_date()
    parts = [view.note] if view.note else []
    parts += [f"Năm {year}", f"Dữ liệu cập nhật {date}" if date else ""]
    return SlideHeader(
        title=view.title,
        subtitle=" · ".join(p for p in parts if p),
        disclosures=tuple(view_disclosures(dataset, view, year, show_sensitive=show_sensitive)),
        position=f"{SLIDE_WORD} {index + 1}/{count}",
    )


def view_disclosures(
    dataset: Dataset, view: View, year: int, *, show_sensitive: bool = False
) -> list[Disclosure]:
    """What a slide must disclose: :func:`~borderplan_geo.disclosures.disclosures` of its map.

    ``show_sensitive`` only for a viewer allowed to see, and asking to see,
    defence and security items (the presentation page never shows them).
    """
    options = view.map_options(year=year, show_sensitive=show_sensitive)
    return disclosures(dataset, options, kind=view.kind)


def load_deck(source: DataSource) -> Deck:
    """The saved views of a data source; :class:`DataError` on any error."""
    deck, problems = read_deck(source.read_bytes(SLIDES_FILE))
    if problems:
        raise DataError(problems)
    return deck


def default_deck() -> Deck:
    """The slides shown when a data folder has no slides file."""
    views = [View("tong-quan", "Toàn cảnh 3 xã biên giới", indicator="ntm_status")]
    views += [View(f"chi-tieu-{c}", c, indicator=c) for c in INDICATOR_CODES]
    views += [View("tieu-chi", "19 tiêu chí nông thôn mới", kind="criteria")]
    return Deck("Kế hoạch phát triển KT-XH 03 xã biên giới huyện Tân Hồng 2020–2025", tuple(views))
