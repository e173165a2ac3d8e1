"""Export records as CSV (streamed) or XLSX (openpyxl write-only, spooled to a temporary file).

A row is the record as the partner API shows it (`represent`): the records the reader's scope
holds (the adapter's `scope`), and of each what the reader may see (the adapter's `present`, the
privacy rule every other reader gets). Readers who may see no personal data at all get no
personal columns. The rows are read 1,000 at a time, so an export of 100,000 records never holds
more than a thousand of them.
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone
from django_filters import rest_framework as filters
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from accidents.api.filters import AccidentFilter
from exchange.columns import (
    EXPORT_COLUMNS,
    PERSONAL_COLUMNS,
    SHEET_NAMES,
    csv_safe,
    export_cell,
)
from fieldsync.api.records import represent
from fieldsync.attachments.access import attachments_received
from fieldsync.models import Role
from fieldsync.registry import Viewer, registry
from victims.api.filters import AssistanceFilter, VictimFilter

CHUNK_RECORDS = 1000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_CONTENT_TYPE}
FILTERSETS: Mapping[str, type[filters.FilterSet]] = {
    "accident": AccidentFilter,
    "victim": VictimFilter,
    "assistance": AssistanceFilter,
}
ORDERING: Mapping[str, tuple[str, ...]] = {
    "accident": ("occurred_on", "reference"),
    "victim": ("created_at", "id"),
    "assistance": ("created_at", "id"),
}
DATE_COLUMNS = frozenset(
    {"occurred_on", "reported_on", "date_of_birth", "started_on", "completed_on"}
)
DECIMAL_COLUMNS = frozenset({"quantity", "cost_lak"})


def records_for_export(*, model: str, viewer: Viewer) -> QuerySet[Any]:
    """The records of `model` this reader sees, in export order (to be filtered further)."""
    adapter = registry[model]
    return adapter.scope(adapter.queryset(), viewer).order_by(*ORDERING[model])


def export_columns(*, model: str, viewer: Viewer) -> tuple[str, ...]:
    columns = EXPORT_COLUMNS[model]
    if viewer.sees_personal_data or viewer.role == Role.SURVEYOR:  # may see some: `present` says
        return columns
    return tuple(column for column in columns if column not in PERSONAL_COLUMNS[model])


def export_rows(
    *, model: str, queryset: QuerySet[Any], viewer: Viewer, columns: tuple[str, ...]
) -> Iterator[list[list[Any]]]:
    """The records as rows of `columns`, a list of up to 1,000 rows at a time."""
    adapter = registry[model]
    batch: list[Any] = []
    for instance in queryset.iterator(chunk_size=CHUNK_RECORDS):
        batch.append(instance)
        if len(batch) == CHUNK_RECORDS:
            yield _rows(adapter, batch, viewer, columns)
            batch = []
    if batch:
        yield _rows(adapter, batch, viewer, columns)


def _rows(adapter: Any, batch: list[Any], viewer: Viewer, columns: tuple[str, ...]) -> list[Any]:
    records = represent(adapter, batch, viewer)
    named = (
        item["sha256"]
        for record in records
        for field in adapter.attachment_fields
        for item in record.get(field) or ()
    )
    received = attachments_received(named)
    return [[export_cell(record.get(column), received) for column in columns] for record in records]


def export_response(
    *, model: str, fmt: str, queryset: QuerySet[Any], viewer: Viewer
) -> HttpResponseBase:
    """A download of the records of `queryset` (already scoped) as `fmt` (csv or xlsx)."""
    columns = export_columns(model=model, viewer=viewer)
    batches = export_rows(model=model, queryset=queryset, viewer=viewer, columns=columns)
    name = f"{SHEET_NAMES[model]}-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            csv_chunks(columns, batches), content_type=CONTENT_TYPES["csv"]
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    workbook = xlsx_file(SHEET_NAMES[model], columns, batches)
    return FileResponse(
        workbook, as_attachment=True, filename=name, content_type=CONTENT_TYPES["xlsx"]
    )


class _Echo:
    """A file whose write gives back what it was given: csv.writer then formats one row."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(header: Iterable[str], batches: Iterable[list[list[Any]]]) -> Iterator[bytes]:
    """The CSV text, one chunk per batch of rows (UTF-8, no BOM, "\\r\\n" line ends)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(list(header)).encode()
    for rows in batches:
        yield "".join(writer.writerow([_csv_value(v) for v in row]) for row in rows).encode()


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return csv_safe(value)


def xlsx_file(title: str, header: tuple[str, ...], batches: Iterable[list[list[Any]]]) -> IO[bytes]:
    """A workbook of one sheet, written row by row to a temporary file (rewound)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for rows in batches:
        for row in rows:
            sheet.append(
                [_xlsx_cell(sheet, name, value) for name, value in zip(header, row, strict=True)]
            )
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    workbook.save(spool)
    spool.seek(0)
    return spool


def _xlsx_cell(sheet: WriteOnlyWorksheet, column: str, value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    if column in DATE_COLUMNS:
        return datetime.date.fromisoformat(value)
    if column in DECIMAL_COLUMNS:
        return Decimal(value)
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)  # control characters XLSX cannot hold
    if value.startswith("="):  # text, never a formula
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value
