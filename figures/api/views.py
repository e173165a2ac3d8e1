"""The statistics API (`/api/v1/statistics/...`): figures for NRA staff and partners.

Every view reads the figure tables through `figures.selectors`; query parameters are
parsed by django-filter FilterSets (`inputs`), and bad ones are `400 invalid` with `errors` per
parameter. The serializers (`outputs`) say the basis of every answer; partners and surveyors see
district-level cells below 5 as "<5".
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from figures import reports
from figures.api.inputs import (
    AssistanceFilterSet,
    BreakdownFilterSet,
    PeriodReportFilterSet,
    SeriesFilterSet,
    SummaryFilterSet,
    figure_query,
    query_parameters,
    report_request,
)
from figures.api.outputs import (
    ERRORS,
    StatisticsAssistanceSerializer,
    StatisticsBreakdownSerializer,
    StatisticsErrorSerializer,
    StatisticsSeriesSerializer,
    StatisticsSummarySerializer,
    masks_small_cells,
)
from figures.selectors import (
    assistance_breakdown,
    figures_breakdown,
    figures_series,
    figures_summary,
)


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
