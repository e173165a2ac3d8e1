"""Admin of organisations, accounts, their devices and failed logins."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from fieldsync.admin.base import LargeTableAdmin, ReadOnlyAdmin, ReferenceRecordAdmin
from fieldsync.models import Device, LoginFailure, Organisation, User
from fieldsync.services.accounts import AccountError
from fieldsync.services.deactivation import account_deactivate, account_reactivate
from fieldsync.services.devices import device_revoke

DEACTIVATION_FIELDS = ("deactivated_at", "deactivated_by", "deactivation_reason")


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
        (_("Deactivation"), {"fields": DEACTIVATION_FIELDS}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Field sync"), {"fields": ("role", "organisation")}),
    )
    actions = ("deactivate_selected", "reactivate_selected")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Accounts are switched off only through the action, so the reason and history are kept.
        return (*super().get_readonly_fields(request, obj), "is_active", *DEACTIVATION_FIELDS)

    def has_deactivate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("fieldsync.deactivate_user")

    @admin.action(description=_("Deactivate selected accounts…"), permissions=["deactivate"])
    def deactivate_selected(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> HttpResponse | None:
        reason = str(request.POST.get("reason", "")).strip()
        if "apply" in request.POST and reason:
            self._deactivate(request, list(queryset.filter(is_active=True)), reason)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Deactivate accounts"),
            "subtitle": None,
            "opts": self.opts,
            "accounts": queryset.select_related("organisation")[:200],
            "count": queryset.count(),
            "reason": reason,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/fieldsync/user/deactivate_selected.html", context)

    def _deactivate(self, request: HttpRequest, accounts: list[User], reason: str) -> None:
        staff = cast(User, request.user)  # admin views are for logged-in staff only
        done = 0
        for account in accounts:
            try:
                done += account_deactivate(user=account, by=staff, reason=reason)
            except AccountError as refused:
                self.message_user(request, f"{account.username}: {refused}", messages.ERROR)
        self.message_user(
            request,
            ngettext("%(count)d account deactivated.", "%(count)d accounts deactivated.", done)
            % {"count": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reactivate selected accounts"), permissions=["deactivate"])
    def reactivate_selected(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        staff = cast(User, request.user)
        done = sum(
            account_reactivate(user=account, by=staff)
            for account in queryset.filter(is_active=False)
        )
        self.message_user(
            request,
            ngettext("%(count)d account reactivated.", "%(count)d accounts reactivated.", done)
            % {"count": done},
            messages.SUCCESS,
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


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    list_display = ("failed_at", "username", "address")
    search_fields = ("username", "address")
    date_hierarchy = "failed_at"
    ordering = ("-failed_at",)
