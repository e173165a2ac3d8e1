"""Bad input outside a push's records: numbers in other scripts, a Content-Length that is not a
number, JSON nested past Python's stack, bodies over the size Django takes. Every one is a 4xx
with the contract's error body (HTML only in the admin), never a 500, and nothing is stored."""

from __future__ import annotations

import base64
import json
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from fieldsync.models import Device, InboxRecord, LoginFailure, Role, SyncBatch
from tests.helpers.sync import PASSWORD, Tablet
from victims.models import Assistance

pytestmark = pytest.mark.django_db
DEEP = "[" * 100_000 + "]" * 100_000
BAD_REQUEST = {"code": "bad_request", "detail": "Bad request."}
INVALID_JSON = {"code": "invalid_json", "detail": "The body is not valid UTF-8 JSON."}
TOO_LARGE = {
    "code": "payload_too_large",
    "detail": "The body is larger than the server takes.",
    "max_bytes": 5 * 1024 * 1024 + 64 * 1024,
}
# '²' and '¹' pass str.isdigit() but not int(); Lao and Arabic-Indic digits pass both; 5,000
# ASCII digits pass both checks but not int() (Python's limit on long number strings).
NOT_ASCII_NUMBERS = ["²", "¹0", "໑", "٣", "10\u0660", "9" * 5000, "-1", " 5", "+5", "1_0"]


@pytest.fixture
def partner(make_tablet) -> Tablet:
    return make_tablet("cope-system", Role.PARTNER, "COPE")


def _client() -> Client:
    """A client that reports a 500 as a response (the assertion says what it was)."""
    return Client(raise_request_exception=False)


def _assert_error(response, status: int, body: dict) -> None:
    assert (response.status_code, response["Content-Type"], response.json()) == (
        status,
        "application/json",
        body,
    )


@pytest.mark.parametrize("limit", NOT_ASCII_NUMBERS)
def test_a_pull_limit_not_in_ascii_digits_is_400(tablet: Tablet, limit: str) -> None:
    # given an enrolled tablet
    # when it pulls with a limit that is no plain number
    response = _client().get("/api/v1/sync/pull/", {"limit": limit}, **tablet.headers)

    # then it is told the limit is invalid, and no pull is recorded
    _assert_error(
        response, 400, {"code": "invalid", "detail": "limit must be an integer from 1 to 1000."}
    )
    assert Device.objects.get(device_id=tablet.device_id).last_pull_at is None


def test_a_pull_limit_in_ascii_digits_still_works(tablet: Tablet) -> None:
    # given an enrolled tablet
    # when it pulls one change at a time
    response = _client().get("/api/v1/sync/pull/", {"limit": "0001"}, **tablet.headers)

    # then it gets one change
    assert response.status_code == 200
    assert len(response.json()["changes"]) == 1


@pytest.mark.parametrize("page_size", NOT_ASCII_NUMBERS)
def test_a_page_size_not_in_ascii_digits_is_400(partner: Tablet, page_size: str) -> None:
    # given a partner system
    # when it lists provinces with a page size that is no plain number
    response = _client().get("/api/v1/provinces/", {"page_size": page_size}, **partner.headers)

    # then the page size is named as the wrong input
    _assert_error(
        response,
        400,
        {
            "code": "invalid",
            "detail": "Invalid input.",
            "errors": {"page_size": ["Must be an integer from 1 to 1000."]},
        },
    )


@pytest.mark.parametrize("length", ["²", "1²", "٣", "9" * 5000, "-1", "abc"])
def test_a_content_length_that_is_no_ascii_number_is_400_on_every_api_door(
    tablet: Tablet, partner: Tablet, length: str
) -> None:
    # given a tablet and a partner system
    client = _client()
    push = json.dumps(tablet.envelope([]))

    # when each sends a body whose Content-Length is no plain number
    answers = [
        client.post(
            "/api/v1/sync/push/",
            push,
            content_type="application/json",
            CONTENT_LENGTH=length,
            **tablet.headers,
        ),
        client.post(
            "/api/v1/assistance/",
            "{}",
            content_type="application/json",
            CONTENT_LENGTH=length,
            **partner.headers,
        ),
        client.post(
            "/api/v1/auth/device/",
            json.dumps({"username": "cope-system", "password": PASSWORD}),
            content_type="application/json",
            CONTENT_LENGTH=length,
        ),
    ]

    # then each is a 400 in JSON, and nothing is stored
    for response in answers:
        _assert_error(response, 400, BAD_REQUEST)
    assert (SyncBatch.objects.count(), Assistance.objects.count(), Device.objects.count()) == (
        0,
        0,
        2,
    )


