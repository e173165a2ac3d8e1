"""Admin of the sync engine: organisations, accounts, devices, and the engine's tables (view only).

Also the bases the domain apps' admins use: `ReferenceRecordAdmin` (edits go through
`reference_rows_upsert`) and `ReadOnlyAdmin` (records change through services, not here).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from fieldsync.models import (
    Change,
    Conflict,
    Device,
    InboxRecord,
    LoginFailure,
    Organisation,
    RecordVersion,
    SyncBatch,
    User,
)
from fieldsync.registry import registry
from fieldsync.services.devices import device_revoke
from fieldsync.services.reference import reference_rows_upsert
from fieldsync.services.review import (
    ReviewError,
    conflict_fields,
    conflict_resolve,
    inbox_record_data,
    inbox_record_discard,
    inbox_record_fix,
    record_history,
)

MASK = "•••"

admin.site.site_header = _("NRA accident and victim records")
admin.site.site_title = _("NRA records")
admin.site.index_title = _("Administration")

# Wire model -> its personal fields, hidden from readers without the personal-data permission.
# Domain apps declare theirs (`hide_personal_fields`); fieldsync knows no domain model.
_personal_fields: dict[str, frozenset[str]] = {}


def hide_personal_fields(wire_model: str, fields: Sequence[str]) -> None:
    """Mask these fields of `wire_model` wherever the engine's admin shows raw record data."""
    _personal_fields[wire_model] = frozenset(fields)


def sees_personal_data(request: HttpRequest) -> bool:
    user = request.user
    return isinstance(user, User) and user.sees_personal_data()


def mask_personal_data(value: Any, personal: frozenset[str] = frozenset()) -> Any:
    """`value` (JSON) with the personal fields masked; a dict naming its `model` switches set."""
    if isinstance(value, dict):
        model = value.get("model")
        if isinstance(model, str):
            personal = _personal_fields.get(model, frozenset())
        return {
            key: MASK if key in personal else mask_personal_data(item, personal)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_personal_data(item, personal) for item in value]
    return value


def masked_value(value: Any, *, personal: bool, visible: bool) -> Any:
    """One field's value as a reader may see it."""
    return MASK if personal and not visible and value not in (None, "", []) else value


def personal_fields_of(wire_model: str) -> frozenset[str]:
    return _personal_fields.get(wire_model, frozenset())


class LargeTablePaginator(Paginator):
    """Pages of a large table without counting all of it.

    Unfiltered on PostgreSQL: the planner's row estimate once the table is large. Otherwise an
    exact count, capped at CAP + 1 (a bounded index scan): staff narrow such lists with filters.
    """

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        objects = self.object_list
        if not isinstance(objects, QuerySet):
            return super().count
        if not objects.query.where:
            estimate = _estimated_rows(objects)
            if estimate is not None and estimate > self.CAP:
                return estimate
        return objects.order_by()[: self.CAP + 1].count()


