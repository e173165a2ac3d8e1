"""Export columns: what an export holds, and a wire value as a spreadsheet cell."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from accidents.sync import ACCIDENT_FIELDS
from exchange.columns.cells import FORMULA_START
from victims.choices import PERSONAL_FIELDS
from victims.sync import ASSISTANCE_FIELDS, VICTIM_FIELDS

# What an export holds: the record as the partner API shows it (`represent`), in this order.
EXPORT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "accident": (
        "id",
        "reference",
        "status",
        *ACCIDENT_FIELDS,
        "killed",
        "injured",
        "merged_into",
        "version",
        "deleted",
        "updated_at",
    ),
    "victim": (
        "id",
        *VICTIM_FIELDS,
        "age_group",
        "merged_into",
        "version",
        "deleted",
        "updated_at",
    ),
    "assistance": ("id", *ASSISTANCE_FIELDS, "version", "deleted", "updated_at"),
}
#: Columns with victims' personal data, per kind of record (an accident's photos are not).
PERSONAL_COLUMNS: Mapping[str, frozenset[str]] = {
    "accident": frozenset(),
    "victim": frozenset(PERSONAL_FIELDS),
    "assistance": frozenset(),
}


def export_cell(value: Any, received: Collection[str] = ()) -> Any:
    """A wire value as a spreadsheet cell: lists joined by "; " (as imports read them).

    An attachment reference reads "name (sha256)", and "name (sha256, not received)" while the
    server waits for the file (`received`: the files it holds)."""
    if isinstance(value, list):
        return "; ".join(_item_cell(item, received) for item in value)
    return value


def _item_cell(item: Any, received: Collection[str]) -> str:
    if isinstance(item, dict) and "sha256" in item:
        state = "" if item["sha256"] in received else ", not received"
        return f"{item.get('name', '')} ({item['sha256']}{state})"
    return str(item)


_ARITHMETIC = re.compile(r"[+\-][\d\s.,()/+\-]*")  # a phone number or a signed number


def csv_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, behind an apostrophe (imports remove it).

    "+856 20 5555 0101" stays as it is: digits and signs alone can call nothing."""
    formula = isinstance(value, str) and value.startswith(FORMULA_START)
    return "'" + value if formula and not _ARITHMETIC.fullmatch(value) else value