def test_a_content_length_that_is_no_ascii_number_is_400_on_the_admin_login(
    seeded, make_user
) -> None:
    # given NRA staff with an admin account
    make_user("officer", role=Role.NRA_STAFF, organisation="NRA")
    browser = _client()

    # when the login form is posted with a Content-Length of '²'
    response = browser.post(
        "/admin/login/",
        "username=officer&password=x",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH="²",
    )

    # then it is Django's plain 400 page (not a 500), and no login was attempted
    assert response.status_code == 400
    assert b"Bad Request (400)" in response.content
    assert "_auth_user_id" not in browser.session
    assert LoginFailure.objects.count() == 0


def test_json_nested_past_pythons_stack_is_400_on_every_json_door(
    tablet: Tablet, partner: Tablet
) -> None:
    # given a tablet and a partner system
    client = _client()
    assistance = f"/api/v1/assistance/{uuid.uuid4()}/"

    # when each sends JSON nested 100,000 levels deep
    answers = {
        "push": tablet.push_raw(DEEP),
        "create": client.post(
            "/api/v1/assistance/", DEEP, content_type="application/json", **partner.headers
        ),
        "patch": client.patch(
            assistance,
            DEEP,
            content_type="application/json",
            HTTP_IF_MATCH='"1"',
            **partner.headers,
        ),
        "enrol": client.post("/api/v1/auth/device/", DEEP, content_type="application/json"),
    }

    # then each is told the body is not JSON, and nothing is stored
    for door, response in answers.items():
        assert response.status_code == 400, door
        assert response.json() == INVALID_JSON, door
    assert (SyncBatch.objects.count(), InboxRecord.objects.count()) == (0, 0)
    assert (Assistance.objects.count(), Device.objects.count()) == (0, 2)


def test_a_body_over_djangos_limit_is_413_on_every_json_door(
    tablet: Tablet, partner: Tablet
) -> None:
    # given a partner system and a device about to enrol
    client = _client()
    huge = json.dumps({"notes": "x" * (6 * 1024 * 1024)})

    # when each sends a 6 MB body
    create = client.post(
        "/api/v1/assistance/", huge, content_type="application/json", **partner.headers
    )
    enrol = client.post("/api/v1/auth/device/", huge, content_type="application/json")

    # then each is told the body is too large, and nothing is stored
    _assert_error(create, 413, TOO_LARGE)
    _assert_error(enrol, 413, TOO_LARGE)
    assert (Assistance.objects.count(), Device.objects.count(), LoginFailure.objects.count()) == (
        0,
        2,
        0,
    )


@pytest.mark.parametrize("year", ["²", "໒໐໑໐", "9" * 5000])
def test_a_dashboard_year_not_in_ascii_digits_shows_this_year(admin_browser, year: str) -> None:
    # given an NRA administrator in the admin
    # when the dashboard is asked for a year that is no plain number
    response = admin_browser.get("/admin/dashboard/", {"year": year})

    # then the current year's dashboard is shown
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year


def test_a_list_cursor_with_a_nul_in_its_sort_key_is_400(partner: Tablet) -> None:
    # given the cursor of a real page of provinces, its sort key forged to hold a NUL character
    # (PostgreSQL refuses NUL in text: a 500 there, found by the partner API fuzz)
    first = _client().get("/api/v1/provinces/", {"page_size": 1}, **partner.headers).json()
    token = parse_qs(urlsplit(first["next"]).query)["cursor"][0]
    cursor = json.loads(base64.urlsafe_b64decode(token))
    cursor["k"] = ["LA-\x00"]
    forged = base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode()

    # when the next page is asked for with it
    response = _client().get("/api/v1/provinces/", {"cursor": forged}, **partner.headers)

    # then the cursor is refused as malformed
    _assert_error(response, 400, {"code": "invalid_cursor", "detail": "The cursor is malformed."})
