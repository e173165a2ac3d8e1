"""Every error under /api/ is JSON `{code, detail}`: never an HTML page, never a trace."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError
from django.test import Client

from fieldsync.api import views
from fieldsync.models import SyncBatch

SERVER_ERROR = {"code": "server_error", "detail": "An unexpected error occurred."}


def assert_json(response) -> None:
    assert response["Content-Type"] == "application/json"
    assert b"<html" not in response.content.lower()
    assert b"Traceback" not in response.content


@pytest.mark.django_db
def test_an_unknown_api_url_is_a_json_404(settings):
    # given production-like settings (Django uses handler404 only without DEBUG)
    assert settings.DEBUG is False

    # when a URL under the API that does not exist is called
    response = Client().get("/api/v1/nope/")

    # then it is a JSON 404
    assert response.status_code == 404
    assert_json(response)
    assert response.json() == {"code": "not_found", "detail": "Not found."}


@pytest.mark.django_db
def test_an_unknown_api_url_is_a_json_404_even_with_debug(settings):
    # given DEBUG on, where Django would answer with its HTML page
    settings.DEBUG = True

    # when a URL under the API that does not exist is called
    response = Client().get("/api/v1/nope/")

    # then it is still a JSON 404
    assert response.status_code == 404
    assert_json(response)
    assert response.json()["code"] == "not_found"


def test_a_wrong_method_is_a_json_405(tablet):
    # given an enrolled tablet
    # when it GETs the push endpoint
    response = tablet.client.get("/api/v1/sync/push/", **tablet.headers)

    # then it is told the method is not allowed, in JSON
    assert response.status_code == 405
    assert_json(response)
    assert response.json() == {
        "code": "method_not_allowed",
        "detail": 'Method "GET" not allowed.',
    }


def test_an_unhandled_exception_in_a_view_is_a_json_500_without_a_trace(tablet, monkeypatch):
    # given a pull that fails with a bug
    def broken(**kwargs):
        raise RuntimeError("secret internals of changes_pull")

    monkeypatch.setattr(views, "changes_pull", broken)

    # when a tablet pulls
    response = Client(raise_request_exception=False).get("/api/v1/sync/pull/", **tablet.headers)

    # then it gets a JSON 500 that says nothing about the failure
    assert response.status_code == 500
    assert_json(response)
    assert response.json() == SERVER_ERROR
    assert b"secret internals" not in response.content


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_an_exception_outside_the_api_handler_is_still_json(tablet, monkeypatch, settings, debug):
    # given a failure after DRF's handler ran, which only Django's side can catch
    settings.DEBUG = debug

    def broken(self, request, response, *args, **kwargs):
        raise RuntimeError("secret internals of the response")

    monkeypatch.setattr(views.SyncInfoView, "finalize_response", broken)

    # when a tablet asks for the capabilities
    response = Client(raise_request_exception=False).get("/api/v1/sync/info/", **tablet.headers)

    # then it is answered with the same JSON body, debug page or not
    assert response.status_code == 500
    assert_json(response)
    assert response.json() == SERVER_ERROR
    assert b"secret internals" not in response.content


@pytest.mark.django_db
def test_a_disallowed_host_is_a_json_400():
    # given a Host header the server does not serve
    # when the health check is called with it
    response = Client().get("/api/v1/health/", HTTP_HOST="evil.example")

    # then Django's handler400 answers in JSON
    assert response.status_code == 400
    assert_json(response)
    assert response.json() == {"code": "bad_request", "detail": "Bad request."}


def test_a_database_failure_during_a_push_is_a_503_to_retry(tablet, monkeypatch):
    # given a database that goes away while a batch is being stored
    def database_gone(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views, "batch_push", database_gone)

    # when a tablet pushes
    response = Client(raise_request_exception=False).post(
        "/api/v1/sync/push/",
        json.dumps(tablet.envelope([])),
        content_type="application/json",
        **tablet.headers,
    )

    # then it is told to keep its outbox and retry later
    assert response.status_code == 503
    assert_json(response)
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "code": "service_unavailable",
        "detail": "The database is unavailable; try again later.",
    }
    assert b"server closed" not in response.content
    assert SyncBatch.objects.count() == 0
