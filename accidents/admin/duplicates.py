"""Possible duplicate accident reports: compare, merge or mark distinct."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accidents.admin.accidents import staff_of
from accidents.models import (
    Accident,
    District,
    DuplicateCandidate,
    DuplicateStatus,
)
from accidents.selectors import accident_victims
from accidents.services import (
    duplicate_mark_distinct,
    duplicate_merge,
)
from accidents.tasks import duplicates_flag_request
from fieldsync.admin import (
    ReviewActionsAdmin,
)
from fieldsync.services.review import ReviewError


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(ReviewActionsAdmin):
    """Pairs of accident reports the duplicate scan flagged: staff compare them side by side and
    merge (victims move to the kept report, the other becomes a tombstone) or mark them distinct."""

    list_display = ("pair", "district", "dates", "score", "status", "flagged_at", "decided_by")
    list_filter = ("status",)
    list_select_related = ("first__district", "second", "decided_by")
    search_fields = ("first__reference", "second__reference")
    readonly_fields = ("first", "second", "score", "reasons", "status", "kept", "flagged_at")
    fields = (*readonly_fields, "decided_at", "decided_by")
    change_form_template = "admin/accidents/duplicatecandidate/change_form.html"
    change_list_template = "admin/accidents/duplicatecandidate/change_list.html"
    show_full_result_count = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("accidents.view_accident")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accidents.review_accident")

    @admin.display(description=_("accidents"))
    def pair(self, obj: DuplicateCandidate) -> str:
        return f"{obj.first.reference} ~ {obj.second.reference}"

    @admin.display(description=_("district"))
    def district(self, obj: DuplicateCandidate) -> District:
        return obj.first.district

    @admin.display(description=_("dates"))
    def dates(self, obj: DuplicateCandidate) -> str:
        return f"{obj.first.occurred_on} / {obj.second.occurred_on}"

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "scan/",
                wrap(require_POST(self.scan_view)),
                name="accidents_duplicatecandidate_scan",
            ),
            path(
                "<path:object_id>/decide/",
                wrap(require_POST(self.decide_view)),
                name="accidents_duplicatecandidate_decide",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        candidate = self.object_or_404(request, object_id)
        reports = Accident.objects.select_related("province", "district", "reporting_organisation")
        accidents = list(reports.filter(pk__in=[candidate.first_id, candidate.second_id]))
        victims: dict[str, list[tuple[str, Any, str]]] = {str(a.pk): [] for a in accidents}
        for victim in accident_victims().victims_of(list(victims), direct_only=False):
            victims[victim.accident_id].append((victim.sex, victim.age_years, victim.outcome))
        context = {
            "sides": [
                {"accident": a, "victims": victims[str(a.pk)]}
                for a in sorted(accidents, key=lambda a: a.pk != candidate.first_id)
            ],
            "can_decide": candidate.status == DuplicateStatus.OPEN
            and self.has_review_permission(request),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def decide_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        candidate = self.object_or_404(request, object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        try:
            if request.POST.get("decision") == "distinct":
                duplicate_mark_distinct(candidate_id=candidate.pk, by=staff_of(request))
                message = gettext("Marked as two distinct accidents.")
            else:
                kept = duplicate_merge(
                    candidate_id=candidate.pk,
                    keep_id=request.POST.get("keep", ""),
                    by=staff_of(request),
                ).kept
                message = gettext("Merged into %(reference)s.") % {
                    "reference": kept.reference if kept else "-"
                }
        except ReviewError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:accidents_duplicatecandidate_change", args=[candidate.pk])
            )
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:accidents_duplicatecandidate_changelist") + "?status__exact=open"
        )

    def scan_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_review_permission(request):
            raise PermissionDenied
        duplicates_flag_request(None)
        self.message_user(
            request,
            gettext("The duplicate scan was started; new pairs appear here when it is done."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:accidents_duplicatecandidate_changelist"))
