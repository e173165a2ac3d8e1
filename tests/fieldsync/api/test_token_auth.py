"""`Authorization: Token <token>` on the sync endpoints: refused with JSON, never let through."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from fieldsync.models import Device, Role, SyncBatch, User
from fieldsync.services.devices import device_revoke
from tests.helpers.sync import Tablet

ENDPOINTS = [
    ("get", "/api/v1/sync/info/"),
    ("post", "/api/v1/sync/push/"),
    ("get", "/api/v1/sync/pull/"),
]
NOT_AUTHENTICATED = {
    "code": "not_authenticated",
    "detail": "Authentication credentials were not provided.",
}
INVALID_TOKEN = {"code": "invalid_token", "detail": "Invalid token."}
ACCOUNT_DISABLED = {
    "code": "account_disabled",
    "detail": "This account has been deactivated; ask NRA staff to reactivate it.",
}
DEVICE_REVOKED = {
    "code": "device_revoked",
    "detail": "This device has been revoked; enrol it again after staff re-enable it.",
}


def call(method: str, path: str, tablet: Tablet | None = None, **headers: str) -> Any:
    client = Client()
    if method == "post":
        body = json.dumps(tablet.envelope([]) if tablet else {})
        return client.post(path, body, content_type="application/json", **headers)
    return client.get(path, **headers)


def assert_refused(response: Any, body: dict[str, str]) -> None:
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == body


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_a_call_without_a_token_is_asked_for_one(method, path):
    # given no Authorization header
    # when a sync endpoint is called
    response = call(method, path)

    # then it answers 401 and says which scheme to use
    assert_refused(response, NOT_AUTHENTICATED)


@pytest.mark.django_db
def test_another_scheme_counts_as_no_token():
    # given a Bearer header instead of Token
    # when the capabilities are asked for
    response = call("get", "/api/v1/sync/info/", HTTP_AUTHORIZATION="Bearer abc")

    # then it is as if no token were sent
    assert_refused(response, NOT_AUTHENTICATED)


@pytest.mark.parametrize(
    ("header", "body"),
    [
        ("Token not-a-token-of-anyone", INVALID_TOKEN),
        ("Token a b", {"code": "invalid_token", "detail": "Invalid token header."}),
        ("Token", {"code": "invalid_token", "detail": "Invalid token header."}),
        ("token not-a-token-of-anyone", INVALID_TOKEN),
    ],
    ids=["unknown", "two-words", "no-token", "lower-case-keyword"],
)
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_a_malformed_or_unknown_token_is_refused(tablet, method, path, header, body):
    # given an enrolled tablet (so there are tokens to guess against) and a bad header
    # when a sync endpoint is called with the bad header
    response = call(method, path, tablet, HTTP_AUTHORIZATION=header)

    # then it is refused as an invalid token, and a push stores nothing
    assert_refused(response, body)
    assert SyncBatch.objects.count() == 0


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_a_revoked_device_is_refused_everywhere(tablet, make_user, method, path):
    # given a tablet whose device staff revoked
    admin = make_user("nra-admin", role=Role.NRA_STAFF, organisation="NRA")
    device_revoke(device=Device.objects.get(device_id=tablet.device_id), by=admin)

    # when it calls a sync endpoint with its token
    response = call(method, path, tablet, **tablet.headers)

    # then it is told its device is revoked, and a push stores nothing
    assert_refused(response, DEVICE_REVOKED)
    assert SyncBatch.objects.count() == 0


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_a_deactivated_users_token_is_refused(tablet, method, path):
    # given a tablet whose user was deactivated after it enrolled
    User.objects.filter(pk=tablet.user.pk).update(is_active=False)

    # when it calls a sync endpoint with its token
    response = call(method, path, tablet, **tablet.headers)

    # then the token is refused as an account switched off, and a push stores nothing
    assert_refused(response, ACCOUNT_DISABLED)
    assert SyncBatch.objects.count() == 0


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_a_valid_token_is_let_through(tablet, method, path):
    # given an enrolled tablet
    # when it calls a sync endpoint with its token
    response = call(method, path, tablet, **tablet.headers)

    # then it is answered
    assert response.status_code == 200, response.content
