"""The accidents map's points: a staff-only JSON view the dashboard's and each accident's map
read (static/accidents/map/accident-map.js draws them with Leaflet on a canvas)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import reverse

from accidents.choices import DeviceCategory
from accidents.selectors import accident_map_points
from fieldsync.fields import ascii_natural

#: Points in one answer: about 70 bytes each, 30 gzipped (the view is gzipped: UUIDs compress
#: poorly), so at most ~1.4 MB, ~600 kB on the wire.
MAX_POINTS = 20_000
_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def map_points_response(request: HttpRequest) -> JsonResponse:
    """Points of the live accidents with coordinates, filtered by `year`, `province` and
    `device_category` (each optional; an unknown year or category is ignored, an unknown
    province matches nothing; never an error)."""
    year = ascii_natural(request.GET.get("year"))
    category = request.GET.get("device_category", "")
    points = accident_map_points(
        year=year if year is not None and 1964 <= year <= 2100 else None,
        province=request.GET.get("province", "")[:8],
        device_category=category if category in DeviceCategory.values else "",
        limit=MAX_POINTS,
    )
    response = JsonResponse(
        {
            "fields": ["latitude", "longitude", "id", "status"],
            "points": points.rows,
            "total": points.total,
            "truncated": points.truncated,
            "change_url": reverse("admin:accidents_accident_change", args=[_PLACEHOLDER]),
            "placeholder": _PLACEHOLDER,
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response
