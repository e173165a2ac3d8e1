"""Admin of the sync engine: organisations, accounts, devices, and the engine's tables (view only).

Also the bases the domain apps' admins use: `ReferenceRecordAdmin` (edits go through
`reference_rows_upsert`) and `ReadOnlyAdmin` (records change through services, not here).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

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
from fieldsync.services.devices import device_revoke
from fieldsync.services.reference import reference_rows_upsert

MASK = "•••"

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


class ReadOnlyAdmin(admin.ModelAdmin):
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
class DeviceAdmin(admin.ModelAdmin):
    """Devices are enrolled through the API; here staff see them and revoke lost ones."""

    list_display = (
        "user",
        "name",
        "device_id",
        "app_version",
        "last_push_at",
        "last_pull_at",
        "revoked_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "user__organisation", "app_version")
    list_select_related = ("user",)
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
class InboxRecordAdmin(ReadOnlyAdmin):
    list_display = ("batch", "position", "model", "record_id", "status", "waiting_for_model")
    list_filter = ("status", "model")
    list_select_related = ("batch",)
    search_fields = ("record_id", "batch__batch_id")
    record_data_fields = ("payload", "result")
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


@admin.register(RecordVersion)
class RecordVersionAdmin(ReadOnlyAdmin):
    list_display = ("model", "record_id", "version", "op", "source", "user", "device", "created_at")
    list_filter = ("model", "op", "source")
    list_select_related = ("user", "device__user")
    search_fields = ("record_id",)
    date_hierarchy = "created_at"
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
class ConflictAdmin(ReadOnlyAdmin):
    list_display = (
        "model",
        "record_id",
        "kind",
        "status",
        "server_version",
        "device",
        "created_at",
        "resolved_at",
    )
    list_filter = ("status", "kind", "model")
    list_select_related = ("device__user",)
    search_fields = ("record_id",)
    date_hierarchy = "created_at"
    record_data_fields = ("fields",)
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
