"""Errors on `/api/` are JSON even where Django itself answers (URL not found, DEBUG pages)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from fieldsync.api.errors import error_body

logger = logging.getLogger(__name__)
CODES = {400: "bad_request", 403: "permission_denied", 404: "not_found", 405: "method_not_allowed"}


class JsonApiErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not _is_api(request) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        code = CODES.get(
            response.status_code, "server_error" if response.status_code >= 500 else "error"
        )
        return JsonResponse(error_body(code, response.reason_phrase), status=response.status_code)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _is_api(request):
            return None
        logger.exception("unhandled error on %s", request.path, exc_info=exception)
        return JsonResponse(error_body("server_error", "An unexpected error occurred."), status=500)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")
