"""Who owns a victim: the organisation that reported their accident (or their casualty's)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q

from accidents.models import Accident
from fieldsync.registry import ParentOf
from victims.models import Victim


def victim_owners(victims: Iterable[Victim]) -> dict[str, str | None]:
    """The organisation owning each victim (by id): its accident's reporting organisation, or,
    for a family member recorded without an accident, their casualty's accident's.

    At most two queries, none when the accidents were loaded with the victims.
    """
    owners: dict[str, str | None] = {}
    by_accident: dict[str, list[str]] = {}
    by_related: dict[str, list[str]] = {}
    for victim in victims:
        key = str(victim.pk)
        if victim.accident_id is not None:
            if Victim.accident.is_cached(victim) and victim.accident is not None:
                owners[key] = victim.accident.reporting_organisation_id
            else:
                by_accident.setdefault(str(victim.accident_id), []).append(key)
        elif victim.related_victim_id is not None:
            related = victim.related_victim if Victim.related_victim.is_cached(victim) else None
            if related is not None and related.accident_id is None:
                owners[key] = None
            elif (
                related is not None
                and Victim.accident.is_cached(related)
                and related.accident is not None
            ):
                owners[key] = related.accident.reporting_organisation_id
            else:
                by_related.setdefault(str(victim.related_victim_id), []).append(key)
        else:
            owners[key] = None
    if by_accident:
        accidents = Accident.objects.filter(pk__any_of=by_accident)
        for accident_id, organisation in accidents.values_list("pk", "reporting_organisation_id"):
            for key in by_accident.pop(str(accident_id)):
                owners[key] = organisation
    if by_related:
        related_victims = Victim.objects.filter(pk__any_of=by_related)
        for related_id, organisation in related_victims.values_list(
            "pk", "accident__reporting_organisation_id"
        ):
            for key in by_related.pop(str(related_id)):
                owners[key] = organisation
    for keys in (*by_accident.values(), *by_related.values()):  # parents not found
        owners.update(dict.fromkeys(keys))
    return owners


def owner_of_record(record: Mapping[str, Any], parent: ParentOf) -> str | None:
    """The organisation owning a victim as wire data whose parents `parent` gives (in memory when
    they are): its accident's, or for a family member without one, their casualty's."""
    accident = parent("accident") if record.get("accident") else None
    if accident is not None:
        return accident.reporting_organisation_id
    related = parent("related_victim") if record.get("related_victim") else None
    if related is None:
        return None
    return victim_owners([related])[str(related.pk)]


def owned_by(organisation: str, prefix: str = "") -> Q:
    """Victims (through `prefix`) that `organisation` owns, as `victim_owners` decides, in SQL."""
    return Q(**{f"{prefix}accident__reporting_organisation_id": organisation}) | Q(
        **{
            f"{prefix}accident__isnull": True,
            f"{prefix}related_victim__accident__reporting_organisation_id": organisation,
        }
    )
