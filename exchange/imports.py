"""Import accidents, victims and assistance from a spreadsheet (docs/import-export.md).

Two steps. The *plan* (a dry run, nothing written) reads the file, turns every row into wire data
and checks it as the sync engine will: the adapters' `validate`, parents found in the file or
the database, legacy ids unique, each row's outcome (new, changed, unchanged) foreseen. Its report
names every rejected row and why, keyed by column. Only a file without rejected rows is
*applied*: every record in batches of at most 1,000, all in one transaction
(`batches_push_atomically` with the importer's server device, source `import`): versions,
history, the change log and the figures are those of any other write. If the engine rejects
anything, nothing is kept.

Record ids are uuid5 of the kind and the legacy id, and batch ids derive from the file's hash,
so the same file imported again replays its batches and changes nothing; a corrected file
changes only the rows that differ.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone

from accidents.models import Accident
from exchange.columns import (
    LAYOUTS,
    LEGACY_ID,
    MAX_LEGACY_ID,
    SHEET_NAMES,
    Column,
    Layout,
    References,
    RowContext,
    cell_text,
    header_key,
    leaves_out,
    read_date,
)
from exchange.models import ImportFile, ImportStatus
from exchange.readers import FileUnreadable, Sheet, sheets_read
from fieldsync.fields import FieldError
from fieldsync.models import Device, RecordVersion, Role, SyncBatch, User
from fieldsync.registry import Viewer, WriteContext, registry
from fieldsync.services.devices import server_device
from fieldsync.services.push import batches_push_atomically
from victims.choices import VictimType
from victims.models import Victim

IMPORT_NAMESPACE = uuid.UUID("0b7e6f0c-52d1-4c59-8d5e-3f6a1c9b2e47")
CHUNK_RECORDS = 1000  # the sync contract's max_batch_records
DEVICE_NAME = "import"
SYSTEM_USERNAME = "records-import"
APPLIED_OUTCOMES = frozenset({"applied", "unchanged", "merged", "conflict"})
T = TypeVar("T")
Progress = Callable[[Sequence[Any], str], Iterable[Any]]


def no_progress(items: Sequence[T], description: str) -> Iterable[T]:
    return items


@lru_cache(maxsize=1 << 18)  # a file names most ids several times (rows, parents, checks)
def record_id(model: str, legacy_id: str) -> str:
    """The record id of a legacy id: the same on every import of it."""
    return str(uuid.uuid5(IMPORT_NAMESPACE, f"{model}:{legacy_id}"))


# -- the report ----------------------------------------------------------------------------------
@dataclass
class RowError:
    sheet: str
    row: int
    legacy_id: str
    column: str  # "" for the row as a whole
    messages: list[str]


@dataclass
class ImportReport:
    """What a file holds and what importing it does (or did): stored as JSON with the file."""

    file_name: str
    sha256: str
    sheets: list[dict[str, Any]] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    # wire model -> rows, new, changed, unchanged, rejected
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    already_imported: bool = False
    # after applying: the engine's outcome -> records
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors and self.rows > 0

    @property
    def rows(self) -> int:
        return sum(counts["rows"] for counts in self.counts.values())

    @property
    def rejected_rows(self) -> int:
        return sum(counts["rejected"] for counts in self.counts.values())

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportReport:
        data = dict(data)
        data["errors"] = [RowError(**error) for error in data.get("errors", [])]
        return cls(**data)


class ImportRejected(Exception):
    """The engine refused records the dry run accepted: the import was rolled back."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} rows refused when applied")
        self.errors = errors


# -- rows ----------------------------------------------------------------------------------------
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
    reader = _RowReader(References())
    rows: list[Row] = []
    for sheet in sheets:
        report.sheets.append({"sheet": sheet.name, "model": sheet.model, "rows": len(sheet.rows)})
        layout = LAYOUTS[sheet.model]
        columns = _columns(sheet, layout, report.file_errors)
        if columns is None:
            continue
        rows += [
            reader.row(sheet, layout, columns, number, cells)
            for number, cells in progress(sheet.rows, f"reading {sheet.name}")
        ]
    if report.file_errors:
        return ImportPlan(report, [])
    device = server_device(user=user, name=DEVICE_NAME)
    ordered = _Checker(user=user, device=device).check(rows, progress)
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


def _columns(sheet: Sheet, layout: Layout, file_errors: list[str]) -> list[Column | None] | None:
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


class _RowReader:
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


