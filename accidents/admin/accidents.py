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
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accidents.choices import AccidentStatus
from accidents.models import (
    Accident,
)
from accidents.selectors import accident_victims
from accidents.services import (
    accidents_status_set,
)
from fieldsync.admin import (
    LargeTableAdmin,
    ReadOnlyAdmin,
    RecordHistoryAdmin,
)
from fieldsync.models import User
from fieldsync.services.review import ReviewError


def staff_of(request: HttpRequest) -> User:
    return cast(User, request.user)  # admin views are for logged-in staff only


@admin.register(Accident)
class AccidentAdmin(LargeTableAdmin, RecordHistoryAdmin, ReadOnlyAdmin):
    """Accident reports: the verification queue (filter on status), verify or reject with a reason
    (one by one or in bulk), each report's history."""

    list_display = (
        "reference",
        "occurred_on",
        "province",
        "district",
        "village",
        "classification",
        "device_category",
        "activity",
        "status_label",
        "reporting_organisation",
        "version",
        "is_deleted",
    )
    list_filter = (
        "status",
        "classification",
        "device_category",
        "activity",
        "province",
        "reporting_organisation",
        "is_deleted",
    )
    list_select_related = ("province", "district", "reporting_organisation")
    search_fields = ("reference", "=id", "village")
    date_hierarchy = "occurred_on"
    actions = ("verify_selected", "reject_selected", "export_selected_csv", "export_selected_xlsx")
    change_form_template = "admin/accidents/accident/change_form.html"

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
        else:
            self._set_status(request, [accident.pk], status, request.POST.get("reason", ""))
        return HttpResponseRedirect(reverse("admin:accidents_accident_change", args=[accident.pk]))

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
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    # -- status -------------------------------------------------------------------------------
    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/status/",
                wrap(require_POST(self.status_view)),
                name="accidents_accident_status",
            ),
            *super().get_urls(),
        ]
