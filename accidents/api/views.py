"""Partner API: accidents and the geography and ordnance reference tables (read-only)."""

from __future__ import annotations

from accidents.api import filters, serializers
from fieldsync.api.records import RecordViewSet, ReferenceViewSet, read_schema


@read_schema(serializers.AccidentSerializer, tag="accidents", name="accidents")
class AccidentViewSet(RecordViewSet):
    """Accidents your organisation reported (NRA staff: all), with their casualty counts."""

    wire_name = "accident"
    serializer_class = serializers.AccidentSerializer
    filterset_class = filters.AccidentFilter
    ordering_fields = ("updated_at", "created_at", "occurred_on", "reported_on", "reference")


@read_schema(serializers.ProvinceSerializer, tag="reference data", name="provinces")
class ProvinceViewSet(ReferenceViewSet):
    """Provinces of Lao PDR, by ISO 3166-2:LA code."""

    wire_name = "province"
    serializer_class = serializers.ProvinceSerializer


@read_schema(serializers.DistrictSerializer, tag="reference data", name="districts")
class DistrictViewSet(ReferenceViewSet):
    """Districts, by LSB code."""

    wire_name = "district"
    serializer_class = serializers.DistrictSerializer
    filterset_class = filters.DistrictFilter


@read_schema(serializers.OrdnanceTypeSerializer, tag="reference data", name="ordnance types")
class OrdnanceTypeViewSet(ReferenceViewSet):
    """Ordnance types and the device category each belongs to."""

    wire_name = "ordnance_type"
    serializer_class = serializers.OrdnanceTypeSerializer
    filterset_class = filters.OrdnanceTypeFilter
