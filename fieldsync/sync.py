"""The wire model of fieldsync's own reference data: organisations."""

from __future__ import annotations

from typing import Any

from fieldsync.models import Organisation
from fieldsync.registry import SyncAdapter, registry


@registry.register
class OrganisationAdapter(SyncAdapter):
    wire_name = "organisation"
    model = Organisation
    reference = True

    def to_wire(self, instance: Organisation) -> dict[str, Any]:
        return {
            "code": instance.code,
            "name": instance.name,
            "name_lo": instance.name_lo,
            "kind": instance.kind,
        }
