"""Reading a sheet's rows into wire records: the header's columns, each row's cells read into
wire data (no database access: the references are loaded), and an accident's date precision."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exchange.columns import (
    LEGACY_ID,
    MAX_LEGACY_ID,
    Column,
    Layout,
    References,
    RowContext,
    cell_text,
    header_key,
    leaves_out,
    read_date,
)
from exchange.imports.base import record_id
from exchange.readers import Sheet
from fieldsync.fields import FieldError


@dataclass
class Row:
    """One spreadsheet row on its way to a wire record."""

    sheet: str
    layout: Layout
    number: int
    legacy_id: str
    id: str
    data: dict[str, Any]
    parents: list[tuple[str, str, str]]  # (column, the parent's wire model, its legacy id)
    errors: dict[str, list[str]] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)  # wire fields whose cell was not read
    state: str = "new"  # new, changed, unchanged

    @property
    def model(self) -> str:
        return self.layout.model

    def refuse(self, column: str, message: str) -> None:
        messages = self.errors.setdefault(column, [])
        if message not in messages:
            messages.append(message)

    def record(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "id": self.id,
            "op": "upsert",
            "base_version": None,
            "data": self.data,
        }


def sheet_columns(
    sheet: Sheet, layout: Layout, file_errors: list[str]
) -> list[Column | None] | None:
    """The column of each header cell (None: a column without a header, ignored)."""
    columns: list[Column | None] = []
    seen: set[str] = set()
    errors = []
    for cell in sheet.header:
        name = header_key(cell)
        if not name:
            columns.append(None)
            continue
        column = layout.column(name)
        if column is None:
            errors.append(f"{sheet.name}: unknown column '{cell_text(cell)}'.")
        elif name in seen:
            errors.append(f"{sheet.name}: the column '{name}' appears twice.")
        seen.add(name)
        columns.append(column)
    if LEGACY_ID not in seen:
        errors.append(f"{sheet.name}: the column '{LEGACY_ID}' is missing.")
    if errors:
        expected = ", ".join(column.name for column in layout.columns)
        file_errors.extend(
            [*errors, f"{sheet.name}: the columns of {sheet.model} are: {expected}."]
        )
        return None
    return columns


class RowReader:
    """Turns a row's cells into wire data (no database access: the references are loaded)."""

    def __init__(self, references: References) -> None:
        self.references = references

    def row(
        self,
        sheet: Sheet,
        layout: Layout,
        columns: list[Column | None],
        number: int,
        cells: list[Any],
    ) -> Row:
        texts = {column.name: "" for column in columns if column is not None}
        for column, cell in zip(columns, cells, strict=False):  # a short row: empty cells
            if column is not None:
                texts[column.name] = cell_text(cell)
        legacy_id = texts.pop(LEGACY_ID, "")
        row = Row(sheet.name, layout, number, legacy_id, record_id(layout.model, legacy_id), {}, [])
        if not legacy_id:
            row.refuse(LEGACY_ID, "This field is required.")
        elif len(legacy_id) > MAX_LEGACY_ID:
            row.refuse(LEGACY_ID, f"Ensure this field has no more than {MAX_LEGACY_ID} characters.")
        context = RowContext(self.references)
        if "province" in texts:  # the district is read in the row's province
            context.province = self.references.province(texts["province"])
        for column in layout.columns:  # a column the file does not have: the field is left
            if column.name == LEGACY_ID or column.name not in texts:
                continue
            text = texts[column.name]
            if not text:
                value = layout.empty_value(column.field)
                if not leaves_out(value):
                    row.data[column.field] = value
                continue
            if column.parent is not None:
                row.parents.append((column.name, column.parent, text))
                row.data[column.field] = record_id(column.parent, text)
                continue
            try:
                row.data[column.field] = column.read(text, context)
            except FieldError as error:
                row.unreadable.add(column.field)
                for message in error.messages:
                    row.refuse(column.name, message)
        if layout.model == "accident" and texts.get("occurred_on"):
            _precision_of_date(row, texts)
        return row


PRECISIONS = ("day", "month", "year")


def _precision_of_date(row: Row, texts: dict[str, str]) -> None:
    """An accident known by its year ("1975") or month ("1975-06") only: its precision is that,
    unless the row says a coarser one; a finer one contradicts the date."""
    _day, implied = read_date(texts["occurred_on"])
    if implied is None:
        return
    if not texts.get("date_precision"):
        row.data["date_precision"] = implied
        return
    given = row.data.get("date_precision")
    if given in PRECISIONS and PRECISIONS.index(given) < PRECISIONS.index(implied):
        row.refuse(
            "date_precision", f"The date gives the {implied} only: the precision cannot be {given}."
        )
