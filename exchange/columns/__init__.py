"""Spreadsheet columns and the data dictionary's wire fields, both ways.

An import sheet holds one kind of record: a `legacy_id` column (the record's id in the NRA's
older spreadsheet or database), the wire fields under their data-dictionary names, and the
parent's legacy id for victims (`accident_legacy_id`, `related_victim_legacy_id`) and assistance
(`victim_legacy_id`). Cells are read leniently (vocabulary codes or their English or Lao labels,
provinces and districts by code or name, dates as YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY) and
turned into wire values; whatever cannot be read is passed on as written, so the adapters'
`validate` refuses it with the message a tablet would get.

The parts, one job each: `cells` turns a cell into text and compares names, `references`
reads vocabularies and reference tables by code or name, `values` turns a cell's text into a
wire value, `layout` is the generic column machinery, `kinds` the columns of each kind of
record, and `exports` what an export writes.
"""

from exchange.columns.cells import (
    FORMULA_START,
    LIST_SEPARATORS,
    Cell,
    cell_text,
    header_key,
    name_key,
    text_key,
)
from exchange.columns.exports import EXPORT_COLUMNS, PERSONAL_COLUMNS, csv_safe, export_cell
from exchange.columns.kinds import (
    ACCIDENT_LAYOUT,
    ASSISTANCE_LAYOUT,
    KINDS,
    LAYOUTS,
    LEGACY_ID,
    MAX_LEGACY_ID,
    SHEET_NAMES,
    VICTIM_LAYOUT,
)
from exchange.columns.layout import Column, Layout, leaves_out
from exchange.columns.references import References, Vocabulary
from exchange.columns.values import YES_NO, Reader, RowContext, read_date

__all__ = [
    "ACCIDENT_LAYOUT",
    "ASSISTANCE_LAYOUT",
    "EXPORT_COLUMNS",
    "FORMULA_START",
    "KINDS",
    "LAYOUTS",
    "LEGACY_ID",
    "LIST_SEPARATORS",
    "MAX_LEGACY_ID",
    "PERSONAL_COLUMNS",
    "SHEET_NAMES",
    "VICTIM_LAYOUT",
    "YES_NO",
    "Cell",
    "Column",
    "Layout",
    "Reader",
    "References",
    "RowContext",
    "Vocabulary",
    "cell_text",
    "csv_safe",
    "export_cell",
    "header_key",
    "leaves_out",
    "name_key",
    "read_date",
    "text_key",
]
