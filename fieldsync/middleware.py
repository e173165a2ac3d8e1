"""Checks of a request's headers before anything reads its body."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

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
