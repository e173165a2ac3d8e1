"""Read an import file (CSV or XLSX) into sheets of rows; nothing here knows the columns' meaning.

- XLSX: every sheet named `accidents`, `victims` or `assistance` (any case) is read as that kind;
  other sheets (notes, instructions) are left alone. A workbook without such a sheet is read as
  the kind the user named, from its first sheet.
- CSV: one kind per file, the one the user named, else the file name's (`victims.csv`,
  `victims-2008.csv`). UTF-8 (with or without the BOM Excel writes), comma, semicolon or tab.

A small file must not make the server build a huge sheet (one cell at XFD100000 spans 1.6
billion): a sheet is refused, before any of its rows is built, when its cells reach beyond
`FIELDSYNC["IMPORT_MAX_CELLS"]` (rows x columns holding a value; formatted empty cells do not
count), a row has more than 16,384 columns, or a workbook unpacks to more than 512 MB.
"""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO
from xml.parsers.expat import ExpatError, ParserCreate

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from exchange.columns import KINDS, Cell

MAX_ROWS = 500_000  # per sheet: bounds the memory a (compressed) workbook can claim
MAX_COLUMNS = 16_384  # Excel's: a wider row is no spreadsheet of records
MAX_UNPACKED_BYTES = 512 * 1024 * 1024  # a workbook's parts once unzipped (shared strings too)
# What openpyxl holds at once while it reads a part (see PartExtent).
MAX_SHEET_ROWS = 1_048_576  # Excel's: rows formatted down to the last are still a sheet
MAX_ROW_ELEMENTS = 8 * MAX_COLUMNS  # a row's (or a shared text's) elements, rich text included
MAX_OTHER_ELEMENTS = 1_000_000  # elements outside rows and texts: styles, the workbook, ...
XLSX_MAGIC = b"PK\x03\x04"


class FileUnreadable(Exception):
    """The file as a whole cannot be read: `code` says what is wrong (for programs and tests),
    `detail` why and what to do (for the user, in the report)."""

    def __init__(self, detail: str, *, code: str = "unreadable") -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


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
    max_cells = int(settings.FIELDSYNC["IMPORT_MAX_CELLS"])
    if content.startswith(XLSX_MAGIC):
        return _xlsx_sheets(content, kind, max_cells)
    model = kind or _kind_of_name(file_name)
    if model is None:
        raise FileUnreadable(
            "Say which records this CSV file holds (accidents, victims or assistance), "
            "or name the file after them (victims.csv).",
            code="records_unknown",
        )
    return [_csv_sheet(content, model, PurePath(file_name).name or "file", max_cells)]


def _kind_of_name(file_name: str) -> str | None:
    stem = PurePath(file_name).stem.casefold()
    for name, model in KINDS.items():
        if stem.startswith(name) or stem.startswith(name.rstrip("s")):
            return model
    return None


