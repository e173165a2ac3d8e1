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
from fieldsync.admin.personal import masked_value, sees_personal_data
from fieldsync.models import Conflict, RecordVersion, User
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
        "record_id",
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
        "conflict_fields",
    )
    readonly_fields = ("conflict_fields",)

    @admin.display(description=_("fields (base, server, tablet)"))
    def conflict_fields(self, obj: Conflict) -> SafeString:
        return self.show_json(obj, obj.model, obj.fields)

    @admin.display(description=_("fields"))
    def clashing_fields(self, obj: Conflict) -> str:
        return ", ".join(sorted(obj.fields or {}))[:80]

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
        rows = [
            {
                "name": row.name,
                "base": masked_value(row.base, personal=row.personal, visible=visible),
                "server": masked_value(row.server, personal=row.personal, visible=visible),
                "current": masked_value(row.current, personal=row.personal, visible=visible),
                "tablet": masked_value(row.tablet, personal=row.personal, visible=visible),
                "choosable": visible or not row.personal,
                "differs": row.current != row.server,
            }
            for row in conflict_fields(conflict=conflict)
        ]
        context = {
            "rows": rows,
            "can_resolve": conflict.status == "open" and self.has_review_permission(request),
            "can_apply_delete": conflict.kind in ("delete", "locked") and not rows,
            "record_url": admin_url_of(conflict.model, conflict.record_id),
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
            detail = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in error.errors.items())
            self.message_user(request, f"{error} {detail}".strip(), messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:fieldsync_conflict_change", args=[conflict.pk])
            )
        self.message_user(request, gettext("The conflict was resolved."), messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:fieldsync_conflict_changelist") + "?status__exact=open"
        )
