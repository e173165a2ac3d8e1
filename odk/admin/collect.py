"""An account's ODK Collect devices in admin: the list with revoke, and "New Collect device",
which enrols one and shows its QR code once (in the POST's answer: the token is in no URL).

Added from the odk side (fieldsync knows nothing of Collect): the account admin is registered
again as a subclass with the page's URLs and an "ODK Collect" link on the account's page.
"""

from __future__ import annotations

import secrets
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from fieldsync.admin.accounts import AccountAdmin
from fieldsync.models import Role, User
from fieldsync.services.auth import Enrolment
from fieldsync.services.devices import device_revoke
from odk.services import (
    CollectDeviceError,
    collect_device_enrol,
    collect_devices,
    collect_password_device_id,
    collect_qr_svg,
    collect_settings_code,
)

TEMPLATE = "admin/odk/collect_devices.html"
SENT_FORMS = "odk_collect_enrolled"  # the session's list of the forms that enrolled a device


class CollectDeviceForm(forms.Form):
    name = forms.CharField(
        label=_("Device name"),
        max_length=200,
        help_text=_("Whose phone or tablet, e.g. “Khamla's phone, HALO team 3”."),
    )
    # One enrolment per form shown: a reload or a double click does not enrol a second device.
    once = forms.CharField(
        widget=forms.HiddenInput, required=False, initial=lambda: secrets.token_urlsafe(12)
    )


def project_name(account: User) -> str:
    """The name Collect shows for the project: fieldsync and the account's organisation."""
    organisation = account.organisation.name if account.organisation else account.username
    return f"fieldsync – {organisation}"  # noqa: RUF001  (an en dash, as in a title)


class CollectAccountAdmin(AccountAdmin):
    """The account admin with its Collect devices page (`admin:fieldsync_user_collect`)."""

    change_form_template = "admin/odk/user_change_form.html"

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/collect/", wrap(self.collect_view), name="fieldsync_user_collect"
            ),
            path(
                "<path:object_id>/collect/<int:device_pk>/revoke/",
                wrap(require_POST(self.collect_revoke_view)),
                name="fieldsync_user_collect_revoke",
            ),
            *super().get_urls(),
        ]

    def has_collect_enrol_permission(self, request: HttpRequest) -> bool:
        # A Collect device is a credential of the account, like its password.
        return request.user.has_perm("fieldsync.change_user")

    def has_collect_revoke_permission(self, request: HttpRequest) -> bool:
        # Revoking only takes access away; the devices list lets `change_device` do it too.
        user = request.user
        return user.has_perm("fieldsync.change_user") or user.has_perm("fieldsync.change_device")

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = {"collect_devices_link": True, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)

    def collect_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """GET: the account's Collect devices. POST: enrol one and show its QR code, once."""
        account = self._account(request, object_id)
        form = CollectDeviceForm(request.POST if request.method == "POST" else None)
        enrolment = None
        if request.method == "POST":
            if not self.has_collect_enrol_permission(request):
                raise PermissionDenied
            if form.is_valid():
                enrolment = self._enrol(request, account, form)
            if enrolment is not None or not form.errors:
                form = CollectDeviceForm()  # a blank form: the next device is another phone
        # admin_view's never_cache: no-store, so the browser keeps no copy of the code
        context = self._collect_context(request, account, form, enrolment)
        return TemplateResponse(request, TEMPLATE, context)

    def collect_revoke_view(self, request: HttpRequest, object_id: str, device_pk: int) -> Any:
        """POST: revoke one of the account's Collect devices; back to the list."""
        account = self._account(request, object_id)
        if not self.has_collect_revoke_permission(request):
            raise PermissionDenied
        device = get_object_or_404(collect_devices(user=account), pk=device_pk)
        device_revoke(device=device, by=cast(User, request.user))
        self.message_user(
            request,
            gettext("The device “%(name)s” is revoked: its code no longer works.")
            % {"name": device.name},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:fieldsync_user_collect", args=[account.pk]))

    def _account(self, request: HttpRequest, object_id: str) -> User:
        account = self.get_object(request, object_id)
        if account is None:
            raise Http404
        if not self.has_view_or_change_permission(request, account):
            raise PermissionDenied
        return cast(User, account)

    def _enrol(
        self, request: HttpRequest, account: User, form: CollectDeviceForm
    ) -> Enrolment | None:
        once = form.cleaned_data["once"]
        sent = list(request.session.get(SENT_FORMS, []))
        if once and once in sent:
            message = gettext("That device is enrolled already; its code is not shown again.")
            self.message_user(request, message, messages.WARNING)
            return None
        try:
            enrolment = collect_device_enrol(
                user=account, name=form.cleaned_data["name"], by=cast(User, request.user)
            )
        except CollectDeviceError as refused:
            form.add_error("name", str(refused))
            return None
        if once:
            request.session[SENT_FORMS] = [*sent, once][-20:]
        return enrolment

    def _collect_context(
        self,
        request: HttpRequest,
        account: User,
        form: CollectDeviceForm,
        enrolment: Enrolment | None,
    ) -> dict[str, Any]:
        request.current_app = self.admin_site.name
        password_device = collect_password_device_id(user=account)
        devices = [
            {"device": device, "password": device.device_id == password_device}
            for device in collect_devices(user=account)
        ]
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": account,
            "title": gettext("ODK Collect devices of %(username)s") % {"username": account},
            "devices": devices,
            "form": form,
            "for_nra_staff": account.role == Role.NRA_STAFF,
            "can_enrol": self.has_collect_enrol_permission(request),
            "can_revoke": self.has_collect_revoke_permission(request),
        }
        if enrolment is not None:
            context["enrolled"] = self._qr_context(request, account, enrolment)
        return context

    def _qr_context(
        self, request: HttpRequest, account: User, enrolment: Enrolment
    ) -> dict[str, Any]:
        server_url = request.build_absolute_uri(f"/openrosa/key/{enrolment.token}/")
        project = project_name(account)
        code = collect_settings_code(
            server_url=server_url, username=account.username, project=project
        )
        return {
            "device": enrolment.device,
            "server_url": server_url,
            "project": project,
            "qr_svg": collect_qr_svg(code=code),
        }


def collect_account_admin_register(site: admin.AdminSite) -> None:
    """Replace the account admin with the one that has the Collect devices page."""
    if isinstance(site._registry.get(User), CollectAccountAdmin):
        return
    site.unregister(User)
    site.register(User, CollectAccountAdmin)
