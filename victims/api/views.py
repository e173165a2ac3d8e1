"""Partner API: victims (read-only), assistance (written by its provider), service types."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from fieldsync.api.records import (
    RecordViewSet,
    ReferenceViewSet,
    WritableRecordViewSet,
    read_schema,
)
from fieldsync.api.schema import error_responses
from victims.api import filters, serializers

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag of the version you edited, e.g. `"3"`. Missing: 428; stale: 412.',
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Makes the request safe to retry: a retry returns the first outcome and "
    "writes nothing (1 to 255 visible ASCII characters, unique per request).",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='The record\'s version, e.g. `"3"`: send it back as `If-Match`.',
)
WRITE_ERRORS = (400, 401, 403, 404, 409, 410, 412, 422, 428, 429)


@read_schema(serializers.VictimSerializer, tag="victims", name="victims")
class VictimViewSet(RecordViewSet):
    """Victims of your organisation's accidents and the victims it assists (NRA staff: all).

    Personal fields (`full_name`, `date_of_birth`, `phone`, `guardian_name`) are null except
    for surveyors of the reporting organisation and NRA staff with the personal-data permission.
    """

    wire_name = "victim"
    serializer_class = serializers.VictimSerializer
    filterset_class = filters.VictimFilter


@read_schema(serializers.AssistanceSerializer, tag="assistance", name="assistance records")
@extend_schema_view(
    retrieve=extend_schema(parameters=[ETAG]),
    create=extend_schema(
        tags=["assistance"],
        summary="Record assistance your organisation provides",
        request=serializers.AssistanceInputSerializer,
        parameters=[IDEMPOTENCY_KEY, ETAG],
        responses={
            201: serializers.AssistanceSerializer,
            200: serializers.AssistanceSerializer,
            **error_responses(400, 401, 403, 409, 413, 422, 429),
        },
    ),
    update=extend_schema(
        tags=["assistance"],
        summary="Replace assistance your organisation provides",
        request=serializers.AssistanceInputSerializer,
        parameters=[IF_MATCH, IDEMPOTENCY_KEY, ETAG],
        responses={200: serializers.AssistanceSerializer, **error_responses(*WRITE_ERRORS, 413)},
    ),
    partial_update=extend_schema(
        tags=["assistance"],
        summary="Change some fields of assistance your organisation provides",
        request=serializers.AssistanceInputSerializer,
        parameters=[IF_MATCH, IDEMPOTENCY_KEY, ETAG],
        responses={200: serializers.AssistanceSerializer, **error_responses(*WRITE_ERRORS, 413)},
    ),
    destroy=extend_schema(
        tags=["assistance"],
        summary="Delete assistance your organisation provides (it stays as a tombstone)",
        parameters=[IF_MATCH, IDEMPOTENCY_KEY, ETAG],
        responses={200: serializers.AssistanceSerializer, **error_responses(*WRITE_ERRORS)},
    ),
)
class AssistanceViewSet(WritableRecordViewSet):
    """Needs, referrals and services for victims: the assistance of your organisation's victims
    and the assistance it provides (NRA staff: all). An organisation writes the assistance it
    provides (`provider_organisation`); changes need `If-Match` (the `ETag` of the version
    edited), and `Idempotency-Key` makes any write safe to retry.
    """

    wire_name = "assistance"
    serializer_class = serializers.AssistanceSerializer
    filterset_class = filters.AssistanceFilter


@read_schema(serializers.ServiceTypeSerializer, tag="reference data", name="service types")
class ServiceTypeViewSet(ReferenceViewSet):
    """Service types and the victim-assistance pillar each belongs to."""

    wire_name = "service_type"
    serializer_class = serializers.ServiceTypeSerializer
    filterset_class = filters.ServiceTypeFilter
