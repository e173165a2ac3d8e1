"""device_revoke: a lost tablet's token is refused from then on."""

from __future__ import annotations

import datetime

import pytest

from fieldsync.services.devices import device_revoke
from tests.helpers.factories import DeviceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_revoking_records_when_and_by_whom():
    # given an active device and an NRA admin
    device = DeviceFactory.create()
    admin = UserFactory.create(nra=True)

    # when the admin revokes it
    returned = device_revoke(device=device, by=admin)

    # then it is revoked now, by the admin, in the database and on the instance given
    device.refresh_from_db()
    assert device.is_revoked is True
    assert device.revoked_by == admin
    assert returned.revoked_at == device.revoked_at
    assert device.revoked_at is not None
    age = datetime.datetime.now(tz=datetime.UTC) - device.revoked_at
    assert datetime.timedelta(0) <= age < datetime.timedelta(minutes=1)


def test_revoking_twice_keeps_the_first_revocation():
    # given a device revoked by one admin
    device = DeviceFactory.create()
    first, second = UserFactory.create(nra=True), UserFactory.create(nra=True)
    device_revoke(device=device, by=first)
    device.refresh_from_db()
    revoked_at = device.revoked_at

    # when another admin revokes it again
    device_revoke(device=device, by=second)

    # then the first revocation stands
    device.refresh_from_db()
    assert (device.revoked_at, device.revoked_by) == (revoked_at, first)


def test_other_devices_of_the_user_are_not_revoked():
    # given two devices of one surveyor
    lost = DeviceFactory.create()
    other = DeviceFactory.create(user=lost.user)

    # when one is revoked
    device_revoke(device=lost, by=UserFactory.create(nra=True))

    # then the other is still active
    other.refresh_from_db()
    assert other.revoked_at is None
