"""The end of a simulated field day: does every tablet hold exactly what a fresh pull of its
user brings, is every record a tablet sent on the server once, or kept for review, and did every
file a tablet took or a record names reach the server whole?"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable

from fieldsync.attachments.storage import attachment_storage, file_name
from fieldsync.models import Attachment, AttachmentRef, Conflict, InboxRecord, InboxStatus
from fieldsync.registry import registry
from simulation.field_day.report import FieldDayReport
from simulation.field_day.tablets import SimulatedTablet, link_totals, tablet_devices
from tablet_client import LocalStore, TabletClient, Transport, store_differences

QUARANTINE = (InboxStatus.HELD, InboxStatus.REJECTED, InboxStatus.DISCARDED)


def field_day_check(
    report: FieldDayReport,
    tablets: list[SimulatedTablet],
    *,
    password: str,
    make_transport: Callable[[], Transport],
) -> None:
    """Counts what the tablets did, then compares each with a fresh pull of its user and looks
    for every record sent on the server: the findings go into `report`."""
    for tablet in tablets:
        stats = tablet.client.stats
        report.outcomes.update(stats.outcomes)
        report.records_sent += stats.records_sent
        report.batches += stats.batches_acked
        report.resends += stats.resends
        report.splits += stats.splits
        report.interrupted += tablet.interrupted
        report.notices += len(tablet.client.notices())
        report.rejections_left += len(tablet.client.rejections())
        report.files_uploaded += stats.files_uploaded
        report.file_bytes_uploaded += stats.file_bytes
        report.chunk_bytes_sent += stats.chunk_bytes_sent
        report.file_resumes += stats.file_resumes
        report.file_restarts += stats.file_restarts
        report.file_dedupes += stats.file_dedupes
        report.files_refused += stats.files_refused
    (report.requests, report.lost_requests, report.lost_responses, report.cut_chunks) = link_totals(
        tablets
    )
    devices = tablet_devices(tablets)
    for kind in Conflict.objects.filter(device__in=devices).values_list("kind", flat=True):
        report.conflicts[str(kind)] += 1
    report.still_held = InboxRecord.objects.filter(
        batch__device__in=devices, status=InboxStatus.HELD
    ).count()
    for tablet in tablets:
        fresh = TabletClient(store=LocalStore(), transport=make_transport())
        fresh.enrol(
            username=tablet.plan.username,
            password=password,
            device_name="consistency check",
        )
        fresh.pull()
        report.divergent[tablet.plan.username] = store_differences(tablet.client.store, fresh.store)
        report.compared[tablet.plan.username] = len(fresh.store.records())
    _check_nothing_lost(report, tablets)
    _check_files(report, tablets)


def _check_nothing_lost(report: FieldDayReport, tablets: list[SimulatedTablet]) -> None:
    """Every record a tablet created is on the server once, or kept in review/quarantine."""
    sent: dict[str, set[str]] = {}
    for tablet in tablets:
        for batch in tablet.client.store.batches():
            for wire in batch.records:
                sent.setdefault(wire["model"], set()).add(wire["id"])
    created = {key for tablet in tablets for key in tablet.created}
    for model, record_id in sorted(created):
        if record_id not in sent.get(model, set()):
            owner = next(t for t in tablets if (model, record_id) in t.created)
            if owner.client.store.record(model, record_id) is not None:
                report.lost.append(f"{model} {record_id}: still on the tablet, never sent")
            else:
                report.never_sent += 1
    for model, ids in sorted(sent.items()):
        report.sent_records += len(ids)
        counted = Counter(
            str(pk)
            for pk in registry[model]
            .model._default_manager.filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        report.on_server += len(counted)
        report.lost.extend(
            f"{model} {record_id}: {count} copies"
            for record_id, count in counted.items()
            if count != 1
        )
        missing = ids - set(counted)
        kept = set(
            InboxRecord.objects.filter(
                model=model, record_id__in=missing, status__in=QUARANTINE
            ).values_list("record_id", flat=True)
        ) | set(
            Conflict.objects.filter(model=model, record_id__in=missing).values_list(
                "record_id", flat=True
            )
        )
        report.in_quarantine += len(kept)
        report.lost.extend(
            f"{model} {record_id}: neither on the server nor in review"
            for record_id in sorted(missing - kept)
        )


def _check_files(report: FieldDayReport, tablets: list[SimulatedTablet]) -> None:
    """Every file a tablet took, and every file a record names (on a tablet or on the server),
    is stored on the server whole: its bytes hash to its name and equal the tablet's bytes."""
    taken: dict[str, bytes] = {}
    named: set[str] = set()
    sent_ids: set[str] = set()
    for tablet in tablets:
        store = tablet.client.store
        report.files_waiting += len(store.files_pending(None))
        for local in store.files():
            taken.setdefault(local.sha256, store.file_data(local.sha256) or b"")
        for record in store.records():
            adapter = registry.get(record.model)
            for field in adapter.attachment_fields if adapter is not None else ():
                named.update(item["sha256"] for item in (record.data or {}).get(field) or [])
        sent_ids.update(wire["id"] for batch in store.batches() for wire in batch.records)
    named.update(
        AttachmentRef.objects.filter(record_id__in=sent_ids).values_list("sha256", flat=True)
    )
    sizes = dict(
        Attachment.objects.filter(sha256__in=taken.keys() | named).values_list("sha256", "size")
    )
    storage = attachment_storage()
    report.files_checked = len(taken.keys() | named)
    for sha256 in sorted(taken.keys() | named):
        if sha256 not in taken:
            report.lost.append(f"file {sha256[:12]}: named by a record, taken by no tablet")
            continue
        if sha256 not in sizes:
            report.lost.append(f"file {sha256[:12]}: not on the server")
            continue
        with storage.open(file_name(sha256)) as stored:
            content = stored.read()
        if hashlib.sha256(content).hexdigest() != sha256 or content != taken[sha256]:
            report.lost.append(f"file {sha256[:12]}: on the server, but not the tablet's bytes")
        elif sizes[sha256] != len(content):
            report.lost.append(f"file {sha256[:12]}: size {sizes[sha256]} != {len(content)}")
        else:
            report.files_whole += 1
    if report.files_waiting:
        report.lost.append(f"{report.files_waiting} files left in tablets' file outboxes")
