"""Query filters of the victim and assistance resources."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from fieldsync.api.filters import RecordFilterSet
from victims.choices import AgeGroup, AssistanceStatus, Outcome, Pillar, Sex, VictimType
from victims.models import Assistance, ServiceType, Victim


def _via_owning_accident(lookup: str, value: Any) -> Q:
    """Victims whose accident (or, for a family member without one, their casualty's) matches."""
    return Q(**{f"accident__{lookup}": value}) | Q(
        accident__isnull=True, **{f"related_victim__accident__{lookup}": value}
    )


class VictimFilter(RecordFilterSet):
    victim_type = filters.ChoiceFilter(choices=VictimType.choices)
    outcome = filters.ChoiceFilter(choices=Outcome.choices)
    sex = filters.ChoiceFilter(choices=Sex.choices)
    age_group = filters.ChoiceFilter(choices=AgeGroup.choices)
    accident = filters.UUIDFilter(field_name="accident_id")
    related_victim = filters.UUIDFilter(field_name="related_victim_id")
    # Labels of their own: no field of a victim holds these (the accident's do).
    province = filters.CharFilter(
        method="_by_accident",
        label=_("Province"),
        help_text="Province ISO code of the victim's accident.",
    )
    district = filters.CharFilter(
        method="_by_accident",
        label=_("District"),
        help_text="District LSB code of the victim's accident.",
    )
    reporting_organisation = filters.CharFilter(
        method="_by_accident",
        label=_("Reporting organisation"),
        help_text="The organisation that reported the victim's accident.",
    )
    occurred_on = filters.DateFromToRangeFilter(
        method="_occurred",
        label=_("Accident date"),
        help_text="`occurred_on_after` / `occurred_on_before`: the accident's date, inclusive.",
    )

    class Meta:
        model = Victim
        fields: list[str] = []

    def _by_accident(self, queryset: QuerySet[Victim], name: str, value: str) -> QuerySet[Victim]:
        return queryset.filter(_via_owning_accident(f"{name}_id", value))

    def _occurred(self, queryset: QuerySet[Victim], name: str, value: slice) -> QuerySet[Victim]:
        if value.start is not None:
            queryset = queryset.filter(_via_owning_accident("occurred_on__gte", value.start))
        if value.stop is not None:
            queryset = queryset.filter(_via_owning_accident("occurred_on__lte", value.stop))
        return queryset


class AssistanceFilter(RecordFilterSet):
    victim = filters.UUIDFilter(field_name="victim_id")
    pillar = filters.ChoiceFilter(choices=Pillar.choices)
    service_type = filters.CharFilter(field_name="service_type_id")
    status = filters.ChoiceFilter(choices=AssistanceStatus.choices)
    provider_organisation = filters.CharFilter(field_name="provider_organisation_id")
    started_on = filters.DateFromToRangeFilter(
        help_text="`started_on_after` / `started_on_before`: inclusive dates (YYYY-MM-DD)."
    )
    completed_on = filters.DateFromToRangeFilter(
        help_text="`completed_on_after` / `completed_on_before`: inclusive dates (YYYY-MM-DD)."
    )

    class Meta:
        model = Assistance
        fields: list[str] = []


class ServiceTypeFilter(filters.FilterSet):
    pillar = filters.ChoiceFilter(choices=Pillar.choices)

    class Meta:
        model = ServiceType
        fields: list[str] = []
