"""Devices: listed with last sync, app version and user; a revoked tablet is refused at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fieldsync.models import Device

pytestmark = pytest.mark.django_db


def test_revoking_a_device_in_admin_refuses_its_token(tablet, staff, reviewer_browser):
    # given a tablet that synced
    tablet.push_ok([])
    tablet.pull_all()
    device = Device.objects.get(device_id=tablet.device_id)

    # when staff list devices and revoke it
    listing = reviewer_browser.get(reverse("admin:fieldsync_device_changelist"))
    response = reviewer_browser.post(
        reverse("admin:fieldsync_device_changelist"),
        {"action": "revoke", "_selected_action": [device.pk]},
    )

    # then the list showed its last sync, and it is revoked by them
    assert listing.status_code == 200
    row = next(d for d in listing.context["cl"].result_list if d.pk == device.pk)
    assert row.last_pull_at is not None and row.last_push_at is not None
    assert b"surveyor-halo" in listing.content
    assert response.status_code == 302
    device.refresh_from_db()
    assert (device.revoked_by, device.revoked_at is not None) == (staff, True)
    # and its next pull and push are refused
    pull = tablet.pull()
    assert (pull.status_code, pull.json()["code"]) == (401, "device_revoked")
    assert tablet.push([]).status_code == 401
