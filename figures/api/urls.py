"""`/api/v1/statistics/`: figures, breakdowns, series and report downloads."""

from django.urls import path, re_path

from figures.api import views as statistics

urlpatterns = [
    path("summary/", statistics.StatisticsSummaryView.as_view(), name="statistics-summary"),
    path("breakdown/", statistics.StatisticsBreakdownView.as_view(), name="statistics-breakdown"),
    path("series/", statistics.StatisticsSeriesView.as_view(), name="statistics-series"),
    path(
        "assistance/", statistics.StatisticsAssistanceView.as_view(), name="statistics-assistance"
    ),
    re_path(
        r"^reports/(?P<name>[a-z0-9-]+)\.(?P<fmt>csv|xlsx)$",
        statistics.StatisticsReportView.as_view(),
        name="statistics-report",
    ),
]
