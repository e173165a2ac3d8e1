"""Partner API building blocks over registered wire models (every domain app's `api/` builds on
them).

A resource is a registered `SyncAdapter`: its `scope` decides which records a viewer reads (the
rule pull applies), its `present` what the viewer sees of each (the privacy pull applies). These
pieces know no accident or victim.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from fieldsync.api import writes
from fieldsync.api.errors import APIError
from fieldsync.api.pagination import KeysetPagination, RecordOrdering
from fieldsync.api.schema import error_responses
from fieldsync.attachments.access import attachments_received
from fieldsync.models import Device, User
from fieldsync.registry import SyncAdapter, Viewer, registry

UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_timestamp = serializers.DateTimeField()


def user_of(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):  # IsAuthenticated has refused anonymous requests already
        raise APIError(401, "not_authenticated", "Authentication credentials were not provided.")
    return user


def viewer_of(request: Request) -> Viewer:
    """The reader of this request (computed once: it may ask the database for permissions)."""
    viewer = getattr(request, "_fieldsync_viewer", None)
    if viewer is None:
        viewer = Viewer.for_user(user_of(request))
        request._fieldsync_viewer = viewer  # type: ignore[attr-defined]
    return viewer


def represent(adapter: SyncAdapter, instances: list[Any], viewer: Viewer) -> list[dict[str, Any]]:
    """Records as partners read them: the wire data pull sends, with id, version and state."""
    presented = adapter.present(instances, viewer)
    if adapter.reference:
        return presented
    records = [
        {
            "id": str(instance.pk),
            **wire,
            "version": instance.version,
            "deleted": instance.is_deleted,
            "updated_at": _timestamp.to_representation(instance.updated_at),
        }
        for instance, wire in zip(instances, presented, strict=True)
    ]
    if adapter.attachment_fields:
        _add_missing_attachments(records, adapter.attachment_fields)
    return records


def _add_missing_attachments(records: list[dict[str, Any]], fields: tuple[str, ...]) -> None:
    """Each record's `attachments_missing`: the files it names (in the fields this reader sees)
    that the server has not received yet, found for the whole page in one query."""
    named = {
        id(record): [item["sha256"] for field in fields for item in record.get(field) or ()]
        for record in records
    }
    received = attachments_received(sha for shas in named.values() for sha in shas)
    for record in records:
        record["attachments_missing"] = [sha for sha in named[id(record)] if sha not in received]


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token, reads and writes counted apart (`partner_read`, `partner_write`)."""

    def __init__(self) -> None:  # the rate is looked up per request: settings may change
        pass

    def allow_request(self, request: Request, view: APIView) -> bool:
        self.scope = "partner_read" if request.method in SAFE_METHODS else "partner_write"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return None if rate is None else str(rate)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        device = request.auth
        if not isinstance(device, Device):
            return None
        return self.cache_format % {"scope": self.scope, "ident": device.token_hash}


class RecordViewSet(viewsets.GenericViewSet):
    """List and detail of one registered wire model, scoped and presented as pull does."""

    wire_name: ClassVar[str]
    filter_backends = [DjangoFilterBackend, RecordOrdering]
    pagination_class = KeysetPagination
    throttle_classes = [TokenRateThrottle]
    ordering: ClassVar[tuple[str, ...]] = ("updated_at",)
    ordering_fields: ClassVar[tuple[str, ...]] = ("updated_at", "created_at")
    lookup_value_regex = UUID_PATTERN

    @property
    def adapter(self) -> SyncAdapter:
        return registry[self.wire_name]

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator has no reader
            return self.adapter.model._default_manager.none()
        return self.adapter.scope(self.adapter.queryset(), viewer_of(self.request))

    def list(self, request: Request) -> Response:
        records = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        return self.get_paginated_response(represent(self.adapter, records, viewer_of(request)))

    def retrieve(self, request: Request, pk: str) -> Response:
        record = self.get_record(pk)
        return Response(
            represent(self.adapter, [record], viewer_of(request))[0],
            headers=self.record_headers(record),
        )

    def get_record(self, pk: str) -> Any:
        """The live record `pk` if this viewer sees it: 404 otherwise, 410 for a tombstone."""
        record = self.get_queryset().filter(pk=pk).first()
        if record is None:
            raise APIError(404, "not_found", "Not found.")
        if getattr(record, "is_deleted", False):
            raise APIError(410, "deleted", "This record was deleted.", version=record.version)
        return record

    def record_headers(self, record: Any) -> dict[str, str]:
        return {}


class WritableRecordViewSet(RecordViewSet):
    """A record resource written by those the write rules allow (`fieldsync.write_rules`).

    Every write goes through `writes` (and so through `batch_push`); responses carry the
    record's version as `ETag`.
    """

    def create(self, request: Request) -> Response:
        written = writes.record_create(
            wire_name=self.wire_name,
            user=user_of(request),
            body=request.data,
            key=writes.idempotency_key(request.headers.get("Idempotency-Key")),
        )
        headers = {"Location": request.build_absolute_uri(f"{written.record.pk}/")}
        return self._answer(written, 201 if written.created else 200, headers)

    def update(self, request: Request, pk: str) -> Response:
        return self._change(request, pk, replace=True)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self._change(request, pk, replace=False)

    def destroy(self, request: Request, pk: str) -> Response:
        written = writes.record_delete(
            wire_name=self.wire_name,
            user=user_of(request),
            record_id=pk,
            version=writes.if_match_version(request.headers.get("If-Match")),
            key=writes.idempotency_key(request.headers.get("Idempotency-Key")),
        )
        return self._answer(written, 200)

    def _change(self, request: Request, pk: str, *, replace: bool) -> Response:
        written = writes.record_change(
            wire_name=self.wire_name,
            user=user_of(request),
            record_id=pk,
            body=request.data,
            replace=replace,
            version=writes.if_match_version(request.headers.get("If-Match")),
            key=writes.idempotency_key(request.headers.get("Idempotency-Key")),
        )
        return self._answer(written, 200)

    def _answer(
        self, written: writes.Written, status: int, headers: dict[str, str] | None = None
    ) -> Response:
        body = represent(self.adapter, [written.record], viewer_of(self.request))[0]
        headers = {**self.record_headers(written.record), **(headers or {})}
        return Response(body, status=status, headers=headers)

    def record_headers(self, record: Any) -> dict[str, str]:
        return {"ETag": f'"{record.version}"'}


class ReferenceViewSet(RecordViewSet):
    """A reference table (read-only for everyone), keyed and sorted by its code."""

    filter_backends = [DjangoFilterBackend]
    ordering = ("pk",)
    lookup_value_regex = r"[^/]+"

    def get_record(self, pk: str) -> Any:
        record = None if "\x00" in pk else self.get_queryset().filter(pk=pk).first()
        if record is None:
            raise APIError(404, "not_found", "Not found.")
        return record


def read_schema(serializer: type[serializers.Serializer], *, tag: str, name: str) -> Any:
    """The OpenAPI description of a resource's list and detail."""
    detail_errors = (401, 404, 429) if tag == "reference data" else (401, 404, 410, 429)
    return extend_schema_view(
        list=extend_schema(
            tags=[tag],
            summary=f"List {name}",
            responses={200: serializer, **error_responses(400, 401, 429)},
        ),
        retrieve=extend_schema(
            tags=[tag],
            summary=f"One of the {name}",
            responses={200: serializer, **error_responses(*detail_errors)},
        ),
    )
