"""A cell as text, and how labels and names compare."""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

Cell = Any  # what a reader gives: str, int, float, bool, date, datetime or None

LIST_SEPARATORS = re.compile(r"[;\n]")
# A CSV export writes free text that a spreadsheet would run as a formula behind an apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_key(text: str) -> str:
    """How labels compare: Unicode-normalised (Lao vowel forms), case and spacing ignored."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def name_key(text: str) -> str:
    """How place and organisation names compare: also without spaces, hyphens and dots
    ("Xieng Khouang" is "Xiengkhouang")."""
    return re.sub(r"[\s\-'.]", "", unicodedata.normalize("NFKC", text).casefold())


def cell_text(value: Cell) -> str:
    """A cell as text, stripped; "" when empty. Whole numbers read as integers (12.0 -> "12")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def header_key(value: Cell) -> str:
    """A header cell as a column name: "Occurred on" and "occurred-on" are `occurred_on`."""
    return re.sub(r"[\s\-]+", "_", cell_text(value).casefold())
