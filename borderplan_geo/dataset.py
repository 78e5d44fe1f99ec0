"""One data folder, read whole: targets, figures, boundaries, layers, projects.

:func:`load_dataset` is what the app, the command line and the exports call.
:func:`validate` reads the same files but collects every problem instead of
stopping, for ``python -m borderplan_geo validate`` and the data page's check:
every file the app reads (the store, ``meta.json``, the tables, the
boundaries, the layers, ``views/slides.json``), each through the reader the
app uses, so what validate calls valid is what the app can show.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from ._errors import DataError, Problem
from .boundaries import (
    METRIC,
    border_is_users,
    dissolve_2025,
    district_outline,
    features_outside_communes,
    national_border,
    official_file,
    outside_problems,
    read_border,
    read_units,
)
from .indicators import IndicatorData, read_indicators
from .layers import LAYERS, PROJECTS_KEY, layer_file, read_all_layers
from .settings import Settings, get_settings
from .status import status_table
from .store import DataSource, Store
from .targets import TARGETS_FILE, Target, read_targets

#: The data folder's own description: its title and the date its figures were assembled.
META_FILE = "meta.json"


@dataclass
class Dataset:
    """Everything the map and the reports show, read from one data source."""

    source: DataSource
    targets: list[Target]
    indicators: IndicatorData
    units_2020: gpd.GeoDataFrame
    border: gpd.GeoDataFrame
    layers: dict[str, gpd.GeoDataFrame]
    warnings: list[Problem] = field(default_factory=list)
    units_replaced: bool = False
    """True once the shipped approximate units were replaced (official file, import, OSM)."""
    border_users: bool = False
    """True when the border line is the users' own (see :func:`~borderplan_geo.boundaries.border_is_users`)."""
    outside: pd.DataFrame | None = field(default=None, repr=False)
    """Works outside their commune (:func:`~borderplan_geo.boundaries.features_outside_communes`)."""
    _status: dict[int, pd.DataFrame] = field(default_factory=dict, repr=False)
    _units_2025: gpd.GeoDataFrame | None = field(default=None, repr=False)
    _national_border: gpd.GeoDataFrame | None = field(default=None, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.source.data_dir

    @property
    def units_2025(self) -> gpd.GeoDataFrame:
        """The 2025 communes, dissolved from the 2020 units (computed once)."""
        if self._units_2025 is None:
            self._units_2025 = dissolve_2025(self.units_2020)
        return self._units_2025

    @property
    def national_border(self) -> gpd.GeoDataFrame:
        """The border line every map draws: the file, or the new units' outer edge (computed once)."""
        if self._national_border is None:
            self._national_border = national_border(
                self.units_2020, self.border, replaced=self.units_replaced, users_line=self.border_users
            )
        return self._national_border

    @property
    def outside_features(self) -> pd.DataFrame:
        """Works and layer features now outside their commune (computed once)."""
        if self.outside is None:
            self.outside = features_outside_communes(self.layers, self.units_2020)
        return self.outside

    def units(self, vintage: int) -> gpd.GeoDataFrame:
        """The units of one vintage."""
        return self.units_2020 if vintage == 2020 else self.units_2025

    @property
    def projects(self) -> gpd.GeoDataFrame:
        return self.layers[PROJECTS_KEY]

    def status(self, vintage: int = 2020) -> pd.DataFrame:
        """The full status table of a vintage (computed once)."""
        if vintage not in self._status:
            self._status[vintage] = status_table(self.targets, self.indicators, vintage=vintage)
        return self._status[vintage]

    @property
    def any_approximate(self) -> bool:
        """True when any boundary or position is approximate."""
        if (self.units_2020["accuracy"] == "approximate").any():
            return True
        return any(bool((f["accuracy"] != "surveyed").any()) for f in self.layers.values() if not f.empty)

    def latest_year(self) -> int | None:
        """The newest year any figure is for."""
        years = [*self.indicators.values["year"], *self.indicators.criteria["year"]]
        return int(max(years)) if years else None

    def data_date(self) -> str:
        """When the figures were last updated, as dd/mm/yyyy.

        The newest of: the date the data folder declares (``meta.json``,
        ``data_date``: set when its files were assembled) and the users' last
        save in the store. File times are not used: a fresh checkout would
        show the checkout date as the data date.
        """
        dates: list[datetime] = []
        declared = _declared_date(self.source)
        if declared is not None:
            dates.append(declared)
        store = self.source.store
        if store is not None:
            history = store.history()
            if history:
                newest = max(v.saved_at for v in history)
                dates.append(datetime.fromisoformat(newest).replace(tzinfo=None))
        if not dates:
            return ""
        return max(dates).strftime("%d/%m/%Y")


def _declared_date(source: DataSource) -> datetime | None:
    try:
        meta, problems = read_meta(source.read_bytes(META_FILE))
    except DataError:
        return None
    if problems or not meta.get("data_date"):
        return None
    return datetime.strptime(str(meta["data_date"]), "%Y-%m-%d")


def read_meta(content: bytes | None, label: str = META_FILE) -> tuple[dict[str, Any], list[Problem]]:
    """``meta.json``: a JSON object whose ``data_date`` (if any) is a YYYY-MM-DD date; ``{}`` if none."""
    if content is None:
        return {}, []
    try:
        doc = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return {}, [Problem(label, f"tệp không phải văn bản UTF-8 (byte lỗi ở vị trí {exc.start})")]
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f" (dòng {exc.lineno}, cột {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        return {}, [Problem(label, f"không đọc được JSON{where}: sửa lại cú pháp của tệp")]
    if not isinstance(doc, dict):
        return {}, [Problem(label, 'tệp cần có dạng {"title": …, "data_date": "YYYY-MM-DD", "note": …}')]
    value = doc.get("data_date")
    if value is not None:
        try:
            datetime.strptime(str(value), "%Y-%m-%d")
        except ValueError:
            return doc, [
                Problem(
                    label,
                    f"data_date '{value}' không phải ngày dạng YYYY-MM-DD (ví dụ 2025-12-31)",
                    column="data_date",
                )
            ]
    return doc, []


def data_source(settings: Settings | None = None, *, data_dir: Path | None = None) -> DataSource:
    """The data source the settings name: the data folder with the users' store."""
    settings = settings or get_settings(data_dir=data_dir)
    return DataSource(settings.data_dir, Store(settings.store))


def read_dataset(source: DataSource) -> tuple[Dataset | None, list[Problem]]:
    """Read everything, collecting every problem; the dataset is ``None`` if any is an error.

    A file that cannot be read at all (a folder in its place, the store
    damaged) is a problem like any other, never an exception.
    """
    problems: list[Problem] = []
    if not source.data_dir.is_dir():
        return None, [Problem(str(source.data_dir), "thư mục dữ liệu không tồn tại")]
    if source.store is not None:
        try:
            source.store.check()
        except DataError as exc:
            return None, list(
                exc.problems
            )  # every file reads through the store: one message, not one per file

    def step(read: Callable[[], tuple[Any, list[Problem]]]) -> Any:
        try:
            value, found = read()
        except DataError as exc:
            problems.extend(exc.problems)
            return None
        problems.extend(found)
        return value

    targets = step(lambda: read_targets(source.read_bytes(TARGETS_FILE), TARGETS_FILE)) or []
    # Without the targets every figure would be refused too: the targets' own problem says it all.
    indicators = step(lambda: read_indicators(source, targets)) if targets else None
    units_2020 = step(lambda: read_units(source))
    border = step(lambda: read_border(source))
    outline = None
    if units_2020 is not None and not units_2020.empty:
        outline = gpd.GeoSeries([district_outline(units_2020)], crs=units_2020.crs).to_crs(METRIC).iloc[0]
    layers = step(lambda: read_all_layers(source, outline_metric=outline))
    errors = [x for x in problems if x.severity == "error"]
    if errors or indicators is None or units_2020 is None or border is None or layers is None:
        return None, problems
    outside = features_outside_communes(layers, units_2020)
    problems += outside_problems(outside, {k: layer_file(k) for k in layers})
    warnings = [x for x in problems if x.severity != "error"]
    replaced = official_file(source) is not None or bool((units_2020["accuracy"] != "approximate").any())
    dataset = Dataset(source, targets, indicators, units_2020, border, layers, warnings)
    dataset.units_replaced, dataset.border_users, dataset.outside = (
        replaced,
        border_is_users(source, border),
        outside,
    )
    return dataset, problems


def load_dataset(source: DataSource | None = None) -> Dataset:
    """Read a data source whole; :class:`DataError` listing every error if any."""
    source = source or data_source()
    dataset, problems = read_dataset(source)
    if dataset is None:
        raise DataError([p for p in problems if p.severity == "error"])
    return dataset


def validate(source: DataSource) -> list[Problem]:
    """Every problem of a data folder (errors and warnings), file by file: every file the app reads."""
    from .slides import SLIDES_FILE, read_deck  # the slides sit above the dataset (they build maps)

    if source.store is not None:
        try:
            source.store.check()
        except DataError as exc:
            return list(exc.problems)  # every other file reads through the store
    _, problems = read_dataset(source)
    for rel, read in ((META_FILE, read_meta), (SLIDES_FILE, read_deck)):
        try:
            problems += read(source.read_bytes(rel), rel)[1]
        except DataError as exc:
            problems += exc.problems
    return problems


__all__ = ["LAYERS", "Dataset", "data_source", "load_dataset", "read_dataset", "validate"]
