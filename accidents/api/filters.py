"""Query filters of the accident and geography resources."""

from __future__ import annotations

from django_filters import rest_framework as filters

from accidents.choices import AccidentStatus, Activity, Classification, DeviceCategory
from accidents.models import Accident, District, OrdnanceType
from fieldsync.api.filters import RecordFilterSet


class AccidentFilter(RecordFilterSet):
    occurred_on = filters.DateFromToRangeFilter(
        help_text="`occurred_on_after` / `occurred_on_before`: inclusive dates (YYYY-MM-DD)."
    )
    reported_on = filters.DateFromToRangeFilter(
        help_text="`reported_on_after` / `reported_on_before`: inclusive dates (YYYY-MM-DD)."
    )
    province = filters.CharFilter(field_name="province_id", help_text="Province ISO code.")
    district = filters.CharFilter(field_name="district_id", help_text="District LSB code.")
    device_category = filters.ChoiceFilter(choices=DeviceCategory.choices)
    ordnance_type = filters.CharFilter(field_name="ordnance_type_id")
    activity = filters.ChoiceFilter(choices=Activity.choices)
    classification = filters.ChoiceFilter(choices=Classification.choices)
    status = filters.ChoiceFilter(choices=AccidentStatus.choices)
    reporting_organisation = filters.CharFilter(field_name="reporting_organisation_id")

    class Meta:
        model = Accident
        fields: list[str] = []


class DistrictFilter(filters.FilterSet):
    province = filters.CharFilter(field_name="province_id", help_text="Province ISO code.")

    class Meta:
        model = District
        fields: list[str] = []


class OrdnanceTypeFilter(filters.FilterSet):
    device_category = filters.ChoiceFilter(choices=DeviceCategory.choices)

    class Meta:
        model = OrdnanceType
        fields: list[str] = []
