"""The readers' bounds: a small file cannot make the server build a huge sheet. A workbook's
cells are located (streamed, nothing built) before a reader builds its rows; a CSV record's
fields are counted before it is split."""

from __future__ import annotations

import io
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from exchange.imports import import_file_check, import_file_store
from exchange.models import ImportStatus
from exchange.readers import FileUnreadable, sheets_read
from fieldsync.models import RecordVersion, User
from tests.helpers.exchange import csv_bytes, plan_of, xlsx_with_sheet_xml
from victims.models import Victim

pytestmark = pytest.mark.django_db
VICTIM_HEADER = "legacy_id,victim_type,accident_legacy_id,outcome,sex,consent"
FAR_CELL_REFUSED = (
    "victims: its cells reach row 100,000 and column XFD (1,638,400,000 cells): more than "
    "10,000,000 cells to read. Delete what lies below and beside your records, or split the file."
)


def workbook(fill: Callable[[Any], None]) -> bytes:
    """A workbook of one `victims` sheet holding a header and a row, then `fill`ed."""
    book = Workbook()
    sheet = book.active
    sheet.title = "victims"
    sheet.append(VICTIM_HEADER.split(","))
    sheet.append(["V-1", "direct", "A-404", "injured", "male", "none"])
    fill(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def far_cell(sheet: Any) -> None:
    sheet["XFD100000"] = "x"  # one cell: a rectangle of 1.6 billion


def measured(read: Callable[[], Any]) -> tuple[Any, float, int]:
    """What `read` gives (or raises), in how many seconds, and its peak of Python memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        outcome = read()
    except FileUnreadable as error:
        outcome = error
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return outcome, elapsed, peak


def test_a_small_workbook_with_a_far_cell_is_refused_before_its_sheet_is_built() -> None:
    # given a 5 KB workbook with one cell at XFD100000
    content = workbook(far_cell)

    # when it is read
    refused, elapsed, peak = measured(
        lambda: sheets_read(content=content, file_name="victims.xlsx", kind=None)
    )

    # then it is refused at once, in little memory, with the bad file's code and detail
    assert len(content) < 6_000
    assert isinstance(refused, FileUnreadable)
    assert (refused.code, refused.detail) == ("too_many_cells", FAR_CELL_REFUSED)
    assert elapsed < 2.0
    assert peak < 4 * 1024 * 1024


def test_an_uploaded_workbook_with_a_far_cell_stores_nothing(officer: User) -> None:
    # given the same workbook, uploaded
    import_file = import_file_store(
        content=workbook(far_cell), file_name="victims.xlsx", kind=None, user=officer
    )

    # when it is checked
    plan = import_file_check(import_file=import_file)

    # then its report says why and nothing was read or written
    assert plan.report.file_errors == [FAR_CELL_REFUSED]
    assert (plan.report.ok, plan.rows, plan.report.sheets) == (False, [], [])
    assert import_file.status == ImportStatus.INVALID
    assert (Victim.objects.count(), RecordVersion.objects.count()) == (0, 0)


def test_formatted_empty_cells_beyond_the_records_are_ignored() -> None:
    # given a workbook whose sheet has a formatted cell without a value at XFD100000
    def formatted(sheet: Any) -> None:
        sheet["XFD100000"].font = Font(bold=True)

    # when it is read
    [sheet] = sheets_read(content=workbook(formatted), file_name="victims.xlsx", kind=None)

    # then its records are read as if the cell were not there
    assert sheet.header == VICTIM_HEADER.split(",")
    assert sheet.rows == [(2, ["V-1", "direct", "A-404", "injured", "male", "none"])]


def test_a_row_of_two_million_empty_cells_is_refused_before_it_is_parsed() -> None:
    # given a 12 KB workbook whose second row is two million empty cell elements
    content = xlsx_with_sheet_xml(
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c t="inlineStr"><is><t>legacy_id</t></is></c></row>'
        b"<row>" + b"<c/>" * 2_000_000 + b"</row></sheetData></worksheet>"
    )

    # when it is read
    refused, elapsed, peak = measured(
        lambda: sheets_read(content=content, file_name="victims.xlsx", kind=None)
    )

    # then it is refused at the row, without the row ever built
    assert len(content) < 15_000
    assert isinstance(refused, FileUnreadable)
    assert (refused.code, refused.detail) == (
        "too_many_columns",
        "The workbook's part xl/worksheets/sheet1.xml has more than 16,384 columns in row 2: it "
        "is no sheet of records.",
    )
    assert elapsed < 2.0
    assert peak < 4 * 1024 * 1024


def test_a_sheet_is_read_up_to_the_cells_bound_and_refused_beyond(settings: Any) -> None:
    # given a sheet of 2 rows of 6 columns (12 cells)
    content = workbook(lambda sheet: None)

    # when the bound is 12 cells, then 11
    settings.FIELDSYNC = {**settings.FIELDSYNC, "IMPORT_MAX_CELLS": 12}
    [sheet] = sheets_read(content=content, file_name="victims.xlsx", kind=None)
    settings.FIELDSYNC = {**settings.FIELDSYNC, "IMPORT_MAX_CELLS": 11}
    with pytest.raises(FileUnreadable) as refused:
        sheets_read(content=content, file_name="victims.xlsx", kind=None)

    # then the first is read whole, the second refused
    assert len(sheet.rows) == 1
    assert (refused.value.code, refused.value.detail) == (
        "too_many_cells",
        "victims: its cells reach row 2 and column F (12 cells): more than 11 cells to read. "
        "Delete what lies below and beside your records, or split the file.",
    )


def test_a_csv_record_with_a_hundred_thousand_fields_is_refused_before_it_is_split(
    officer: User,
) -> None:
    # given a CSV whose second record has 100,000 fields
    content = csv_bytes(VICTIM_HEADER, "V-1" + "," * 99_999)

    # when it is read
    refused, _elapsed, peak = measured(
        lambda: sheets_read(content=content, file_name="victims.csv", kind=None)
    )
    plan = plan_of(content, officer, "victims.csv")

    # then it is refused, without the record's fields ever built, and nothing is stored
    assert isinstance(refused, FileUnreadable)
    assert (refused.code, refused.detail) == (
        "too_many_columns",
        "victims.csv: row 2 has more than 16,384 columns.",
    )
    assert peak < 2 * 1024 * 1024
    assert plan.report.file_errors == [refused.detail]
    assert Victim.objects.count() == 0


def test_a_csv_is_bounded_by_its_rows_times_its_columns(settings: Any) -> None:
    # given a CSV of 3 rows of 6 columns, its header's empty trailing columns ignored
    content = csv_bytes(
        VICTIM_HEADER + ",,,",
        "V-1,direct,A-404,injured,male,none",
        "V-2,direct,A-404,injured,male,none",
        "V-3,direct,A-404,injured,male,none",
    )
    settings.FIELDSYNC = {**settings.FIELDSYNC, "IMPORT_MAX_CELLS": 18}
    [sheet] = sheets_read(content=content, file_name="victims.csv", kind=None)

    # when the bound is 17 cells
    settings.FIELDSYNC = {**settings.FIELDSYNC, "IMPORT_MAX_CELLS": 17}
    with pytest.raises(FileUnreadable) as refused:
        sheets_read(content=content, file_name="victims.csv", kind=None)

    # then it is refused at the row that passes the bound
    assert (sheet.header, len(sheet.rows)) == (VICTIM_HEADER.split(","), 3)
    assert (refused.value.code, refused.value.detail) == (
        "too_many_cells",
        "victims.csv: 3 rows of 6 columns are more than 17 cells; split the file.",
    )
