"""Device enrolment and token authentication (sync contract, Authentication)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.utils import timezone

from fieldsync.models import Device, LoginFailure, User

LAST_SEEN_RESOLUTION_SECONDS = 60


class InvalidCredentials(Exception):
    pass


class DeviceRevoked(Exception):
    pass


class LoginThrottled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Enrolment:
    device: Device
    token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def device_enrol(
    *,
    username: str,
    password: str,
    device_id: uuid.UUID,
    device_name: str,
    address: str,
    app_version: str = "",
) -> Enrolment:
    """Check the credentials (throttled) and give this user's device a new token."""
    login_throttle_check(username=username, address=address)
    user = authenticate(username=username, password=password)
    if not isinstance(user, User) or not user.is_active:
        login_failure_record(username=username, address=address)
        raise InvalidCredentials
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        device = Device.objects.select_for_update().filter(device_id=device_id, user=user).first()
        if device is not None and device.is_revoked:
            raise DeviceRevoked
        if device is None:
            try:
                with transaction.atomic():
                    device = Device.objects.create(
                        device_id=device_id,
                        user=user,
                        name=device_name,
                        token_hash=token_hash(token),
                        app_version=app_version,
                    )
            except IntegrityError:  # a concurrent enrolment of the same device won
                device = Device.objects.select_for_update().get(device_id=device_id, user=user)
        device.token_hash = token_hash(token)
        device.name = device_name or device.name
        device.app_version = app_version or device.app_version
        device.last_seen_at = timezone.now()
        device.save(update_fields=["token_hash", "name", "app_version", "last_seen_at"])
    return Enrolment(device=device, token=token)


def login_failure_record(*, username: str, address: str) -> None:
    """A failed login (device enrolment or admin), counted by `login_throttle_check`."""
    LoginFailure.objects.create(username=username[:150], address=address[:64])


def login_throttle_check(*, username: str, address: str) -> None:
    """Raise LoginThrottled after too many recent failures for this username or address."""
    limit = settings.FIELDSYNC["LOGIN_FAILURE_LIMIT"]
    window = settings.FIELDSYNC["LOGIN_FAILURE_WINDOW"]
    since = timezone.now() - window
    for lookup in ({"username": username[:150]}, {"address": address[:64]}):
        failures = LoginFailure.objects.filter(failed_at__gte=since, **lookup)
        if failures.count() >= limit:
            oldest = failures.order_by("-failed_at").values_list("failed_at", flat=True)[limit - 1]
            retry_after = int((oldest + window - timezone.now()).total_seconds()) + 1
            raise LoginThrottled(max(retry_after, 1))


def device_for_token(token: str) -> Device | None:
    """The device a token belongs to (revoked ones included: the caller refuses them)."""
    device = (
        Device.objects.select_related("user", "user__organisation")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if device is None:
        return None
    now = timezone.now()
    if device.last_seen_at is None or (
        (now - device.last_seen_at).total_seconds() > LAST_SEEN_RESOLUTION_SECONDS
    ):
        Device.objects.filter(pk=device.pk).update(last_seen_at=now)
    return device
