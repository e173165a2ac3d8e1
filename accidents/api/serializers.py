"""Response bodies of the accident and reference resources, for the OpenAPI document.

Bodies themselves come from the adapters (`present`); these serializers only describe them, and
are derived from the same field specs so the two cannot drift apart.
"""

from __future__ import annotations

from rest_framework import serializers

from accidents.choices import AccidentStatus, DeviceCategory
from accidents.sync import ACCIDENT_FIELDS
from fieldsync.api.schema import wire_serializer
from fieldsync.api.serializers import attachments_state, record_id, record_state

AccidentSerializer = wire_serializer(
    "Accident",
    ACCIDENT_FIELDS,
    before=record_id(),
    after={
        "reference": serializers.CharField(read_only=True, help_text="e.g. LA-XI-2026-0007"),
        "status": serializers.ChoiceField(choices=AccidentStatus.values, read_only=True),
        "killed": serializers.IntegerField(read_only=True),
        "injured": serializers.IntegerField(read_only=True),
        "merged_into": serializers.UUIDField(
            read_only=True, allow_null=True, help_text="Set on a duplicate: the accident kept."
        ),
        **record_state(),
        **attachments_state(),
    },
)


class ProvinceSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text="ISO 3166-2:LA")
    lsb_code = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)
    name_lo = serializers.CharField(read_only=True)


class DistrictSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text="LSB code")
    province = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)
    name_lo = serializers.CharField(read_only=True)


class OrdnanceTypeSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    device_category = serializers.ChoiceField(choices=DeviceCategory.values, read_only=True)
