"""The package's own errors, each carrying what a user needs to fix the input.

Messages are in Vietnamese: they reach planners on screen and on the command
line. Every error that comes from a file names the file, and where it can, the
row (as a spreadsheet shows it, counting the header as row 1) and the column.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

#: Where the original text of a library's error (GDAL, PROJ, JSON) goes, for the technician.
LOG = logging.getLogger("borderplan_geo")


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or doubtful) in a data file.

    ``row`` counts like a spreadsheet: the header is row 1, the first data row is
    row 2. For GeoJSON, ``row`` is the feature's position, starting at 1.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None
    severity: str = "error"  # "error" or "warning"
    detail: str = ""
    """The original words of the library that failed (GDAL, PROJ, JSON), for a technician.

    Never part of :attr:`message`: the screen shows it folded away, the log keeps it."""
    option: str = ""
    """The import option that fixes the problem ("crs", "source", "indicator", "year",
    "layer", "map", "accuracy"); each surface says in its own words where to set it."""
    option_value: str = ""
    """The value to give :attr:`option` ("EPSG:5897"), when one value fixes it."""

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column:
            parts.append(f"cột '{self.column}'")
        where = ", ".join(parts)
        label = "lỗi" if self.severity == "error" else "cảnh báo"
        return f"{where}: {label}: {self.message}"


def library_problem(
    file: str,
    sentence: str,
    error: BaseException | str,
    *,
    row: int | None = None,
    severity: str = "error",
    option: str = "",
    option_value: str = "",
) -> Problem:
    """A Vietnamese sentence for what a library (GDAL, PROJ, json) said, its words kept aside.

    The original text goes to the log and to :attr:`Problem.detail`, never into the
    message a planner reads.
    """
    detail = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    LOG.warning("%s: %s (%s)", file, sentence, detail)
    return Problem(
        file, sentence, row=row, severity=severity, detail=detail, option=option, option_value=option_value
    )


class BorderplanError(Exception):
    """Base of every error the package raises on purpose."""


class DataError(BorderplanError, ValueError):
    """Input data is wrong; ``problems`` lists each thing wrong."""

    def __init__(self, problems: list[Problem] | Problem | str, *, file: str = "") -> None:
        if isinstance(problems, str):
            problems = [Problem(file=file or "?", message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnitNameError(BorderplanError, LookupError):
    """A commune name or code that matches no unit, or more than one."""

    def __init__(self, name: str, message: str, candidates: tuple[str, ...] = ()) -> None:
        self.name = name
        self.candidates = candidates
        super().__init__(message)


class CRSError(DataError):
    """Coordinates that cannot lie in the district as read (wrong or missing CRS)."""


class StoreError(DataError):
    """The users' store cannot be read or written: damaged, or not a store of this package."""


class StaleSaveError(BorderplanError):
    """A save based on an older version than the one now stored."""


class AuthError(BorderplanError):
    """Login refused or an action that needs a login."""


class AssetError(BorderplanError):
    """An offline web asset (Leaflet, a plugin, a font) is missing, unknown or corrupt."""


class OverpassError(BorderplanError):
    """The Overpass API could not be reached or gave no usable answer; nothing was written."""
