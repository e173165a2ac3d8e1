"""ODK submissions in admin (view only): the instance XML only for staff who may see personal
data, escaped; the files received; the batch it became, and the batch's link back."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from odk.models import Submission
from odk.services import collect_password_device
from tests.helpers.factories import SyncBatchFactory, UserFactory

pytestmark = pytest.mark.django_db

INSTANCE = uuid.UUID("5f0e3a52-8c1d-4b7e-9a10-2d3c4b5a6f70")
XML = (
    '<data id="uxo_accident"><victim><full_name>Somphone Vongsa</full_name>'
    "<phone>+856 20 5555 1234</phone><note>&lt;script&gt;</note></victim>"
    "<meta><instanceID>uuid:5f0e3a52-8c1d-4b7e-9a10-2d3c4b5a6f70</instanceID></meta></data>"
)


@pytest.fixture
def submission() -> Submission:
    khamla = UserFactory.create(username="khamla")
    device = collect_password_device(user=khamla)
    batch = SyncBatchFactory.create(device=device, status="done")
    return Submission.objects.create(
        instance_id=INSTANCE,
        form_id="uxo_accident",
        form_version="2026120501",
        device=device,
        xml=XML,
        xml_sha256="1" * 64,
        batch=batch,
        files={"1733402000.jpg": "a" * 64},
    )


def change_url(submission: Submission) -> str:
    return reverse("admin:odk_submission_change", args=[submission.pk])


def test_staff_without_the_personal_data_permission_see_a_note_not_the_xml(
    staff_browser, submission
):
    page = staff_browser.get(change_url(submission))

    assert page.status_code == 200
    assert b"Somphone" not in page.content
    assert b"5555 1234" not in page.content
    assert b"only staff who may see personal data can read it" in page.content
    # what is not personal is shown: form, account, files, the batch
    assert b"uxo_accident" in page.content
    assert b"khamla" in page.content
    assert b"1733402000.jpg" in page.content
    batch_url = reverse("admin:fieldsync_syncbatch_change", args=[submission.batch_id])
    assert f'href="{batch_url}"'.encode() in page.content


def test_staff_with_the_personal_data_permission_read_the_xml_escaped(reviewer_browser, submission):
    page = reviewer_browser.get(change_url(submission))

    assert page.status_code == 200
    assert b"&lt;full_name&gt;Somphone Vongsa&lt;/full_name&gt;" in page.content
    assert b"&amp;lt;script&amp;gt;" in page.content  # the XML's own escape, escaped again
    assert b"<full_name>" not in page.content


def test_the_list_shows_form_instance_device_and_batch(staff_browser, submission):
    page = staff_browser.get(reverse("admin:odk_submission_changelist"))

    assert page.status_code == 200
    assert [s.pk for s in page.context["cl"].result_list] == [submission.pk]
    assert str(INSTANCE).encode() in page.content
    assert b"ODK Collect (khamla)" in page.content
    batch_url = reverse("admin:fieldsync_syncbatch_change", args=[submission.batch_id])
    assert f'href="{batch_url}"'.encode() in page.content


def test_submissions_are_view_only(admin_browser, submission):
    add = admin_browser.get(reverse("admin:odk_submission_add"))
    delete = admin_browser.post(reverse("admin:odk_submission_delete", args=[submission.pk]))

    assert (add.status_code, delete.status_code) == (403, 403)
    assert Submission.objects.filter(pk=submission.pk).exists()


def test_the_received_batch_links_to_its_odk_submission(admin_browser, submission):
    submission_url = change_url(submission)
    other = SyncBatchFactory.create()

    listing = admin_browser.get(reverse("admin:fieldsync_syncbatch_changelist"))
    detail = admin_browser.get(
        reverse("admin:fieldsync_syncbatch_change", args=[submission.batch_id])
    )
    plain = admin_browser.get(reverse("admin:fieldsync_syncbatch_change", args=[other.pk]))

    assert f'<a href="{submission_url}">uxo_accident</a>'.encode() in listing.content
    assert f'<a href="{submission_url}">uxo_accident</a>'.encode() in detail.content
    assert submission_url.encode() not in plain.content
