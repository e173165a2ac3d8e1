"""Query filters every record resource shares (incremental harvesting, tombstones), and the
organisations' own."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

from fieldsync.models import Organisation, OrganisationKind


class InstantField(IsoDateTimeField):
    """An ISO 8601 moment, as UTC: the database takes offsets up to 15:59 only."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError as error:
            raise forms.ValidationError(
                "Enter a date-time between the years 1 and 9999."
            ) from error


class InstantFilter(filters.IsoDateTimeFilter):
    field_class = InstantField


class RecordFilterSet(filters.FilterSet):
    """What every record resource filters on: incremental harvesting and tombstones."""

    updated_since = InstantFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Records changed at or after this time (ISO 8601, with an offset).",
    )
    include_deleted = filters.BooleanFilter(
        method="_tombstones",
        label=_("Deleted records too"),
        help_text="`true`: also deleted records (tombstones, `deleted: true`), for harvesters.",
    )

    def _tombstones(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        return queryset  # applied in filter_queryset: the default (absent) excludes them

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("include_deleted"):
            queryset = queryset.filter(is_deleted=False)
        return queryset


class OrganisationFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=OrganisationKind.choices)

    class Meta:
        model = Organisation
        fields: list[str] = []
