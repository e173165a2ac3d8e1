"""Admin of the figure tables (view only), the report downloads and the dashboard for NRA staff.

The figures hold counts only, no personal data: every NRA staff member may look at them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Choices, OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, re_path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accidents.models import AccidentFigure, District, Province, localized_name
from fieldsync.admin import ReadOnlyAdmin
from fieldsync.fields import ascii_natural
from fieldsync.models import Organisation, Role
from figures import dashboard, reports
from figures.models import DirtySlice, StatisticsSlice
from victims.choices import NEED_ASSESSED, AgeGroup, AssistanceStatus, Pillar, Sex
from victims.models import AssistanceFigure, AssistanceGrouping, CasualtyFigure, ServiceType

CHART_WIDTH = 720
CHART_HEIGHT = 180
PROVINCE_ROW = 22

REPORT_TITLES = {
    "monitor": _("Landmine and Cluster Munition Monitor: country table"),
    "ccm-casualties": _("CCM Article 7: casualties"),
    "ccm-assistance": _("CCM Article 7: victim assistance"),
    "sdg-18-1-1": _("SDG 18.1.1: casualties by sex and age"),
}


class FigureAdmin(ReadOnlyAdmin):
    """Figures by place: the list names provinces and districts (in the reader's language), read
    in the list's own query, where the table keeps their codes."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        names: dict[str, Subquery] = {}
        for place, model in (("province", Province), ("district", District)):
            if any(f.name == place for f in self.model._meta.fields):
                for column in ("name_en", "name_lo"):
                    rows = model.objects.filter(code=OuterRef(place)).values(column)[:1]
                    names[f"{place}_{column}"] = Subquery(rows)
        return queryset.annotate(**names)

    @admin.display(description=_("province"), ordering="province")
    def province_name(self, obj: Any) -> str:
        return _place_name(obj, "province")

    @admin.display(description=_("district"), ordering="district")
    def district_name(self, obj: Any) -> str:
        return _place_name(obj, "district")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user = request.user
        if user.is_active and user.is_staff and getattr(user, "role", None) == Role.NRA_STAFF:
            return True
        return super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request) or super().has_module_permission(request)


@admin.register(CasualtyFigure)
class CasualtyFigureAdmin(FigureAdmin):
    """Casualty figures; its list links to the report downloads."""

    list_display = (
        "year",
        "month",
        "province_name",
        "district_name",
        "device_category",
        "ordnance_type",
        "activity",
        "civilian_status",
        "sex",
        "age_group",
        "outcome",
        "disabled",
        "verified",
        "count",
    )
    list_filter = (
        "year",
        "verified",
        "outcome",
        "disabled",
        "age_group",
        "sex",
        "device_category",
    )

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("reports/", view(self.reports_view), name="figures_statistics_reports"),
            re_path(
                r"^reports/(?P<name>[a-z0-9-]+)\.(?P<fmt>csv|xlsx)$",
                view(self.report_download_view),
                name="figures_statistics_report",
            ),
            *super().get_urls(),
        ]

    def reports_view(self, request: HttpRequest) -> HttpResponse:
        """A page listing the reports for a year, as CSV and XLSX links."""
        if not self.has_view_permission(request):
            raise Http404
        years = sorted(
            set(CasualtyFigure.objects.order_by().values_list("year", flat=True).distinct()),
            reverse=True,
        )
        year = _year(request.GET.get("year")) or (years[0] if years else None)
        verified_only = request.GET.get("verified_only") == "true"
        context = {
            **self.admin_site.each_context(request),
            "title": _("Statistics reports"),
            "opts": self.model._meta,
            "years": years,
            "year": year,
            "verified_only": verified_only,
            "reports": REPORT_TITLES.items(),
            "formats": list(reports.FORMATS),
        }
        return TemplateResponse(request, "admin/figures/statistics_reports.html", context)

    def report_download_view(self, request: HttpRequest, name: str, fmt: str) -> HttpResponse:
        year = _year(request.GET.get("year"))
        if not self.has_view_permission(request) or name not in reports.REPORTS or year is None:
            raise Http404
        report_request = reports.ReportRequest.for_year(
            year, verified_only=request.GET.get("verified_only") == "true"
        )
        return reports.report_response(name=name, fmt=fmt, request=report_request)


def _place_name(obj: Any, place: str) -> str:
    code = getattr(obj, place)
    name_en = getattr(obj, f"{place}_name_en", None)
    if not name_en:  # a code the reference data does not know (or no longer)
        return code
    return localized_name(name_en, getattr(obj, f"{place}_name_lo", None) or "")


def _year(value: str | None) -> int | None:
    year = ascii_natural(value)
    if year is None or not 1964 <= year <= 2100:
        return None
    return year


@admin.register(AccidentFigure)
class AccidentFigureAdmin(FigureAdmin):
    list_display = (
        "year",
        "month",
        "province_name",
        "district_name",
        "device_category",
        "ordnance_type",
        "activity",
        "classification",
        "verified",
        "count",
    )
    list_filter = ("year", "verified", "classification", "device_category")


