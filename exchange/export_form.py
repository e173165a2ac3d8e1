"""The admin's export page form: places and organisations chosen by name, never typed as codes.

The form turns the officer's choices into the partner API's filters (codes), so an export is
filtered exactly as the API filters; a value that is not on the lists is refused with a message
instead of giving an empty file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from accidents.models import District, Province
from exchange.columns import KINDS
from fieldsync.models import Organisation

#: The filter each kind of record takes its organisation from.
ORGANISATION_FILTERS: Mapping[str, str] = {
    "accident": "reporting_organisation",
    "victim": "reporting_organisation",
    "assistance": "provider_organisation",
}
ORGANISATION_LABELS: Mapping[str, Any] = {
    "accident": _("Reporting organisation"),
    "victim": _("Reporting organisation"),
    "assistance": _("Provider organisation"),
}
#: Kinds filtered by the accident's place.
PLACED = frozenset({"accident", "victim"})
#: The API's filters the page offers as they are (lists of choices and date ranges).
SHOWN_FILTERS = (filters.ChoiceFilter, filters.DateFromToRangeFilter)


def name_of(row: Any) -> str:
    """A reference row's name in the reader's language, without the code some names carry."""
    return str(row).removesuffix(f" ({row.pk})")


class NamedChoiceField(forms.ModelChoiceField):
    """A reference row chosen by its name in the reader's language; its code is what it sends."""

    def label_from_instance(self, obj: Any) -> str:
        return name_of(obj)


class ExportForm(forms.Form):
    records = forms.ChoiceField(choices=[(name, name) for name in KINDS], widget=forms.HiddenInput)
    province = NamedChoiceField(
        label=_("Province"),
        queryset=Province.objects.all(),
        required=False,
        empty_label=_("all provinces"),
        error_messages={"invalid_choice": _("Unknown province: choose one from the list.")},
    )
    district = NamedChoiceField(
        label=_("District"),
        queryset=District.objects.select_related("province"),
        required=False,
        empty_label=_("all districts"),
        error_messages={"invalid_choice": _("Unknown district: choose one from the list.")},
    )
    organisation = NamedChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        required=False,
        empty_label=_("all organisations"),
        error_messages={"invalid_choice": _("Unknown organisation: choose one from the list.")},
    )
    format = forms.ChoiceField(label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX")])

    def __init__(self, *args: Any, model: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.model = model
        self.fields["organisation"].label = ORGANISATION_LABELS[model]
        self.district_provinces: dict[str, str] = {}
        if model not in PLACED:
            del self.fields["province"], self.fields["district"]
            return
        # Names in the reader's language, in alphabetical order; districts under their province.
        provinces = sorted(Province.objects.all(), key=str)
        cast(forms.ChoiceField, self.fields["province"]).choices = [("", _("all provinces"))] + [
            (province.pk, str(province)) for province in provinces
        ]
        districts: dict[str, list[tuple[str, str]]] = {}
        for district in District.objects.all():
            districts.setdefault(district.province_id, []).append((district.pk, name_of(district)))
        cast(forms.ChoiceField, self.fields["district"]).choices = [("", _("all districts"))] + [
            (str(province), sorted(districts.get(province.pk, []), key=lambda c: c[1]))
            for province in provinces
        ]
        self.district_provinces = {
            code: province for province, rows in districts.items() for code, _label in rows
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        province, district = cleaned.get("province"), cleaned.get("district")
        if province and district and district.province_id != province.pk:
            self.add_error(
                "district",
                _("%(district)s is not a district of %(province)s.")
                % {
                    "district": name_of(district),
                    "province": province,
                },
            )
        return cleaned

    def filter_data(self, query: QueryDict) -> QueryDict:
        """The request's filters with the chosen places and organisation as the API's codes."""
        data = query.copy()
        for name in ("province", "district", *ORGANISATION_FILTERS.values()):
            data.pop(name, None)
        chosen = {
            "province": self.cleaned_data.get("province"),
            "district": self.cleaned_data.get("district"),
            ORGANISATION_FILTERS[self.model]: self.cleaned_data.get("organisation"),
        }
        for name, row in chosen.items():
            if row is not None:
                data[name] = row.pk
        return data


def shown_filters(filterset: filters.FilterSet) -> Iterator[forms.BoundField]:
    """The filterset's fields the page shows: lists of choices and date ranges."""
    for name, item in filterset.filters.items():
        field = filterset.form.fields[name]
        if isinstance(item, filters.DateFromToRangeFilter):
            for widget in field.widget.widgets:
                widget.input_type = "date"  # the browser's date picker; it sends YYYY-MM-DD
        elif hasattr(field, "empty_label"):  # "all" where django-filter says "---------"
            field.empty_label = _("all")
            field.widget.choices = field.choices  # the widget's copy reads the class's field
        if isinstance(item, SHOWN_FILTERS):
            yield filterset.form[name]
