"""The service types' wire model: reference data, read by tablets, written by the NRA."""

from __future__ import annotations

from fieldsync.registry import ReferenceAdapter
from victims.models import ServiceType


class ServiceTypeAdapter(ReferenceAdapter):
    wire_name = "service_type"
    table = "service_types"
    model = ServiceType
    wire_fields = ("code", "pillar", "name", "name_lo")
