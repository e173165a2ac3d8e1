"""Bodies of the victim, assistance and service type resources, for the OpenAPI document.

Derived from the adapters' field specs, like the accident ones (`accidents.api.serializers`).
"""

from __future__ import annotations

from rest_framework import serializers

from fieldsync.api.schema import wire_serializer
from fieldsync.api.serializers import attachments_state, record_id, record_state
from victims.choices import PERSONAL_FIELDS, AgeGroup, Pillar
from victims.sync import ASSISTANCE_FIELDS, VICTIM_FIELDS

VictimSerializer = wire_serializer(
    "Victim",
    VICTIM_FIELDS,
    nullable=PERSONAL_FIELDS,  # null for readers who may not see them (Privacy)
    before=record_id(),
    after={
        "age_group": serializers.ChoiceField(choices=AgeGroup.values, read_only=True),
        "merged_into": serializers.UUIDField(
            read_only=True, allow_null=True, help_text="Set on a duplicate: the victim kept."
        ),
        **record_state(),
        **attachments_state(),
    },
)

AssistanceSerializer = wire_serializer(
    "Assistance",
    ASSISTANCE_FIELDS,
    before=record_id(),
    after={**record_state(), **attachments_state()},
)

#: The body of POST and PUT (PATCH takes any of these fields).
AssistanceInputSerializer = wire_serializer("AssistanceInput", ASSISTANCE_FIELDS, read_only=False)


class ServiceTypeSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    pillar = serializers.ChoiceField(choices=Pillar.values, read_only=True)
    name = serializers.CharField(read_only=True)
    name_lo = serializers.CharField(read_only=True)
