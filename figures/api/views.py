"""The statistics API (`/api/v1/statistics/...`): figures for NRA staff and partners.

Every view reads the figure tables through `figures.selectors`; query parameters are
parsed by django-filter FilterSets (`inputs`), and bad ones are `400 invalid` with `errors` per
parameter. The serializers (`outputs`) say the basis of every answer. NRA staff read the figure
tables as they are; everyone else reads them through the disclosure control
(`figures.disclosure`): counts of 1-4 as "<5", cells hidden to protect them as "x", every key of
a breakdown listed.
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
    sees_exact_figures,
)
from figures.disclosure.assistance import disclosed_assistance
from figures.disclosure.published import disclosed_breakdown, disclosed_series, disclosed_summary
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
        summary = figures_summary if sees_exact_figures(request) else disclosed_summary
        figures = {**summary(query=query), "basis": query.basis}
        return Response(self.OutputSerializer(figures).data)


class StatisticsBreakdownView(APIView):
    """The summary figures per value of one dimension."""

    OutputSerializer = StatisticsBreakdownSerializer

    @extend_schema(
        parameters=query_parameters(BreakdownFilterSet),
        responses={200: OutputSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        query, by = figure_query(BreakdownFilterSet, request)
        breakdown = figures_breakdown if sees_exact_figures(request) else disclosed_breakdown
        body = {"by": by, "basis": query.basis, "rows": breakdown(by=by, query=query)}
        return Response(self.OutputSerializer(body).data)


class StatisticsSeriesView(APIView):
    """The summary figures year by year."""

    OutputSerializer = StatisticsSeriesSerializer

    @extend_schema(
        parameters=query_parameters(SeriesFilterSet),
        responses={200: OutputSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        query, _ = figure_query(SeriesFilterSet, request)
        series = figures_series if sees_exact_figures(request) else disclosed_series
        body = {"basis": query.basis, "rows": series(query=query)}
        return Response(self.OutputSerializer(body).data)


class StatisticsAssistanceView(APIView):
    """Victim assistance: distinct persons and services in total and per key of a grouping."""

    OutputSerializer = StatisticsAssistanceSerializer

    @extend_schema(
        parameters=query_parameters(AssistanceFilterSet),
        responses={200: OutputSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        query, by = figure_query(AssistanceFilterSet, request)
        assistance = assistance_breakdown if sees_exact_figures(request) else disclosed_assistance
        figures = {**assistance(by=by, query=query), "basis": query.basis}
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