# -- CSV -----------------------------------------------------------------------------------------
def _csv_sheet(content: bytes, model: str, name: str, max_cells: int) -> Sheet:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileUnreadable(
            "The file is not UTF-8 text: in Excel, save it as “CSV UTF-8 (comma delimited)”.",
            code="not_utf8",
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(_bounded_records(text, delimiter, name), delimiter=delimiter)
    try:
        header = _trimmed(next(reader, []))
        return Sheet(model, name, header, _numbered(reader, name, len(header), max_cells))
    except csv.Error as error:
        raise FileUnreadable(f"The CSV file cannot be read: {error}.", code="csv_invalid") from None


def _bounded_records(text: str, delimiter: str, name: str) -> Iterator[str]:
    """The file's lines, a record refused before it is split when it has more fields than a
    sheet has columns (counted on its lines: a quoted line break continues the record)."""
    delimiters = quotes = 0
    number = 1
    for line in io.StringIO(text, newline=""):
        delimiters += line.count(delimiter)
        quotes += line.count('"')
        if delimiters >= MAX_COLUMNS:
            raise FileUnreadable(
                f"{name}: row {number:,} has more than {MAX_COLUMNS:,} columns.",
                code="too_many_columns",
            )
        if quotes % 2 == 0:  # not inside quotes: the record ends here
            delimiters = quotes = 0
            number += 1
        yield line


def _trimmed(header: Iterable[Cell]) -> list[Cell]:
    """A header without its empty cells at the end (Excel's formatted, empty columns)."""
    cells = list(header)
    while cells and cells[-1] in (None, ""):
        cells.pop()
    return cells


def _numbered(
    rows: Iterable[Iterable[Cell]], name: str, width: int, max_cells: int
) -> list[tuple[int, list[Cell]]]:
    """The rows that hold something, numbered as the spreadsheet shows them; cells beyond the
    header's are dropped (columns without a header are ignored)."""
    numbered = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        cells = list(row)[:width]
        if any(cell not in (None, "") for cell in cells):
            numbered.append((number, cells))
            if len(numbered) > MAX_ROWS:
                raise FileUnreadable(
                    f"{name}: more than {MAX_ROWS:,} rows; split the file.", code="too_many_rows"
                )
            if len(numbered) * width > max_cells:
                raise FileUnreadable(
                    f"{name}: {len(numbered):,} rows of {width:,} columns are more than "
                    f"{max_cells:,} cells; split the file.",
                    code="too_many_cells",
                )
    return numbered


# -- XLSX ----------------------------------------------------------------------------------------
def _xlsx_sheets(content: bytes, kind: str | None, max_cells: int) -> list[Sheet]:
    """The workbook's sheets, read by openpyxl a row at a time (read-only mode) once every part
    of it is measured (`PartExtent`). Cells hold each cell's value (a formula's last result)."""
    extents = _part_extents(content, max_cells)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # a damaged workbook fails in a dozen ways, each "cannot be read"
        raise FileUnreadable(
            "The file is not an Excel workbook (.xlsx) that can be read.", code="not_xlsx"
        ) from None
    try:
        named = [
            (KINDS[title.strip().casefold()], title)
            for title in workbook.sheetnames
            if title.strip().casefold() in KINDS
        ]
        if not named:
            if kind is None or not workbook.sheetnames:
                raise FileUnreadable(
                    "No sheet is named accidents, victims or assistance: name the sheets after "
                    "the records they hold, or say which records the file holds.",
                    code="no_sheet",
                )
            named = [(kind, workbook.sheetnames[0])]
        return [
            _xlsx_sheet(workbook[title], model, title, extents, max_cells) for model, title in named
        ]
    finally:
        workbook.close()


def _part_extents(content: bytes, max_cells: int) -> dict[str, PartExtent]:
    """Every part of the workbook measured (by name; the last of a repeated name, as zipfile
    opens it). Before openpyxl parses any of them: it reads each sheet's size, and with no size
    declared, each sheet whole, on opening the workbook."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            # zipfile never unpacks more than a part declares: the declared sizes bound the work.
            if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
                raise FileUnreadable(
                    f"The workbook unpacks to more than {MAX_UNPACKED_BYTES // 2**20:,} MB; "
                    "split it.",
                    code="too_large",
                )
            extents = {}
            for part in parts:
                extent = PartExtent(part=part.filename, max_cells=max_cells)
                with archive.open(part) as source:
                    extent.measure(source)
                extents[part.filename] = extent
            return extents
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        raise FileUnreadable(
            "The file is not an Excel workbook (.xlsx) that can be read.", code="not_xlsx"
        ) from None


def _xlsx_sheet(
    worksheet: object, model: str, title: str, extents: dict[str, PartExtent], max_cells: int
) -> Sheet:
    extent = extents.get(getattr(worksheet, "_worksheet_path", ""))
    if not isinstance(worksheet, ReadOnlyWorksheet) or extent is None:  # a chart sheet
        raise FileUnreadable(f"The sheet {title} cannot be read.", code="sheet_unreadable")
    extent.check(title=title)
    if not extent.rows:
        return Sheet(model, title, [])
    worksheet.reset_dimensions()  # the declared size may lie: a row is as long as its cells
    try:
        # From A1 whatever is empty, so that row numbers are the spreadsheet's; formatted, empty
        # rows after the last that holds something are not read.
        rows = worksheet.iter_rows(max_row=extent.rows, values_only=True)
        header = _trimmed(next(rows, ()))
        return Sheet(model, title, header, _numbered(rows, title, len(header), max_cells))
    except (ValueError, SyntaxError, KeyError, OSError):  # a cell or the XML it is in is bad
        raise FileUnreadable(
            f"The sheet {title} cannot be read.", code="sheet_unreadable"
        ) from None


class PartExtent:
    """How far the cells of a workbook's part reach, measured on its XML as a stream (nothing is
    built), as openpyxl places them: each element of a row is a cell, at the column it names or
    after the cell before it; a row without a number comes after the row before it.

    While measuring, what openpyxl would hold in memory at once is bounded, and refused at the
    first element beyond: a row of more than MAX_COLUMNS cells (or MAX_ROW_ELEMENTS elements), a
    part of more than twice `max_cells` cells or `max_cells` shared texts, of more than
    MAX_SHEET_ROWS rows, or of more than MAX_OTHER_ELEMENTS other elements (openpyxl reads
    styles and the workbook whole).
    The extent, which only cells holding something (a value, a formula) make, is `check`ed by
    the sheet that reads the part. A part that is not XML (a picture) or stops being XML is
    measured up to there: openpyxl, parsing it with the same parser, stops there too.
    """

    def __init__(self, *, part: str, max_cells: int) -> None:
        self.part = part
        self.max_cells = max_cells
        self.rows = self.columns = 0  # the extent of the cells holding something
        self.cells = self.strings = self.row_elements = self.others = 0
        self._open: str | None = None  # "row" or "si" (a shared text) while inside one
        self._inner = 0  # elements open inside it
        self._row = self._column = self._row_cells = self._elements = 0
        self._cell: tuple[int, int] | None = None  # inside a cell: its place
        self._holds = False

    def measure(self, source: IO[bytes]) -> None:
        parser = ParserCreate()
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        with contextlib.suppress(ExpatError):
            parser.ParseFile(source)

    def check(self, *, title: str) -> None:
        """Refuse the sheet `title` (this part) if its cells reach beyond the bounds."""
        if self.rows > MAX_ROWS + 1:
            raise FileUnreadable(
                f"{title}: more than {MAX_ROWS:,} rows; split the file.", code="too_many_rows"
            )
        if self.rows * self.columns > self.max_cells:
            raise FileUnreadable(
                f"{title}: its cells reach row {self.rows:,} and column "
                f"{_column_name(self.columns)} ({self.rows * self.columns:,} cells): more "
                f"than {self.max_cells:,} cells to read. Delete what lies below and beside your "
                "records, or split the file.",
                code="too_many_cells",
            )

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if self._open is None:
            self._start_outside(name.rpartition(":")[2], attributes)
            return
        self._inner += 1
        self._elements += 1
        if self._elements > MAX_ROW_ELEMENTS:
            self._refuse(f"holds more than {MAX_ROW_ELEMENTS:,} elements in one row or text")
        if self._open == "si":
            return
        if self._cell is not None:  # a value, formula or text of the cell
            self._holds = True
        elif self._inner == 1:  # openpyxl reads every element of a row as a cell
            self._start_cell(attributes.get("r"))

    def _start_outside(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "row":
            number = attributes.get("r")
            self._row = self._row + 1 if number is None else _row_number(number)
            self._open, self._inner, self._elements = "row", 0, 0
            self._column = self._row_cells = 0
            self.row_elements += 1
            if self.row_elements > MAX_SHEET_ROWS:
                self._refuse(f"has more than {MAX_SHEET_ROWS:,} rows")
        elif tag == "si":  # a shared text: openpyxl keeps them all
            self._open, self._inner, self._elements = "si", 0, 0
            self.strings += 1
            if self.strings > self.max_cells:
                self._refuse(f"holds more than {self.max_cells:,} texts")
        else:
            self.others += 1
            if self.others > MAX_OTHER_ELEMENTS:
                self._refuse(f"has more than {MAX_OTHER_ELEMENTS:,} elements")

    def _start_cell(self, reference: str | None) -> None:
        if reference:  # openpyxl files the cell in its row element, whatever it names
            named_row, self._column = _coordinate(reference)
            row = max(named_row, self._row)
        else:
            row, self._column = self._row, self._column + 1
        self._cell, self._holds = (row, self._column), False
        self.cells += 1
        self._row_cells += 1
        if self._row_cells > MAX_COLUMNS:
            self._refuse(
                f"has more than {MAX_COLUMNS:,} columns in row {row:,}", "too_many_columns"
            )
        if self.cells > 2 * self.max_cells:  # formatted, empty ones too: the extent is checked
            self._refuse(f"has more than {2 * self.max_cells:,} cells", "too_many_cells")

    def _end(self, name: str) -> None:
        if self._open is None:
            return
        if not self._inner:  # the row or the shared text ends
            self._open = None
            return
        if self._inner == 1 and self._cell is not None:
            if self._holds:  # a formatted, empty cell makes no extent: no reader keeps it
                self.rows = max(self.rows, self._cell[0])
                self.columns = max(self.columns, self._cell[1])
            self._cell = None
        self._inner -= 1

    def _refuse(self, what: str, code: str = "too_large") -> None:
        raise FileUnreadable(
            f"The workbook's part {self.part} {what}: it is no sheet of records.", code=code
        )


def _row_number(text: str) -> int:
    try:
        return int(float(text))
    except (ValueError, OverflowError):
        raise FileUnreadable(
            f"A sheet ({text!r} as a row number) cannot be read.", code="sheet_unreadable"
        ) from None


def _coordinate(reference: str) -> tuple[int, int]:
    try:
        row, column = coordinate_to_tuple(reference)
    except (ValueError, OverflowError):
        raise FileUnreadable(
            f"A sheet ({reference!r} as a cell) cannot be read.", code="sheet_unreadable"
        ) from None
    return int(row), int(column)


def _column_name(number: int) -> str:
    """A column as Excel names it (XFD), or its number beyond Excel's names."""
    return get_column_letter(number) if number <= 18_278 else f"{number:,}"
