"""The assistance's wire model: its field specs, its scope and audience, and its validation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Q, QuerySet

from accidents.sync import organisation_codes
from fieldsync.fields import (
    AttachmentList,
    Choice,
    Code,
    Date,
    Decimal,
    Errors,
    Spec,
    Text,
    UUIDRef,
    assign_to_instance,
    clean_record,
    instance_to_wire,
)
from fieldsync.models import Role
from fieldsync.registry import ParentOf, ParentRef, SyncAdapter, Viewer, WriteContext, Writers
from victims.choices import AssistanceStatus, Pillar
from victims.models import Assistance, ServiceType, Victim
from victims.sync.owners import owned_by, victim_owners

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
    "documents": AttachmentList(),
}
ASSISTANCE_ATTNAMES = {name: name for name in ASSISTANCE_FIELDS} | {
    "victim": "victim_id",
    "service_type": "service_type_id",
    "provider_organisation": "provider_organisation_id",
}


class AssistanceAdapter(SyncAdapter):
    wire_name = "assistance"
    table = "assistance"
    model = Assistance
    specs = ASSISTANCE_FIELDS
    writable_fields = tuple(ASSISTANCE_FIELDS)
    attachment_fields = ("documents",)
    read_only_fields = ("version", "created_at", "updated_at")
    parents = (ParentRef("victim", "victim"),)
    summary_fields = ("pillar", "status")
    organisation_fields = ("provider_organisation",)

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
            | owned_by(viewer.organisation, prefix="victim__")
        )

    def audience(self, instances: Sequence[Assistance]) -> dict[str, frozenset[str]]:
        loaded = [i.victim for i in instances if Assistance.victim.is_cached(i)]
        owners = victim_owners(loaded)
        unloaded = {str(i.victim_id) for i in instances if str(i.victim_id) not in owners}
        if unloaded:
            rows = Victim.objects.filter(pk__any_of=unloaded).values_list(
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
    def writers(self, record: Mapping[str, Any], parent: ParentOf) -> Writers:
        """Surveyors of the organisation owning the victim, whatever the provider (they record
        referrals); partners for the assistance they provide, to victims they already see (the
        engine's scope check on the victim)."""
        victim = parent("victim") if record.get("victim") else None
        owner = victim_owners([victim])[str(victim.pk)] if victim is not None else None
        return {
            Role.SURVEYOR.value: (owner, "victim"),
            Role.PARTNER.value: (record.get("provider_organisation"), "provider_organisation"),
        }

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
            "documents": [],
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
