"""Admin of conflicts (staff resolve them field by field) and of record versions (history)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from fieldsync.admin.base import LargeTableAdmin, ReadOnlyAdmin, admin_url_of
from fieldsync.admin.personal import sees_personal_data
from fieldsync.admin.presenting import (
    conflict_story,
    record_links,
    record_summaries,
    value_label,
)
from fieldsync.admin.record_form import field_label
from fieldsync.models import Conflict, RecordVersion, User
from fieldsync.registry import registry
from fieldsync.services.review import ReviewError, conflict_fields, conflict_resolve


@admin.register(RecordVersion)
class RecordVersionAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ("model", "record_id", "version", "op", "source", "user", "device", "created_at")
    list_filter = ("model", "op", "source")
    list_select_related = ("user", "device__user")
    search_fields = ("=record_id",)
    record_data_fields = ("data", "changes")
    fields = (
        "model",
        "record_id",
        "version",
        "op",
        "source",
        "user",
        "device",
        "inbox_record",
        "recorded_at",
        "created_at",
        "changes_data",
        "record_data",
    )
    readonly_fields = ("changes_data", "record_data")

    @admin.display(description=_("changes"))
    def changes_data(self, obj: RecordVersion) -> SafeString:
        return self.show_json(obj, obj.model, obj.changes)

    @admin.display(description=_("record"))
    def record_data(self, obj: RecordVersion) -> SafeString:
        return self.show_json(obj, obj.model, obj.data)


@admin.register(Conflict)
class ConflictAdmin(LargeTableAdmin, ReadOnlyAdmin):
    """Values a tablet sent that clashed with the server: staff pick a value per field (or keep
    the server's), which becomes a new version tablets pull."""

    list_display = (
        "record",
        "model",
        "kind",
        "status",
        "clashing_fields",
        "server_version",
        "device",
        "created_at",
        "resolved_at",
    )
    list_filter = ("status", "kind", "model")
    list_select_related = ("device__user",)
    search_fields = ("=record_id",)
    record_data_fields = ("fields",)
    change_form_template = "admin/fieldsync/conflict/change_form.html"
    fields = (
        "record",
        "model",
        "record_id",
        "kind",
        "status",
        "base_version",
        "server_version",
        "device",
        "inbox_record",
        "created_at",
        "resolved_at",
        "resolved_by",
    )
    readonly_fields = ("record",)

    @admin.display(description=_("record"))
    def record(self, obj: Conflict) -> str:
        summary = getattr(obj, "_record_summary", None)
        if summary is None:
            summary = record_summaries([obj]).get((obj.model, obj.record_id), obj.record_id)
        return summary

    @admin.display(description=_("fields"))
    def clashing_fields(self, obj: Conflict) -> str:
        adapter = registry.get(obj.model)
        names = sorted(obj.fields or {})
        labels = [field_label(adapter, n) if adapter is not None else n for n in names]
        return ", ".join(labels)[:80]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:  # name the page's records in one query per model
            rows = list(changelist.result_list)
            summaries = record_summaries(rows)
            for row in rows:
                row._record_summary = summaries.get((row.model, row.record_id), row.record_id)
        return response

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("fieldsync.change_conflict")

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/resolve/",
                wrap(require_POST(self.resolve_view)),
                name="fieldsync_conflict_resolve",
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
        conflict = self.object_or_404(request, object_id)
        visible = sees_personal_data(request)
        adapter = registry[conflict.model]

        def shown(name: str, value: Any) -> str:
            return value_label(adapter, name, value, visible=visible)

        rows = [
            {
                "name": row.name,
                "label": field_label(adapter, row.name),
                "base": shown(row.name, row.base),
                "server": shown(row.name, row.server),
                "current": shown(row.name, row.current),
                "tablet": shown(row.name, row.tablet),
                "choosable": visible or not row.personal,
                "differs": row.current != row.server,
            }
            for row in conflict_fields(conflict=conflict)
        ]
        instance = adapter.queryset().filter(pk=conflict.record_id).first()
        links = record_links(conflict.model, instance)
        kind = conflict.get_kind_display()
        context = {
            "rows": rows,
            "can_resolve": conflict.status == "open" and self.has_review_permission(request),
            "can_apply_delete": conflict.kind in ("delete", "locked") and not rows,
            "record_url": admin_url_of(conflict.model, conflict.record_id),
            "links": links,
            "subtitle": " · ".join([*(link.summary for link in reversed(links)), kind]),
            "record_deleted": instance is None or getattr(instance, "is_deleted", False),
            "story": conflict_story(conflict, visible=visible),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def resolve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        conflict = self.object_or_404(request, object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        tablet_fields = [
            name for name in conflict.fields or {} if request.POST.get(f"take_{name}") == "tablet"
        ]
        try:
            conflict_resolve(
                conflict_id=conflict.pk,
                tablet_fields=tablet_fields,
                apply_delete=request.POST.get("apply_delete") == "1",
                by=cast(User, request.user),
            )
        except ReviewError as error:
            adapter = registry[conflict.model]
            detail = "; ".join(
                f"{field_label(adapter, k)}: {' '.join(gettext(str(m)) for m in _listed(v))}"
                for k, v in error.errors.items()
            )
            self.message_user(request, f"{error} {detail}".strip(), messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:fieldsync_conflict_change", args=[conflict.pk])
            )
        self.message_user(request, gettext("The conflict was resolved."), messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:fieldsync_conflict_changelist") + "?status__exact=open"
        )


def _listed(messages: Any) -> list[Any]:
    return messages if isinstance(messages, list) else [messages]
