"""Merge two records of one person from the victim's page: choose the victim kept, confirm,
merge (`victim_merge`): the other becomes a tombstone pointing to the kept one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext

from accidents.models import DuplicateMember
from fieldsync.admin import ReviewActionsAdmin, sees_personal_data
from fieldsync.models import User
from fieldsync.services.review import ReviewError
from victims.admin.labels import victim_label
from victims.models import Victim
from victims.services import victim_merge, victim_merge_plan

MAX_SUGGESTIONS = 20


class VictimMergeAdmin(ReviewActionsAdmin):
    """The victim page's "Merge into another victim" action."""

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accidents.review_accident")

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/merge/",
                wrap(self.merge_view),
                name="victims_victim_merge",
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
        victim = self.get_object(request, object_id)
        can_merge = (
            victim is not None and not victim.is_deleted and self.has_review_permission(request)
        )
        context = {"can_merge": can_merge, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)

    def merge_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """GET: choose the victim kept. POST: confirm what will happen; with `confirm`, merge."""
        duplicate = self.object_or_404(request, object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        personal = sees_personal_data(request)
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": duplicate,
            "title": gettext("Merge into another victim"),
            "duplicate_label": victim_label(duplicate, personal=personal),
            "step": "choose",
        }
        if request.method == "POST":
            keep_id = (request.POST.get("keep_id") or request.POST.get("keep", "")).strip()
            try:
                if request.POST.get("confirm") == "yes":
                    kept = victim_merge(
                        duplicate_id=str(duplicate.pk), keep_id=keep_id, by=_staff(request)
                    )
                    self.message_user(
                        request, gettext("The two victims were merged."), messages.SUCCESS
                    )
                    return HttpResponseRedirect(
                        reverse("admin:victims_victim_change", args=[kept.pk])
                    )
                plan = victim_merge_plan(duplicate_id=str(duplicate.pk), keep_id=keep_id)
            except ReviewError as error:
                context["error"] = str(error)
            else:
                kept = _with_counts([plan.pairs[0][1].pk])[0]
                moving = _with_counts([duplicate.pk])[0]
                context |= {
                    "step": "confirm",
                    "plan": plan,
                    "keep_id": str(kept.pk),
                    "kept_label": victim_label(kept, personal=personal),
                    "assistance_moved": moving.assistance_count,  # type: ignore[attr-defined]
                    "family_moved": moving.family_count,  # type: ignore[attr-defined]
                }
        if context["step"] == "choose":
            context["suggestions"] = [
                (str(v.pk), victim_label(v, personal=personal)) for v in _suggestions(duplicate)
            ]
        return TemplateResponse(request, "admin/victims/victim/merge.html", context)


def _staff(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # admin views: logged-in staff only


def _with_counts(ids: list[Any]) -> list[Victim]:
    return list(
        Victim.objects.filter(pk__in=ids).annotate(
            assistance_count=Count(
                "assistance", filter=Q(assistance__is_deleted=False), distinct=True
            ),
            family_count=Count(
                "indirect_victims", filter=Q(indirect_victims__is_deleted=False), distinct=True
            ),
        )
    )


def _suggestions(victim: Victim) -> list[Victim]:
    """Live victims of the same type on the same accident, or on the accidents of an open group
    of possible duplicates it is in (for a family member: of the same casualty)."""
    candidates = Victim.objects.filter(is_deleted=False, victim_type=victim.victim_type).exclude(
        pk=victim.pk
    )
    if victim.accident_id is None:
        candidates = candidates.filter(related_victim_id=victim.related_victim_id)
    else:
        groups = DuplicateMember.objects.filter(
            accident_id=victim.accident_id, is_open=True
        ).values("group_id")
        accidents = DuplicateMember.objects.filter(group_id__in=groups).values("accident_id")
        candidates = candidates.filter(
            Q(accident_id=victim.accident_id) | Q(accident_id__in=accidents)
        )
    return list(candidates.order_by("sex", "age_years", "pk")[:MAX_SUGGESTIONS])
