"""The statistics API (`/api/v1/statistics/...`): figures for NRA staff and partners.

Every view reads the figure tables through `figures.selectors`; query parameters are
parsed by django-filter FilterSets (the views' input), and bad ones are `400 invalid` with
`errors` per parameter. Partners and surveyors see district-level cells below 5 as "<5".
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accidents.models import EARLIEST_ACCIDENT, District, Province
from fieldsync.models import Role
from figures import reports
from figures.selectors import (
    BASIS_REPORTED_AND_VERIFIED,
    BASIS_VERIFIED_ONLY,
    DIMENSIONS,
    FigureQuery,
    assistance_breakdown,
    figures_breakdown,
    figures_series,
    figures_summary,
)
from victims.models import AssistanceGrouping, CasualtyFigure

SMALL_CELL = 5  # published district-level cells below this are shown as "<5" (data dictionary)
SMALL_CELL_TEXT = f"<{SMALL_CELL}"
LATEST_YEAR = 2100
MAX_SERIES_YEARS = 100
TRUE_FALSE = (("true", "true"), ("false", "false"), ("1", "1"), ("0", "0"))
# Groupings the assistance endpoint does not offer: the total (in every answer) and the need
# (read by the CCM report only).
INTERNAL_GROUPINGS = (AssistanceGrouping.TOTAL, AssistanceGrouping.NEED)


# -- input ----------------------------------------------------------------------------------------
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
    )


def masks_small_cells(request: Request, *, district_level: bool) -> bool:
    """Partners and surveyors see district-level cells below 5 as "<5"; NRA staff see all."""
    return district_level and getattr(request.user, "role", None) != Role.NRA_STAFF


# -- output ---------------------------------------------------------------------------------------
CELL_SCHEMA: dict[str, Any] = {"oneOf": [{"type": "integer"}, {"type": "string", "enum": ["<5"]}]}


@extend_schema_field(CELL_SCHEMA)
class CellField(serializers.Field):
    """A count; "<5" instead of a small count when the serializer's context says `mask`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: int) -> int | str:
        if self.context.get("mask") and value < SMALL_CELL:
            return SMALL_CELL_TEXT
        return value


@extend_schema_field({**CELL_SCHEMA, "nullable": True})
class NullableCellField(CellField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, **kwargs)


def basis_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=[BASIS_REPORTED_AND_VERIFIED, BASIS_VERIFIED_ONLY],
        read_only=True,
        help_text="What is counted: `reported_and_verified` (every accident not rejected or "
        "deleted) or `verified_only` (the parameter `verified_only=true`).",
    )


class StatisticsFiguresSerializer(serializers.Serializer):
    """The contract's summary fields (a summary, a breakdown row, a series row)."""

    accidents = CellField()
    casualties = CellField(help_text="Direct victims (killed, injured or of unknown outcome).")
    killed = CellField()
    injured = CellField()
    unknown = CellField(help_text="Casualties of unknown outcome.")
    children = CellField(help_text="Casualties under 18 at the accident.")
    adults = CellField()
    men = CellField()
    women = CellField()
    boys = CellField()
    girls = CellField()


class StatisticsSummarySerializer(StatisticsFiguresSerializer):
    basis = basis_field()


class StatisticsBreakdownRowSerializer(StatisticsFiguresSerializer):
    key = serializers.JSONField(read_only=True, help_text="The dimension's value; null: unknown.")
    name = serializers.CharField(read_only=True)
    accidents = NullableCellField(help_text="Null for victim dimensions (civilian status, sex).")


class StatisticsBreakdownSerializer(serializers.Serializer):
    by = serializers.CharField(read_only=True)
    basis = basis_field()
    rows = StatisticsBreakdownRowSerializer(many=True, read_only=True)


class StatisticsSeriesRowSerializer(StatisticsFiguresSerializer):
    year = serializers.IntegerField(read_only=True)


class StatisticsSeriesSerializer(serializers.Serializer):
    basis = basis_field()
    rows = StatisticsSeriesRowSerializer(many=True, read_only=True)


class StatisticsAssistanceRowSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True, allow_null=True)
    name = serializers.CharField(read_only=True)
    persons = serializers.IntegerField(read_only=True)
    services = serializers.IntegerField(read_only=True)


class StatisticsAssistanceSerializer(serializers.Serializer):
    by = serializers.CharField(read_only=True)
    basis = basis_field()
    persons = serializers.IntegerField(read_only=True, help_text="Distinct persons assisted.")
    services = serializers.IntegerField(read_only=True)
    rows = StatisticsAssistanceRowSerializer(many=True, read_only=True)


class StatisticsErrorSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    detail = serializers.CharField(read_only=True)
    # The body's key (absent from most errors); it shadows Serializer.errors, unused here.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


ERRORS = {
    400: OpenApiResponse(StatisticsErrorSerializer, "`invalid`, with `errors` per parameter."),
    401: OpenApiResponse(StatisticsErrorSerializer, "`not_authenticated`, `invalid_token`."),
}


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


# -- views ----------------------------------------------------------------------------------------
class StatisticsSummaryView(APIView):
    """The contract's figures for accidents that occurred in a year and area."""

    OutputSerializer = StatisticsSummarySerializer

    @extend_schema(
        parameters=query_parameters(SummaryFilterSet),
        responses={200: OutputSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        query, _ = figure_query(SummaryFilterSet, request)
        figures = {**figures_summary(query=query), "basis": query.basis}
        mask = masks_small_cells(request, district_level=query.district_level)
        return Response(self.OutputSerializer(figures, context={"mask": mask}).data)


class StatisticsBreakdownView(APIView):
    """The summary figures per value of one dimension."""

    OutputSerializer = StatisticsBreakdownSerializer

    @extend_schema(
        parameters=query_parameters(BreakdownFilterSet),
        responses={200: OutputSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        query, by = figure_query(BreakdownFilterSet, request)
        rows = figures_breakdown(by=by, query=query)
        mask = masks_small_cells(request, district_level=query.district_level or by == "district")
        body = {"by": by, "basis": query.basis, "rows": rows}
        return Response(self.OutputSerializer(body, context={"mask": mask}).data)


class StatisticsSeriesView(APIView):
    """The summary figures year by year."""

    OutputSerializer = StatisticsSeriesSerializer

    @extend_schema(
        parameters=query_parameters(SeriesFilterSet),
        responses={200: OutputSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        query, _ = figure_query(SeriesFilterSet, request)
        rows = figures_series(query=query)
        mask = masks_small_cells(request, district_level=query.district_level)
        body = {"basis": query.basis, "rows": rows}
        return Response(self.OutputSerializer(body, context={"mask": mask}).data)


class StatisticsAssistanceView(APIView):
    """Victim assistance: distinct persons and services in total and per key of a grouping."""

    OutputSerializer = StatisticsAssistanceSerializer

    @extend_schema(
        parameters=query_parameters(AssistanceFilterSet),
        responses={200: OutputSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        query, by = figure_query(AssistanceFilterSet, request)
        figures = {**assistance_breakdown(by=by, query=query), "basis": query.basis}
        return Response(self.OutputSerializer(figures).data)


class StatisticsReportView(APIView):
    """A report as CSV or XLSX (`reports/<name>.<csv|xlsx>?year=`; the CCM reports also take
    a period of whole years, `period_from=YYYY-01-01&period_to=YYYY-12-31`)."""

    @extend_schema(
        parameters=[
            *query_parameters(PeriodReportFilterSet),
            OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(reports.REPORTS)),
            OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=list(reports.FORMATS)),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, reports.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            **ERRORS,
            404: OpenApiResponse(StatisticsErrorSerializer, "`not_found`: no such report."),
        },
    )
    def get(self, request: Request, name: str, fmt: str) -> HttpResponse:
        if name not in reports.REPORTS or fmt not in reports.FORMATS:
            raise NotFound
        return reports.report_response(name=name, fmt=fmt, request=report_request(name, request))

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The body is a file whatever the client accepts; errors are still JSON.
        return super().perform_content_negotiation(request, force=True)