def _estimated_rows(objects: QuerySet[Any]) -> int | None:
    connection = connections[objects.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [objects.model._meta.db_table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None and row[0] >= 0 else None


class LargeTableAdmin(admin.ModelAdmin):
    """A list over a table that grows large: no full count, a paginator that avoids COUNT(*)."""

    show_full_result_count = False
    paginator = LargeTablePaginator
    #: Related rows of the page fetched in a query of their own (instead of a join over the
    #: whole table before the sort).
    list_prefetch_related: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if self.list_prefetch_related:
            queryset = queryset.prefetch_related(*self.list_prefetch_related)
        return queryset


@dataclass(frozen=True)
class HistoryRow:
    version: RecordVersion
    changes: list[tuple[str, Any, Any]]


class RecordHistoryAdmin(admin.ModelAdmin):
    """`History` of a synced record: each version, who made it (user, device), its source, the
    server and tablet times, and what changed (personal values masked unless permitted)."""

    object_history_template = "admin/fieldsync/record_history.html"

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        wire = registry.for_model(self.model).wire_name
        visible = sees_personal_data(request)
        personal = personal_fields_of(wire)
        rows = []
        for version in record_history(model=wire, record_id=str(obj.pk)):
            if version.op == "create":
                pairs = [(k, None, v) for k, v in sorted(version.data.items()) if v not in ("", [])]
            else:
                pairs = [(k, *v) for k, v in sorted(version.changes.items())]
            changes = [
                (
                    name,
                    masked_value(old, personal=name in personal, visible=visible),
                    masked_value(new, personal=name in personal, visible=visible),
                )
                for name, old, new in pairs
            ]
            rows.append(HistoryRow(version=version, changes=changes))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("History: %(record)s") % {"record": obj},
            "subtitle": None,
            "opts": self.opts,
            "object": obj,
            "rows": rows,
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)


def admin_url_of(wire_model: str, record_id: str) -> str | None:
    """The admin page of a record of a wire model, if it has one."""
    adapter = registry.get(wire_model)
    if adapter is None:
        return None
    opts = adapter.model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record_id])
    except NoReverseMatch:  # a model without an admin page
        return None


class ReviewActionsAdmin(admin.ModelAdmin):
    """Admin pages with review actions of their own (URLs beside the change page)."""

    def object_or_404(self, request: HttpRequest, object_id: str) -> Any:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj


class ReadOnlyAdmin(ReviewActionsAdmin):
    """View only: these records change through services (sync, NRA review), never by hand here.

    Raw record data (JSON) is shown through `show_json`, masked for readers without the
    personal-data permission, who may not filter on it either.
    """

    #: JSON fields holding record data; URL lookups on them are refused to readers who may not
    #: see personal data (a filter would reveal what the mask hides).
    record_data_fields: tuple[str, ...] = ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if self.fields:
            return tuple(name for name in self.fields if isinstance(name, str))
        return tuple(
            field.name for field in self.model._meta.concrete_fields if not field.auto_created
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = [name for name in self.get_fields(request, obj) if isinstance(name, str)]
        return tuple(dict.fromkeys([*self.readonly_fields, *fields]))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        field = lookup.split("__", 1)[0]
        if field in self.record_data_fields and not sees_personal_data(request):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # Display methods get only the object; the admin is shared between requests.
            obj._sees_personal_data = sees_personal_data(request)
        return obj

    def show_json(self, obj: Any, model: str, value: Any) -> SafeString:
        """Record data as indented JSON, masked unless the reader may see personal data."""
        if value is None:
            return format_html("{}", "-")
        if not getattr(obj, "_sees_personal_data", False):
            value = mask_personal_data(value, _personal_fields.get(model, frozenset()))
        text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html("<pre>{}</pre>", text)


class ReferenceRecordAdmin(admin.ModelAdmin):
    """Reference data, edited by NRA staff: saved through `reference_rows_upsert`, so the version
    goes up and tablets pull the change. Never deleted: records refer to it by code."""

    readonly_fields = ("version", "created_at", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        # The code is what tablets and records refer to: it never changes.
        return ("code", *fields) if obj is not None else fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        row = {**form.cleaned_data, "code": obj.pk}
        reference_rows_upsert(model=type(obj), rows=[row])
        obj.refresh_from_db()
        obj._state.adding = False


@admin.register(Organisation)
class OrganisationAdmin(ReferenceRecordAdmin):
    list_display = ("code", "name", "name_lo", "kind", "version", "updated_at")
    list_filter = ("kind",)
    search_fields = ("code", "name", "name_lo")


class AccountCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username",)


class AccountChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class AccountAdmin(UserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    list_display = (
        "username",
        "first_name",
        "last_name",
        "role",
        "organisation",
        "is_staff",
        "is_superuser",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "organisation", "is_staff", "is_superuser", "is_active", "groups")
    list_select_related = ("organisation",)
    search_fields = ("username", "first_name", "last_name", "email", "organisation__code")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Field sync"), {"fields": ("role", "organisation")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Field sync"), {"fields": ("role", "organisation")}),
    )


