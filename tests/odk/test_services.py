"""Collect devices (token URLs, the password device) and the QR code that configures Collect."""

from __future__ import annotations

import base64
import json
import threading
import zlib

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection

from fieldsync.models import Device, Role
from fieldsync.services.auth import device_for_token, token_hash
from fieldsync.services.devices import device_revoke
from odk.services import (
    CollectDeviceError,
    collect_device_enrol,
    collect_devices,
    collect_password_device,
    collect_qr_svg,
    collect_settings_code,
)
from tests.helpers.factories import DeviceFactory, UserFactory

pytestmark = pytest.mark.django_db


def decoded(code: str) -> dict:
    return json.loads(zlib.decompress(base64.b64decode(code)).decode("utf-8"))


def test_an_enrolled_collect_device_authenticates_with_its_token():
    # given a surveyor and NRA staff
    surveyor = UserFactory.create(username="khamla")
    staff = UserFactory.create(username="noy", nra=True)

    # when staff enrol a Collect device for the surveyor
    enrolment = collect_device_enrol(user=surveyor, name="Khamla's phone", by=staff)

    # then the token is stored hashed and authenticates as that device of the surveyor
    device = Device.objects.get(pk=enrolment.device.pk)
    assert (device.user, device.name, device.app_version) == (
        surveyor,
        "Khamla's phone",
        "odk-collect",
    )
    assert device.token_hash == token_hash(enrolment.token)
    assert enrolment.token not in device.token_hash
    assert len(enrolment.token) == 43  # token_urlsafe(32)
    assert device_for_token(enrolment.token) == device
    # and the surveyor's history says who enrolled it
    entry = LogEntry.objects.get(object_id=str(surveyor.pk))
    assert (entry.user, entry.change_message) == (
        staff,
        "Enrolled the ODK Collect device “Khamla's phone”.",
    )


def test_two_enrolments_are_two_devices_with_their_own_tokens():
    surveyor = UserFactory.create(username="khamla")
    staff = UserFactory.create(username="noy", nra=True)

    first = collect_device_enrol(user=surveyor, name="phone 1", by=staff)
    second = collect_device_enrol(user=surveyor, name="phone 2", by=staff)

    assert first.device.device_id != second.device.device_id
    assert first.token != second.token
    assert device_for_token(first.token) == first.device
    assert device_for_token(second.token) == second.device


def test_a_revoked_collect_device_is_known_as_revoked():
    # given an enrolled Collect device
    surveyor = UserFactory.create(username="khamla")
    staff = UserFactory.create(username="noy", nra=True)
    enrolment = collect_device_enrol(user=surveyor, name="lost phone", by=staff)

    # when staff revoke it
    device_revoke(device=enrolment.device, by=staff)

    # then its token finds a revoked device (the caller refuses it)
    device = device_for_token(enrolment.token)
    assert device is not None
    assert (device.is_revoked, device.revoked_by) == (True, staff)


@pytest.mark.parametrize(
    ("role", "active", "name", "message"),
    [
        (
            Role.NRA_STAFF,
            True,
            "a phone",
            "Collect devices are for surveyors' and partners' accounts, not NRA staff.",
        ),
        (Role.SURVEYOR, False, "a phone", "This account is deactivated."),
        (Role.SURVEYOR, True, "   ", "Name the device, e.g. the surveyor's phone."),
    ],
)
def test_enrolment_is_refused_for_staff_deactivated_accounts_and_without_a_name(
    role, active, name, message
):
    account = UserFactory.create(username="someone", role=role, is_active=active)
    staff = UserFactory.create(username="noy", nra=True)

    with pytest.raises(CollectDeviceError) as refused:
        collect_device_enrol(user=account, name=name, by=staff)

    assert str(refused.value) == message
    assert Device.objects.filter(user=account).count() == 0
    assert LogEntry.objects.count() == 0


def test_a_partner_may_have_a_collect_device():
    partner = UserFactory.create(username="partner-cope", role=Role.PARTNER)
    staff = UserFactory.create(username="noy", nra=True)

    enrolment = collect_device_enrol(user=partner, name="COPE tablet", by=staff)

    assert device_for_token(enrolment.token) == enrolment.device


def test_the_password_device_is_one_per_account_and_cannot_log_in():
    # given two accounts
    khamla = UserFactory.create(username="khamla")
    somchai = UserFactory.create(username="somchai")

    # when their password devices are asked for twice
    first = collect_password_device(user=khamla)
    again = collect_password_device(user=khamla)
    other = collect_password_device(user=somchai)

    # then each account has one, named and versioned like every Collect device
    assert first.pk == again.pk
    assert first.device_id == again.device_id
    assert other.device_id != first.device_id
    assert (first.name, first.app_version, first.user) == ("ODK Collect", "odk-collect", khamla)
    assert Device.objects.filter(user=khamla).count() == 1
    assert len(first.token_hash) == 64  # a hash of a random token nobody holds


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_password_device_is_created_once_when_two_submissions_race():
    khamla = UserFactory.create(username="khamla")
    barrier = threading.Barrier(4)
    devices: list[Device] = []

    def submit() -> None:
        barrier.wait()
        try:
            devices.append(collect_password_device(user=khamla))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len({device.pk for device in devices}) == 1
    assert Device.objects.filter(user=khamla).count() == 1


def test_collect_devices_are_the_accounts_collect_devices_newest_first():
    # given a surveyor with a tablet, two Collect devices and a password device, and another
    # surveyor's Collect device
    khamla = UserFactory.create(username="khamla")
    staff = UserFactory.create(username="noy", nra=True)
    DeviceFactory.create(user=khamla, app_version="1.4.0")
    older = collect_device_enrol(user=khamla, name="old phone", by=staff).device
    password = collect_password_device(user=khamla)
    newer = collect_device_enrol(user=khamla, name="new phone", by=staff).device
    collect_device_enrol(user=UserFactory.create(username="somchai"), name="x", by=staff)

    # when they are listed
    devices = list(collect_devices(user=khamla))

    # then only the surveyor's Collect devices, newest first
    assert devices == [newer, password, older]


def test_the_settings_code_is_collects_json_compressed_and_encoded_without_a_password():
    code = collect_settings_code(
        server_url="https://nra.example.la/openrosa/key/abc123/",
        username="khamla",
        project="fieldsync – HALO",  # noqa: RUF001
    )

    assert decoded(code) == {
        "general": {
            "server_url": "https://nra.example.la/openrosa/key/abc123/",
            "username": "khamla",
        },
        "admin": {},
        "project": {"name": "fieldsync – HALO", "icon": "U", "color": "#b3261e"},  # noqa: RUF001
    }
    assert "password" not in zlib.decompress(base64.b64decode(code)).decode("utf-8")


def test_a_lao_project_name_survives_the_code():
    code = collect_settings_code(server_url="http://x/", username="ສົມໃຈ", project="ອົງການ")

    assert decoded(code)["general"]["username"] == "ສົມໃຈ"
    assert decoded(code)["project"]["name"] == "ອົງການ"


def test_the_qr_code_is_an_inline_svg():
    svg = collect_qr_svg(code="eJyrVkrLz1eyUkpKLFKqBQAe4ARr")

    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert "<?xml" not in svg  # inline: no XML declaration inside the HTML page
