"""PostgreSQL going away: 503 with Retry-After, the tablet keeps its outbox, and the server
recovers by itself when the database is back (no restart)."""

from __future__ import annotations

import httpx
import pytest
from django.db import connection

from accidents.models import Accident
from tests.helpers.servers import HttpTablet, TcpProxy, database_url, gunicorn
from tests.helpers.sync import accident

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_database_down_gives_503_and_recovery_needs_no_restart(make_user, seeded) -> None:
    make_user("outage-tablet")
    proxy = TcpProxy(target_port=int(connection.settings_dict.get("PORT") or 5432))
    proxy.start()
    with gunicorn(database_url(port=proxy.port), workers=1) as server:
        tablet = HttpTablet(server.url, "outage-tablet")
        first, outbox = tablet.body([accident()]), tablet.body([accident()])
        assert tablet.post(first).status_code == 200

        proxy.stop()  # the database goes away under a running server
        push = tablet.post(outbox)
        pull = tablet.client.get(f"{server.url}/api/v1/sync/pull/")
        health = httpx.get(f"{server.url}/api/v1/health/", timeout=30)

        proxy.start()  # and comes back
        retried = tablet.post(outbox)
        healthy = httpx.get(f"{server.url}/api/v1/health/", timeout=30)

    for response in (push, pull):
        assert response.status_code == 503
        assert response.json()["code"] == "service_unavailable"
        assert int(response.headers["Retry-After"]) > 0
    assert (health.status_code, health.json()["failing"].keys()) == (503, {"database"})
    assert retried.status_code == 200
    assert retried.json()["results"][0]["status"] == "applied"
    assert healthy.status_code == 200
    assert Accident.objects.count() == 2
