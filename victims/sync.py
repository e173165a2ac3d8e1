"""The victims app's wire models: service types (reference data), victims and assistance."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Q, QuerySet

from accidents.choices import AccidentStatus
from accidents.models import Accident
from accidents.sync import organisation_codes
from fieldsync.fields import (
    Boolean,
    Choice,
    ChoiceList,
    Code,
    Date,
    Decimal,
    Errors,
    Integer,
    Spec,
    Text,
    UUIDRef,
    assign_to_instance,
    clean_record,
    instance_to_wire,
)
from fieldsync.models import Role
from fieldsync.registry import (
    ParentRef,
    ReferenceAdapter,
    SyncAdapter,
    Viewer,
    WriteContext,
)
from victims.choices import (
    CHILD_AGE_LIMIT,
    MAX_AGE,
    PERSONAL_FIELDS,
    AgeGroup,
    AssistanceStatus,
    CivilianStatus,
    Consent,
    Injury,
    Outcome,
    Pillar,
    Relationship,
    Sex,
    VictimRole,
    VictimType,
)
from victims.models import Assistance, ServiceType, Victim

WITHOUT_CONSENT = "Must be empty without consent."


class ServiceTypeAdapter(ReferenceAdapter):
    wire_name = "service_type"
    model = ServiceType
    wire_fields = ("code", "pillar", "name", "name_lo")


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
        accidents = Accident.objects.filter(pk__in=by_accident)
        for accident_id, organisation in accidents.values_list("pk", "reporting_organisation_id"):
            for key in by_accident.pop(str(accident_id)):
                owners[key] = organisation
    if by_related:
        related_victims = Victim.objects.filter(pk__in=by_related)
        for related_id, organisation in related_victims.values_list(
            "pk", "accident__reporting_organisation_id"
        ):
            for key in by_related.pop(str(related_id)):
                owners[key] = organisation
    for keys in (*by_accident.values(), *by_related.values()):  # parents not found
        owners.update(dict.fromkeys(keys))
    return owners


def _owned_by(organisation: str, prefix: str = "") -> Q:
    """Victims (through `prefix`) that `organisation` owns, as `victim_owners` decides, in SQL."""
    return Q(**{f"{prefix}accident__reporting_organisation_id": organisation}) | Q(
        **{
            f"{prefix}accident__isnull": True,
            f"{prefix}related_victim__accident__reporting_organisation_id": organisation,
        }
    )


def _personal_hidden_from(instances: Sequence[Victim], viewer: Viewer) -> set[str]:
    """Ids of the victims whose personal fields this viewer may not see (data dictionary)."""
    if viewer.is_nra and viewer.sees_personal_data:
        return set()
    organisation = viewer.organisation if viewer.role == Role.SURVEYOR else None
    owners = victim_owners(instances) if organisation else {}
    return {
        str(i.pk) for i in instances if organisation is None or owners[str(i.pk)] != organisation
    }


def _age_group(age_years: int | None) -> str:
    if age_years is None:
        return AgeGroup.UNKNOWN.value
    return AgeGroup.CHILD.value if age_years < CHILD_AGE_LIMIT else AgeGroup.ADULT.value


# -- victims -----------------------------------------------------------------------------------
VICTIM_FIELDS: dict[str, Spec] = {
    "victim_type": Choice(VictimType.values, required=True),
    "accident": UUIDRef(null=True),
    "related_victim": UUIDRef(null=True),
    "relationship": Choice(Relationship.values, blank=True),
    "outcome": Choice(Outcome.values, blank=True),
    "sex": Choice(Sex.values, required=True),
    "age_years": Integer(min_value=0, max_value=MAX_AGE, null=True),
    "age_estimated": Boolean(default=False),
    "civilian_status": Choice(CivilianStatus.values, default=CivilianStatus.CIVILIAN.value),
    "role": Choice(VictimRole.values, default=VictimRole.UNKNOWN.value),
    "injuries": ChoiceList(Injury.values, unique=True),
    "full_name": Text(200),
    "date_of_birth": Date(null=True),
    "phone": Text(32),
    "guardian_name": Text(200),
    "consent": Choice(Consent.values, required=True),
}
VICTIM_ATTNAMES = {name: name for name in VICTIM_FIELDS} | {
    "accident": "accident_id",
    "related_victim": "related_victim_id",
}


class VictimAdapter(SyncAdapter):
    wire_name = "victim"
    model = Victim
    writable_fields = tuple(VICTIM_FIELDS)
    read_only_fields = ("age_group", "version", "created_at", "updated_at")
    parents = (ParentRef("accident", "accident"), ParentRef("related_victim", "victim"))

    # -- reading -------------------------------------------------------------------------------
    def queryset(self) -> QuerySet[Victim]:
        return Victim.objects.select_related("accident", "related_victim__accident")

    def presentation_queryset(self) -> QuerySet[Victim]:
        return Victim.objects.all()  # owners, when a viewer needs them, in two queries

    def to_wire(self, instance: Victim) -> dict[str, Any]:
        wire = instance_to_wire(VICTIM_FIELDS, VICTIM_ATTNAMES, instance)
        # age_group is generated by the database: unsaved victims do not have it yet.
        wire["age_group"] = _age_group(instance.age_years)
        return wire

    def present(self, instances: Sequence[Victim], viewer: Viewer) -> list[dict[str, Any]]:
        hidden = _personal_hidden_from(instances, viewer)
        presented = []
        for instance in instances:
            wire = self.to_wire(instance)
            if str(instance.pk) in hidden:
                wire.update(dict.fromkeys(PERSONAL_FIELDS))
            presented.append(wire)
        return presented

    def hidden_fields(self, instance: Victim, viewer: Viewer) -> frozenset[str]:
        if _personal_hidden_from([instance], viewer):
            return frozenset(PERSONAL_FIELDS)
        return frozenset()

    def is_locked(self, instance: Victim) -> bool:
        accident = _owning_accident(instance)
        return accident is not None and accident.status == AccidentStatus.VERIFIED

    # -- scope ---------------------------------------------------------------------------------
    def scope(self, queryset: QuerySet[Victim], viewer: Viewer) -> QuerySet[Victim]:
        if viewer.is_nra:
            return queryset
        if not viewer.organisation:
            return queryset.none()
        assisted = Assistance.objects.filter(
            is_deleted=False, provider_organisation_id=viewer.organisation
        ).values("victim_id")
        return queryset.filter(_owned_by(viewer.organisation) | Q(pk__in=assisted))

    def audience(self, instances: Sequence[Victim]) -> dict[str, frozenset[str]]:
        owners = victim_owners(instances)
        providers: dict[str, set[str]] = {}
        rows = (
            Assistance.objects.filter(victim_id__in=[v.pk for v in instances], is_deleted=False)
            .order_by()
            .values_list("victim_id", "provider_organisation_id")
            .distinct()
        )
        for victim_id, provider in rows:
            providers.setdefault(str(victim_id), set()).add(provider)
        audiences = {}
        for instance in instances:
            key = str(instance.pk)
            organisations = providers.get(key, set())
            owner = owners[key]
            if owner is not None:
                organisations.add(owner)
            audiences[key] = frozenset(organisations)
        return audiences

    def dependents(self, instances: Sequence[Victim]) -> Mapping[str, tuple[set[str], bool]]:
        ids = [instance.pk for instance in instances]
        if not ids:
            return {}
        family = Victim.objects.filter(related_victim_id__in=ids).values_list("pk", flat=True)
        assistance = Assistance.objects.filter(
            Q(victim_id__in=ids) | Q(victim__related_victim_id__in=ids)
        ).values_list("pk", flat=True)
        return {
            # Its casualty counts (killed, injured) changed.
            "accident": ({str(i.accident_id) for i in instances if i.accident_id}, True),
            "victim": ({str(pk) for pk in family}, False),
            "assistance": ({str(pk) for pk in assistance}, False),
        }

    def dependents_of_created(
        self, instances: Sequence[Victim]
    ) -> Mapping[str, tuple[set[str], bool]]:
        # Its family and assistance, if any, are new too (logged already); its accident's
        # casualty counts changed.
        return {"accident": ({str(i.accident_id) for i in instances if i.accident_id}, True)}

    # -- writing -------------------------------------------------------------------------------
    def defaults(self, context: WriteContext) -> dict[str, Any]:
        return {
            "accident": None,
            "related_victim": None,
            "relationship": "",
            "outcome": "",
            "age_years": None,
            "age_estimated": False,
            "civilian_status": CivilianStatus.CIVILIAN.value,
            "role": VictimRole.UNKNOWN.value,
            "injuries": [],
            "full_name": "",
            "date_of_birth": None,
            "phone": "",
            "guardian_name": "",
        }

    def validate(self, data: Mapping[str, Any], context: WriteContext) -> tuple[dict, Errors]:
        record, errors = clean_record(VICTIM_FIELDS, data)

        def refuse(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        victim_type = record.get("victim_type")
        if victim_type == VictimType.DIRECT:
            if "accident" in record and record["accident"] is None:
                refuse("accident", "This field is required for a direct victim.")
            if record.get("outcome") == "":
                refuse("outcome", "This field is required for a direct victim.")
            if record.get("related_victim") is not None:
                refuse("related_victim", "Must be empty for a direct victim.")
            if record.get("relationship"):
                refuse("relationship", "Must be empty for a direct victim.")
        elif victim_type == VictimType.INDIRECT:
            related_id = record.get("related_victim")
            if "related_victim" in record and related_id is None:
                refuse("related_victim", "This field is required for an indirect victim.")
            if record.get("relationship") == "":
                refuse("relationship", "This field is required for an indirect victim.")
            if record.get("outcome"):
                refuse("outcome", "Must be empty for an indirect victim.")
            # Only when the engine found the related victim; otherwise it holds the record.
            related: Any = context.parents.get("victim", {}).get(related_id or "")
            if related is not None and related.victim_type != VictimType.DIRECT:
                refuse("related_victim", "The related victim must be a direct victim.")

        if record.get("consent") == Consent.NONE:
            for field in PERSONAL_FIELDS:
                if record.get(field):
                    refuse(field, WITHOUT_CONSENT)
        date_of_birth = record.get("date_of_birth")
        if date_of_birth is not None and date_of_birth > context.today.isoformat():
            refuse("date_of_birth", "The date of birth cannot be in the future.")
        return record, errors

    def build(self, record_id: str, data: Mapping[str, Any], context: WriteContext) -> Victim:
        victim = Victim(pk=record_id)
        victim.created_by_device = context.device
        self.assign(victim, data)
        return victim

    def assign(self, instance: Victim, data: Mapping[str, Any]) -> list[str]:
        return assign_to_instance(VICTIM_FIELDS, VICTIM_ATTNAMES, instance, data)


def _owning_accident(victim: Victim) -> Accident | None:
    if victim.accident_id is not None:
        return victim.accident
    related = victim.related_victim if victim.related_victim_id is not None else None
    return related.accident if related is not None and related.accident_id else None


# -- assistance --------------------------------------------------------------------------------
ASSISTANCE_FIELDS: dict[str, Spec] = {
    "victim": UUIDRef(required=True),
    "pillar": Choice(Pillar.values, required=True),
    "service_type": Code(null=True),
    "provider_organisation": Code(required=True),
    "status": Choice(AssistanceStatus.values, required=True),
    "started_on": Date(null=True),
    "completed_on": Date(null=True),
    "quantity": Decimal(12, 2, min_value=0, null=True),
    "unit": Text(32),
    "cost_lak": Decimal(15, 2, min_value=0, null=True),
    "notes": Text(2000),
}
ASSISTANCE_ATTNAMES = {name: name for name in ASSISTANCE_FIELDS} | {
    "victim": "victim_id",
    "service_type": "service_type_id",
    "provider_organisation": "provider_organisation_id",
}


class AssistanceAdapter(SyncAdapter):
    wire_name = "assistance"
    model = Assistance
    writable_fields = tuple(ASSISTANCE_FIELDS)
    read_only_fields = ("version", "created_at", "updated_at")
    parents = (ParentRef("victim", "victim"),)

    # -- reading -------------------------------------------------------------------------------
    def queryset(self) -> QuerySet[Assistance]:
        return Assistance.objects.select_related(
            "victim__accident", "victim__related_victim__accident"
        )

    def presentation_queryset(self) -> QuerySet[Assistance]:
        return Assistance.objects.all()  # presented as stored: nothing joined is read

    def to_wire(self, instance: Assistance) -> dict[str, Any]:
        return instance_to_wire(ASSISTANCE_FIELDS, ASSISTANCE_ATTNAMES, instance)

    # -- scope ---------------------------------------------------------------------------------
    def scope(self, queryset: QuerySet[Assistance], viewer: Viewer) -> QuerySet[Assistance]:
        if viewer.is_nra:
            return queryset
        if not viewer.organisation:
            return queryset.none()
        return queryset.filter(
            Q(provider_organisation_id=viewer.organisation)
            | _owned_by(viewer.organisation, prefix="victim__")
        )

    def audience(self, instances: Sequence[Assistance]) -> dict[str, frozenset[str]]:
        loaded = [i.victim for i in instances if Assistance.victim.is_cached(i)]
        owners = victim_owners(loaded)
        unloaded = {str(i.victim_id) for i in instances if str(i.victim_id) not in owners}
        if unloaded:
            rows = Victim.objects.filter(pk__in=unloaded).values_list(
                "pk",
                "accident__reporting_organisation_id",
                "related_victim__accident__reporting_organisation_id",
            )
            for victim_id, own, via_related in rows:
                owners[str(victim_id)] = own or via_related
        audiences = {}
        for instance in instances:
            owner = owners.get(str(instance.victim_id))
            organisations = {instance.provider_organisation_id}
            if owner is not None:
                organisations.add(owner)
            audiences[str(instance.pk)] = frozenset(organisations)
        return audiences

    def dependents(self, instances: Sequence[Assistance]) -> Mapping[str, tuple[set[str], bool]]:
        # The provider's organisation sees the victim as long as it assists them.
        return {"victim": ({str(instance.victim_id) for instance in instances}, False)}

    # -- writing -------------------------------------------------------------------------------
    def load_lookups(self, records: Sequence[Mapping[str, Any]], context: WriteContext) -> None:
        if "service_pillar" not in context.lookups:
            context.lookups["service_pillar"] = dict(
                ServiceType.objects.values_list("code", "pillar")
            )
        organisation_codes(context)

    def defaults(self, context: WriteContext) -> dict[str, Any]:
        return {
            "service_type": None,
            "started_on": None,
            "completed_on": None,
            "quantity": None,
            "unit": "",
            "cost_lak": None,
            "notes": "",
        }

    def validate(self, data: Mapping[str, Any], context: WriteContext) -> tuple[dict, Errors]:
        self.load_lookups((), context)
        record, errors = clean_record(ASSISTANCE_FIELDS, data)

        def refuse(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        service_type = record.get("service_type")
        if service_type is not None:
            pillar = context.lookups["service_pillar"].get(service_type)
            if pillar is None:
                refuse("service_type", f"Unknown service type code '{service_type}'.")
            elif record.get("pillar") is not None and pillar != record["pillar"]:
                refuse(
                    "service_type",
                    f"Service type {service_type} belongs to pillar {pillar}, "
                    f"not {record['pillar']}.",
                )
        provider = record.get("provider_organisation")
        if provider is not None and provider not in context.lookups["organisation_codes"]:
            refuse("provider_organisation", f"Unknown organisation code '{provider}'.")

        if "completed_on" in record:
            started_on, completed_on = record.get("started_on"), record["completed_on"]
            if completed_on is None and record.get("status") == AssistanceStatus.COMPLETED:
                refuse("completed_on", "This field is required when the status is completed.")
            if completed_on is not None and started_on is not None and completed_on < started_on:
                refuse("completed_on", "The completion date cannot be before the start date.")
        return record, errors

    def build(self, record_id: str, data: Mapping[str, Any], context: WriteContext) -> Assistance:
        assistance = Assistance(pk=record_id)
        assistance.created_by_device = context.device
        self.assign(assistance, data)
        return assistance

    def assign(self, instance: Assistance, data: Mapping[str, Any]) -> list[str]:
        return assign_to_instance(ASSISTANCE_FIELDS, ASSISTANCE_ATTNAMES, instance, data)
