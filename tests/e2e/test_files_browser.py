"""Photos in a real browser: a report's thumbnails load (and those not received yet are marked),
the accident's gallery shows its victims' photos to staff with the personal-data permission,
in English and Lao. Screenshots under test-output/files/."""

from __future__ import annotations

import pytest

from accidents.models import Accident
from fieldsync.models import Attachment, Role
from fieldsync.services.accounts import account_create_or_update
from tablet_client import FlakyTransport, HttpTransport, LocalStore, SyncInterrupted, TabletClient
from tests.helpers.attachments import pdf_bytes, photo_bytes, reference, stored
from tests.helpers.browser import LANGUAGES, browser_marks, field_office, screenshot, staff_page
from tests.helpers.sync import PASSWORD, accident, assistance, victim

pytestmark = browser_marks

SITE, ORDNANCE, FACE = photo_bytes(1, (1600, 1200)), photo_bytes(2), photo_bytes(3, (600, 800))
CONSENT = pdf_bytes("Consent of the guardian")
ALL_LOADED = """selector => [...document.querySelectorAll(selector)]
    .every(image => image.complete && image.naturalWidth > 0)"""


@pytest.fixture
def photographed(transactional_db):
    """A report with two photos (one uploaded, one not yet), a child casualty with a photo and a
    consent form, a referral letter for its assistance."""
    (tablet,) = field_office("somchai")
    for content in (SITE, FACE):
        stored(content)
    stored(CONSENT, "application/pdf")
    report = accident(
        photos=[reference(SITE, "site.jpg"), reference(ORDNANCE, "BLU-26.jpg")],
        village="Ban Nameuang",
    )
    child = victim(
        report["id"],
        photos=[reference(FACE, "child.jpg")],
        consent_document=[reference(CONSENT, "consent.pdf", "application/pdf")],
    )
    tablet.push_ok([report, child, assistance(child["id"], provider_organisation="HALO")])
    return report


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_report_shows_its_photos_and_its_gallery(
    photographed, live_server, monkeypatch, language
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base = live_server.url

    with staff_page(live_server, "noy", PASSWORD, language=language) as page:
        page.goto(f"{base}/admin/accidents/accident/{photographed['id']}/change/")
        box = page.locator("#accident-photos")
        page.wait_for_function(ALL_LOADED, arg="#accident-photos img")
        loaded = box.locator("img").evaluate_all(
            "images => images.map(i => i.complete && i.naturalWidth)"
        )
        missing = box.locator(".file-missing").all_inner_texts()
        screenshot(page, "files", f"accident-photos-{language}", full_page=False)

        page.click("#accident-gallery-link")
        page.wait_for_selector("#files-summary")
        page.wait_for_function(ALL_LOADED, arg=".gallery-section img")
        gallery = page.locator(".gallery-section img").evaluate_all(
            "images => images.map(i => i.complete && i.naturalWidth)"
        )
        summary = page.locator("#files-summary").inner_text()
        documents = page.locator(".file-document a").all_inner_texts()
        screenshot(page, "files", f"gallery-{language}")

    assert loaded == [320]  # the thumbnail of the site photo, 1600 px wide
    assert len(missing) == 1 and missing[0].startswith("BLU-26.jpg")
    assert gallery == [320, 240]  # the site photo, the child's (portrait)
    assert summary.startswith("4") and ("1" in summary.split(",")[1])
    assert documents == ["consent.pdf"]


def test_a_photo_taken_offline_crosses_a_dropping_link_and_shows_on_the_report(
    transactional_db, live_server, monkeypatch
):
    """The issue's promise, end to end: a surveyor records an accident and photographs the site
    with no network; the tablet syncs over HTTP through a link that loses requests, answers and
    cuts chunks mid-way; the photo arrives whole and NRA staff see it on the report's page."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    field_office()
    account_create_or_update(
        username="somchai", password=PASSWORD, role=Role.SURVEYOR, organisation_code="HALO"
    )
    link = FlakyTransport(HttpTransport(live_server.url), drop_rate=0.3, seed="photo")
    tablet = TabletClient(
        store=LocalStore(), transport=link, sleep=lambda _: None, chunk_size=64 * 1024, seed=1
    )
    tablet.enrol(username="somchai", password=PASSWORD, device_name="HALO tablet 3")
    # offline: the report and its photo
    report = tablet.create("accident", accident()["data"])
    tablet.attach("accident", report, "photos", SITE, name="site.jpg", content_type="image/jpeg")
    # back in coverage: sessions until everything is acknowledged (a session may die on the link)
    for _ in range(30):
        try:
            tablet.sync()
        except SyncInterrupted:
            continue
        if tablet.pending_count() == 0:
            break
    sha256 = reference(SITE, "")["sha256"]
    assert tablet.pending_count() == 0
    assert tablet.stats.file_resumes > 0 and link.stats.lost_requests > 0  # uploads broke off
    assert Attachment.objects.get(pk=sha256).size == len(SITE)
    reference_number = Accident.objects.get(pk=report).reference

    with staff_page(live_server, "noy", PASSWORD) as page:
        page.goto(f"{live_server.url}/admin/accidents/accident/{report}/change/")
        page.wait_for_function(ALL_LOADED, arg="#accident-photos img")
        widths = page.locator("#accident-photos img").evaluate_all(
            "images => images.map(i => i.naturalWidth)"
        )
        heading = page.locator("#content").inner_text()
        screenshot(page, "files", "photo-through-a-dropping-link", full_page=False)

    assert widths == [320]
    assert reference_number in heading
