"""Security: deploy settings, admin brute force, sessions, logs without personal data, script
and SQL text kept as text and shown escaped."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.admin.utils import quote
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accidents.models import Accident
from fieldsync.models import LoginFailure, Role
from tests.helpers.sync import PASSWORD, Tablet, accident, victim

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_refuse_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.prod", "DATABASE_URL": "sqlite:///:memory:"}

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_admin_login_is_throttled_after_ten_failures(seeded, make_user) -> None:
    make_user("officer", role=Role.NRA_STAFF, organisation="NRA")
    browser = Client()
    for _ in range(10):
        failed = browser.post("/admin/login/", {"username": "officer", "password": "guess"})
        assert failed.status_code == 200  # the login form again, with an error

    blocked = browser.post("/admin/login/", {"username": "officer", "password": PASSWORD})

    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= 900
    assert "_auth_user_id" not in browser.session
    assert LoginFailure.objects.filter(username="officer").count() == 10


def test_admin_login_still_works_below_the_limit(seeded, make_user) -> None:
    make_user("officer", role=Role.NRA_STAFF, organisation="NRA")
    browser = Client()
    browser.post("/admin/login/", {"username": "officer", "password": "guess"})

    response = browser.post("/admin/login/", {"username": "officer", "password": PASSWORD})

    assert response.status_code == 302
    assert browser.session["_auth_user_id"]


def test_an_expired_admin_session_is_locked_out(seeded, make_user) -> None:
    officer = make_user("officer", role=Role.NRA_STAFF, organisation="NRA")
    browser = Client()
    browser.force_login(officer)
    assert browser.get("/admin/").status_code == 200
    session = browser.session
    session.set_expiry(timezone.now() - timedelta(seconds=1))
    session.save()

    response = browser.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_no_personal_data_reaches_the_logs(make_tablet, caplog) -> None:
    tablet: Tablet = make_tablet()
    a = accident()
    named = victim(
        a["id"],
        full_name="Somchai Keomany",
        phone="+856 20 5555 0101",
        guardian_name="Bounmy Keomany",
    )
    refused = victim(a["id"], full_name="Khamla Phommachanh", consent="none")
    caplog.set_level(logging.DEBUG)

    tablet.push_ok([a, named, refused])
    tablet.push_ok([victim(a["id"], named["id"], base_version=1, full_name="Somchai K.")])
    tablet.pull_all()

    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in ("Somchai", "Keomany", "5555", "Bounmy", "Khamla", "Phommachanh"):
        assert secret not in logged


def test_script_and_sql_text_is_stored_as_text_and_escaped_in_admin(make_tablet, make_user) -> None:
    tablet: Tablet = make_tablet()
    script = '<script>alert("x")</script>'
    sql = "'); DROP TABLE accidents_accident; --"
    a = accident(village=script, description=sql)
    tablet.push_ok([a])
    officer = make_user("officer", role=Role.NRA_STAFF, organisation="NRA")
    officer.is_superuser = True
    officer.save()
    browser = Client()
    browser.force_login(officer)

    page = browser.get(reverse("admin:accidents_accident_change", args=[quote(a["id"])]))
    listing = browser.get(reverse("admin:accidents_accident_changelist"), {"q": "script"})

    stored = Accident.objects.get(pk=a["id"])
    assert (stored.village, stored.description) == (script, sql)
    for response in (page, listing):
        html = response.content.decode()
        assert response.status_code == 200
        assert script not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page.content.decode()