@admin.register(Device)
class DeviceAdmin(LargeTableAdmin):
    """Devices are enrolled through the API; here staff see them and revoke lost ones."""

    list_display = (
        "user",
        "organisation",
        "name",
        "device_id",
        "app_version",
        "last_sync",
        "last_push_at",
        "last_pull_at",
        "revoked_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "user__organisation", "app_version")
    list_select_related = ("user__organisation",)
    search_fields = ("name", "device_id", "user__username")
    date_hierarchy = "enrolled_at"
    fields = (
        "device_id",
        "user",
        "name",
        "app_version",
        "enrolled_at",
        "last_seen_at",
        "last_push_at",
        "last_pull_at",
        "revoked_at",
        "revoked_by",
    )
    readonly_fields = fields
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("fieldsync.change_device")

    @admin.display(description=_("organisation"), ordering="user__organisation")
    def organisation(self, obj: Device) -> str:
        return obj.user.organisation_id or "-"

    @admin.display(description=_("last sync"))
    def last_sync(self, obj: Device) -> Any:
        times = [t for t in (obj.last_push_at, obj.last_pull_at) if t is not None]
        return max(times) if times else None

    @admin.action(description=_("Revoke selected devices"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Device]) -> None:
        staff = cast(User, request.user)  # admin views are for logged-in staff only
        devices = list(queryset.filter(revoked_at__isnull=True))
        for device in devices:
            device_revoke(device=device, by=staff)
        self.message_user(
            request,
            _("Revoked %(count)d device(s).") % {"count": len(devices)},
            messages.SUCCESS,
        )


@admin.register(SyncBatch)
class SyncBatchAdmin(ReadOnlyAdmin):
    list_display = (
        "batch_id",
        "device",
        "status",
        "record_count",
        "schema_version",
        "received_at",
        "processed_at",
    )
    list_filter = ("status", "schema_version")
    list_select_related = ("device__user",)
    search_fields = ("batch_id", "device__device_id", "device__user__username")
    date_hierarchy = "received_at"
    record_data_fields = ("response",)
    fields = (
        "batch_id",
        "device",
        "status",
        "record_count",
        "schema_version",
        "body_sha256",
        "received_at",
        "processed_at",
        "response_data",
    )
    readonly_fields = ("response_data",)

    @admin.display(description=_("response"))
    def response_data(self, obj: SyncBatch) -> SafeString:
        return self.show_json(obj, "", obj.response)


@admin.register(InboxRecord)
class InboxRecordAdmin(LargeTableAdmin, ReadOnlyAdmin):
    """Every received record; held and rejected ones are the quarantine staff review here: the
    raw payload and its errors, fix and apply, or discard with a reason (kept either way)."""

    list_display = (
        "record_id",
        "model",
        "status",
        "errors_summary",
        "device",
        "received_at",
        "position",
        "waiting_for_model",
    )
    list_filter = ("status", "model")
    list_select_related = ("batch__device__user",)
    search_fields = ("=record_id", "=batch__batch_id")
    record_data_fields = ("payload", "result")
    change_form_template = "admin/fieldsync/inboxrecord/change_form.html"
    fields = (
        "batch",
        "position",
        "model",
        "record_id",
        "status",
        "waiting_for_model",
        "waiting_for_id",
        "resolved_at",
        "payload_data",
        "result_data",
    )
    readonly_fields = ("payload_data", "result_data")

    @admin.display(description=_("payload"))
    def payload_data(self, obj: InboxRecord) -> SafeString:
        return self.show_json(obj, obj.model, obj.payload)

    @admin.display(description=_("result"))
    def result_data(self, obj: InboxRecord) -> SafeString:
        return self.show_json(obj, obj.model, obj.result)

    @admin.display(description=_("device"))
    def device(self, obj: InboxRecord) -> Device:
        return obj.batch.device

    @admin.display(description=_("received at"), ordering="batch__received_at")
    def received_at(self, obj: InboxRecord) -> Any:
        return obj.batch.received_at

    @admin.display(description=_("errors"))
    def errors_summary(self, obj: InboxRecord) -> str:
        errors = (obj.result or {}).get("errors") if isinstance(obj.result, dict) else None
        if not isinstance(errors, dict):
            return ""
        return ", ".join(sorted(str(name) for name in errors))[:80]

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("fieldsync.change_inboxrecord")

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/fix/", wrap(self.fix_view), name="fieldsync_inboxrecord_fix"),
            path(
                "<path:object_id>/discard/",
                wrap(require_POST(self.discard_view)),
                name="fieldsync_inboxrecord_discard",
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
        record = self.object_or_404(request, object_id)
        context = {
            "can_review": record.status in ("held", "rejected")
            and self.has_review_permission(request),
            "can_fix": inbox_record_data(inbox_record=record) is not None,
            "errors": _errors_of(record),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def fix_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        record = self.object_or_404(request, object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        data = inbox_record_data(inbox_record=record)
        visible = sees_personal_data(request)
        if data is not None and not visible:
            data = mask_personal_data(data, personal_fields_of(record.model))
        text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
        errors: dict[str, Any] = _errors_of(record)
        message = ""
        if request.method == "POST":
            text = request.POST.get("data", "")
            try:
                fixed = json.loads(text)
                if not isinstance(fixed, dict):
                    raise ValueError
            except ValueError:
                message = gettext("The data must be a JSON object of the record's fields.")
            else:
                try:
                    replacement = inbox_record_fix(
                        inbox_record_id=record.pk, data=fixed, by=cast(User, request.user)
                    )
                except ReviewError as error:
                    message, errors = str(error), error.errors
                else:
                    self.message_user(
                        request,
                        gettext("The record was fixed and applied (%(status)s).")
                        % {"status": replacement.get_status_display()},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:fieldsync_inboxrecord_change", args=[replacement.pk])
                    )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Fix and apply %(record)s") % {"record": record},
            "subtitle": None,
            "opts": self.opts,
            "original": record,
            "payload": self.show_json_for(request, record.model, record.payload),
            "errors": errors,
            "message": message,
            "text": text,
            "can_fix": data is not None and record.status in ("held", "rejected"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/fieldsync/inboxrecord/fix.html", context)

    def discard_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        record = self.object_or_404(request, object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        try:
            inbox_record_discard(
                inbox_record_id=record.pk,
                reason=request.POST.get("reason", ""),
                by=cast(User, request.user),
            )
        except ReviewError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, gettext("The record was discarded."), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:fieldsync_inboxrecord_change", args=[record.pk]))

    def show_json_for(self, request: HttpRequest, model: str, value: Any) -> SafeString:
        holder = type("Holder", (), {"_sees_personal_data": sees_personal_data(request)})()
        return self.show_json(holder, model, value)


def _errors_of(record: InboxRecord) -> dict[str, Any]:
    result = record.result if isinstance(record.result, dict) else {}
    errors = result.get("errors")
    return errors if isinstance(errors, dict) else {}


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


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin):
    list_display = ("seq", "model", "record_id", "audience", "version", "deleted", "visible")
    list_filter = ("model", "deleted", "visible")
    search_fields = ("record_id", "audience")
    ordering = ("-seq",)


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    list_display = ("failed_at", "username", "address")
    search_fields = ("username", "address")
    date_hierarchy = "failed_at"
    ordering = ("-failed_at",)


__all__ = [
    "MASK",
    "ReadOnlyAdmin",
    "ReferenceRecordAdmin",
    "hide_personal_fields",
    "mask_personal_data",
    "sees_personal_data",
]
