"""Admin of the accidents app: geography and ordnance reference data (editable), accidents
(view only until NRA review comes through services)."""

from __future__ import annotations

from django.contrib import admin

from accidents.models import Accident, District, OrdnanceType, Province
from fieldsync.admin import ReadOnlyAdmin, ReferenceRecordAdmin


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
    list_display = ("code", "name", "device_category", "version", "updated_at")
    list_filter = ("device_category",)
    search_fields = ("code", "name")


@admin.register(Accident)
class AccidentAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "occurred_on",
        "province",
        "district",
        "village",
        "classification",
        "device_category",
        "activity",
        "status",
        "reporting_organisation",
        "version",
        "is_deleted",
    )
    list_filter = (
        "status",
        "classification",
        "device_category",
        "activity",
        "province",
        "reporting_organisation",
        "is_deleted",
    )
    list_select_related = ("province", "district", "reporting_organisation")
    search_fields = ("reference", "id", "village", "district__name_en")
    date_hierarchy = "occurred_on"
