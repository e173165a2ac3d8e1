"""Device enrolment and token authentication (sync contract, Authentication)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.utils import timezone

from fieldsync.models import Device, User
from fieldsync.services.logins import (
    LoginAttempt,
    login_failure_record,
    login_throttle_check,
)

LAST_SEEN_RESOLUTION_SECONDS = 60


class InvalidCredentials(Exception):
    pass


class DeviceRevoked(Exception):
    pass


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
    """Check the credentials (throttled) and give this user's device a new token.

    An inactive (deactivated) account gets the same answer as a wrong password."""
    known_device = Device.objects.filter(
        user__username=username, device_id=device_id, revoked_at__isnull=True
    ).exists()
    attempt = LoginAttempt(username=username, address=address, known_device=known_device)
    login_throttle_check(attempt=attempt)
    user = authenticate(username=username, password=password)
    if not isinstance(user, User) or not user.is_active:
        login_failure_record(attempt=attempt)
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
