"""GET /api/v1/health/: for load balancers and deployment scripts, without authentication."""

from __future__ import annotations

import os
import time

import pytest
from django.db import OperationalError
from django.test import Client

from fieldsync.api import views

HEALTH = "/api/v1/health/"


class DatabaseDown:
    """Stands in for `django.db.connection` when the database does not answer."""

    def cursor(self) -> None:
        raise OperationalError("could not connect to server")


@pytest.fixture
def no_broker(settings):
    settings.CELERY_BROKER_URL = ""


def assert_unhealthy(response, failing: dict[str, str]) -> None:
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "code": "unhealthy",
        "detail": "A dependency is not answering.",
        "status": "error",
        "failing": failing,
    }


@pytest.mark.django_db
def test_health_is_ok_without_authentication(no_broker):
    # given a working database, no broker configured and no token
    # when the health check is called
    response = Client().get(HEALTH)

    # then everything is fine
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_health_names_the_database_when_it_does_not_answer(no_broker, monkeypatch):
    # given a database that refuses connections
    monkeypatch.setattr(views, "connection", DatabaseDown())

    # when the health check is called
    response = Client().get(HEALTH)

    # then it answers 503 naming the database
    assert_unhealthy(response, {"database": "OperationalError"})


@pytest.mark.django_db
def test_health_names_the_broker_when_it_does_not_answer(settings):
    # given a broker configured on a port nothing listens on
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    # when the health check is called
    started = time.monotonic()
    response = Client().get(HEALTH)
    elapsed = time.monotonic() - started

    # then it answers 503 naming the broker, quickly enough for a load balancer
    assert_unhealthy(response, {"broker": "OperationalError"})
    assert elapsed < 5


@pytest.mark.django_db
def test_health_names_both_when_neither_answers(settings, monkeypatch):
    # given the database down and the broker unreachable
    monkeypatch.setattr(views, "connection", DatabaseDown())
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    # when the health check is called
    response = Client().get(HEALTH)

    # then both are named
    assert_unhealthy(response, {"database": "OperationalError", "broker": "OperationalError"})


@pytest.mark.redis
@pytest.mark.django_db
def test_health_is_ok_with_a_reachable_broker(settings):
    # given the broker is a Redis server that answers
    settings.CELERY_BROKER_URL = os.environ["TEST_REDIS_URL"]

    # when the health check is called
    response = Client().get(HEALTH)

    # then everything is fine
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
