"""Login throttling without lock-outs: per username and address, per username with backoff, per
address for unknown devices only; the address from trusted proxies only (issue 16, finding 4)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from fieldsync.models import Device, LoginFailure, Role, User
from fieldsync.services.logins import client_address
from tests.fieldsync.api.test_enrolment import assert_throttled, enrol
from tests.helpers.sync import PASSWORD

FIFTEEN_MINUTES = 15 * 60


@pytest.fixture
def surveyor(seeded: None, make_user: Callable[..., User]) -> User:
    return make_user("surveyor-halo")


def failures(username: str, addresses: list[str], seconds_ago: int = 0) -> None:
    LoginFailure.objects.bulk_create(
        LoginFailure(username=username, address=address) for address in addresses
    )
    if seconds_ago:
        LoginFailure.objects.filter(username=username).update(
            failed_at=timezone.now() - datetime.timedelta(seconds=seconds_ago)
        )


def test_guessing_from_many_addresses_backs_off_exponentially(surveyor):
    # given twenty wrong passwords for one username, each from its own address
    answers = [
        enrol("surveyor-halo", password="wrong", address=f"10.0.{n}.1").status_code
        for n in range(10)
    ]
    assert answers == [401] * 10
    failures("surveyor-halo", [f"10.1.{n}.1" for n in range(10)])

    # when a guess comes from yet another address
    response = enrol("surveyor-halo", password="wrong", address="10.2.0.1")

    # then it waits 2**10 s capped to the window, and is not counted
    assert_throttled(response)
    assert FIFTEEN_MINUTES - 2 <= int(response["Retry-After"]) <= FIFTEEN_MINUTES + 1
    assert LoginFailure.objects.count() == 20


@pytest.mark.parametrize(("count", "wait"), [(10, 1), (11, 2), (13, 8), (16, 64)])
def test_the_backoff_doubles_with_each_failure(surveyor, count, wait):
    # given `count` recent failures for the username from as many addresses
    failures("surveyor-halo", [f"10.0.{n}.1" for n in range(count)])

    # when the surveyor tries from a new address
    response = enrol("surveyor-halo", address="10.9.9.9")

    # then it waits 2**(count - 10) seconds after the latest failure
    assert_throttled(response)
    assert wait <= int(response["Retry-After"]) <= wait + 1


def test_after_the_backoff_the_right_password_enrols(surveyor):
    # given eleven failures from other addresses, the latest three seconds ago (backoff 2 s)
    failures("surveyor-halo", [f"10.0.{n}.1" for n in range(11)], seconds_ago=3)

    # when the surveyor enrols from the office
    response = enrol("surveyor-halo", address="10.9.9.9")

    # then the tablet is enrolled
    assert response.status_code == 201
    assert Device.objects.count() == 1


def test_a_known_tablet_enrols_again_while_its_username_is_under_attack(surveyor):
    # given a tablet the surveyor enrolled, then thirty guesses at the username from elsewhere
    device_id = uuid.uuid4()
    assert enrol("surveyor-halo", device_id=device_id, address="10.9.9.9").status_code == 201
    failures("surveyor-halo", [f"10.0.{n}.1" for n in range(30)])

    # when that tablet enrols again (its token rotated), and a new tablet tries
    known = enrol("surveyor-halo", device_id=device_id, address="10.9.9.9")
    unknown = enrol("surveyor-halo", address="10.9.9.9")

    # then the known one is let in, the new one waits
    assert known.status_code == 201
    assert_throttled(unknown)
    assert Device.objects.count() == 1


def test_a_known_tablet_is_still_held_to_its_own_limit(surveyor):
    # given an enrolled tablet and ten failures for its username from its own address
    device_id = uuid.uuid4()
    assert enrol("surveyor-halo", device_id=device_id, address="10.9.9.9").status_code == 201
    failures("surveyor-halo", ["10.9.9.9"] * 10)

    # when someone with the device id guesses from that address
    response = enrol("surveyor-halo", password="wrong", device_id=device_id, address="10.9.9.9")

    # then the pair's limit holds
    assert_throttled(response)


def test_one_password_sprayed_over_many_usernames_stops_the_address_for_new_devices(
    surveyor, make_user
):
    # given a hundred failures from one address, each for another username, and a colleague's
    # tablet enrolled from that address before
    colleague = make_user("surveyor-halo-2")
    device_id = uuid.uuid4()
    assert enrol(colleague.username, device_id=device_id, address="10.0.0.7").status_code == 201
    LoginFailure.objects.bulk_create(
        LoginFailure(username=f"user-{n}", address="10.0.0.7") for n in range(100)
    )

    # when the spray goes on, and the colleague's known tablet enrols again from there
    spray = enrol("user-100", password="Password1", address="10.0.0.7")
    known = enrol(colleague.username, device_id=device_id, address="10.0.0.7")

    # then the spray waits (not counted), the known tablet is let in
    assert_throttled(spray)
    assert known.status_code == 201
    assert LoginFailure.objects.count() == 100


# -- the admin's login ------------------------------------------------------------------------
def admin_login(browser: Client, username: str, password: str, address: str) -> Any:
    return browser.post(
        "/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_failures_behind_a_shared_address_do_not_lock_out_the_admin(seeded, make_user):
    # given ten failed admin logins from the office's address for another username
    make_user("officer", role=Role.NRA_STAFF, organisation="NRA")
    for _ in range(10):
        assert admin_login(Client(), "intruder", "guess", "10.0.0.7").status_code == 200
    blocked = admin_login(Client(), "intruder", "guess", "10.0.0.7")
    assert blocked.status_code == 429

    # when the officer logs in from the same address
    browser = Client()
    response = admin_login(browser, "officer", PASSWORD, "10.0.0.7")

    # then the officer is in
    assert response.status_code == 302
    assert browser.session["_auth_user_id"]


def test_the_officers_own_browser_logs_in_while_the_username_is_under_attack(seeded, make_user):
    # given the officer's browser, which logged in once, then thirty guesses from elsewhere
    make_user("officer", role=Role.NRA_STAFF, organisation="NRA")
    browser = Client()
    assert admin_login(browser, "officer", PASSWORD, "10.9.9.9").status_code == 302
    del browser.cookies["sessionid"]  # logged out; Client.logout() would drop every cookie
    failures("officer", [f"10.0.{n}.1" for n in range(30)])

    # when the officer logs in from that browser, and someone tries from a fresh one
    known = admin_login(browser, "officer", PASSWORD, "10.9.9.9")
    stranger = Client()
    unknown = admin_login(stranger, "officer", PASSWORD, "10.9.9.9")

    # then the known browser is let in; the fresh one waits and is not logged in
    assert known.status_code == 302
    assert unknown.status_code == 429
    assert "_auth_user_id" not in stranger.session


def test_a_forged_known_login_cookie_is_ignored(seeded, make_user):
    # given guesses at the officer's username from many addresses
    make_user("officer", role=Role.NRA_STAFF, organisation="NRA")
    failures("officer", [f"10.0.{n}.1" for n in range(30)])

    # when a browser sends an unsigned cookie naming the officer
    browser = Client()
    browser.cookies["fieldsync_known_login"] = "officer"
    response = admin_login(browser, "officer", PASSWORD, "10.9.9.9")

    # then it waits like any other
    assert response.status_code == 429
    assert "_auth_user_id" not in browser.session


# -- the client's address ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "address"),
    [
        ([], "203.0.113.9", "198.51.100.1", "203.0.113.9"),  # no proxy trusted: header ignored
        (["10.9.0.0/24"], "203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not from the proxy
        (["10.9.0.0/24"], "10.9.0.1", "198.51.100.1", "198.51.100.1"),
        (["10.9.0.0/24"], "10.9.0.1", "1.1.1.1, 198.51.100.1", "198.51.100.1"),  # spoofed left
        (
            ["10.9.0.0/24", "10.8.0.5"],
            "10.9.0.1",
            "1.1.1.1, 198.51.100.1, 10.8.0.5",
            "198.51.100.1",
        ),
        (["10.9.0.0/24"], "10.9.0.1", "", "10.9.0.1"),
        (["2001:db8::/32"], "2001:db8::1", "2001:db8::2, 2001:db9::7", "2001:db9::7"),
    ],
)
def test_the_client_address_comes_from_trusted_proxies_only(proxies, remote, forwarded, address):
    with override_settings(FIELDSYNC={**_fieldsync(), "TRUSTED_PROXIES": proxies}):
        meta = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}
        assert client_address(meta) == address


def _fieldsync() -> dict[str, Any]:
    from django.conf import settings

    return dict(settings.FIELDSYNC)


def test_a_client_behind_the_proxy_cannot_pick_its_throttle_key(surveyor):
    # given ten failures for the surveyor from a client behind the trusted proxy
    with override_settings(FIELDSYNC={**_fieldsync(), "TRUSTED_PROXIES": ["10.9.0.1"]}):
        for n in range(10):
            response = Client().post(
                "/api/v1/auth/device/",
                {
                    "username": "surveyor-halo",
                    "password": "wrong",
                    "device_id": str(uuid.uuid4()),
                    "device_name": "t",
                },
                content_type="application/json",
                REMOTE_ADDR="10.9.0.1",
                HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7",
            )
            assert response.status_code == 401

    # then every failure is counted against the address the proxy saw, not the one written
    assert set(LoginFailure.objects.values_list("address", flat=True)) == {"198.51.100.7"}
