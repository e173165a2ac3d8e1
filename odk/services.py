"""ODK Collect's devices and the QR code that configures Collect (contract: openrosa.md,
Server URL and authentication).

A Collect device is an ordinary `Device` of the account (app version "odk-collect"): a token URL
`/openrosa/key/<token>/` authenticates as it, and staff revoke it like a tablet
(`fieldsync.services.devices.device_revoke`). Submissions sent with the account's password
arrive through one further device per account, `collect_password_device`.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
import zlib

import segno
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fieldsync.models import Device, Role, User
from fieldsync.services.auth import Enrolment, token_hash

COLLECT_APP_VERSION = "odk-collect"
COLLECT_DEVICE_NAME = "ODK Collect"
# uuid5 namespace of the password devices: the same account always gets the same device id.
PASSWORD_DEVICES = uuid.UUID("0b7e4c1e-5a8f-4d2b-9c63-2e1f7a9d4b10")
# How the project looks in Collect's project switcher: one letter on a colour.
PROJECT_ICON = "U"
PROJECT_COLOR = "#b3261e"


class CollectDeviceError(Exception):
    """A Collect device that cannot be enrolled; the message says why, for staff."""


def collect_device_enrol(*, user: User, name: str, by: User) -> Enrolment:
    """Enrol a new Collect device for `user` and return it with its token (shown once).

    The token is stored hashed; the account's admin history records who enrolled which device.
    Refused (CollectDeviceError) for NRA staff accounts, whose reach a password-less code must
    not carry, and for deactivated accounts.
    """
    name = name.strip()
    if not name:
        raise CollectDeviceError(_("Name the device, e.g. the surveyor's phone."))
    if user.role == Role.NRA_STAFF:
        raise CollectDeviceError(
            _("Collect devices are for surveyors' and partners' accounts, not NRA staff.")
        )
    if not user.is_active:
        raise CollectDeviceError(_("This account is deactivated."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        device = Device.objects.create(
            device_id=uuid.uuid4(),
            user=user,
            name=name[:200],
            token_hash=token_hash(token),
            app_version=COLLECT_APP_VERSION,
        )
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=[user],
            action_flag=CHANGE,
            change_message=_("Enrolled the ODK Collect device “%(name)s”.") % {"name": device.name},
        )
    return Enrolment(device=device, token=token)


def collect_password_device_id(*, user: User) -> uuid.UUID:
    """The device id of the account's password device (the same for the account, always)."""
    return uuid.uuid5(PASSWORD_DEVICES, str(user.pk))


def collect_password_device(*, user: User) -> Device:
    """The device through which `user`'s Collect submissions sent with a password arrive.

    One per account, so its batches read like a tablet's. Its token is random and never handed
    out: it cannot be used to log in.
    """
    device_id = collect_password_device_id(user=user)
    device = Device.objects.filter(device_id=device_id, user=user).first()
    if device is not None:
        return device
    try:
        with transaction.atomic():
            return Device.objects.create(
                device_id=device_id,
                user=user,
                name=COLLECT_DEVICE_NAME,
                token_hash=token_hash(secrets.token_urlsafe(32)),
                app_version=COLLECT_APP_VERSION,
            )
    except IntegrityError:  # created concurrently
        return Device.objects.get(device_id=device_id, user=user)


def collect_devices(*, user: User) -> QuerySet[Device]:
    """The account's Collect devices (token URLs and the password device), newest first."""
    return (
        Device.objects.filter(user=user, app_version=COLLECT_APP_VERSION)
        .select_related("revoked_by")
        .order_by("-enrolled_at", "-pk")
    )


def collect_settings_code(*, server_url: str, username: str, project: str) -> str:
    """Collect's settings QR payload: JSON, zlib-compressed, base64 (docs.getodk.org,
    "Importing and exporting settings"). No password: the server URL carries the token."""
    settings = {
        "general": {"server_url": server_url, "username": username},
        "admin": {},
        "project": {"name": project, "icon": PROJECT_ICON, "color": PROJECT_COLOR},
    }
    text = json.dumps(settings, ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")


def collect_qr_svg(*, code: str) -> str:
    """The QR code of `code` as an inline SVG element (black on white, 4-module quiet zone)."""
    qr = segno.make(code, micro=False, error="m")
    return str(qr.svg_inline(scale=5, border=4, dark="#000", light="#fff"))