@admin.register(AssistanceFigure)
class AssistanceFigureAdmin(FigureAdmin):
    list_display = (
        "year",
        "province_name",
        "accident_year",
        "device_category",
        "grouping",
        "key_label",
        "verified",
        "persons",
        "services",
    )
    list_filter = ("year", "grouping", "verified", "device_category")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """With the names of the service types and providers some keys are the codes of."""
        names: dict[str, Subquery] = {}
        for prefix, model in (("service", ServiceType), ("provider", Organisation)):
            for column in ("name", "name_lo"):
                rows = model.objects.filter(code=OuterRef("key")).values(column)[:1]
                names[f"{prefix}_{column}"] = Subquery(rows)
        return super().get_queryset(request).annotate(**names)

    @admin.display(description=_("key"), ordering="key")
    def key_label(self, obj: Any) -> str:
        return assistance_key_label(obj)


def assistance_key_label(obj: Any) -> str:
    """An assistance figure's cell as the reader says it: a pillar, a status, "Male, Adult",
    a service type or an organisation by name (the key is a code of one of them)."""
    grouping, key = obj.grouping, obj.key
    if not key:
        return "-"
    if grouping == AssistanceGrouping.NEED and key == NEED_ASSESSED:
        return gettext("Need assessed")
    if grouping in (AssistanceGrouping.STATUS, AssistanceGrouping.NEED):
        return _label(AssistanceStatus, key)
    if grouping == AssistanceGrouping.PILLAR:
        return _label(Pillar, key)
    if grouping == AssistanceGrouping.SEX_AGE:
        sex, _colon, age_group = key.partition(":")
        return f"{_label(Sex, sex)}, {_label(AgeGroup, age_group)}"
    prefix = {AssistanceGrouping.SERVICE_TYPE: "service", AssistanceGrouping.PROVIDER: "provider"}
    name = getattr(obj, f"{prefix.get(grouping, '')}_name", None)
    if not name:  # a code the reference data does not know
        return key
    return localized_name(name, getattr(obj, f"{prefix[grouping]}_name_lo", None) or "")


def _label(choices: type[Choices], value: str) -> str:
    return str(dict(choices.choices).get(value, value))


@admin.register(StatisticsSlice)
class StatisticsSliceAdmin(FigureAdmin):
    list_display = ("year", "province", "recomputed_at")
    list_filter = ("year",)


@admin.register(DirtySlice)
class DirtySliceAdmin(FigureAdmin):
    list_display = ("id", "year", "province", "marked_at")


# -- dashboard (served at /admin/dashboard/, see config/urls.py) ------------------------------
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """The year's figures, the review queues and two charts: a data officer's first page."""
    if not request.user.has_perm("accidents.view_accident"):
        raise PermissionDenied
    year = _year(request.GET.get("year")) or timezone.localdate().year
    months = dashboard.casualties_by_month(year=year)
    provinces = dashboard.casualties_by_province(year=year)
    context = {
        **admin.site.each_context(request),
        "title": gettext("Dashboard %(year)d") % {"year": year},
        "subtitle": None,
        "year": year,
        "years": [year - 1, year + 1],
        "summary": dashboard.year_summary(year=year),
        "children_share": dashboard.children_share(year=year),
        "queues": [
            (
                gettext("Accidents to verify"),
                dashboard.accidents_to_verify(),
                reverse("admin:accidents_accident_changelist")
                + "?status__exact=reported&is_deleted__exact=0",
            ),
            (
                gettext("Open conflicts"),
                dashboard.open_conflicts(),
                reverse("admin:fieldsync_conflict_changelist") + "?status__exact=open",
            ),
            (
                gettext("Held records"),
                dashboard.held_records(),
                reverse("admin:fieldsync_inboxrecord_changelist") + "?status__exact=held",
            ),
            (
                gettext("Rejected records"),
                dashboard.rejected_records(),
                reverse("admin:fieldsync_inboxrecord_changelist") + "?status__exact=rejected",
            ),
            (
                gettext("Possible duplicates"),
                dashboard.open_duplicates(),
                reverse("admin:accidents_duplicategroup_changelist") + "?status__exact=open",
            ),
        ],
        "chart_width": CHART_WIDTH,
        "chart_height": CHART_HEIGHT,
        "month_bars": dashboard.column_chart(
            months, value="casualties", width=CHART_WIDTH, height=CHART_HEIGHT
        ),
        "province_bars": dashboard.bar_chart(
            provinces, value="casualties", width=CHART_WIDTH - 260, row_height=PROVINCE_ROW
        ),
        "province_height": PROVINCE_ROW * len(provinces),
        "map": dashboard.map_filters(
            year=year,
            province=request.GET.get("province", ""),
            device_category=request.GET.get("device_category", ""),
        ),
        "map_points_url": reverse("admin:accidents_accident_map_points"),
    }
    request.current_app = admin.site.name
    return TemplateResponse(request, "admin/figures/dashboard.html", context)
