"""Ordering and pages of the partner API's lists: keyset pages, stable while data changes."""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from fieldsync.api.errors import APIError
from fieldsync.fields import ascii_natural


class RecordOrdering(OrderingFilter):
    """`ordering` among the view's whitelisted fields; ties are broken by the primary key."""

    ordering_description = "Sort by one of these fields; `-` first for descending."

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        fields = list(getattr(view, "ordering_fields", ()))
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": self.ordering_description,
                "schema": {"type": "string", "enum": [*fields, *(f"-{f}" for f in fields)]},
            }
        ]

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: APIView) -> list[str]:
        ordering = list(super().get_ordering(request, queryset, view) or [])[:1]
        if not ordering:
            ordering = list(getattr(view, "ordering", ("pk",)))[:1]
        if ordering[0].lstrip("-") != "pk":
            ordering.append("-pk" if ordering[0].startswith("-") else "pk")
        return ordering


class KeysetPagination(BasePagination):
    """Pages that stay stable while records change: the cursor is the last row's sort key.

    Unlike offsets (and DRF's cursor, which keys on the first field only), a page boundary is
    the (sort field, primary key) of the last row sent, so inserts, edits and deletions
    elsewhere never make the next page skip or repeat a row.
    """

    page_size = 100
    max_page_size = 1000
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"

    def paginate_queryset(
        self, queryset: Any, request: Request, view: APIView | None = None
    ) -> list[Any]:
        self.request = request
        size = self._page_size(request)
        self.ordering = self._ordering(request, queryset, view)
        queryset = queryset.order_by(*self.ordering)
        after = self._decode(request, queryset)
        if after is not None:
            queryset = queryset.filter(after)
        rows = list(queryset[: size + 1])
        self.page = rows[:size]
        self.has_next = len(rows) > size
        return self.page

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self._next_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page; null on the last one.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque: take it from `next`.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {self.max_page_size} "
                f"(default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]

    # -- internals -----------------------------------------------------------------------------
    def _page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = ascii_natural(raw)
        if size is None or not 1 <= size <= self.max_page_size:
            raise APIError(
                400,
                "invalid",
                "Invalid input.",
                errors={"page_size": [f"Must be an integer from 1 to {self.max_page_size}."]},
            )
        return size

    def _ordering(
        self, request: Request, queryset: QuerySet[Any], view: APIView | None
    ) -> list[str]:
        for backend in getattr(view, "filter_backends", ()):
            if issubclass(backend, RecordOrdering):
                return backend().get_ordering(request, queryset, view)
        return list(getattr(view, "ordering", ("pk",)))

    def _names(self) -> list[str]:
        return [name.lstrip("-") for name in self.ordering]

    def _decode(self, request: Request, queryset: QuerySet[Any]) -> Q | None:
        token = request.query_params.get(self.cursor_query_param)
        if token is None:
            return None
        invalid = APIError(400, "invalid_cursor", "The cursor is malformed.")
        try:
            decoded = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
        except (UnicodeError, ValueError, binascii.Error) as error:
            raise invalid from error
        if (
            not isinstance(decoded, dict)
            or decoded.get("o") != self.ordering
            or not isinstance(decoded.get("k"), list)
            or len(decoded["k"]) != len(self.ordering)
            # NUL: no sort key of ours holds one, and PostgreSQL refuses it in text (a 500)
            or not all(isinstance(value, str) and "\x00" not in value for value in decoded["k"])
        ):
            raise invalid
        model = queryset.model
        try:
            values = [
                _key_value(_model_field(model, name), value)
                for name, value in zip(self._names(), decoded["k"], strict=True)
            ]
        except (ValidationError, ValueError, TypeError, OverflowError) as error:
            raise invalid from error
        return _after(self.ordering, values)

    def _next_link(self) -> str | None:
        if not self.has_next or not self.page:
            return None
        last = self.page[-1]
        key = [_key_text(getattr(last, name)) for name in self._names()]
        token = base64.urlsafe_b64encode(
            json.dumps({"o": self.ordering, "k": key}, separators=(",", ":")).encode()
        ).decode("ascii")
        url = self.request.build_absolute_uri()
        return replace_query_param(remove_query_param(url, "cursor"), "cursor", token)


def _model_field(model: type[Model], name: str) -> Any:
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


def _key_value(field: Any, text: str) -> Any:
    value = field.to_python(text)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError("a sort key time without an offset")
        value = value.astimezone(datetime.UTC)  # what every database takes
    return value


def _key_text(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _after(ordering: list[str], values: list[Any]) -> Q:
    """Rows strictly after `values` in `ordering` (each field ascending, or `-` descending)."""
    condition = Q()
    equal: dict[str, Any] = {}
    for name, value in zip(ordering, values, strict=True):
        field = name.lstrip("-")
        lookup = "lt" if name.startswith("-") else "gt"
        condition |= Q(**equal, **{f"{field}__{lookup}": value})
        equal[field] = value
    return condition
