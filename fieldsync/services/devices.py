"""Enrolled devices (tablets and partner systems)."""

from __future__ import annotations

import secrets
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from fieldsync.models import Device, User
from fieldsync.services.auth import token_hash

SERVER_DEVICES = uuid.UUID("6f1c9a52-3d0e-4b8e-9a57-7f2b0c1d9e44")


@transaction.atomic
def device_revoke(*, device: Device, by: User) -> Device:
    """Revoke a device (a lost tablet): its token is refused from now on.

    Revoking a revoked device changes nothing: the first revocation's time and author stay.
    """
    locked = Device.objects.select_for_update().get(pk=device.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.save(update_fields=["revoked_at", "revoked_by"])
    device.revoked_at = locked.revoked_at
    device.revoked_by_id = locked.revoked_by_id
    return device


def server_device(*, user: User, name: str) -> Device:
    """The device through which `user` writes from the server (partner API, import, admin).

    One per user and purpose, so its batches, history and audit read like a tablet's. Its token
    is random and never handed out: it cannot be used to log in.
    """
    device_id = uuid.uuid5(SERVER_DEVICES, f"{user.pk}:{name}")
    device = Device.objects.filter(device_id=device_id, user=user).first()
    if device is not None:
        return device
    try:
        with transaction.atomic():
            return Device.objects.create(
                device_id=device_id,
                user=user,
                name=f"server: {name}",
                token_hash=token_hash(secrets.token_urlsafe(32)),
                app_version="server",
            )
    except IntegrityError:  # created concurrently
        return Device.objects.get(device_id=device_id, user=user)
