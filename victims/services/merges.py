"""NRA staff merging duplicates: a group of reports of one accident, or two records of one person.

A merge is one batch through the engine's write path (`staff_push`), so versions, history, the
change log, the figures and the audit follow as for any sync, and it is refused as a whole if the
engine refuses any record. What is merged becomes a tombstone whose `merged_into` points to what
was kept, so tablets learn where it went: the other accidents of a group, and each victim staff
paired with a victim of the kept accident (its assistance and family move to the kept victim).
Victims nobody paired move to the kept accident, so no casualty is counted twice or lost.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accidents.models import Accident, DuplicateGroup, DuplicateMember, DuplicateStatus
from fieldsync.models import User
from fieldsync.services.records import record_staff_update
from fieldsync.services.review import STORED, ReviewError, staff_push
from victims.choices import Outcome, VictimType
from victims.models import Assistance, Victim


@dataclass
class MergePlan:
    """What a merge will do, for the confirmation page and for the merge itself."""

    kept_accident: Accident | None = None
    gone_accidents: list[Accident] = field(default_factory=list)
    pairs: list[tuple[Victim, Victim]] = field(default_factory=list)  # (duplicate, kept)
    moved: list[Victim] = field(default_factory=list)  # unpaired: to the kept accident
    casualties_before: tuple[int, int] = (0, 0)  # (killed, injured) of the accidents merged

    @property
    def casualties_after(self) -> tuple[int, int]:
        killed, injured = self.casualties_before
        for duplicate, _kept in self.pairs:
            if duplicate.victim_type == VictimType.DIRECT:
                killed -= duplicate.outcome == Outcome.KILLED
                injured -= duplicate.outcome == Outcome.INJURED
        return killed, injured


def duplicate_group_merge_plan(
    *, group_id: int, keep_id: str, pairs: Mapping[str, str]
) -> MergePlan:
    """Check a merge of a group of reports into `keep_id`, pairing the victims in `pairs`
    ({victim of another report: the same person on the kept report}); raises ReviewError."""
    group = DuplicateGroup.objects.filter(pk=group_id).first()
    if group is None or group.status != DuplicateStatus.OPEN:
        raise ReviewError(_("This group was already decided."))
    ids = {
        str(pk)
        for pk in DuplicateMember.objects.filter(group=group, is_open=True).values_list(
            "accident_id", flat=True
        )
    }
    if keep_id not in ids:
        raise ReviewError(_("The accident kept must be one of the group."))
    accidents = {str(a.pk): a for a in Accident.objects.filter(pk__in=ids).order_by("reference")}
    if any(accident.is_deleted for accident in accidents.values()):
        raise ReviewError(_("One of these accidents was deleted meanwhile; scan again."))
    victims = list(
        Victim.objects.filter(
            accident_id__in=ids, is_deleted=False, victim_type=VictimType.DIRECT
        ).order_by("accident_id", "sex", "age_years", "pk")
    )
    by_id = {str(v.pk): v for v in victims}
    plan = MergePlan(
        kept_accident=accidents[keep_id],
        gone_accidents=[a for pk, a in accidents.items() if pk != keep_id],
        casualties_before=_casualties(victims),
    )
    kept_per_report: dict[str, set[str]] = defaultdict(set)
    for duplicate_id, kept_id in sorted(pairs.items()):
        duplicate, kept = by_id.get(duplicate_id), by_id.get(kept_id)
        if duplicate is None or str(duplicate.accident_id) == keep_id:
            raise ReviewError(_("Only a casualty of another report can be paired."))
        if kept is None or str(kept.accident_id) != keep_id:
            raise ReviewError(_("A casualty can only be paired with one of the kept report."))
        if kept_id in kept_per_report[str(duplicate.accident_id)]:
            raise ReviewError(
                _("Two casualties of one report cannot be the same person of the kept report.")
            )
        kept_per_report[str(duplicate.accident_id)].add(kept_id)
        plan.pairs.append((duplicate, kept))
    plan.moved = [v for v in victims if str(v.accident_id) != keep_id and str(v.pk) not in pairs]
    return plan


@transaction.atomic
def duplicate_group_merge(
    *, group_id: int, keep_id: str, pairs: Mapping[str, str], by: User
) -> DuplicateGroup:
    """Merge a group of duplicate reports into the one staff keep (see the module docstring).

    Refused (nothing stored) if the group was decided meanwhile, a pairing is not valid, or the
    engine does not apply every record.
    """
    if not by.is_nra:
        raise ReviewError(_("Only NRA staff accounts can review records."))
    group = DuplicateGroup.objects.select_for_update().filter(pk=group_id).first()
    if group is None:
        raise ReviewError(_("This group was already decided."))
    plan = duplicate_group_merge_plan(group_id=group_id, keep_id=keep_id, pairs=pairs)
    kept = plan.kept_accident
    gone = [
        record_staff_update(
            model="accident", record_id=str(a.pk), values={"merged_into": kept}, user=by
        )
        for a in plan.gone_accidents
    ]
    moves, deletes = _victims_merge_records(plan.pairs, by=by)
    moves += [_move("victim", v.pk, v.version, accident=keep_id) for v in plan.moved]
    deletes += [
        {"model": "accident", "id": str(a.pk), "op": "delete", "base_version": a.version}
        for a in gone
    ]
    _push(moves + deletes, by=by)
    group.status = DuplicateStatus.MERGED
    group.kept = kept
    group.decided_at = timezone.now()
    group.decided_by = by
    group.save(update_fields=["status", "kept", "decided_at", "decided_by"])
    group.members.update(is_open=False)
    return group


def victim_merge_plan(*, duplicate_id: str, keep_id: str) -> MergePlan:
    """Check a merge of one victim into another (the same person); raises ReviewError."""
    try:
        duplicate_id, keep_id = str(uuid.UUID(duplicate_id)), str(uuid.UUID(keep_id))
    except ValueError:
        raise ReviewError(_("Choose the victim to keep (a victim id).")) from None
    if duplicate_id == keep_id:
        raise ReviewError(_("Choose another victim to keep."))
    victims = {
        str(v.pk): v
        for v in Victim.objects.select_related("accident").filter(pk__in=[duplicate_id, keep_id])
    }
    duplicate, kept = victims.get(duplicate_id), victims.get(keep_id)
    if duplicate is None or kept is None:
        raise ReviewError(_("No such victim."))
    if duplicate.is_deleted or kept.is_deleted:
        raise ReviewError(_("A deleted victim cannot be merged."))
    if duplicate.victim_type != kept.victim_type:
        raise ReviewError(_("A casualty and a family member cannot be the same record."))
    return MergePlan(pairs=[(duplicate, kept)], casualties_before=_casualties([duplicate, kept]))


@transaction.atomic
def victim_merge(*, duplicate_id: str, keep_id: str, by: User) -> Victim:
    """Merge a victim into another record of the same person: its assistance and family move to
    the kept victim and it becomes a tombstone pointing there. Returns the kept victim."""
    if not by.is_nra:
        raise ReviewError(_("Only NRA staff accounts can review records."))
    plan = victim_merge_plan(duplicate_id=duplicate_id, keep_id=keep_id)
    moves, deletes = _victims_merge_records(plan.pairs, by=by)
    _push(moves + deletes, by=by)
    return Victim.objects.get(pk=keep_id)


Records = list[dict[str, Any]]


def _victims_merge_records(
    pairs: list[tuple[Victim, Victim]], *, by: User
) -> tuple[Records, Records]:
    """The records merging each duplicate into its kept victim: (moves of its assistance and
    family, deletes of the duplicates), the duplicates marked `merged_into` already."""
    kept_of = {str(duplicate.pk): str(kept.pk) for duplicate, kept in pairs}
    duplicates = [duplicate.pk for duplicate, _kept in pairs]
    records: Records = []
    deletes: Records = []
    for assistance_id, victim_id, version in (
        Assistance.objects.filter(victim_id__in=duplicates, is_deleted=False)
        .order_by("pk")
        .values_list("pk", "victim_id", "version")
    ):
        records.append(_move("assistance", assistance_id, version, victim=kept_of[str(victim_id)]))
    for family_id, victim_id, version in (
        Victim.objects.filter(related_victim_id__in=duplicates, is_deleted=False)
        .order_by("pk")
        .values_list("pk", "related_victim_id", "version")
    ):
        records.append(_move("victim", family_id, version, related_victim=kept_of[str(victim_id)]))
    for duplicate, kept in pairs:
        tombstone = record_staff_update(
            model="victim", record_id=str(duplicate.pk), values={"merged_into": kept}, user=by
        )
        deletes.append(
            {
                "model": "victim",
                "id": str(duplicate.pk),
                "op": "delete",
                "base_version": tombstone.version,
            }
        )
    return records, deletes


def _move(model: str, record_id: Any, version: int, **data: str) -> dict[str, Any]:
    return {
        "model": model,
        "id": str(record_id),
        "op": "upsert",
        "base_version": version,
        "data": data,
    }


def _push(records: list[dict[str, Any]], *, by: User) -> None:
    results = staff_push(user=by, records=records).results
    refused = [r for r in results if r["status"] not in STORED]
    if refused:
        raise ReviewError(
            _("The merge was refused for %(count)d record(s); nothing was changed.")
            % {"count": len(refused)}
        )


def _casualties(victims: list[Victim]) -> tuple[int, int]:
    direct = [v for v in victims if v.victim_type == VictimType.DIRECT]
    return (
        sum(v.outcome == Outcome.KILLED for v in direct),
        sum(v.outcome == Outcome.INJURED for v in direct),
    )
