"""A staff member's browser for the admin's tests: Debian's Chromium driven by Playwright.

`browser_marks` skips a module on a machine without Chromium (CI installs it and must run it).
`staff_page` opens a logged-in page in the language asked for (English or Lao, as the language
switcher would set it: Django's language cookie), and `screenshot` saves what the officer saw
under test-output/<area>/ (gitignored; CI keeps it as an artefact).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from fieldsync.models import Role
from fieldsync.services.accounts import account_create_or_update
from tests.helpers.sync import PASSWORD, Tablet

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
# A laptop in a provincial office: the admin must fit it with the sidebar open.
VIEWPORT = {"width": 1366, "height": 900}
LANGUAGES = ("en", "lo")

browser_marks = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"),
        reason="needs Debian's chromium package",
    ),
]


@contextmanager
def staff_page(
    live_server: Any,
    username: str,
    password: str,
    *,
    language: str = "en",
    viewport: dict[str, int] | None = None,
) -> Iterator[Any]:
    """A Playwright page logged in to the admin as `username`, in `language`.

    The caller's test must set DJANGO_ALLOW_ASYNC_UNSAFE (Playwright's sync API runs an event
    loop in the test's thread), e.g. with `monkeypatch.setenv`.
    """
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport=viewport or VIEWPORT)
            host = live_server.url.split("//", 1)[1].split(":")[0]
            context.add_cookies(
                [{"name": "django_language", "value": language, "domain": host, "path": "/"}]
            )
            page = context.new_page()
            page.goto(f"{live_server.url}/admin/login/?next=/admin/")
            page.fill("#id_username", username)
            page.fill("#id_password", password)
            page.click("input[type=submit]")
            page.wait_for_url(f"{live_server.url}/admin/")
            yield page
        finally:
            browser.close()


def screenshot(page: Any, area: str, name: str, *, full_page: bool = True) -> Path:
    """Save the page as test-output/<area>/<name>.png and return the path."""
    folder = OUTPUT / area
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def field_office(*surveyors: str, personal_data: bool = True) -> list[Tablet]:
    """The reference data, NRA staff `noy` (password PASSWORD) and a HALO tablet per surveyor."""
    call_command("seed_reference_data", verbosity=0)
    account_create_or_update(
        username="noy",
        password=PASSWORD,
        role=Role.NRA_STAFF,
        organisation_code="NRA",
        personal_data=personal_data,
    )
    return [
        Tablet(
            Client(),
            account_create_or_update(
                username=name, password=PASSWORD, role=Role.SURVEYOR, organisation_code="HALO"
            )[0],
        )
        for name in surveyors
    ]
