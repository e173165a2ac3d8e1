"""Enrolled devices (tablets and partner systems)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from fieldsync.models import Device, User


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
