"""POST /api/v1/auth/device/: a tablet enrols with the user's credentials and gets a token."""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fieldsync.models import Device, LoginFailure, Role, User
from fieldsync.services.devices import device_revoke
from tests.helpers.sync import PASSWORD, Tablet

ENROL = "/api/v1/auth/device/"
INVALID_CREDENTIALS = {"code": "invalid_credentials", "detail": "Wrong username or password."}
THROTTLED = {"code": "throttled", "detail": "Too many failed logins; try again later."}
FIFTEEN_MINUTES = 15 * 60


@pytest.fixture
def surveyor(seeded: None, make_user: Callable[..., User]) -> User:
    return make_user("surveyor-halo")


def enrol(
    username: str,
    password: str = PASSWORD,
    device_id: uuid.UUID | None = None,
    address: str = "127.0.0.1",
) -> Any:
    return Client().post(
        ENROL,
        {
            "username": username,
            "password": password,
            "device_id": str(device_id or uuid.uuid4()),
            "device_name": "Tablet 7",
        },
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def info(token: str) -> Any:
    return Client().get("/api/v1/sync/info/", HTTP_AUTHORIZATION=f"Token {token}")


def test_enrolment_returns_the_token_the_device_and_the_user(surveyor):
    # given a surveyor of HALO and a tablet's own device id
    device_id = uuid.uuid4()

    # when the tablet enrols
    response = enrol("surveyor-halo", device_id=device_id)

    # then it gets exactly a token, its device id and who the user is
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body == {
        "token": body["token"],
        "device_id": str(device_id),
        "user": {"username": "surveyor-halo", "role": "surveyor", "organisation": "HALO"},
    }
    assert isinstance(body["token"], str)
    assert len(body["token"]) >= 32


def test_the_token_opens_the_sync_endpoints(surveyor):
    # given an enrolled tablet
    token = enrol("surveyor-halo").json()["token"]

    # when it asks for the server's capabilities with its token
    response = info(token)

    # then it is let in
    assert response.status_code == 200


def test_the_token_is_stored_only_as_its_sha256(surveyor):
    # given a tablet that enrolled
    device_id = uuid.uuid4()
    token = enrol("surveyor-halo", device_id=device_id).json()["token"]

    # when the device row is read back
    device = Device.objects.get(device_id=device_id, user=surveyor)

    # then it holds the token's SHA-256 and the token itself appears in none of its columns
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = Device.objects.filter(pk=device.pk).values().get()
    assert [name for name, value in row.items() if token in str(value)] == []
    assert (device.name, device.revoked_at) == ("Tablet 7", None)


def test_enrolling_the_same_device_again_rotates_its_token(surveyor):
    # given a tablet that enrolled once
    device_id = uuid.uuid4()
    old_token = enrol("surveyor-halo", device_id=device_id).json()["token"]

    # when it enrols again with the same device id
    response = enrol("surveyor-halo", device_id=device_id)

    # then it gets a new token for the same device row, and the old token is refused
    assert response.status_code == 201
    new_token = response.json()["token"]
    assert new_token != old_token
    assert Device.objects.filter(user=surveyor).count() == 1
    assert Device.objects.get().token_hash == hashlib.sha256(new_token.encode()).hexdigest()
    assert info(new_token).status_code == 200
    refused = info(old_token)
    assert refused.status_code == 401
    assert refused.json() == {"code": "invalid_token", "detail": "Invalid token."}


def test_a_wrong_password_is_refused_and_counted(surveyor):
    # given a surveyor
    # when a tablet enrols with the wrong password
    response = enrol("surveyor-halo", password="wrong", address="10.0.0.5")

    # then it is refused, no device is enrolled and the failure is counted
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == INVALID_CREDENTIALS
    assert Device.objects.count() == 0
    assert list(LoginFailure.objects.values_list("username", "address")) == [
        ("surveyor-halo", "10.0.0.5")
    ]


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(surveyor):
    # given no account named "nobody"
    # when a tablet enrols as "nobody"
    response = enrol("nobody")

    # then the answer does not tell whether the account exists
    assert response.status_code == 401
    assert response.json() == INVALID_CREDENTIALS
    assert Device.objects.count() == 0


def test_an_inactive_user_gets_the_same_answer_as_a_wrong_password(surveyor):
    # given a surveyor whose account was deactivated
    User.objects.filter(pk=surveyor.pk).update(is_active=False)

    # when a tablet enrols with the right password
    response = enrol("surveyor-halo")

    # then it is refused like any wrong credentials
    assert response.status_code == 401
    assert response.json() == INVALID_CREDENTIALS
    assert Device.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"username": "surveyor-halo", "password": PASSWORD, "device_name": "Tablet 7"},
            {"device_id": ["This field is required."]},
        ),
        (
            {"username": "surveyor-halo", "password": PASSWORD, "device_id": "tablet-7"},
            {"device_id": ["Must be a valid UUID."]},
        ),
        (
            {"device_id": str(uuid.UUID(int=7))},
            {"username": ["This field is required."], "password": ["This field is required."]},
        ),
    ],
    ids=["missing-device-id", "device-id-not-a-uuid", "missing-credentials"],
)
def test_a_malformed_enrolment_names_the_wrong_fields(surveyor, body, errors):
    # given a body with a field missing or malformed
    # when a tablet sends it
    response = Client().post(ENROL, body, content_type="application/json")

    # then it is told which fields are wrong, and nothing counts as a failed login
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "invalid", "detail": "Invalid input.", "errors": errors}
    assert (Device.objects.count(), LoginFailure.objects.count()) == (0, 0)


