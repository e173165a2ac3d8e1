"""A data officer's day in a real browser (headless Chromium from Debian, driven by Playwright):
log in, verify an accident, resolve a conflict, and a screenshot of the dashboard saved under
test-output/ (gitignored). Skipped where Chromium is not installed; CI installs it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from accidents.models import Accident
from fieldsync.models import Conflict
from tests.helpers.browser import field_office
from tests.helpers.sync import PASSWORD, accident, victim

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    # Skipped on a machine without it; CI (CI=true) installs it and must run this test.
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"),
        reason="needs Debian's chromium package",
    ),
]


@pytest.fixture
def day_of_work(transactional_db):
    """Two reports from the field, one of them with a conflict between two surveyors."""
    first, second = field_office("somchai", "bounmy")
    to_verify = accident(occurred_on="2026-03-02", village="Ban Nameuang")
    disputed = accident(occurred_on="2026-05-14", village="Ban Phonsavan")
    casualties = [
        victim(to_verify["id"], age_years=9),
        victim(to_verify["id"], age_years=34, outcome="killed", sex="female"),
        victim(disputed["id"], age_years=15),
    ]
    first.push_ok([to_verify, disputed, *casualties])
    second.pull_all()
    second.push_ok(
        [accident(disputed["id"], base_version=1, occurred_on="2026-05-14", village="Ban Phonxai")]
    )
    first.push_ok(
        [accident(disputed["id"], base_version=1, occurred_on="2026-05-14", village="Ban Phonkham")]
    )
    return to_verify["id"], disputed["id"]


def test_a_data_officer_verifies_resolves_and_reads_the_dashboard(
    day_of_work, live_server, monkeypatch
):
    playwright = pytest.importorskip("playwright.sync_api")
    to_verify, disputed = day_of_work
    conflict = Conflict.objects.get(record_id=disputed)
    reference = Accident.objects.get(pk=to_verify).reference
    # Playwright's sync API runs an event loop in this thread; the ORM calls above and below
    # are plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    OUTPUT.mkdir(exist_ok=True)

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1100})
        # log in
        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        page.fill("#id_username", "noy")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_selector("#review-queues")
        # verify the first accident from its page
        page.goto(f"{live_server.url}/admin/accidents/accident/?q={reference}")
        page.click(f"text={reference}")
        page.click("#verify-button")
        page.wait_for_selector(".messagelist .success")
        # resolve the conflict: take the tablet's village
        page.goto(f"{live_server.url}/admin/fieldsync/conflict/{conflict.pk}/change/")
        page.check("input[name=take_village][value=tablet]")
        page.click("input[name=resolve]")
        page.wait_for_selector(".messagelist .success")
        # the dashboard, as the officer sees it
        page.goto(f"{live_server.url}/admin/dashboard/?year=2026")
        page.wait_for_selector("#chart-province")
        page.screenshot(path=str(OUTPUT / "dashboard.png"), full_page=True)
        browser.close()

    assert Accident.objects.get(pk=to_verify).status == "verified"
    assert Accident.objects.values_list("village", "version").get(pk=disputed) == (
        "Ban Phonkham",
        3,
    )
    assert Conflict.objects.get(pk=conflict.pk).status == "resolved"
    assert (OUTPUT / "dashboard.png").stat().st_size > 10_000
