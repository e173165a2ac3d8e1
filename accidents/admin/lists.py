"""What the accident and victim lists share: the district filter that follows the province, and
compact cells (a date, a time of receipt, a place) that keep a list within a laptop's width."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accidents.models import District, localized_name


class DistrictFilter(admin.SimpleListFilter):
    """Districts of the province chosen in the province filter (none before one is chosen; a
    district given in the URL still filters)."""

    title = _("district")
    parameter_name = "district"
    #: The query parameter of the province filter this one follows.
    province_parameter = "province__code__exact"
    #: The path from the list's model to its accident's district.
    district_path = "district_id"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        province = request.GET.get(self.province_parameter)
        if not province:
            return []  # 148 districts would bury the other filters: choose the province first
        districts = District.objects.filter(province_id=province).order_by("code")
        return [
            (code, f"{localized_name(name_en, name_lo)} ({code})")
            for code, name_en, name_lo in districts.values_list("code", "name_en", "name_lo")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(**{self.district_path: value}) if value else queryset


class ReceivedFilter(admin.DateFieldListFilter):
    """When the server received the record (its `created_at`): today, the past 7 days..."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = _("received")


def short_date(value: datetime.date | None) -> str:
    return value.isoformat() if value else "-"


def received_at(value: datetime.datetime | None) -> str:
    """When the server received a record, in local time, to the minute."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


def place(district: Any, province: Any) -> SafeString:
    """District over province, each in the reader's language, on two short lines."""
    return format_html(
        '{}<br><span class="quiet">{}</span>',
        localized_name(district.name_en, district.name_lo),
        localized_name(province.name_en, province.name_lo),
    )