def test_an_enrolment_that_is_not_json_is_refused(surveyor):
    # given a body that is not JSON
    # when a tablet sends it
    response = Client().post(ENROL, "username=surveyor-halo", content_type="application/json")

    # then it gets the same code as a push that is not JSON
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "invalid_json",
        "detail": "The body is not valid UTF-8 JSON.",
    }
    assert (Device.objects.count(), LoginFailure.objects.count()) == (0, 0)


def assert_throttled(response: Any) -> None:
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json() == THROTTLED
    retry_after = response["Retry-After"]
    assert retry_after.isdigit()
    assert 0 < int(retry_after) <= FIFTEEN_MINUTES


def test_ten_failures_for_one_username_throttle_it_even_with_the_right_password(surveyor):
    # given ten wrong passwords for one username, each still answered 401
    answers = [
        enrol("surveyor-halo", password="wrong", address=f"10.0.0.{n}").status_code
        for n in range(10)
    ]
    assert answers == [401] * 10

    # when the right password comes next, from yet another address
    response = enrol("surveyor-halo", address="10.0.1.1")

    # then it is throttled, no device is enrolled and the refusal is not counted again
    assert_throttled(response)
    assert Device.objects.count() == 0
    assert LoginFailure.objects.count() == 10


def test_ten_failures_for_other_usernames_from_one_address_do_not_lock_out_a_colleague(surveyor):
    # given ten failed logins from an office's shared address, each for a different username
    answers = [
        enrol(f"guess-{n}", password="wrong", address="10.0.0.7").status_code for n in range(10)
    ]
    assert answers == [401] * 10

    # when a real surveyor enrols from that same address
    response = enrol("surveyor-halo", address="10.0.0.7")

    # then the surveyor is let in: the failures were someone else's
    assert response.status_code == 201
    assert Device.objects.count() == 1


def test_failures_older_than_fifteen_minutes_do_not_count(surveyor):
    # given ten failures for the username and the address sixteen minutes ago, nine just now
    LoginFailure.objects.bulk_create(
        LoginFailure(username="surveyor-halo", address="10.0.0.7") for _ in range(10)
    )
    LoginFailure.objects.update(failed_at=timezone.now() - datetime.timedelta(minutes=16))
    LoginFailure.objects.bulk_create(
        LoginFailure(username="surveyor-halo", address="10.0.0.7") for _ in range(9)
    )

    # when the surveyor enrols with the right password from that address
    response = enrol("surveyor-halo", address="10.0.0.7")

    # then only the recent nine count and the tablet is enrolled
    assert response.status_code == 201
    assert Device.objects.count() == 1


def test_the_tenth_recent_failure_starts_the_throttle(surveyor):
    # given the same history plus one more recent failure (ten within the window)
    LoginFailure.objects.bulk_create(
        LoginFailure(username="surveyor-halo", address="10.0.0.7") for _ in range(10)
    )
    LoginFailure.objects.update(failed_at=timezone.now() - datetime.timedelta(minutes=14))

    # when the surveyor enrols with the right password from that address
    response = enrol("surveyor-halo", address="10.0.0.7")

    # then it waits until the oldest of those ten leaves the window (about a minute)
    assert_throttled(response)
    assert 55 <= int(response["Retry-After"]) <= 61
    assert Device.objects.count() == 0


def test_a_revoked_device_cannot_enrol_again(seeded, make_user, make_tablet):
    # given a tablet that staff revoked (it was lost)
    tablet: Tablet = make_tablet()
    device = Device.objects.get(device_id=tablet.device_id)
    device_revoke(device=device, by=make_user("nra-admin", role=Role.NRA_STAFF, organisation="NRA"))

    # when someone enrols it again with the surveyor's right password
    response = enrol(tablet.user.username, device_id=tablet.device_id)

    # then it is refused, the stored token is unchanged and the old token stays refused
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "device_revoked", "detail": "This device has been revoked."}
    assert Device.objects.get(pk=device.pk).token_hash == device.token_hash
    assert info(tablet.token).json()["code"] == "device_revoked"
