"""Partner API: the organisations of the sector (reference data, read-only)."""

from __future__ import annotations

from fieldsync.api import filters, serializers
from fieldsync.api.records import ReferenceViewSet, read_schema


@read_schema(serializers.OrganisationSerializer, tag="reference data", name="organisations")
class OrganisationViewSet(ReferenceViewSet):
    """Organisations of the sector, by code."""

    wire_name = "organisation"
    serializer_class = serializers.OrganisationSerializer
    filterset_class = filters.OrganisationFilter
