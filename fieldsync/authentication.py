"""`Authorization: Token <token>`: one token per user and device, refused once revoked."""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from fieldsync.services.auth import device_for_token


class DeviceRevokedError(exceptions.AuthenticationFailed):
    default_detail = "This device has been revoked; enrol it again after staff re-enable it."
    default_code = "device_revoked"


class AccountDisabledError(exceptions.AuthenticationFailed):
    default_detail = "This account has been deactivated; ask NRA staff to reactivate it."
    default_code = "account_disabled"


#: App versions whose tokens authenticate elsewhere only (an ODK Collect device's token is for
#: OpenRosa: its QR code travels, it must not also open the sync API). Filled by apps' ready().
API_REFUSED_APPS: set[str] = set()


class DeviceTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header.", code="invalid_token")
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("Invalid token.", code="invalid_token") from error
        device = device_for_token(token)
        if device is None or device.app_version in API_REFUSED_APPS:
            raise exceptions.AuthenticationFailed("Invalid token.", code="invalid_token")
        if not device.user.is_active:
            raise AccountDisabledError
        if device.is_revoked:
            raise DeviceRevokedError
        return device.user, device

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
