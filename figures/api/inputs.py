"""The statistics API's input: query parameters parsed by django-filter FilterSets (bad ones are
`400 invalid` with `errors` per parameter), as figure queries and report requests; their OpenAPI
description (APIViews have no filter backend)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from accidents.models import EARLIEST_ACCIDENT, District, Province
from figures import reports
from figures.api.outputs import sees_exact_figures
from figures.selectors import DIMENSIONS, FigureQuery
from victims.models import AssistanceGrouping, CasualtyFigure

LATEST_YEAR = 2100
MAX_SERIES_YEARS = 100
TRUE_FALSE = (("true", "true"), ("false", "false"), ("1", "1"), ("0", "0"))
# Groupings the assistance endpoint does not offer: the total (in every answer) and the need
# (read by the CCM report only).
INTERNAL_GROUPINGS = (AssistanceGrouping.TOTAL, AssistanceGrouping.NEED)


# -- filters ---------------------------------------------------------------------------------------
class IntegerFilter(filters.NumberFilter):
    field_class = forms.IntegerField


def _true(value: str) -> bool:
    return value in ("true", "1")


class FigureForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        province, district = data.get("province"), data.get("district")
        if province is not None and district is not None and district.province_id != province.pk:
            self.add_error("district", f"District {district.pk} is not in province {province.pk}.")
        year_from, year_to = data.get("year_from"), data.get("year_to")
        if year_from is not None and year_to is not None:
            if year_from > year_to:
                self.add_error("year_to", "Must not be before year_from.")
            elif year_to - year_from >= MAX_SERIES_YEARS:
                self.add_error("year_to", f"At most {MAX_SERIES_YEARS} years at once.")
        return data


def _year(required: bool, help_text: str) -> IntegerFilter:
    return IntegerFilter(
        required=required,
        min_value=EARLIEST_ACCIDENT.year,
        max_value=LATEST_YEAR,
        help_text=help_text,
    )


class BasisFilterSet(filters.FilterSet):
    """All reported accidents (the default) or only those the NRA verified."""

    verified_only = filters.TypedChoiceFilter(
        choices=TRUE_FALSE,
        coerce=_true,
        empty_value=False,
        help_text="`true`: only accidents the NRA has verified.",
    )

    class Meta:
        model = CasualtyFigure
        fields: list[str] = []
        form = FigureForm


def _province() -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        queryset=Province.objects.all(),
        to_field_name="code",
        help_text="Province ISO code (e.g. LA-XI).",
        error_messages={"invalid_choice": "Unknown province code."},
    )


class AreaFilterSet(BasisFilterSet):
    province = _province()
    district = filters.ModelChoiceFilter(
        queryset=District.objects.all(),
        to_field_name="code",
        help_text="District LSB code (e.g. 0901).",
        error_messages={"invalid_choice": "Unknown district code."},
    )


class SummaryFilterSet(AreaFilterSet):
    year = _year(True, "The year the accidents occurred.")


class BreakdownFilterSet(SummaryFilterSet):
    by = filters.ChoiceFilter(
        choices=[(name, name) for name in DIMENSIONS], required=True, help_text="The dimension."
    )


class SeriesFilterSet(AreaFilterSet):
    year_from = _year(False, "First year (default: the first with figures).")
    year_to = _year(False, "Last year (default: the last with figures).")


class AssistanceFilterSet(BasisFilterSet):
    province = _province()
    year = _year(True, "The assistance year (started, else completed, else recorded).")
    by = filters.ChoiceFilter(
        choices=[(g.value, g.value) for g in AssistanceGrouping if g not in INTERNAL_GROUPINGS],
        required=True,
        help_text="The grouping.",
    )


class ReportFilterSet(BasisFilterSet):
    year = _year(True, "The year of the report.")


class PeriodReportForm(FigureForm):
    """A CCM report's reporting period: `year`, or whole calendar years from 1 January
    (`period_from`) to 31 December (`period_to`), as the figures are kept per year."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        year, starts, ends = data.get("year"), data.get("period_from"), data.get("period_to")
        if starts is None and ends is None:
            if year is None and "year" not in self.errors:
                self.add_error("year", "Give a year, or period_from and period_to.")
            return data
        if year is not None:
            self.add_error("year", "Give a year or a period, not both.")
        if starts is None or ends is None:
            self.add_error("period_from" if starts is None else "period_to", "Required.")
            return data
        if (starts.month, starts.day) != (1, 1):
            self.add_error("period_from", "Must be a 1 January (figures are kept per year).")
        if (ends.month, ends.day) != (12, 31):
            self.add_error("period_to", "Must be a 31 December (figures are kept per year).")
        if starts > ends:
            self.add_error("period_to", "Must not be before period_from.")
        elif ends.year - starts.year >= MAX_SERIES_YEARS:
            self.add_error("period_to", f"At most {MAX_SERIES_YEARS} years at once.")
        return data


