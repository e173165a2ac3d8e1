"""Who is calling: HTTP Basic with OpenRosa's challenge pattern, or a Collect device's token URL.

A request without credentials gets `401` with a Basic challenge and Collect retries with them.
Wrong passwords count towards the login throttle of the sync contract (per username and
address), so a password cannot be guessed faster here than through device enrolment. A token
URL (`/openrosa/key/<token>/`) authenticates as that device: no password is typed in the field,
and revoking the device (admin) refuses it like a revoked tablet.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _

from fieldsync.models import Device, User
from fieldsync.services.auth import device_for_token
from fieldsync.services.logins import (
    LoginAttempt,
    LoginThrottled,
    client_address,
    login_failure_record,
    login_throttle_check,
)
from odk.services import COLLECT_APP_VERSION, collect_password_device

REALM = 'Basic realm="fieldsync", charset="UTF-8"'


@dataclass(frozen=True)
class Caller:
    user: User
    device: Device


class Refused(Exception):
    """Authentication failed: the status, the message for the surveyor, extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def caller_of(request: HttpRequest, token: str | None) -> Caller:
    """The account and device of this request, or Refused."""
    if token is not None:
        return _token_caller(token)
    return _basic_caller(request)


def _token_caller(token: str) -> Caller:
    device = device_for_token(token)
    if device is None or device.app_version != COLLECT_APP_VERSION:
        raise Refused(401, _("This server address is not valid. Ask NRA staff for a new QR code."))
    if not device.user.is_active:
        raise Refused(401, _("This account has been deactivated; ask NRA staff to reactivate it."))
    if device.is_revoked:
        raise Refused(401, _("This device has been revoked. Ask NRA staff for a new QR code."))
    return Caller(user=device.user, device=device)


def _challenge() -> Refused:
    return Refused(
        401,
        _("Sign in with your fieldsync username and password."),
        {"WWW-Authenticate": REALM},
    )


def _credentials(request: HttpRequest) -> tuple[str, str] | None:
    scheme, _space, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, password = decoded.partition(":")
    if not colon or not username:
        return None
    return username, password


def _basic_caller(request: HttpRequest) -> Caller:
    credentials = _credentials(request)
    if credentials is None:
        raise _challenge()
    username, password = credentials
    attempt = LoginAttempt(username=username, address=client_address(request.META))
    try:
        login_throttle_check(attempt=attempt)
    except LoginThrottled as throttled:
        raise Refused(
            429,
            _("Too many failed sign-ins. Try again in %(seconds)d seconds.")
            % {"seconds": throttled.retry_after},
            {"Retry-After": str(throttled.retry_after)},
        ) from throttled
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User) or not user.is_active:
        login_failure_record(attempt=attempt)
        raise _challenge()
    device = collect_password_device(user=user)
    if device.is_revoked:
        raise Refused(401, _("This account's ODK Collect access has been revoked by NRA staff."))
    return Caller(user=user, device=device)
