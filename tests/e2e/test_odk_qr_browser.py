"""ODK Collect's QR code in a real browser: NRA staff who manage accounts open a surveyor's
account, enrol a Collect device and see its QR code once; the code read back from the screenshot
(zxing-cpp, when installed) is Collect's settings with the token URL and no password.
Screenshots under test-output/odk/ (docs/images/odk-qr-*.png are copies)."""

from __future__ import annotations

import base64
import io
import json
import zlib

import pytest
from django.contrib.auth.models import Permission

from fieldsync.models import Device, Role, User
from fieldsync.services.accounts import account_create_or_update
from fieldsync.services.auth import device_for_token
from tests.helpers.browser import browser_marks, screenshot, staff_page
from tests.helpers.sync import PASSWORD

pytestmark = browser_marks


@pytest.fixture
def field_team(transactional_db, monkeypatch):
    """The reference data, NRA staff `noy` who may change accounts, and HALO surveyor khamla."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.core.management import call_command

    call_command("seed_reference_data", verbosity=0)
    noy, _ = account_create_or_update(
        username="noy", password=PASSWORD, role=Role.NRA_STAFF, organisation_code="NRA"
    )
    noy.user_permissions.add(Permission.objects.get(codename="change_user"))
    khamla, _ = account_create_or_update(
        username="khamla", password=PASSWORD, role=Role.SURVEYOR, organisation_code="HALO"
    )
    return khamla


def settings_in(png: bytes) -> dict:
    """Collect's settings read from a picture of the QR code, as Collect's scanner would."""
    import zxingcpp
    from PIL import Image

    (barcode,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return json.loads(zlib.decompress(base64.b64decode(barcode.text)))


def test_staff_enrol_a_collect_device_and_see_its_qr_code_once(field_team: User, live_server):
    base = live_server.url
    with staff_page(live_server, "noy", PASSWORD) as page:
        # the account's page, its "ODK Collect" link
        page.goto(f"{base}/admin/fieldsync/user/{field_team.pk}/change/")
        screenshot(page, "odk", "odk-qr-account-en", full_page=False)
        page.click("#collect-devices-link")
        page.wait_for_selector("#collect-enrol")
        # a new device, named after whose phone it is
        page.fill("#id_name", "Khamla's phone")
        page.click("#collect-enrol input[type=submit]")
        page.wait_for_selector("#collect-qr-code svg")
        address = page.url
        server_url = page.locator("#collect-server-url").inner_text()
        warning = page.locator("#collect-qr-warning").inner_text()
        png = page.locator("#collect-qr-code").screenshot()
        screenshot(page, "odk", "odk-qr-code-en")
        # back to the list: the code is gone, the device listed
        page.goto(address)
        page.wait_for_selector("#collect-devices")
        again = page.locator("#collect-qr-code").count()
        listed = page.locator("tr.collect-device td:first-child").all_inner_texts()
        screenshot(page, "odk", "odk-qr-devices-en", full_page=False)

    token = server_url.removeprefix(f"{base}/openrosa/key/").removesuffix("/")
    device = Device.objects.get(user=field_team)
    assert server_url == f"{base}/openrosa/key/{token}/"
    assert device_for_token(token) == device
    assert token not in address
    assert warning.startswith("This code is shown only once.")
    assert (again, listed) == (0, ["Khamla's phone"])
    settings = settings_in(png)
    assert settings == {
        "general": {"server_url": server_url, "username": "khamla"},
        "admin": {},
        "project": {
            "name": "fieldsync – HALO Trust",  # noqa: RUF001
            "icon": "U",
            "color": "#b3261e",
        },
    }
