"""Checks of a request's headers before anything reads its body, and compressed API answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware

from fieldsync.fields import ascii_natural


class ContentLengthMiddleware:
    """A `Content-Length` that is not a plain number is a 400 (JSON under `/api/`).

    Django reads the header with `int()` when a view first reads the body: '²' or 5,000 digits
    would raise there, a 500 in the middle of a view. Placed after `JsonApiErrorsMiddleware`, so
    that the 400 is JSON under `/api/` even with `DEBUG` on.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared and ascii_natural(declared) is None:
            raise BadRequest("Content-Length is not a number.")
        return self.get_response(request)


class ApiGZipMiddleware(GZipMiddleware):
    """gzip for the API's JSON and CSV answers when the client accepts it (pull pages, lists,
    exports: a few times smaller over a 2G link). Not for admin pages (BREACH: secrets beside
    reflected input) nor for files, which are compressed already (photos, workbooks)."""

    COMPRESSED_TYPES = ("application/json", "text/csv")

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> Any:
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        if (
            not request.path.startswith("/api/")
            or content_type not in self.COMPRESSED_TYPES
            # A record's ETag is its version, sent back in If-Match: gzip would weaken it.
            or response.has_header("ETag")
        ):
            return response
        return super().process_response(request, response)
