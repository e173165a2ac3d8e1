"""Photos and documents in the admin: thumbnails on a report's page, the files not received yet,
an accident's gallery, and the file view behind them (personal files need the permission)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fieldsync.attachments.refs import attachment_refs_update
from fieldsync.registry import registry
from tests.helpers.attachments import pdf_bytes, photo_bytes, reference, stored
from tests.helpers.factories import AccidentFactory, AssistanceFactory, VictimFactory

pytestmark = pytest.mark.django_db

SITE, ORDNANCE, FACE = photo_bytes(1), photo_bytes(2), photo_bytes(3)
CONSENT, REFERRAL = pdf_bytes("Consent"), pdf_bytes("Referral")


def logged(*instances: Any) -> None:
    """The references the engine's change hook keeps for records written through it."""
    for instance in instances:
        model = next(n for n in registry.names() if registry[n].model is type(instance))
        wire = registry[model].to_wire(instance)
        attachment_refs_update({model: {str(instance.pk): (None, wire)}})


@pytest.fixture
def report() -> dict[str, Any]:
    """An accident with a photo received and one not yet, a child casualty with a photo and a
    consent form (personal), and a referral letter for the child's assistance."""
    for content, kind in ((SITE, "image/jpeg"), (FACE, "image/jpeg")):
        stored(content, kind)
    stored(CONSENT, "application/pdf")
    stored(REFERRAL, "application/pdf")
    accident = AccidentFactory.create(
        photos=[reference(SITE, "site.jpg"), reference(ORDNANCE, "bombie.jpg")]
    )
    victim = VictimFactory.create(
        accident=accident,
        photos=[reference(FACE, "face-of-the-child.jpg")],
        consent_document=[reference(CONSENT, "consent-form.pdf", "application/pdf")],
    )
    help_ = AssistanceFactory.create(
        victim=victim, documents=[reference(REFERRAL, "referral.pdf", "application/pdf")]
    )
    logged(accident, victim, help_)
    return {"accident": accident, "victim": victim, "assistance": help_}


@pytest.fixture
def staff_browser(make_staff) -> Client:
    """NRA staff without the personal-data permission (beside `reviewer_browser`, who has it)."""
    client = Client()
    client.force_login(make_staff("keo", personal_data=False))
    return client


def sha(content: bytes) -> str:
    return reference(content, "")["sha256"]


def test_a_report_shows_its_photos_and_those_not_received_yet(reviewer_browser, report):
    page = reviewer_browser.get(
        reverse("admin:accidents_accident_change", args=[report["accident"].pk])
    )

    text = page.content.decode()
    assert page.status_code == 200
    thumbnail = reverse("admin-attachment", args=[sha(SITE)]) + "?thumbnail=1"
    assert text.count(f'<img src="{thumbnail}"') == 2  # the review box and the field
    assert text.count("bombie.jpg · <strong>not received yet</strong>") == 2
    gallery = reverse("admin:victims_accident_files", args=[report["accident"].pk])
    assert f'href="{gallery}"' in text


def test_the_gallery_shows_personal_files_only_with_the_permission(
    staff_browser, reviewer_browser, report
):
    url = reverse("admin:victims_accident_files", args=[report["accident"].pk])

    masked = staff_browser.get(url).content.decode()
    full = reviewer_browser.get(url).content.decode()

    assert "5 files named, 1 not received yet." in masked
    assert "2 personal files, shown to staff with the personal-data permission only." in masked
    assert "face-of-the-child" not in masked and "consent-form" not in masked
    assert "referral.pdf" in masked and "site.jpg" in masked
    assert "face-of-the-child.jpg" in full and "consent-form.pdf" in full
    assert "personal-data permission only" not in full


def test_the_file_view_checks_like_the_api(staff_browser, reviewer_browser, report):
    def status(browser, content: bytes, **params: str) -> int:
        url = reverse("admin-attachment", args=[sha(content)])
        return browser.get(url, params).status_code

    assert status(staff_browser, SITE) == 200
    assert status(staff_browser, SITE, thumbnail="1") == 200
    assert status(staff_browser, FACE) == 404  # personal: needs the permission
    assert status(staff_browser, CONSENT) == 404
    assert status(reviewer_browser, FACE) == 200
    assert status(reviewer_browser, CONSENT) == 200
    assert status(reviewer_browser, ORDNANCE) == 404  # not received yet


def test_reports_waiting_for_files_are_a_filter(reviewer_browser, report):
    complete = AccidentFactory.create(photos=[reference(SITE, "site.jpg")])
    logged(complete)
    listing = reverse("admin:accidents_accident_changelist")

    waiting = reviewer_browser.get(listing, {"files": "missing"}).context["cl"].result_list
    received = reviewer_browser.get(listing, {"files": "complete"}).context["cl"].result_list

    assert [a.pk for a in waiting] == [report["accident"].pk]
    assert [a.pk for a in received] == [complete.pk]


def test_a_victims_files_are_personal_on_its_page(staff_browser, reviewer_browser, report):
    url = reverse("admin:victims_victim_change", args=[report["victim"].pk])
    help_url = reverse("admin:victims_assistance_change", args=[report["assistance"].pk])

    masked = staff_browser.get(url).content.decode()
    full = reviewer_browser.get(url).content.decode()
    assistance = staff_browser.get(help_url).content.decode()

    face = reverse("admin-attachment", args=[sha(FACE)])
    assert face not in masked and "face-of-the-child" not in masked
    assert f'<img src="{face}?thumbnail=1"' in full
    assert f'href="{reverse("admin-attachment", args=[sha(CONSENT)])}"' in full
    assert "referral.pdf" in assistance


def test_whether_a_victims_files_arrived_is_personal_too(staff_browser, reviewer_browser, report):
    listing = reverse("admin:victims_victim_changelist")

    masked = staff_browser.get(listing)
    full = reviewer_browser.get(listing, {"files": "missing"})

    assert "Some not received yet" not in masked.content.decode()
    assert staff_browser.get(listing, {"files": "missing"}).status_code == 302  # refused lookup
    assert list(full.context["cl"].result_list) == []  # the child's files have all arrived
