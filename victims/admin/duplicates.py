"""Possible duplicate accident reports, as groups: compare, pair victims, confirm, merge.

Registered by the victims app because a merge pairs the reports' victims (the accident side
never imports victims). The review is three steps on two pages: choose the report to keep and
pair the victims that are the same person (suggested), then a confirmation page saying what will
happen to every record and to the casualty counts, then the merge (`duplicate_group_merge`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accidents.models import Accident, DuplicateGroup, DuplicateMember, DuplicateStatus
from accidents.services import duplicate_group_mark_distinct, duplicate_group_report_remove
from accidents.tasks import duplicates_flag_request
from fieldsync.admin import ReviewActionsAdmin, sees_personal_data
from fieldsync.models import User
from fieldsync.services.review import ReviewError
from victims.admin.labels import victim_label
from victims.choices import Outcome, VictimType
from victims.models import Victim
from victims.selectors import victim_pairs_suggested
from victims.services import duplicate_group_merge, duplicate_group_merge_plan

PAIR_PREFIX = "pair-"


def staff_of(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # admin views: logged-in staff only


@admin.register(DuplicateGroup)
class DuplicateGroupAdmin(ReviewActionsAdmin):
    """Groups of accident reports the duplicate scan found alike: staff compare them side by
    side, pair the victims that are the same person and merge, or mark them distinct."""

    list_display = ("reports", "district", "dates", "size", "score", "status", "decided_by")
    list_filter = ("status",)
    list_select_related = ("district", "decided_by")
    search_fields = ("members__accident__reference",)
    fields = ("district", "score", "why", "status", "kept", "flagged_at", "decided_at")
    readonly_fields = fields
    change_form_template = "admin/accidents/duplicategroup/change_form.html"
    change_list_template = "admin/accidents/duplicategroup/change_list.html"
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> Any:
        members = DuplicateMember.objects.select_related("accident").order_by("accident__reference")
        return (
            super()
            .get_queryset(request)
            .annotate(size=Count("members"))
            .prefetch_related(Prefetch("members", queryset=members))
        )

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
    def reports(self, obj: DuplicateGroup) -> str:
        return " ~ ".join(member.accident.reference for member in obj.members.all())

    @admin.display(description=_("dates"))
    def dates(self, obj: DuplicateGroup) -> str:
        if obj.first_occurred_on == obj.last_occurred_on:
            return str(obj.first_occurred_on)
        return f"{obj.first_occurred_on} – {obj.last_occurred_on}"  # noqa: RUF001  (a range)

    @admin.display(description=_("why they look alike"))
    def why(self, obj: DuplicateGroup) -> str:
        """The scan's reasons in words: `{"days_apart": 1, "distance_km": 0.4, "victims": 2}`."""
        reasons = obj.reasons or {}
        parts = [
            gettext("same district"),
            gettext("at most %(days)s day(s) apart") % {"days": reasons.get("days_apart", 0)},
        ]
        distance = reasons.get("distance_km")
        parts.append(
            gettext("no coordinates to compare")
            if distance is None
            else gettext("within %(km)s km") % {"km": distance}
        )
        parts.append(
            gettext("%(count)s direct victim(s) of the same sex and ages within 2 years")
            % {"count": reasons.get("victims", 0)}
        )
        return "; ".join(parts)

    @admin.display(description=_("reports"), ordering="size")
    def size(self, obj: DuplicateGroup) -> int:
        return obj.size  # type: ignore[attr-defined]  # annotated

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("scan/", wrap(require_POST(self.scan_view)), name="accidents_duplicategroup_scan"),
            path(
                "<path:object_id>/merge/",
                wrap(require_POST(self.merge_view)),
                name="accidents_duplicategroup_merge",
            ),
            path(
                "<path:object_id>/remove/",
                wrap(require_POST(self.remove_view)),
                name="accidents_duplicategroup_remove",
            ),
            path(
                "<path:object_id>/distinct/",
                wrap(require_POST(self.distinct_view)),
                name="accidents_duplicategroup_distinct",
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
        group = self.object_or_404(request, object_id)
        sides = _sides(group)
        ids = [str(side["accident"].pk) for side in sides]
        if not ids:
            raise Http404
        keep_id = request.GET.get("keep", "")
        if keep_id not in ids:
            keep_id = str(group.kept_id) if str(group.kept_id) in ids else ids[0]
        kept = next(side for side in sides if str(side["accident"].pk) == keep_id)
        suggested = victim_pairs_suggested(
            kept=[v for v in kept["victims"] if v.victim_type == VictimType.DIRECT],
            others=[
                v
                for side in sides
                if side is not kept
                for v in side["victims"]
                if v.victim_type == VictimType.DIRECT
            ],
        )
        personal = sees_personal_data(request)
        for side in sides:
            side["kept"] = side is kept
            side["labels"] = [victim_label(v, personal=personal) for v in side["victims"]]
        context = {
            "sides": sides,
            "keep_id": keep_id,
            "choices": [
                (str(v.pk), victim_label(v, personal=personal))
                for v in kept["victims"]
                if v.victim_type == VictimType.DIRECT
            ],
            "to_pair": [
                {
                    "victim": v,
                    "field": f"{PAIR_PREFIX}{v.pk}",
                    "label": victim_label(v, personal=personal),
                    "reference": side["accident"].reference,
                    "suggested": suggested.get(str(v.pk), ""),
                }
                for side in sides
                if side is not kept
                for v in side["victims"]
                if v.victim_type == VictimType.DIRECT
            ],
            "can_remove": len(sides) > 2,
            "can_decide": group.status == DuplicateStatus.OPEN
            and self.has_review_permission(request),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def merge_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Without `confirm`: what the merge will do. With it: the merge."""
        group = self.object_or_404(request, object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        keep_id = request.POST.get("keep", "")
        pairs = {
            name.removeprefix(PAIR_PREFIX): request.POST.get(name, "")
            for name in request.POST
            if name.startswith(PAIR_PREFIX) and request.POST.get(name)
        }
        change_url = reverse("admin:accidents_duplicategroup_change", args=[group.pk])
        try:
            if request.POST.get("confirm") != "yes":
                plan = duplicate_group_merge_plan(group_id=group.pk, keep_id=keep_id, pairs=pairs)
                return self._confirmation(request, group, plan, pairs)
            merged = duplicate_group_merge(
                group_id=group.pk, keep_id=keep_id, pairs=pairs, by=staff_of(request)
            )
        except ReviewError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(f"{change_url}?keep={keep_id}")
        kept = merged.kept
        self.message_user(
            request,
            gettext("Merged into %(reference)s.") % {"reference": kept.reference if kept else "-"},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(change_url)

    def _confirmation(
        self, request: HttpRequest, group: DuplicateGroup, plan: Any, pairs: dict[str, str]
    ) -> HttpResponse:
        personal = sees_personal_data(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": group,
            "title": gettext("Confirm the merge"),
            "plan": plan,
            "pairs": [
                (victim_label(d, personal=personal), victim_label(k, personal=personal))
                for d, k in plan.pairs
            ],
            "moved": [victim_label(v, personal=personal) for v in plan.moved],
            "keep_id": str(plan.kept_accident.pk),
            "fields": [(f"{PAIR_PREFIX}{d}", k) for d, k in sorted(pairs.items())],
        }
        return TemplateResponse(
            request, "admin/accidents/duplicategroup/confirm_merge.html", context
        )

    def distinct_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        group = self.object_or_404(request, object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        try:
            duplicate_group_mark_distinct(group_id=group.pk, by=staff_of(request))
        except ReviewError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, gettext("Marked as distinct accidents."), messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:accidents_duplicategroup_change", args=[group.pk])
        )

    def remove_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        group = self.object_or_404(request, object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        try:
            duplicate_group_report_remove(
                group_id=group.pk,
                accident_id=request.POST.get("accident", ""),
                by=staff_of(request),
            )
        except ReviewError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request, gettext("The report was taken out of the group."), messages.SUCCESS
            )
        return HttpResponseRedirect(
            reverse("admin:accidents_duplicategroup_change", args=[group.pk])
        )

    def scan_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_review_permission(request):
            raise PermissionDenied
        duplicates_flag_request(None)
        self.message_user(
            request,
            gettext("The duplicate scan was started; new groups appear here when it is done."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:accidents_duplicategroup_changelist"))


def _sides(group: DuplicateGroup) -> list[dict[str, Any]]:
    """The group's accidents (by reference) with their live victims, in two queries."""
    # An open group shows its open reports (one deleted meanwhile has left it).
    ids = [
        member.accident_id
        for member in group.members.all()
        if member.is_open or group.status != DuplicateStatus.OPEN
    ]
    victims = (
        Victim.objects.filter(is_deleted=False)
        .annotate(assistance_count=Count("assistance", filter=Q(assistance__is_deleted=False)))
        .order_by("victim_type", "sex", "age_years", "pk")
    )
    accidents = (
        Accident.objects.filter(pk__in=ids)
        .select_related("province", "district", "reporting_organisation")
        .prefetch_related(Prefetch("victims", queryset=victims, to_attr="live_victims"))
        .order_by("reference")
    )
    return [
        {
            "accident": a,
            "victims": a.live_victims,
            "killed": sum(v.outcome == Outcome.KILLED for v in a.live_victims),
            "injured": sum(v.outcome == Outcome.INJURED for v in a.live_victims),
        }
        for a in accidents
    ]
