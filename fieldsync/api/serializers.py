"""Response bodies every record resource shares, and the organisations', for the OpenAPI document.

Bodies themselves come from the adapters (`present`); these serializers only describe them.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from fieldsync.models import OrganisationKind


def record_state() -> dict[str, Any]:
    """Fields every record resource adds to the wire data."""
    return {
        "version": serializers.IntegerField(read_only=True, help_text="Also the `ETag`."),
        "deleted": serializers.BooleanField(read_only=True, help_text="A tombstone."),
        "updated_at": serializers.DateTimeField(read_only=True),
    }


def attachments_state() -> dict[str, Any]:
    """What a record resource with attachment fields adds: the files not received yet."""
    return {
        "attachments_missing": serializers.ListField(
            child=serializers.RegexField(r"^[0-9a-f]{64}$"),
            read_only=True,
            help_text=(
                "SHA-256 of each file the record names (in the fields you see) that the "
                "server has not received yet; it downloads once uploaded."
            ),
        )
    }


def record_id() -> dict[str, Any]:
    return {"id": serializers.UUIDField(read_only=True)}


class OrganisationSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    name_lo = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=OrganisationKind.values, read_only=True)
