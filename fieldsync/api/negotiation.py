"""Content negotiation that never answers a stray `?format=` with a 404 page."""

from __future__ import annotations

from collections.abc import Iterable

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.settings import api_settings


class _AcceptOnly:
    URL_FORMAT_OVERRIDE = None


class LenientFormatNegotiation(DefaultContentNegotiation):
    """`?format=` naming a renderer the view has (the schema's `?format=json`) picks it; any other
    value is ignored and the Accept header decides, as if it were absent. DRF's default raises
    Http404, a body without the contract's `code`, for a parameter a client sent by mistake."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        override = api_settings.URL_FORMAT_OVERRIDE
        renderers = list(renderers)
        wanted = format_suffix or (request.query_params.get(override) if override else None)
        if wanted and not any(renderer.format == wanted for renderer in renderers):
            by_accept = DefaultContentNegotiation()
            by_accept.settings = _AcceptOnly()  # type: ignore[assignment]
            return by_accept.select_renderer(request, renderers)
        return super().select_renderer(request, renderers, format_suffix)
