"""Admin of the victims app: service types (editable); victims and assistance (view only).

Victims' personal fields are shown only to readers who may see personal data; others see them
masked and cannot search or filter on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fieldsync.admin import (
    MASK,
    ReadOnlyAdmin,
    ReferenceRecordAdmin,
    hide_personal_fields,
    sees_personal_data,
)
from victims.choices import PERSONAL_FIELDS
from victims.models import Assistance, ServiceType, Victim

hide_personal_fields("victim", PERSONAL_FIELDS)


@admin.register(ServiceType)
class ServiceTypeAdmin(ReferenceRecordAdmin):
    list_display = ("code", "name", "name_lo", "pillar", "version", "updated_at")
    list_filter = ("pillar",)
    search_fields = ("code", "name", "name_lo")


@admin.register(Victim)
class VictimAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "victim_type",
        "full_name",
        "outcome",
        "sex",
        "age_years",
        "age_group",
        "civilian_status",
        "accident",
        "consent",
        "is_deleted",
        "created_at",
    )
    list_filter = (
        "victim_type",
        "outcome",
        "sex",
        "age_group",
        "civilian_status",
        "consent",
        "is_deleted",
    )
    list_select_related = ("accident",)
    search_fields = ("id", "accident__reference", *PERSONAL_FIELDS)
    date_hierarchy = "created_at"
    fields = (
        "id",
        "victim_type",
        "accident",
        "related_victim",
        "relationship",
        "outcome",
        "sex",
        "age_years",
        "age_estimated",
        "age_group",
        "civilian_status",
        "role",
        "injuries",
        "consent",
        *PERSONAL_FIELDS,
        "version",
        "created_at",
        "updated_at",
        "is_deleted",
        "deleted_at",
        "created_by_device",
    )
    readonly_fields = tuple(f"{name}_masked" for name in PERSONAL_FIELDS)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self._masked(request, super().get_fields(request, obj))

    def get_list_display(self, request: HttpRequest) -> tuple[str, ...]:
        return self._masked(request, self.list_display)

    def get_search_fields(self, request: HttpRequest) -> tuple[str, ...]:
        if sees_personal_data(request):
            return tuple(self.search_fields)
        return tuple(name for name in self.search_fields if name not in PERSONAL_FIELDS)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        field = lookup.split("__", 1)[0]
        if field in PERSONAL_FIELDS and not sees_personal_data(request):
            return False
        return super().lookup_allowed(lookup, value, request)

    def _masked(self, request: HttpRequest, names: Sequence[Any]) -> tuple[str, ...]:
        if sees_personal_data(request):
            return tuple(names)
        return tuple(f"{name}_masked" if name in PERSONAL_FIELDS else name for name in names)

    @admin.display(description=_("full name"))
    def full_name_masked(self, obj: Victim) -> str:
        return MASK

    @admin.display(description=_("date of birth"))
    def date_of_birth_masked(self, obj: Victim) -> str:
        return MASK

    @admin.display(description=_("phone"))
    def phone_masked(self, obj: Victim) -> str:
        return MASK

    @admin.display(description=_("guardian name"))
    def guardian_name_masked(self, obj: Victim) -> str:
        return MASK


@admin.register(Assistance)
class AssistanceAdmin(ReadOnlyAdmin):
    list_display = (
        "victim",
        "pillar",
        "service_type",
        "provider_organisation",
        "status",
        "started_on",
        "completed_on",
        "cost_lak",
        "is_deleted",
    )
    list_filter = ("pillar", "status", "provider_organisation", "is_deleted")
    list_select_related = ("victim", "service_type", "provider_organisation")
    search_fields = ("id", "victim__id", "notes")
    date_hierarchy = "created_at"
