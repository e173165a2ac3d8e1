"""The dry run: a file read and checked into a plan (its report, and its rows as batches), with
nothing written but the account's import device."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from exchange.columns import LAYOUTS, SHEET_NAMES, References
from exchange.imports.base import (
    CHUNK_RECORDS,
    DEVICE_NAME,
    IMPORT_NAMESPACE,
    Progress,
    no_progress,
)
from exchange.imports.checking import RowChecker
from exchange.imports.reading import Row, RowReader, sheet_columns
from exchange.imports.report import ImportReport, RowError
from exchange.readers import FileUnreadable, Sheet, sheets_read
from fieldsync.models import Device, Role, SyncBatch, User
from fieldsync.services.devices import server_device


@dataclass
class ImportPlan:
    """A checked file: its report, and its rows in the order they are applied (parents first)."""

    report: ImportReport
    rows: list[Row]
    _envelopes: dict[int, list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    def envelopes(self, device: Device) -> list[dict[str, Any]]:
        """The rows as batches of at most 1,000 records, with ids derived from the file."""
        if device.pk in self._envelopes:
            return self._envelopes[device.pk]
        envelopes = self._envelopes[device.pk] = []
        for index, start in enumerate(range(0, len(self.rows), CHUNK_RECORDS)):
            records = [row.record() for row in self.rows[start : start + CHUNK_RECORDS]]
            content = json.dumps(records, sort_keys=True, ensure_ascii=False).encode()
            # The file and the records: a file read differently (reference data renamed) is
            # another batch, never a reuse of a stored one.
            name = f"batch:{self.report.sha256}:{index}:{hashlib.sha256(content).hexdigest()}"
            envelopes.append(
                {
                    "batch_id": str(uuid.uuid5(IMPORT_NAMESPACE, name)),
                    "device_id": str(device.device_id),
                    "schema_version": 1,
                    "records": records,
                }
            )
        return envelopes


def import_plan(
    *,
    content: bytes,
    file_name: str,
    kind: str | None,
    user: User,
    progress: Progress = no_progress,
) -> ImportPlan:
    """Read and check a file as the engine will apply it, writing no record (a dry run; the
    account's import device is created if it is missing)."""
    report = ImportReport(file_name=file_name, sha256=hashlib.sha256(content).hexdigest())
    if user.role != Role.NRA_STAFF:
        report.file_errors.append("Only NRA staff accounts may import records.")
        return ImportPlan(report, [])
    try:
        sheets = sheets_read(content=content, file_name=file_name, kind=kind)
    except FileUnreadable as error:
        report.file_errors.append(str(error))
        return ImportPlan(report, [])
    reader = RowReader(References())
    rows: list[Row] = []
    for sheet in sheets:
        report.sheets.append({"sheet": sheet.name, "model": sheet.model, "rows": len(sheet.rows)})
        layout = LAYOUTS[sheet.model]
        columns = sheet_columns(sheet, layout, report.file_errors)
        if columns is None:
            continue
        rows += [
            reader.row(sheet, layout, columns, number, cells)
            for number, cells in progress(sheet.rows, f"reading {sheet.name}")
        ]
    if report.file_errors:
        return ImportPlan(report, [])
    device = server_device(user=user, name=DEVICE_NAME)
    ordered = RowChecker(user=user, device=device).check(rows, progress)
    plan = ImportPlan(report, ordered)
    if rows and not any(row.errors for row in rows):
        batch_ids = [envelope["batch_id"] for envelope in plan.envelopes(device)]
        stored = SyncBatch.objects.filter(device=device, batch_id__in=batch_ids).count()
        report.already_imported = stored == len(batch_ids)
        if report.already_imported:  # its batches replay: nothing changes, whatever changed since
            for row in rows:
                row.state = "unchanged"
    _summarise(report, sheets, rows)
    return plan


def _summarise(report: ImportReport, sheets: list[Sheet], rows: list[Row]) -> None:
    """The report's counts per kind of record, and its rejected rows in the file's order."""
    for model in SHEET_NAMES:
        of_model = [row for row in rows if row.model == model]
        if of_model or any(sheet.model == model for sheet in sheets):
            states = Counter("rejected" if row.errors else row.state for row in of_model)
            report.counts[model] = {
                "rows": len(of_model),
                **{state: states[state] for state in ("new", "changed", "unchanged", "rejected")},
            }
    report.errors = [
        RowError(row.sheet, row.number, row.legacy_id, column, row.errors[column])
        for row in sorted(rows, key=lambda r: (r.sheet, r.number))
        for column in sorted(row.errors, key=row.layout.position)
    ]
    if not report.rows:
        report.file_errors.append("The file holds no records.")
