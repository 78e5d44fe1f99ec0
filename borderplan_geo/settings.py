"""Typed settings of BorderPlan Geo, in one place.

Every setting has a default, a type and one line of doc. The app, the command
line and the tests read them through :func:`get_settings`, which looks at the
environment each time it is called, so a test can point the tool at a temporary
folder with ``monkeypatch.setenv``.

Environment variables
---------------------
BORDERPLAN_DATA
    The data folder (boundaries, layers, projects, indicators). Default: the
    repository's ``data/``.
BORDERPLAN_STORE
    The SQLite store of the users' own data. Default: ``<data>/store.sqlite``.
BORDERPLAN_USERS
    The accounts file (hashed passwords). Default: ``<data>/users.json``.
BORDERPLAN_VENDOR
    Where the offline web assets (Leaflet and plugins) were installed at setup.
    Default: the repository's ``static/vendor/``.
BORDERPLAN_BASEMAP
    The basemap chosen at start: ``auto`` (online tiles if the user's browser
    can load them, else none; the server itself never asks a tile host),
    ``none``, ``osm``, ``light``, ``satellite``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

#: The repository root (the folder that holds ``app.py``).
REPO_ROOT = Path(__file__).resolve().parent.parent

#: Years the 2020–2025 plan covers.
PLAN_YEARS: tuple[int, ...] = (2020, 2021, 2022, 2023, 2024, 2025)

#: The plan's baseline year and its deadline.
BASE_YEAR = 2020
TARGET_YEAR = 2025

BASEMAPS: tuple[str, ...] = ("auto", "none", "osm", "light", "satellite")


@dataclass(frozen=True)
class ImportLimits:
    """Bounds a user's file must keep, checked before it is read (or while it streams).

    A file past one is refused with a Vietnamese message naming the limit, so a
    hostile or careless file cannot hang the import or fill the server's memory.
    The defaults are far above what a district's files hold: tens to a few
    thousand rows (3 communes × about 20 indicators × 6 years is 360 rows; the
    projects file holds hundreds), and an import of 10 000 rows takes about
    10 s here (``benchmarks/bench_import.py``). A 200 000-row CSV is refused
    without being parsed past row 10 001.
    """

    #: Rows of a table (CSV or one worksheet), header included.
    max_rows: int = 10_000
    #: Columns of a table.
    max_columns: int = 200
    #: Characters in one cell (Excel's own limit is 32 767).
    max_cell_chars: int = 32_767
    #: Features in a GIS file.
    max_features: int = 10_000
    #: Vertices in one geometry (a surveyed commune boundary has a few tens of thousands).
    max_vertices: int = 200_000
    #: Bytes of all the members of a zip (.xlsx, .kmz, zipped Shapefile) once inflated.
    max_inflated_bytes: int = 200 * 1024 * 1024
    #: Members in a zip (a workbook has a few dozen parts).
    max_zip_members: int = 1_000
    #: Worksheets in a workbook.
    max_sheets: int = 50
    #: Cells a worksheet may hold with their merged ranges filled in.
    max_cells: int = 2_000_000
    #: Nesting depth of a GeoJSON document (a MultiPolygon needs 7).
    max_json_depth: int = 64


@dataclass(frozen=True)
class Settings:
    """Settings of one run of the tool."""

    #: Folder with ``boundaries/``, ``projects/``, ``indicators/``, ``views/``.
    data_dir: Path = field(default_factory=lambda: REPO_ROOT / "data")
    #: SQLite store holding the users' imports and edits (created on first write).
    store_path: Path | None = None
    #: JSON file with the accounts allowed to edit (hashed passwords only).
    users_path: Path | None = None
    #: Folder of the offline web assets fetched from the npm registry at setup.
    vendor_dir: Path = field(default_factory=lambda: REPO_ROOT / "static" / "vendor")
    #: URL path under which the app serves ``vendor_dir`` (Streamlit static serving).
    vendor_url: str = "/app/static/vendor"
    #: Basemap at start; see :data:`BASEMAPS`.
    basemap: str = "auto"
    #: Above this many projects on screen the map clusters project markers.
    cluster_threshold: int = 30
    #: Largest file a user may import, in bytes.
    max_import_bytes: int = 50 * 1024 * 1024
    #: What a user's file may hold (rows, cells, inflated size…), checked before reading.
    limits: ImportLimits = field(default_factory=ImportLimits)

    @property
    def store(self) -> Path:
        """Path of the SQLite store."""
        return self.store_path or self.data_dir / "store.sqlite"

    @property
    def users(self) -> Path:
        """Path of the accounts file."""
        return self.users_path or self.data_dir / "users.json"


def get_settings(*, data_dir: str | os.PathLike[str] | None = None) -> Settings:
    """Read the settings from the environment.

    Parameters
    ----------
    data_dir
        A data folder given explicitly (``--data DIR``); it wins over
        ``BORDERPLAN_DATA``.
    """
    env = os.environ
    chosen = data_dir or env.get("BORDERPLAN_DATA")
    kwargs: dict[str, object] = {}
    if chosen:
        kwargs["data_dir"] = Path(chosen).expanduser().resolve()
    if env.get("BORDERPLAN_STORE"):
        kwargs["store_path"] = Path(env["BORDERPLAN_STORE"]).expanduser().resolve()
    if env.get("BORDERPLAN_USERS"):
        kwargs["users_path"] = Path(env["BORDERPLAN_USERS"]).expanduser().resolve()
    if env.get("BORDERPLAN_VENDOR"):
        kwargs["vendor_dir"] = Path(env["BORDERPLAN_VENDOR"]).expanduser().resolve()
    basemap = env.get("BORDERPLAN_BASEMAP", "auto").strip().lower()
    if basemap not in BASEMAPS:
        basemap = "auto"
    kwargs["basemap"] = basemap
    return Settings(**kwargs)  # type: ignore[arg-type]
