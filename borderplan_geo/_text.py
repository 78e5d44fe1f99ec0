"""Text from data made inert where it enters the data and where it leaves for a spreadsheet.

Two rules, each in one function:

:func:`clean_text`
    Where text enters (the table readers, the importer, the editors): control
    characters and ANSI/ECMA-48 escape sequences are removed, so a name typed
    as ``"\\x1b[2J\\x1b[31mTrạm"`` cannot clear or repaint a terminal when the
    command line prints it, and no invisible byte is stored. Line breaks and
    tabs stay (a description may hold several lines); carriage returns become
    line breaks. Bidirectional override characters (U+202A–U+202E,
    U+2066–U+2069) go too: they make a terminal show text in another order
    than it is stored.
:func:`spreadsheet_cell`
    Where text leaves in a CSV or XLSX a person may open in Excel or
    LibreOffice (exports, ``status --format csv``, downloads): a text that
    starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return) gets a leading apostrophe, as OWASP's CSV-injection guidance
    says, so the spreadsheet shows it as text and runs nothing. Numbers,
    and text that is a number (``-1,5``, ``+84``) or a number with its unit
    and no formula sign after it (``-1,5 điểm %``), stay as they are.

The project's own stored CSV files (``indicators/values.csv`` and
``indicators/criteria.csv`` in the store) are *not* neutralised: the project
reads them back, and an apostrophe added at each save would pile up in the
data. Formula-looking text is stored exactly as typed, as text; it is made
inert on the way out to a spreadsheet.

>>> clean_text("Trạm\\x1b[2J bơm\\x07 số 2")
'Trạm bơm số 2'
>>> spreadsheet_cell("=HYPERLINK(\\"http://x\\")"), spreadsheet_cell("-1,5"), spreadsheet_cell(-1.5)
('\\'=HYPERLINK("http://x")', '-1,5', -1.5)
"""

from __future__ import annotations

import re

import pandas as pd

# ECMA-48 sequences, 7-bit (ESC …) and 8-bit (C1) forms:
# CSI parameters/intermediates/final; OSC, DCS, SOS, PM and APC strings up to their terminator
# (BEL, ESC \ or ST; an unterminated one runs to the end); any other escape and its final byte.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|\Z)"
    r"|\x1b[ -/]*[0-~]?",
    re.DOTALL,
)
# What is left of the C0 and C1 controls, DEL, and the bidirectional overrides and isolates.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# A number, then at most a unit in words: no bracket, operator, quote, "|" or "!" (no function call, no DDE).
_NUMBER = re.compile(r"[+\-−]?\d[\d.,\u00a0\u202f ]*(?:[eE][+-]?\d+)?[\w\s%‰²³°/.,–]*")


def clean_text(text: str) -> str:
    """``text`` without control characters or terminal escape sequences.

    Keeps line breaks and tabs; a carriage return (alone or before a line
    break) becomes one line break.
    """
    if not text:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not any((ch < " " and ch not in "\n\t") or "\x7f" <= ch <= "\x9f" or ch in _BIDI for ch in text):
        return text  # the usual case: nothing to remove, no regex
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_value(value: object) -> object:
    """:func:`clean_text` for a text value; any other value is returned as it is."""
    return clean_text(value) if isinstance(value, str) else value


def terminal_text(text: str) -> str:
    """One line for a terminal table: :func:`clean_text`, then line breaks and tabs as spaces."""
    return re.sub(r"[\n\t]+", " ", clean_text(text))


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula (and it is not a plain number)."""
    if not text.lstrip(" \u00a0").startswith(FORMULA_STARTS):
        return False
    return not _NUMBER.fullmatch(text.strip())


def spreadsheet_cell(value: object) -> object:
    """A cell for a CSV or XLSX a person opens in a spreadsheet program: formulas made text.

    Text that :func:`is_formula_like` gets a leading apostrophe (OWASP); every
    other value, numbers included, is returned unchanged.
    """
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def spreadsheet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and header through :func:`spreadsheet_cell`."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(spreadsheet_cell)
    out.columns = [spreadsheet_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out
