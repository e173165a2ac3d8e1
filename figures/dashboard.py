"""The figures of the admin dashboard, one function per figure.

Figures come from the aggregate tables (`figures.selectors`), kept current by the
statistics tasks; queue sizes are counts over indexed status columns. The chart geometry is
computed here so the template draws plain SVG (the admin runs on offline networks: no script
or stylesheet from the internet).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.http import urlencode
from django.utils.translation import get_language

from accidents.choices import AccidentStatus, DeviceCategory
from accidents.models import Accident, DuplicateGroup, DuplicateStatus, Province
from fieldsync.selectors import review_queue_counts
from figures.selectors import FigureQuery, figures_breakdown, figures_summary

MONTH_ABBREVIATIONS = {
    "en": list(calendar.month_abbr)[1:],
    "lo": [
        "ມັງກອນ",
        "ກຸມພາ",
        "ມີນາ",
        "ເມສາ",
        "ພຶດສະພາ",
        "ມິຖຸນາ",
        "ກໍລະກົດ",
        "ສິງຫາ",
        "ກັນຍາ",
        "ຕຸລາ",
        "ພະຈິກ",
        "ທັນວາ",
    ],
}


# -- headline figures ------------------------------------------------------------------------------
def year_summary(*, year: int) -> dict[str, int]:
    """Accidents and casualties (killed, injured, children...) of accidents that occurred in
    `year`; rejected and deleted reports never count."""
    return dict(figures_summary(query=FigureQuery(year=year)))


def children_share(*, year: int) -> Decimal | None:
    """Children among the year's casualties, in percent (None without casualties)."""
    summary = year_summary(year=year)
    if not summary["casualties"]:
        return None
    share = Decimal(100 * summary["children"]) / Decimal(summary["casualties"])
    return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def casualties_by_month(*, year: int) -> list[dict[str, Any]]:
    """Accidents and casualties per month of the year, all twelve months (zeros included)."""
    rows = {row["key"]: row for row in figures_breakdown(by="month", query=FigureQuery(year=year))}
    names = MONTH_ABBREVIATIONS["lo" if _lao() else "en"]
    return [
        {
            "key": month,
            "label": names[month - 1],
            "accidents": (rows.get(month) or {}).get("accidents") or 0,
            "casualties": (rows.get(month) or {}).get("casualties") or 0,
        }
        for month in range(1, 13)
    ]


def casualties_by_province(*, year: int) -> list[dict[str, Any]]:
    """Accidents and casualties per province (every province, in LSB order, Lao names if
    the reader reads Lao and they are known)."""
    rows = {
        row["key"]: row for row in figures_breakdown(by="province", query=FigureQuery(year=year))
    }
    lao = _lao()
    return [
        {
            "key": code,
            "label": (name_lo if lao and name_lo else name_en),
            "accidents": (rows.get(code) or {}).get("accidents") or 0,
            "casualties": (rows.get(code) or {}).get("casualties") or 0,
        }
        for code, name_en, name_lo in Province.objects.order_by("lsb_code").values_list(
            "code", "name_en", "name_lo"
        )
    ]


# -- queues --------------------------------------------------------------------------------------
def accidents_to_verify() -> int:
    return Accident.objects.filter(status=AccidentStatus.REPORTED, is_deleted=False).count()


def open_conflicts() -> int:
    return review_queue_counts().conflicts


def held_records() -> int:
    return review_queue_counts().held


def rejected_records() -> int:
    return review_queue_counts().rejected


def open_duplicates() -> int:
    return DuplicateGroup.objects.filter(status=DuplicateStatus.OPEN).count()


# -- charts ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


def column_chart(rows: list[dict[str, Any]], *, value: str, width: int, height: int) -> list[Bar]:
    """Vertical bars filling `width` x `height` (the template adds axes and labels)."""
    top = max((row[value] for row in rows), default=0) or 1
    slot = width / max(len(rows), 1)
    bars = []
    for index, row in enumerate(rows):
        bar_height = height * row[value] / top
        bars.append(
            Bar(
                label=str(row["label"]),
                value=row[value],
                x=round(index * slot + slot * 0.15, 1),
                y=round(height - bar_height, 1),
                width=round(slot * 0.7, 1),
                height=round(bar_height, 1),
            )
        )
    return bars


def bar_chart(rows: list[dict[str, Any]], *, value: str, width: int, row_height: int) -> list[Bar]:
    """Horizontal bars, one row each, as long as `width` for the largest value."""
    top = max((row[value] for row in rows), default=0) or 1
    return [
        Bar(
            label=str(row["label"]),
            value=row[value],
            x=0,
            y=index * row_height,
            width=round(width * row[value] / top, 1),
            height=round(row_height * 0.7, 1),
        )
        for index, row in enumerate(rows)
    ]


def _lao() -> bool:
    return (get_language() or "").startswith("lo")


# -- map -------------------------------------------------------------------------------------------
def map_filters(*, year: int, province: str, device_category: str) -> dict[str, Any]:
    """The map's filter form (provinces in the reader's language, device categories) and the
    query its points are read with; an unknown province or category is dropped."""
    provinces = [(p.code, str(p)) for p in Province.objects.order_by("lsb_code")]
    province = province if province in {code for code, _ in provinces} else ""
    category = device_category if device_category in DeviceCategory.values else ""
    query: dict[str, str | int] = {
        "year": year,
        "province": province,
        "device_category": category,
    }
    return {
        "provinces": provinces,
        "device_categories": list(DeviceCategory.choices),
        "province": province,
        "device_category": category,
        "points_query": urlencode({key: value for key, value in query.items() if value}),
    }
