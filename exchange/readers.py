"""Read an import file (CSV or XLSX) into sheets of rows; nothing here knows the columns' meaning.

- XLSX: every sheet named `accidents`, `victims` or `assistance` (any case) is read as that kind;
  other sheets (notes, instructions) are left alone. A workbook without such a sheet is read as
  the kind the user named, from its first sheet.
- CSV: one kind per file, the one the user named, else the file name's (`victims.csv`,
  `victims-2008.csv`). UTF-8 (with or without the BOM Excel writes), comma, semicolon or tab.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from python_calamine import CalamineError, CalamineWorkbook

from exchange.columns import KINDS, Cell

MAX_ROWS = 500_000  # per sheet: bounds the memory a (compressed) workbook can claim
XLSX_MAGIC = b"PK\x03\x04"


class FileUnreadable(Exception):
    """The file as a whole cannot be read; the message says why, for the user."""


@dataclass
class Sheet:
    """One sheet's header and rows; `rows` are (spreadsheet row number, cells)."""

    model: str
    name: str
    header: list[Cell]
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)


def sheets_read(*, content: bytes, file_name: str, kind: str | None) -> list[Sheet]:
    """The sheets of an import file. `kind` (a wire model) says what a CSV or a single
    unnamed sheet holds. Raises FileUnreadable."""
    if content.startswith(XLSX_MAGIC):
        return _xlsx_sheets(content, kind)
    model = kind or _kind_of_name(file_name)
    if model is None:
        raise FileUnreadable(
            "Say which records this CSV file holds (accidents, victims or assistance), "
            "or name the file after them (victims.csv)."
        )
    return [_csv_sheet(content, model, PurePath(file_name).name or "file")]


def _kind_of_name(file_name: str) -> str | None:
    stem = PurePath(file_name).stem.casefold()
    for name, model in KINDS.items():
        if stem.startswith(name) or stem.startswith(name.rstrip("s")):
            return model
    return None


def _csv_sheet(content: bytes, model: str, name: str) -> Sheet:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileUnreadable(
            "The file is not UTF-8 text: in Excel, save it as “CSV UTF-8 (comma delimited)”."
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, [])
        return Sheet(model, name, list(header), _numbered(reader, name, len(header)))
    except csv.Error as error:
        raise FileUnreadable(f"The CSV file cannot be read: {error}.") from None


def _numbered(rows: Iterator[list[Cell]], name: str, width: int) -> list[tuple[int, list[Cell]]]:
    """The rows that hold something, numbered as the spreadsheet shows them; cells beyond the
    header's are dropped (columns without a header are ignored)."""
    numbered = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        cells = list(row[:width])
        if any(cell not in (None, "") for cell in cells):
            numbered.append((number, cells))
            if len(numbered) > MAX_ROWS:
                raise FileUnreadable(f"{name}: more than {MAX_ROWS:,} rows; split the file.")
    return numbered


def _xlsx_sheets(content: bytes, kind: str | None) -> list[Sheet]:
    """The workbook's sheets, read by calamine (Rust: ten times openpyxl's speed on the 80,000
    rows of the national survey). Cells hold each cell's value (a formula's last result)."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except (CalamineError, OSError, ValueError):
        raise FileUnreadable(
            "The file is not an Excel workbook (.xlsx) that can be read."
        ) from None
    try:
        named = [
            (KINDS[title.strip().casefold()], title)
            for title in workbook.sheet_names
            if title.strip().casefold() in KINDS
        ]
        if not named:
            if kind is None:
                raise FileUnreadable(
                    "No sheet is named accidents, victims or assistance: name the sheets after "
                    "the records they hold, or say which records the file holds."
                )
            named = [(kind, workbook.sheet_names[0])]
        sheets = []
        for model, title in named:
            try:
                sheet = workbook.get_sheet_by_name(title)
            except CalamineError:
                raise FileUnreadable(f"The sheet {title} cannot be read.") from None
            if sheet.total_height > MAX_ROWS + 1:  # before any row becomes Python objects
                raise FileUnreadable(f"{title}: more than {MAX_ROWS:,} rows; split the file.")
            # From A1 whatever is empty, so that row numbers are the spreadsheet's.
            rows = iter(sheet.to_python(skip_empty_area=False))
            header = list(next(rows, ()))
            while header and header[-1] in (None, ""):  # Excel's formatted, empty columns
                header.pop()
            sheets.append(Sheet(model, title, header, _numbered(rows, title, len(header))))
        return sheets
    finally:
        workbook.close()
