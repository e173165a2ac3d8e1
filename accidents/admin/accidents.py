"""Accident reports: the verification queue, verify or reject with a reason, history."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST

from accidents.admin.lists import (
    DistrictFilter,
    ReceivedFilter,
    place,
    received_at,
    short_date,
)
from accidents.admin.map import map_points_response
from accidents.choices import AccidentStatus
from accidents.models import (
    Accident,
)
from accidents.selectors import (
    accident_next_to_review,
    accident_victims,
    accidents_waiting_count,
)
from accidents.services import (
    accidents_status_set,
)
from fieldsync.admin import (
    DateRangeFilter,
    LargeTableAdmin,
    MissingFilesFilter,
    ReadOnlyAdmin,
    RecordHistoryAdmin,
    files_field,
    record_files_html,
)
from fieldsync.models import User
from fieldsync.services.review import ReviewError


def staff_of(request: HttpRequest) -> User:
    return cast(User, request.user)  # admin views are for logged-in staff only


@admin.register(Accident)
class AccidentAdmin(LargeTableAdmin, RecordHistoryAdmin, ReadOnlyAdmin):
    """Accident reports: the verification queue (filter on status), verify or reject with a reason
    (one by one or in bulk), each report's history."""

    # Fits a 1366 px laptop with the sidebar and the filters open: the queue's columns only.
    list_display = (
        "status_label",
        "reference",
        "occurred",
        "place",
        "organisation",
        "casualties",
        "received",
    )
    list_display_links = ("reference",)
    list_filter = (
        "status",
        "province",
        DistrictFilter,
        ("occurred_on", DateRangeFilter),
        ("created_at", ReceivedFilter),
        "reporting_organisation",
        "device_category",
        "classification",
        "activity",
        MissingFilesFilter,
        "is_deleted",
    )
    list_select_related = ("province", "district", "reporting_organisation")
    # What arrived last first: the queue as the field sends it.
    ordering = ("-created_at",)
    search_fields = ("reference", "=id", "village")
    actions = ("verify_selected", "reject_selected", "export_selected_csv", "export_selected_xlsx")
    change_form_template = "admin/accidents/accident/change_form.html"
    photos_files = files_field("photos", _("photos"))

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = super().get_fields(request, obj)
        return tuple("photos_files" if name == "photos" else name for name in fields)

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        page = list(changelist.result_list)  # evaluated once; the template reads the same rows
        counts = accident_victims().casualty_counts([accident.pk for accident in page])
        for accident in page:
            accident.casualty_count = counts.get(str(accident.pk), (0, 0))
        return changelist

    @admin.display(description=_("occurred"), ordering="occurred_on")
    def occurred(self, obj: Accident) -> str:
        return short_date(obj.occurred_on)

    @admin.display(description=_("district"), ordering="district")
    def place(self, obj: Accident) -> SafeString:
        return place(obj.district, obj.province)

    @admin.display(description=_("organisation"), ordering="reporting_organisation")
    def organisation(self, obj: Accident) -> SafeString:
        organisation = obj.reporting_organisation
        return format_html('<span title="{}">{}</span>', organisation.name, organisation.code)

    @admin.display(description=_("casualties"))
    def casualties(self, obj: Accident) -> SafeString:
        killed, injured = getattr(obj, "casualty_count", (0, 0))
        return format_html(
            '<span title="{}">{}</span>',
            gettext("%(killed)d killed, %(injured)d injured")
            % {"killed": killed, "injured": injured},
            killed + injured,
        )

    @admin.display(description=_("received"), ordering="created_at")
    def received(self, obj: Accident) -> str:
        return received_at(obj.created_at)

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accidents.review_accident")

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj: Accident) -> SafeString:
        return format_html(
            '<span class="status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    # -- review -------------------------------------------------------------------------------
    @admin.action(description=_("Verify selected accidents"), permissions=["review"])
    def verify_selected(self, request: HttpRequest, queryset: QuerySet[Accident]) -> None:
        self._set_status(request, list(queryset.values_list("pk", flat=True)), "verified", "")

    @admin.action(description=_("Reject selected accidents…"), permissions=["review"])
    def reject_selected(
        self, request: HttpRequest, queryset: QuerySet[Accident]
    ) -> HttpResponse | None:
        reason = request.POST.get("reason", "")
        if "apply" in request.POST:
            ids = list(queryset.values_list("pk", flat=True))
            if self._set_status(request, ids, AccidentStatus.REJECTED, reason):
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Reject accidents"),
            "subtitle": None,
            "opts": self.opts,
            "accidents": queryset.select_related("province", "district")[:200],
            "count": queryset.count(),
            "reason": reason,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/accidents/accident/reject_selected.html", context)

    def _set_status(self, request: HttpRequest, ids: list[Any], status: str, reason: str) -> bool:
        try:
            changed = accidents_status_set(
                accident_ids=[str(i) for i in ids],
                status=status,
                by=staff_of(request),
                reason=reason,
            )
        except ReviewError as error:
            self.message_user(request, str(error), messages.ERROR)
            return False
        label = AccidentStatus(status).label
        self.message_user(
            request,
            ngettext(
                "%(count)d accident set to %(status)s.",
                "%(count)d accidents set to %(status)s.",
                changed,
            )
            % {"count": changed, "status": label},
            messages.SUCCESS,
        )
        return True

    def status_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        accident = self.object_or_404(request, object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        status = request.POST.get("status", "")
        if status not in AccidentStatus.values:
            self.message_user(request, gettext("Unknown status."), messages.ERROR)
        elif (
            self._set_status(request, [accident.pk], status, request.POST.get("reason", ""))
            and status != AccidentStatus.REPORTED
        ):
            return self._next_report(request, after=accident)
        return HttpResponseRedirect(reverse("admin:accidents_accident_change", args=[accident.pk]))

    def _next_report(self, request: HttpRequest, *, after: Accident) -> HttpResponse:
        """On to the next report waiting in the queue, or back to the queue when none is left."""
        following = accident_next_to_review(after=after)
        if following is None:
            self.message_user(request, gettext("No report is waiting for review."))
            return HttpResponseRedirect(
                reverse("admin:accidents_accident_changelist")
                + "?status__exact=reported&is_deleted__exact=0"
            )
        self.message_user(
            request,
            gettext("Next report waiting: %(reference)s (%(count)d waiting).")
            % {"reference": following.reference, "count": accidents_waiting_count()},
        )
        return HttpResponseRedirect(reverse("admin:accidents_accident_change", args=[following.pk]))

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        accident = self.object_or_404(request, object_id)
        context = {
            "accident": accident,
            "can_review": self.has_review_permission(request) and not accident.is_deleted,
            "victim_count": len(accident_victims().victims_of([accident.pk], direct_only=True)),
            "accident_photos": record_files_html(accident, "photos"),
            "map_points_url": reverse("admin:accidents_accident_map_points")
            + "?"
            + urlencode({"province": accident.province_id}),
            "map_focus": (
                f"{accident.latitude},{accident.longitude}"
                if accident.latitude is not None and accident.longitude is not None
                else ""
            ),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def map_points_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return map_points_response(request)

    # -- status -------------------------------------------------------------------------------
    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/status/",
                wrap(require_POST(self.status_view)),
                name="accidents_accident_status",
            ),
            path(
                "map-points/",
                wrap(gzip_page(self.map_points_view)),
                name="accidents_accident_map_points",
            ),
            *super().get_urls(),
        ]
