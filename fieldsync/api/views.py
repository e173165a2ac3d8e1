"""The sync contract's endpoints: enrolment, capabilities, push, pull and health."""

from __future__ import annotations

import uuid
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import connection
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fieldsync.api import schema
from fieldsync.api.bodies import ACCEPTED_ENCODINGS, json_body
from fieldsync.api.errors import RETRY_AFTER_SECONDS, APIError, error_body
from fieldsync.attachments.access import batch_attachments_missing
from fieldsync.cursors import InvalidCursor, ResyncRequired
from fieldsync.fields import ascii_natural
from fieldsync.models import Device
from fieldsync.registry import Viewer, registry
from fieldsync.selectors import changes_pull
from fieldsync.services import auth
from fieldsync.services.logins import LoginThrottled, client_address
from fieldsync.services.push import batch_push


def _limits() -> dict[str, int]:
    return {
        "max_batch_records": settings.FIELDSYNC["MAX_BATCH_RECORDS"],
        "max_batch_bytes": settings.FIELDSYNC["MAX_BATCH_BYTES"],
    }


def _maintenance() -> None:
    if settings.FIELDSYNC["MAINTENANCE"]:
        error = APIError(503, "maintenance", "The server is in maintenance; keep your outbox.")
        error.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        raise error


class DeviceEnrolView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=256, trim_whitespace=False)
        device_id = serializers.UUIDField()
        device_name = serializers.CharField(
            max_length=200, allow_blank=True, required=False, default=""
        )
        app_version = serializers.CharField(
            max_length=64, allow_blank=True, required=False, default=""
        )

    @extend_schema(
        tags=["auth"],
        summary="Enrol a device and get its token",
        request=InputSerializer,
        responses={
            201: schema.EnrolmentSerializer,
            **schema.error_responses(
                400,
                401,
                413,
                429,
                e401="`invalid_credentials` (also for a deactivated account) or `device_revoked`.",
                e429="`throttled`: too many failed logins; retry after `Retry-After` seconds.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            enrolment = auth.device_enrol(
                address=_client_address(request), **payload.validated_data
            )
        except LoginThrottled as throttled:
            error = APIError(429, "throttled", "Too many failed logins; try again later.")
            error.headers["Retry-After"] = str(throttled.retry_after)
            raise error from throttled
        except auth.InvalidCredentials as invalid:
            raise APIError(401, "invalid_credentials", "Wrong username or password.") from invalid
        except auth.DeviceRevoked as revoked:
            raise APIError(401, "device_revoked", "This device has been revoked.") from revoked
        user = enrolment.device.user
        return Response(
            {
                "token": enrolment.token,
                "device_id": str(enrolment.device.device_id),
                "user": {
                    "username": user.username,
                    "role": user.role,
                    "organisation": user.organisation_id,
                },
            },
            status=status.HTTP_201_CREATED,
        )


def _device(request: Request) -> Device:
    """The device of the token (DeviceTokenAuthentication puts it in `request.auth`)."""
    device = request.auth
    if not isinstance(device, Device):
        raise APIError(401, "not_authenticated", "Authentication credentials were not provided.")
    return device


def _client_address(request: Request) -> str:
    return client_address(request.META)


class SyncInfoView(APIView):
    @extend_schema(
        tags=["sync"],
        summary="The server's limits, schema versions, time and wire models",
        responses={200: schema.SyncInfoSerializer, **schema.error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        config = settings.FIELDSYNC
        return Response(
            {
                "schema_version": config["SCHEMA_VERSION"],
                "min_schema_version": config["MIN_SCHEMA_VERSION"],
                **_limits(),
                "max_pull_limit": config["MAX_PULL_LIMIT"],
                # Push bodies may be sent gzip-encoded; answers are, to `Accept-Encoding: gzip`.
                "compression": {"request": list(ACCEPTED_ENCODINGS), "response": ["gzip"]},
                "server_time": timezone.now().isoformat(),
                "models": [
                    {
                        "name": name,
                        "reference": registry[name].reference,
                        "pushable": not registry[name].reference,
                    }
                    for name in registry.order(registry.names())
                ],
            }
        )


class SyncPushView(APIView):
    parser_classes: list[Any] = []  # the body is read here, after the size check

    @extend_schema(
        tags=["sync"],
        summary="Upload a batch of records (one result per record)",
        request={"application/json": schema.PushEnvelopeSerializer},
        responses={
            200: schema.PushResponseSerializer,
            **schema.error_responses(
                400,
                401,
                409,
                413,
                503,
                e400="`invalid_json`, `invalid_envelope`, `device_mismatch` or "
                "`unsupported_schema_version`; nothing was stored.",
                e413="`batch_too_large`, with `max_batch_records` and `max_batch_bytes`.",
                e409="`batch_id_reused`: this batch_id was used for other content.",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        _maintenance()
        envelope = self._envelope(request)
        device = _device(request)
        result = batch_push(
            device=device,
            batch_id=envelope["batch_id_uuid"],
            envelope={k: v for k, v in envelope.items() if k != "batch_id_uuid"},
        )
        body = result.body
        if result.http_status == status.HTTP_200_OK:
            # Asked now, not stored with the batch: a replay after the uploads says none.
            missing = batch_attachments_missing(envelope.get("records"))
            body = {**body, "attachments_missing": missing}
        return Response(body, status=result.http_status)

    def _envelope(self, request: Request) -> dict[str, Any]:
        config = settings.FIELDSYNC
        too_large = APIError(
            413, "batch_too_large", "The batch is larger than the server takes.", **_limits()
        )
        envelope = json_body(request, max_bytes=config["MAX_BATCH_BYTES"], too_large=too_large)
        if not isinstance(envelope, dict):
            raise APIError(400, "invalid_envelope", "The body must be a JSON object.")
        try:
            batch_id = uuid.UUID(str(envelope.get("batch_id")))
        except ValueError as error:
            raise APIError(400, "invalid_envelope", "batch_id must be a UUID.") from error
        if envelope.get("batch_id") is None:
            raise APIError(400, "invalid_envelope", "batch_id is required.")
        if str(envelope.get("device_id", "")).lower() != str(_device(request).device_id):
            raise APIError(400, "device_mismatch", "device_id is not the device of this token.")
        version = envelope.get("schema_version")
        if (
            isinstance(version, bool)
            or not isinstance(version, int)
            or not config["MIN_SCHEMA_VERSION"] <= version <= config["SCHEMA_VERSION"]
        ):
            raise APIError(
                400,
                "unsupported_schema_version",
                f"schema_version must be between {config['MIN_SCHEMA_VERSION']} and "
                f"{config['SCHEMA_VERSION']}.",
            )
        records = envelope.get("records")
        if not isinstance(records, list):
            raise APIError(400, "invalid_envelope", "records must be a list.")
        if len(records) > config["MAX_BATCH_RECORDS"]:
            raise too_large
        return {**envelope, "batch_id_uuid": batch_id}


class SyncPullView(APIView):
    @extend_schema(
        tags=["sync"],
        summary="The changes this device may see since a cursor",
        parameters=[
            OpenApiParameter(
                "cursor", OpenApiTypes.STR, description="From the previous page; none at first."
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 1000},
                description="Changes per page, 1 to 1000 (default 1000).",
            ),
        ],
        responses={
            200: schema.PullPageSerializer,
            **schema.error_responses(
                400,
                401,
                409,
                503,
                e400="`invalid_cursor`, or `invalid` for a limit out of range.",
                e409="`resync_required`: pull again from scratch, without a cursor.",
            ),
        },
    )
    def get(self, request: Request) -> Response:
        _maintenance()
        limit = _pull_limit(request.query_params.get("limit"))
        viewer = Viewer.for_user(_device(request).user)
        try:
            page = changes_pull(
                viewer=viewer, cursor_token=request.query_params.get("cursor"), limit=limit
            )
        except InvalidCursor as error:
            raise APIError(400, "invalid_cursor", "The cursor is malformed.") from error
        except ResyncRequired as error:
            raise APIError(
                409,
                "resync_required",
                "This cursor cannot be honoured here; pull again from scratch.",
            ) from error
        Device.objects.filter(pk=_device(request).pk).update(last_pull_at=timezone.now())
        return Response({"changes": page.changes, "cursor": page.cursor, "has_more": page.has_more})


def _pull_limit(raw: str | None) -> int:
    maximum = settings.FIELDSYNC["MAX_PULL_LIMIT"]
    if raw is None:
        return maximum
    limit = ascii_natural(raw)
    if limit is None or not 1 <= limit <= maximum:
        raise APIError(400, "invalid", f"limit must be an integer from 1 to {maximum}.")
    return limit


class HealthView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["health"],
        summary="Whether the database (and the broker, if configured) answer",
        responses={
            200: schema.HealthSerializer,
            503: OpenApiResponse(schema.UnhealthySerializer, description="`unhealthy`."),
        },
    )
    def get(self, request: Request) -> Response:
        failing = {}
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as error:
            failing["database"] = type(error).__name__
        broker = settings.CELERY_BROKER_URL
        if broker:
            try:
                # The project's Celery app (config.celery makes itself the current one).
                with current_app.connection_for_write() as conn:
                    conn.ensure_connection(max_retries=1, timeout=2)
            except Exception as error:
                failing["broker"] = type(error).__name__
        if failing:
            return Response(
                {
                    **error_body("unhealthy", "A dependency is not answering."),
                    "status": "error",
                    "failing": failing,
                },
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        return Response({"status": "ok"})
