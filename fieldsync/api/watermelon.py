"""The WatermelonDB sync protocol's endpoints (contract watermelondb.md): pull, push, schema."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fieldsync.api import schema
from fieldsync.api.bodies import json_body
from fieldsync.api.errors import APIError
from fieldsync.api.views import _device, _limits, _maintenance
from fieldsync.cursors import ResyncRequired
from fieldsync.fields import ascii_natural
from fieldsync.watermelon import tables
from fieldsync.watermelon.changes import ChangesRefused, parse_changes
from fieldsync.watermelon.pull import Migration, watermelon_pull
from fieldsync.watermelon.push import watermelon_push

NULL = ("", "null")
CHANGES = {
    "type": "object",
    "description": "WatermelonDB's Changes: table -> {created, updated, deleted}.",
    "additionalProperties": {
        "type": "object",
        "properties": {
            "created": {"type": "array", "items": {"type": "object"}},
            "updated": {"type": "array", "items": {"type": "object"}},
            "deleted": {"type": "array", "items": {"type": "string"}},
        },
    },
}
LAST_PULLED_AT = OpenApiParameter(
    "last_pulled_at",
    OpenApiTypes.STR,
    description="The `timestamp` of the previous pull (an integer), or `null` for a first sync.",
)


def _last_pulled_at(request: Request) -> int | None:
    raw = request.query_params.get("last_pulled_at")
    if raw is None or raw in NULL:
        return None
    value = ascii_natural(raw)
    if value is None or value < 1:
        raise APIError(400, "invalid", "last_pulled_at must be a positive integer or null.")
    return value


def _schema_version(request: Request) -> int:
    raw = request.query_params.get("schema_version")
    if raw is None or raw in NULL:
        return tables.SCHEMA_VERSION
    value = ascii_natural(raw)
    if value is None or value < 1:
        raise APIError(400, "invalid", "schema_version must be a positive integer.")
    return value


def _migration(request: Request) -> Migration | None:
    raw = request.query_params.get("migration")
    if raw is None or raw in NULL:
        return None
    invalid = APIError(
        400,
        "invalid_migration",
        'migration must be null or {"from": int, "tables": [names], '
        '"columns": [{"table": name, "columns": [names]}]}.',
    )
    try:
        value = json.loads(raw)
    except ValueError as error:
        raise invalid from error
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid
    start, added, columns = value.get("from"), value.get("tables", []), value.get("columns", [])
    if (
        isinstance(start, bool)
        or not isinstance(start, int)
        or not isinstance(added, list)
        or not all(isinstance(name, str) for name in added)
        or not isinstance(columns, list)
        or not all(
            isinstance(c, dict)
            and isinstance(c.get("table"), str)
            and isinstance(c.get("columns"), list)
            for c in columns
        )
    ):
        raise invalid
    return Migration(
        from_version=start,
        tables=frozenset(added),
        columns=frozenset(c["table"] for c in columns if c["columns"]),
    )


class WatermelonSyncView(APIView):
    """`GET`: pull; `POST`: push (WatermelonDB's `synchronize()` calls both)."""

    parser_classes: list[Any] = []  # the body is read here, after the size check

    @extend_schema(
        tags=["sync"],
        summary="WatermelonDB pull: every change since last_pulled_at",
        parameters=[
            LAST_PULLED_AT,
            OpenApiParameter(
                "schema_version",
                OpenApiTypes.INT,
                description="The app's schema version: columns added later are left out.",
            ),
            OpenApiParameter(
                "migration",
                OpenApiTypes.STR,
                description='A migration sync: URL-encoded JSON {"from", "tables", "columns"}.',
            ),
        ],
        responses={
            200: inline_serializer(
                "WatermelonPull",
                {"changes": serializers.JSONField(), "timestamp": serializers.IntegerField()},
            ),
            **schema.error_responses(
                400,
                401,
                409,
                503,
                e400="`invalid` or `invalid_migration`.",
                e409="`resync_required`: reset the app's database and sync from null.",
            ),
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        _maintenance()
        since = _last_pulled_at(request)
        version = _schema_version(request)
        migration = _migration(request)
        try:
            pull = watermelon_pull(
                device=_device(request),
                last_pulled_at=since,
                schema_version=version,
                migration=migration,
            )
        except ResyncRequired as error:
            raise APIError(
                409,
                "resync_required",
                "This last_pulled_at cannot be honoured here; reset and sync from null.",
            ) from error
        # Written out as it is read: a first sync of every record never sits whole in memory.
        return StreamingHttpResponse(pull.chunks(), content_type="application/json")

    @extend_schema(
        tags=["sync"],
        summary="WatermelonDB push: the device's changes as one batch",
        parameters=[LAST_PULLED_AT],
        request={"application/json": CHANGES},
        responses={
            200: OpenApiResponse(
                inline_serializer(
                    "WatermelonPushed",
                    {
                        "experimentalRejectedIds": serializers.DictField(
                            child=serializers.ListField(child=serializers.CharField()),
                            required=False,
                        )
                    },
                ),
                description="`{}`, or the rows refused per table (kept for NRA review).",
            ),
            **schema.error_responses(
                400,
                401,
                413,
                503,
                e400="`invalid_json`, `invalid_changes`, `unknown_table` or `invalid`; "
                "nothing was applied.",
                e413="`batch_too_large`, with `max_batch_records` and `max_batch_bytes`.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        _maintenance()
        _last_pulled_at(request)  # checked; the base is the one the server remembers
        config = settings.FIELDSYNC
        too_large = APIError(
            413, "batch_too_large", "The push is larger than the server takes.", **_limits()
        )
        body = json_body(request, max_bytes=config["MAX_BATCH_BYTES"], too_large=too_large)
        try:
            rows = parse_changes(body)
        except ChangesRefused as refused:
            if refused.status == 413:
                raise too_large from refused
            raise APIError(refused.status, refused.code, refused.detail) from refused
        return Response(watermelon_push(device=_device(request), rows=rows))


class WatermelonSchemaView(APIView):
    @extend_schema(
        tags=["sync"],
        summary="The tables and columns WatermelonDB apps sync, to build their appSchema",
        responses={
            200: inline_serializer(
                "WatermelonSchema",
                {"version": serializers.IntegerField(), "tables": serializers.JSONField()},
            ),
            **schema.error_responses(401),
        },
    )
    def get(self, request: Request) -> Response:
        return Response(tables.schema())