class PeriodReportFilterSet(BasisFilterSet):
    year = _year(
        False,
        "The year of the report; the CCM reports (ccm-*) may give period_from and period_to "
        "instead.",
    )
    period_from = filters.DateFilter(
        help_text="First day of the reporting period: a 1 January (YYYY-01-01)."
    )
    period_to = filters.DateFilter(
        help_text="Last day of the reporting period: a 31 December (YYYY-12-31)."
    )

    class Meta(BasisFilterSet.Meta):
        form = PeriodReportForm


def parameters(filterset_class: type[BasisFilterSet], request: Request) -> dict[str, Any]:
    """The validated query parameters; 400 `invalid` otherwise."""
    filterset = filterset_class(request.query_params, queryset=CasualtyFigure.objects.none())
    if not filterset.is_valid():
        raise ValidationError(
            {
                "non_field_errors" if name == "__all__" else name: list(messages)
                for name, messages in filterset.errors.items()
            }
        )
    return dict(filterset.form.cleaned_data)


def figure_query(
    filterset_class: type[BasisFilterSet], request: Request
) -> tuple[FigureQuery, Any]:
    """The validated figure query and the `by` parameter; 400 `invalid` otherwise."""
    data = parameters(filterset_class, request)
    query = FigureQuery(
        year=data.get("year"),
        year_from=data.get("year_from"),
        year_to=data.get("year_to"),
        province=data["province"].pk if data.get("province") else None,
        district=data["district"].pk if data.get("district") else None,
        verified_only=bool(data.get("verified_only")),
    )
    return query, data.get("by")


def report_request(name: str, request: Request) -> reports.ReportRequest:
    """The validated report request: a year, or (CCM reports) a period of whole years."""
    period = name in reports.PERIOD_REPORTS
    data = parameters(PeriodReportFilterSet if period else ReportFilterSet, request)
    starts, ends = data.get("period_from"), data.get("period_to")
    return reports.ReportRequest(
        first_year=starts.year if starts else data["year"],
        last_year=ends.year if ends else data["year"],
        verified_only=bool(data.get("verified_only")),
        extracted_at=timezone.now(),
        disclosure_control=not sees_exact_figures(request),
    )


def query_parameters(filterset_class: type[BasisFilterSet]) -> list[OpenApiParameter]:
    """The FilterSet's parameters for the OpenAPI document (APIViews have no filter backend)."""
    parameters = []
    for name, declared in filterset_class.base_filters.items():
        schema: dict[str, Any] = {"type": "string"}
        if isinstance(declared, IntegerFilter):
            schema = {"type": "integer", "minimum": EARLIEST_ACCIDENT.year, "maximum": LATEST_YEAR}
        elif isinstance(declared, filters.DateFilter):
            schema = {"type": "string", "format": "date"}
        elif "choices" in declared.extra:
            schema["enum"] = [value for value, _ in declared.extra["choices"]]
        parameters.append(
            OpenApiParameter(
                name,
                schema,
                OpenApiParameter.QUERY,
                required=declared.extra.get("required", False),
                description=str(declared.extra.get("help_text", "")),
            )
        )
    return parameters