class _Checker:
    """Checks rows against each other, the database and the adapters, parents first."""

    def __init__(self, *, user: User, device: Device) -> None:
        self.user = user
        self.device = device
        self.viewer = Viewer.for_user(user)
        self.context = WriteContext(device=device, user=user, today=timezone.localdate())
        self.in_file: dict[tuple[str, str], Row] = {}
        # (wire model, id) -> (deleted, victim type)
        self.stored_parents: dict[tuple[str, str], tuple[bool, str | None]] = {}

    def check(self, rows: list[Row], progress: Progress) -> list[Row]:
        """Every row checked; returns them in the order they are applied (parents first)."""
        for row in rows:
            if not row.legacy_id:
                continue
            first = self.in_file.setdefault((row.model, row.legacy_id), row)
            if first is not row:
                where = f"row {first.number}" + (
                    f" of {first.sheet}" if first.sheet != row.sheet else ""
                )
                row.refuse(
                    LEGACY_ID, f"The legacy id '{row.legacy_id}' is already used in {where}."
                )
        self._load_stored_parents(rows)
        existing = self._load_existing(rows)
        ordered = sorted(rows, key=_apply_order)
        for model in SHEET_NAMES:
            registry[model].load_lookups([], self.context)
        for row in progress(ordered, "checking"):
            self._check_parents(row)
            self._validate(row, existing.get((row.model, row.id)))
        return ordered

    def _load_stored_parents(self, rows: list[Row]) -> None:
        """Parents named by legacy id but not in the file: imported before, or missing."""
        wanted: dict[str, set[str]] = {"accident": set(), "victim": set()}
        for row in rows:
            for _column, parent, legacy_id in row.parents:
                if (parent, legacy_id) not in self.in_file:
                    wanted[parent].add(record_id(parent, legacy_id))
        for ids in _chunks(sorted(wanted["accident"])):
            for pk, deleted in Accident.objects.filter(pk__in=ids).values_list("pk", "is_deleted"):
                self.stored_parents[("accident", str(pk))] = (deleted, None)
        for ids in _chunks(sorted(wanted["victim"])):
            for pk, deleted, victim_type in Victim.objects.filter(pk__in=ids).values_list(
                "pk", "is_deleted", "victim_type"
            ):
                self.stored_parents[("victim", str(pk))] = (deleted, victim_type)

    def _load_existing(self, rows: list[Row]) -> dict[tuple[str, str], Any]:
        """Records the file's rows would change (a re-import), a query per 1,000 ids."""
        existing: dict[tuple[str, str], Any] = {}
        for model in SHEET_NAMES:
            ids = sorted({row.id for row in rows if row.model == model and row.legacy_id})
            manager = registry[model].model._default_manager
            for chunk in _chunks(ids):
                for instance in manager.filter(pk__in=chunk):
                    existing[(model, str(instance.pk))] = instance
        return existing

    def _check_parents(self, row: Row) -> None:
        for column, parent, legacy_id in row.parents:
            parent_row = self.in_file.get((parent, legacy_id))
            if parent_row is not None:
                if parent_row.errors:
                    where = f"row {parent_row.number}" + (
                        f" of {parent_row.sheet}" if parent_row.sheet != row.sheet else ""
                    )
                    row.refuse(column, f"The {parent} '{legacy_id}' ({where}) is rejected.")
                elif parent == "victim":
                    self._victims()[parent_row.id] = Victim(
                        pk=parent_row.id, victim_type=parent_row.data.get("victim_type", "")
                    )
                continue
            parent_id = record_id(parent, legacy_id)
            stored = self.stored_parents.get((parent, parent_id))
            if stored is None:
                row.refuse(
                    column,
                    f"No {parent} has the legacy id '{legacy_id}', in this file or imported "
                    "before.",
                )
            elif stored[0]:
                row.refuse(column, f"The {parent} '{legacy_id}' was deleted.")
            elif parent == "victim":
                self._victims()[parent_id] = Victim(pk=parent_id, victim_type=stored[1] or "")

    def _victims(self) -> dict[str, Any]:
        """The related victims the victim adapter checks (a family member's must be direct)."""
        return self.context.parents.setdefault("victim", {})

    def _validate(self, row: Row, current: Any) -> None:
        adapter = registry[row.model]
        if current is not None and current.is_deleted:
            row.refuse(LEGACY_ID, "This record was deleted; an import does not bring it back.")
            return
        if current is None:
            data = {**adapter.defaults(self.context), **row.data}
        else:
            data = {**adapter.to_wire(current), **row.data}
        clean, errors = adapter.validate(data, self.context)
        for wire_field, messages in errors.items():
            if wire_field in row.unreadable:  # its reading error says why
                continue
            for message in messages:
                row.refuse(row.layout.column_of_field(wire_field), message)
        if errors or current is None:
            return
        hidden = adapter.hidden_fields(current, self.viewer)  # the engine ignores these
        server = adapter.to_wire(current)
        if all(clean[name] == server.get(name) for name in row.data if name not in hidden):
            row.state = "unchanged"
        elif current.created_by_device_id != self.device.pk:
            row.refuse(
                LEGACY_ID,
                "This record was imported by another account or created on a tablet: an import "
                "changes only the records its own account imported.",
            )
        else:
            row.state = "changed"


def _apply_order(row: Row) -> tuple[int, int]:
    """Accidents, casualties, their families, assistance: parents before the rows naming them."""
    if row.model == "accident":
        return (0, 0)
    if row.model == "victim":
        return (1, 0 if row.data.get("victim_type") == VictimType.DIRECT else 1)
    return (2, 0)


