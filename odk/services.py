"""Collect devices. (Placeholder of the lead until the admin branch lands: the password device.)"""

from __future__ import annotations

import secrets
import uuid

from django.db import IntegrityError, transaction

from fieldsync.models import Device, User
from fieldsync.services.auth import token_hash

COLLECT_DEVICES = uuid.UUID("0d1b4f6e-7c3a-4e59-8f21-6a9e2c5b7d30")
COLLECT_APP = "odk-collect"


def collect_password_device(*, user: User) -> Device:
    """The device through which this account's Basic-authenticated submissions arrive."""
    device_id = uuid.uuid5(COLLECT_DEVICES, str(user.pk))
    device = Device.objects.filter(device_id=device_id, user=user).first()
    if device is not None:
        return device
    try:
        with transaction.atomic():
            return Device.objects.create(
                device_id=device_id,
                user=user,
                name="ODK Collect",
                token_hash=token_hash(secrets.token_urlsafe(32)),
                app_version=COLLECT_APP,
            )
    except IntegrityError:
        return Device.objects.get(device_id=device_id, user=user)
