"""Geography and ordnance reference data: edited by NRA staff, pulled by tablets."""

from __future__ import annotations

from django.contrib import admin

from accidents.models import (
    District,
    OrdnanceType,
    Province,
)
from fieldsync.admin import (
    ReferenceRecordAdmin,
)


@admin.register(Province)
class ProvinceAdmin(ReferenceRecordAdmin):
    list_display = ("code", "lsb_code", "name_en", "name_lo", "version", "updated_at")
    search_fields = ("code", "lsb_code", "name_en", "name_lo")


@admin.register(District)
class DistrictAdmin(ReferenceRecordAdmin):
    list_display = ("code", "name_en", "name_lo", "province", "version", "updated_at")
    list_filter = ("province",)
    list_select_related = ("province",)
    search_fields = ("code", "name_en", "name_lo", "province__name_en")


@admin.register(OrdnanceType)
class OrdnanceTypeAdmin(ReferenceRecordAdmin):
    list_display = ("code", "name", "device_category", "mine_type", "version", "updated_at")
    list_filter = ("device_category", "mine_type")
    search_fields = ("code", "name")