def _chunks(items: list[str], size: int = CHUNK_RECORDS) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- applying ------------------------------------------------------------------------------------
class _Envelopes(list[dict[str, Any]]):
    """The envelopes, ticking `progress` as the engine takes up each one."""

    def __init__(self, envelopes: list[dict[str, Any]], progress: Progress) -> None:
        super().__init__(envelopes)
        self.progress = progress

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.progress(list(super().__iter__()), "importing"))


def import_plan_apply(
    *, plan: ImportPlan, user: User, progress: Progress = no_progress
) -> dict[str, int]:
    """Apply a checked plan in one transaction; returns the engine's outcomes per status.

    Raises ImportRejected (and keeps nothing) if the engine refuses or holds any record.
    """
    if not plan.report.ok:
        raise ValueError("Only a file without rejected rows can be imported.")
    device = server_device(user=user, name=DEVICE_NAME)
    by_id = {row.id: row for row in plan.rows}
    with transaction.atomic():
        responses = batches_push_atomically(
            device=device,
            envelopes=_Envelopes(plan.envelopes(device), progress),
            source=RecordVersion.Source.IMPORT,
        )
        outcomes: Counter[str] = Counter()
        refused: list[RowError] = []
        for response in responses:
            for result in response["results"]:
                outcomes[str(result["status"])] += 1
                if result["status"] not in APPLIED_OUTCOMES:
                    refused += _refusals(by_id[result["id"]], result)
        if refused:
            raise ImportRejected(refused)  # rolls back every batch
    return dict(sorted(outcomes.items()))


def _refusals(row: Row, result: dict[str, Any]) -> list[RowError]:
    if result["status"] == "held":
        waiting = result.get("waiting_for", {})
        message = f"Waits for the {waiting.get('model')} {waiting.get('id')}."
        return [RowError(row.sheet, row.number, row.legacy_id, "", [message])]
    errors = result.get("errors") or {"": [result["status"]]}
    return [
        RowError(row.sheet, row.number, row.legacy_id, row.layout.column_of_field(name), texts)
        for name, texts in errors.items()
    ]


# -- import files (admin and command) ------------------------------------------------------------
def import_file_store(
    *, content: bytes, file_name: str, kind: str | None, user: User
) -> ImportFile:
    """Keep an uploaded file until it is checked and confirmed."""
    return ImportFile.objects.create(
        file_name=file_name[:255],
        kind=kind or "",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        uploaded_by=user,
    )


def import_file_check(*, import_file: ImportFile, progress: Progress = no_progress) -> ImportPlan:
    """The dry run of a stored file: its report is saved with it; nothing else is written."""
    plan = _plan_of(import_file, import_file.uploaded_by, progress)
    import_file.report = plan.report.as_json()
    import_file.status = ImportStatus.VALID if plan.report.ok else ImportStatus.INVALID
    import_file.save(update_fields=["report", "status"])
    return plan


def import_file_apply(
    *, import_file: ImportFile, user: User, progress: Progress = no_progress
) -> ImportFile:
    """Check a stored file again and, without rejected rows, import all of it as `user`.

    One transaction, holding the file's row: a second confirmation waits, then finds it
    imported. If the engine refuses any record, nothing is imported and the file is `failed`.
    """
    with transaction.atomic():
        locked = ImportFile.objects.select_for_update().get(pk=import_file.pk)
        if locked.status == ImportStatus.APPLIED:
            return locked
        plan = _plan_of(locked, user, progress)
        report = plan.report
        if not report.ok:
            locked.status = ImportStatus.INVALID
        else:
            try:
                with transaction.atomic():
                    report.outcomes = import_plan_apply(plan=plan, user=user, progress=progress)
            except ImportRejected as rejected:
                report.errors = rejected.errors
                locked.status = ImportStatus.FAILED
            else:
                locked.status = ImportStatus.APPLIED
                locked.applied_at = timezone.now()
                locked.applied_by = user
                locked.content = b""  # the records hold the data now (and it is personal)
        locked.report = report.as_json()
        locked.save(update_fields=["status", "report", "applied_at", "applied_by", "content"])
        return locked


def import_file_queue(*, import_file: ImportFile, user: User) -> bool:
    """Ask for the file's import in the background, after this transaction commits; False
    when it is imported already or being imported right now."""
    from exchange.tasks import import_file_apply_task  # the task calls this module

    with transaction.atomic():
        locked = (
            ImportFile.objects.select_for_update(skip_locked=True)  # locked: being imported
            .filter(pk=import_file.pk)
            .exclude(status=ImportStatus.APPLIED)
            .first()
        )
        if locked is None:
            return False
        locked.status = ImportStatus.QUEUED
        locked.save(update_fields=["status"])
        transaction.on_commit(lambda: import_file_apply_task.delay(locked.pk, user.pk))
    return True


def _plan_of(import_file: ImportFile, user: User, progress: Progress) -> ImportPlan:
    return import_plan(
        content=bytes(import_file.content),
        file_name=import_file.file_name,
        kind=import_file.kind or None,
        user=user,
        progress=progress,
    )


def system_user() -> User:
    """The NRA account imports are recorded under when no person is named (it cannot log in)."""
    from fieldsync.models import Organisation

    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"role": Role.NRA_STAFF, "organisation": Organisation.objects.get(pk="NRA")},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
