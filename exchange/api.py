"""`GET /api/v1/exports/{accidents,victims,assistance}.{csv,xlsx}`: filtered records as a file.

The same filters, scope and privacy as the partner API's lists (docs/partners.md); a bad filter
is `400 invalid` with `errors` per parameter.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import HttpResponseBase
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

from exchange.exports import (
    CONTENT_TYPES,
    FILTERSETS,
    export_response,
    records_for_export,
)
from fieldsync.api.filters import InstantFilter
from fieldsync.api.records import TokenRateThrottle, viewer_of
from fieldsync.api.schema import error_responses


def filter_parameters(filterset_class: type[filters.FilterSet]) -> list[OpenApiParameter]:
    """The query parameters of a FilterSet, for the OpenAPI document."""
    parameters = []
    for name, declared in filterset_class.base_filters.items():
        description = str(declared.extra.get("help_text", ""))
        if isinstance(declared, filters.DateFromToRangeFilter):
            for suffix in ("after", "before"):
                parameters.append(
                    OpenApiParameter(f"{name}_{suffix}", OpenApiTypes.DATE, description=description)
                )
            continue
        schema: Any = OpenApiTypes.STR
        if isinstance(declared, InstantFilter):
            schema = OpenApiTypes.DATETIME
        elif isinstance(declared, filters.BooleanFilter):
            schema = OpenApiTypes.BOOL
        elif isinstance(declared, filters.UUIDFilter):
            schema = OpenApiTypes.UUID
        enum = [value for value, _label in declared.extra.get("choices", ())] or None
        parameters.append(OpenApiParameter(name, schema, enum=enum, description=description))
    return parameters


class RecordExportView(APIView):
    """Records this token may read, filtered, as a CSV or XLSX file."""

    model: ClassVar[str]
    throttle_classes = [TokenRateThrottle]

    def get(self, request: Request, fmt: str) -> HttpResponseBase:
        viewer = viewer_of(request)
        records = records_for_export(model=self.model, viewer=viewer)
        filterset = FILTERSETS[self.model](request.query_params, queryset=records)
        if not filterset.is_valid():
            raise ValidationError(
                {
                    "non_field_errors" if name == "__all__" else name: list(messages)
                    for name, messages in filterset.errors.items()
                }
            )
        return export_response(model=self.model, fmt=fmt, queryset=filterset.qs, viewer=viewer)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The body is a file whatever the client accepts; errors are still JSON.
        return super().perform_content_negotiation(request, force=True)


def _schema(model: str, name: str) -> Any:
    operation = extend_schema(
        operation_id=f"export_{model}",
        tags=["exports"],
        summary=f"Export {name} as CSV or XLSX",
        description=(
            f"The {name} this token may read (the same scope and filters as the list), one row "
            "per record with the list's fields. Personal fields only for readers who may see "
            "them; without that permission the columns are left out."
        ),
        parameters=[
            OpenApiParameter(
                "fmt", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(CONTENT_TYPES)
            ),
            *filter_parameters(FILTERSETS[model]),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
            **error_responses(400, 401, 404, 429),
        },
    )
    return extend_schema_view(get=operation)


@_schema("accident", "accidents")
class AccidentExportView(RecordExportView):
    model = "accident"


@_schema("victim", "victims")
class VictimExportView(RecordExportView):
    model = "victim"


@_schema("assistance", "assistance records")
class AssistanceExportView(RecordExportView):
    model = "assistance"
