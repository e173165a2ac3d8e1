"""The wire model of fieldsync's own reference data: organisations."""

from __future__ import annotations

from fieldsync.models import Organisation
from fieldsync.registry import ReferenceAdapter


class OrganisationAdapter(ReferenceAdapter):
    wire_name = "organisation"
    table = "organisations"
    model = Organisation
    wire_fields = ("code", "name", "name_lo", "kind")
