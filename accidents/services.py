"""Writes of the accidents app: reference data, and NRA staff decisions on accident reports."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accidents.choices import AccidentStatus, DeviceCategory, MineType
from accidents.models import (
    Accident,
    District,
    DuplicateGroup,
    DuplicateMember,
    DuplicateStatus,
    OrdnanceType,
    Province,
)
from fieldsync.changelog import ChangeSet
from fieldsync.models import User
from fieldsync.services.records import record_staff_update
from fieldsync.services.reference import (
    SeedResults,
    UpsertResult,
    read_reference_csv,
    reference_rows_upsert,
)
from fieldsync.services.review import ReviewError

DATA_DIR = Path(__file__).resolve().parent / "data"

# The starter set of the data dictionary, by device category.
STARTER_ORDNANCE_TYPES: tuple[tuple[str, str, DeviceCategory], ...] = (
    ("BLU-26", "BLU-26 submunition", DeviceCategory.CLUSTER_SUBMUNITION),
    ("BLU-24", "BLU-24 submunition", DeviceCategory.CLUSTER_SUBMUNITION),
    ("BLU-3", "BLU-3 submunition", DeviceCategory.CLUSTER_SUBMUNITION),
    ("BLU-36", "BLU-36 submunition", DeviceCategory.CLUSTER_SUBMUNITION),
    ("BLU-59", "BLU-59 submunition", DeviceCategory.CLUSTER_SUBMUNITION),
    ("BLU-61", "BLU-61 submunition", DeviceCategory.CLUSTER_SUBMUNITION),
    ("BLU-63", "BLU-63 submunition", DeviceCategory.CLUSTER_SUBMUNITION),
    ("MK-81", "Mk 81 general-purpose bomb (250 lb)", DeviceCategory.LARGE_BOMB),
    ("MK-82", "Mk 82 general-purpose bomb (500 lb)", DeviceCategory.LARGE_BOMB),
    ("MK-83", "Mk 83 general-purpose bomb (1,000 lb)", DeviceCategory.LARGE_BOMB),
    ("MK-84", "Mk 84 general-purpose bomb (2,000 lb)", DeviceCategory.LARGE_BOMB),
    ("M117", "M117 general-purpose bomb (750 lb)", DeviceCategory.LARGE_BOMB),
    ("M14", "M14 anti-personnel mine", DeviceCategory.LANDMINE),
    ("M16", "M16 bounding anti-personnel mine", DeviceCategory.LANDMINE),
    ("PMN", "PMN anti-personnel mine", DeviceCategory.LANDMINE),
    ("F1", "F1 hand grenade", DeviceCategory.GRENADE),
    ("M26", "M26 hand grenade", DeviceCategory.GRENADE),
    ("2.75IN", "2.75-inch rocket", DeviceCategory.ROCKET),
    ("60MM", "60 mm mortar bomb", DeviceCategory.ARTILLERY_MORTAR),
    ("81MM", "81 mm mortar bomb", DeviceCategory.ARTILLERY_MORTAR),
    ("82MM", "82 mm mortar bomb", DeviceCategory.ARTILLERY_MORTAR),
    ("105MM", "105 mm artillery projectile", DeviceCategory.ARTILLERY_MORTAR),
    ("23MM", "23 mm anti-aircraft projectile", DeviceCategory.ARTILLERY_MORTAR),
    ("FUZE", "Fuze", DeviceCategory.FUZE),
)
# The mine type of the starter mines (server-side reference data: not on the wire).
STARTER_MINE_TYPES: dict[str, MineType] = {
    "M14": MineType.ANTIPERSONNEL,
    "M16": MineType.ANTIPERSONNEL,
    "PMN": MineType.ANTIPERSONNEL,
}


@transaction.atomic
def provinces_seed(
    *, update_existing: bool = False, changes: ChangeSet | None = None
) -> UpsertResult[Province]:
    """Create the 18 provinces (LSB and ISO codes, English and Lao names) that are missing."""
    rows = [
        {
            "code": row["iso_code"],
            "lsb_code": row["lsb_code"],
            "name_en": row["name_en"],
            "name_lo": row["name_lo"],
        }
        for row in read_reference_csv(DATA_DIR / "provinces.csv")
    ]
    return reference_rows_upsert(
        model=Province, rows=rows, update_existing=update_existing, changes=changes
    )


@transaction.atomic
def districts_seed(
    *, update_existing: bool = False, changes: ChangeSet | None = None
) -> UpsertResult[District]:
    """Create the 148 districts that are missing (English and Lao names); their provinces must
    exist. As for provinces, a name edited by NRA staff is set back only with `update_existing`."""
    rows = [
        {
            "code": row["lsb_code"],
            "province": row["province_iso_code"],
            "name_en": row["name_en"],
            "name_lo": row["name_lo"],
        }
        for row in read_reference_csv(DATA_DIR / "districts.csv")
    ]
    return reference_rows_upsert(
        model=District, rows=rows, update_existing=update_existing, changes=changes
    )


@transaction.atomic
def ordnance_types_seed(
    *, update_existing: bool = False, changes: ChangeSet | None = None
) -> UpsertResult[OrdnanceType]:
    """Create the starter ordnance types that are missing (mines with their mine type)."""
    rows = [
        {
            "code": code,
            "name": name,
            "device_category": category.value,
            "mine_type": STARTER_MINE_TYPES.get(code, ""),
        }
        for code, name, category in STARTER_ORDNANCE_TYPES
    ]
    return reference_rows_upsert(
        model=OrdnanceType, rows=rows, update_existing=update_existing, changes=changes
    )


@transaction.atomic
def accident_reference_seed(
    *, update_existing: bool = False, changes: ChangeSet | None = None
) -> SeedResults:
    """Create the missing provinces, districts and ordnance types (see each seed).

    With `update_existing`, rows that differ from the shipped data are set back to it. Returns
    the rows created or changed per wire model.
    """
    change_set = changes if changes is not None else ChangeSet()
    results: SeedResults = {
        "province": provinces_seed(update_existing=update_existing, changes=change_set),
        "district": districts_seed(update_existing=update_existing, changes=change_set),
        "ordnance_type": ordnance_types_seed(update_existing=update_existing, changes=change_set),
    }
    if changes is None:
        change_set.flush()  # the last write: it holds the change log's lock until commit
    return results


def accident_status_set(*, accident_id: str, status: str, by: User, reason: str = "") -> Accident:
    """Verify or reject an accident report (or send it back to reported), recording who and when.

    A verified accident is locked against tablet edits; a rejected one never counts in figures.
    """
    if status not in AccidentStatus.values:
        raise ValueError(f"Unknown accident status {status!r}.")
    return record_staff_update(
        model="accident",
        record_id=accident_id,
        values={
            "status": status,
            "status_reason": reason,
            "status_changed_by": by,
            "status_changed_at": timezone.now(),
        },
        user=by,
    )


@transaction.atomic
def accidents_status_set(
    *, accident_ids: Sequence[str], status: str, by: User, reason: str = ""
) -> int:
    """Verify or reject several accident reports at once (admin bulk actions); returns how many
    changed. A rejection needs a reason; accidents already at `status` and deleted ones are left
    as they are."""
    if status == AccidentStatus.REJECTED and not reason.strip():
        raise ReviewError(_("Say why the accidents are rejected."))
    if not by.is_nra:
        raise ReviewError(_("Only NRA staff accounts can review records."))
    ids = (
        Accident.objects.filter(pk__in=accident_ids, is_deleted=False)
        .exclude(status=status)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    changed = 0
    for accident_id in ids:
        accident_status_set(accident_id=str(accident_id), status=status, by=by, reason=reason)
        changed += 1
    return changed


@transaction.atomic
def duplicate_group_mark_distinct(*, group_id: int, by: User) -> DuplicateGroup:
    """Record that a group's reports are different accidents; they are never grouped together
    again. (A merge is in `victims.services`: it pairs the reports' victims.)"""
    if not by.is_nra:
        raise ReviewError(_("Only NRA staff accounts can review records."))
    group = DuplicateGroup.objects.select_for_update().get(pk=group_id)
    if group.status != DuplicateStatus.OPEN:
        raise ReviewError(_("This group was already decided."))
    group.status = DuplicateStatus.DISTINCT
    group.decided_at = timezone.now()
    group.decided_by = by
    group.save(update_fields=["status", "decided_at", "decided_by"])
    group.members.update(is_open=False)
    return group


@transaction.atomic
def duplicate_group_report_remove(*, group_id: int, accident_id: str, by: User) -> DuplicateGroup:
    """Take one report out of an open group: it is a different accident from the others.

    Recorded as a decided distinct group of it and the others, so it never joins them again;
    a group left with one report is superseded. Returns the group it left.
    """
    if not by.is_nra:
        raise ReviewError(_("Only NRA staff accounts can review records."))
    group = DuplicateGroup.objects.select_for_update().get(pk=group_id)
    if group.status != DuplicateStatus.OPEN:
        raise ReviewError(_("This group was already decided."))
    members = {str(m.accident_id): m for m in group.members.filter(is_open=True)}
    if accident_id not in members:
        raise ReviewError(_("This report is not in the group."))
    now = timezone.now()
    distinct = DuplicateGroup.objects.create(
        district_id=group.district_id,
        first_occurred_on=group.first_occurred_on,
        last_occurred_on=group.last_occurred_on,
        score=group.score,
        reasons=group.reasons,
        status=DuplicateStatus.DISTINCT,
        decided_at=now,
        decided_by=by,
    )
    DuplicateMember.objects.bulk_create(
        DuplicateMember(group=distinct, accident_id=pk, is_open=False) for pk in members
    )
    members[accident_id].is_open = False
    members[accident_id].save(update_fields=["is_open"])
    if len(members) <= 2:
        group.status = DuplicateStatus.SUPERSEDED
        group.decided_at = now
        group.decided_by = by
        group.save(update_fields=["status", "decided_at", "decided_by"])
        group.members.update(is_open=False)
    return group
