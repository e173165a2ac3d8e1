"""The OpenAPI 3 document of the API and its two viewers, served from the project (no CDN).

Also the building blocks the views' `extend_schema` decorators use: the error body, the token
scheme, the sync contract's bodies, and serializers derived from a wire model's field specs (so
the document cannot drift from what the adapters validate and present).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template import Context, Template
from django.urls import path
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import serializers

from fieldsync import fields

ERROR_DESCRIPTIONS = {
    400: "Invalid request: `invalid` (with `errors` per field) or another `code`.",
    401: "`not_authenticated`, `invalid_token`, `device_revoked`, `account_disabled` (or "
    "`invalid_credentials`).",
    403: "`forbidden` (with `errors`): the record or value belongs to another organisation.",
    404: "`not_found`: no such record, or not one you can see.",
    409: "A conflict with the server's state; `code` says which.",
    410: "`deleted`: the record is a tombstone.",
    412: "`precondition_failed`: `If-Match` is not the current version (nothing was written).",
    413: "`payload_too_large` (with `max_bytes`): the body is larger than the server takes.",
    422: "`unknown_victim` or `idempotency_key_reused` (nothing was written).",
    428: "`precondition_required`: send `If-Match` with the ETag you edited.",
    429: "`throttled`; retry after `Retry-After` seconds.",
    503: "`maintenance`, `service_unavailable` or `unhealthy`; retry after `Retry-After` seconds.",
}


class ErrorSerializer(serializers.Serializer):
    """Every error body: a stable `code`, a human `detail`, and field errors where there are.

    Response serializers mark the keys always present `read_only` (the document lists them as
    required) and the optional ones `required=False`.
    """

    code = serializers.CharField(read_only=True)
    detail = serializers.CharField(read_only=True)
    # The body's key; it shadows Serializer.errors, which these never use (they only document).
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per field (`non_field_errors` for the rest).",
    )


def error_responses(*statuses: int, **descriptions: str) -> dict[int, OpenApiResponse]:
    """Documented error responses (all with the error body), by status."""
    return {
        status: OpenApiResponse(
            ErrorSerializer, description=descriptions.get(f"e{status}", ERROR_DESCRIPTIONS[status])
        )
        for status in statuses
    }


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "fieldsync.authentication.DeviceTokenAuthentication"
    name = "deviceToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>`, the token `POST /api/v1/auth/device/` returned.",
        }


# -- serializers from wire field specs ---------------------------------------------------------
class AttachmentReferenceSerializer(serializers.Serializer):
    """A file a record names (attachments.md); the file itself travels over tus."""

    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", help_text="SHA-256 of the file, hex.")
    name = serializers.CharField(max_length=fields.MAX_NAME_LENGTH, trim_whitespace=False)
    content_type = serializers.ChoiceField(choices=list(fields.ATTACHMENT_TYPES))


def _field_for(spec: fields.Spec, *, read_only: bool, nullable: bool) -> serializers.Field:
    null = spec.null or nullable
    options: dict[str, Any] = (
        {"read_only": True} if read_only else {"required": spec.required, "allow_null": spec.null}
    )
    if read_only:
        options["allow_null"] = null
    if isinstance(spec, fields.Choice):
        choices = sorted(spec.choices)
        return serializers.ChoiceField(choices=choices, allow_blank=spec.blank, **options)
    if isinstance(spec, fields.ChoiceList):
        child = serializers.ChoiceField(choices=list(spec.order))
        return serializers.ListField(child=child, **options)
    if isinstance(spec, fields.Text):
        return serializers.CharField(
            max_length=spec.max_length, allow_blank=spec.blank, trim_whitespace=False, **options
        )
    if isinstance(spec, fields.Date):
        return serializers.DateField(**options)
    if isinstance(spec, fields.Integer):
        return serializers.IntegerField(
            min_value=spec.min_value, max_value=spec.max_value, **options
        )
    if isinstance(spec, fields.Boolean):
        return serializers.BooleanField(**options)
    if isinstance(spec, fields.Decimal):
        if spec.as_float:
            return serializers.FloatField(**options)
        return serializers.DecimalField(
            max_digits=spec.whole_digits + spec.decimal_places,
            decimal_places=spec.decimal_places,
            min_value=spec.min_value,
            coerce_to_string=True,
            **options,
        )
    if isinstance(spec, fields.UUIDRef):
        return serializers.UUIDField(**options)
    if isinstance(spec, fields.AttachmentList):
        return serializers.ListField(
            child=AttachmentReferenceSerializer(), max_length=fields.MAX_ATTACHMENTS, **options
        )
    raise TypeError(f"no schema for {type(spec).__name__}")


def wire_serializer(
    name: str,
    specs: Mapping[str, fields.Spec],
    *,
    read_only: bool = True,
    nullable: Iterable[str] = (),
    before: Mapping[str, serializers.Field] | None = None,
    after: Mapping[str, serializers.Field] | None = None,
) -> type[serializers.Serializer]:
    """A serializer class that documents a wire model's fields (it validates nothing itself).

    `read_only`: a response body (every field present); otherwise a request body (fields
    required as on create). `nullable`: fields a viewer may receive as null (privacy).
    """
    hidden = set(nullable)
    declared: dict[str, Any] = dict(before or {})
    for field_name, spec in specs.items():
        declared[field_name] = _field_for(spec, read_only=read_only, nullable=field_name in hidden)
    declared.update(after or {})
    return type(name, (serializers.Serializer,), {**declared, "__module__": __name__})


# -- the sync contract's bodies ----------------------------------------------------------------
class EnrolmentSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    device_id = serializers.UUIDField(read_only=True)
    user = inline_serializer(
        "EnrolledUser",
        {
            "username": serializers.CharField(),
            "role": serializers.ChoiceField(choices=["surveyor", "nra_staff", "partner"]),
            "organisation": serializers.CharField(allow_null=True),
        },
        read_only=True,
    )


class SyncInfoSerializer(serializers.Serializer):
    schema_version = serializers.IntegerField(read_only=True)
    min_schema_version = serializers.IntegerField(read_only=True)
    max_batch_records = serializers.IntegerField(read_only=True)
    max_batch_bytes = serializers.IntegerField(read_only=True)
    max_pull_limit = serializers.IntegerField(read_only=True)
    compression = inline_serializer(
        "Compression",
        {
            "request": serializers.ListField(
                child=serializers.CharField(),
                help_text="`Content-Encoding` values a push body may use.",
            ),
            "response": serializers.ListField(
                child=serializers.CharField(),
                help_text="Encodings answers use when `Accept-Encoding` allows them.",
            ),
        },
        read_only=True,
    )
    server_time = serializers.DateTimeField(read_only=True)
    models = inline_serializer(
        "WireModel",
        {
            "name": serializers.CharField(),
            "reference": serializers.BooleanField(),
            "pushable": serializers.BooleanField(),
        },
        many=True,
        read_only=True,
    )


class PushRecordSerializer(serializers.Serializer):
    model = serializers.CharField(help_text="`accident`, `victim` or `assistance`.")
    id = serializers.UUIDField(help_text="Generated by the tablet when the record is created.")
    op = serializers.ChoiceField(choices=["upsert", "delete"])
    base_version = serializers.IntegerField(
        min_value=1, allow_null=True, help_text="The version the change was made on; null: new."
    )
    recorded_at = serializers.DateTimeField(required=False, help_text="The tablet's clock.")
    data = serializers.DictField(  # type: ignore[assignment]
        required=False, help_text="The record's fields (data dictionary); some or all."
    )


class PushEnvelopeSerializer(serializers.Serializer):
    batch_id = serializers.UUIDField(help_text="Chosen by the tablet: the batch's idempotency key.")
    device_id = serializers.UUIDField(help_text="The device of the token.")
    schema_version = serializers.IntegerField(min_value=1)
    records = PushRecordSerializer(many=True)


class PushResultSerializer(serializers.Serializer):
    model = serializers.CharField(read_only=True)
    id = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(
        choices=["applied", "unchanged", "merged", "conflict", "held", "rejected"],
        read_only=True,
    )
    version = serializers.IntegerField(allow_null=True, required=False)
    conflict_fields = serializers.ListField(child=serializers.CharField(), required=False)
    data = serializers.DictField(  # type: ignore[assignment]
        allow_null=True, required=False, help_text="The server copy."
    )
    deleted = serializers.BooleanField(required=False)
    waiting_for = inline_serializer(
        "WaitingFor",
        {"model": serializers.CharField(), "id": serializers.CharField()},
        required=False,
    )
    code = serializers.CharField(required=False)
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
    )


class PushResponseSerializer(serializers.Serializer):
    batch_id = serializers.UUIDField(read_only=True)
    results = PushResultSerializer(many=True, read_only=True)
    attachments_missing = serializers.ListField(
        child=serializers.RegexField(r"^[0-9a-f]{64}$"),
        read_only=True,
        help_text="SHA-256 of the files this batch's records name that the server has not "
        "received: upload them over tus (`/api/v1/attachments/`). Computed at each answer.",
    )


class PullChangeSerializer(serializers.Serializer):
    model = serializers.CharField(read_only=True)
    id = serializers.CharField(read_only=True, help_text="A UUID, or a reference data code.")
    op = serializers.ChoiceField(choices=["upsert", "delete"], read_only=True)
    version = serializers.IntegerField(read_only=True)
    data = serializers.DictField(required=False)  # type: ignore[assignment]
    reason = serializers.ChoiceField(choices=["out_of_scope"], required=False)


class PullPageSerializer(serializers.Serializer):
    changes = PullChangeSerializer(many=True, read_only=True)
    cursor = serializers.CharField(read_only=True)
    has_more = serializers.BooleanField(read_only=True)


class HealthSerializer(serializers.Serializer):
    status = serializers.CharField(read_only=True)


class UnhealthySerializer(ErrorSerializer):
    status = serializers.CharField(read_only=True)
    failing = serializers.DictField(child=serializers.CharField(), read_only=True)


# -- the document and its viewers -------------------------------------------------------------
REDOC_PAGE = Template(
    """<!DOCTYPE html>
<html>
  <head>
    <title>{{ title }}</title>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <style>body { margin: 0; padding: 0; }</style>
  </head>
  <body>
    <redoc spec-url="{{ schema_url }}"></redoc>
    <script src="{{ redoc_standalone }}"></script>
  </body>
</html>
"""
)


class RedocView(SpectacularRedocView):
    """Redoc without the web fonts drf-spectacular's page fetches from a CDN."""

    @extend_schema(exclude=True)
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        page = super().get(request, *args, **kwargs)
        return HttpResponse(REDOC_PAGE.render(Context(page.data)))


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
]
