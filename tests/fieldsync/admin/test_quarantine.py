"""Held and rejected records: the raw payload and errors, fix and apply, discard with a reason.
The original is always kept."""

from __future__ import annotations

import json
import uuid

import pytest
from django.urls import reverse

from accidents.models import Accident
from fieldsync.models import InboxRecord, RecordVersion, SyncBatch
from tests.helpers.admin import form_post, pulled
from tests.helpers.sync import accident, victim

pytestmark = pytest.mark.django_db


@pytest.fixture
def rejected(tablet):
    """An accident the tablet sent with a district outside its province."""
    report = accident(district="0101")
    result = tablet.push_ok([report])[0]
    assert result["status"] == "rejected"
    return report, InboxRecord.objects.get(record_id=report["id"])


def test_the_rejected_record_shows_its_payload_and_errors(rejected, reviewer_browser):
    _, record = rejected
    page = reviewer_browser.get(reverse("admin:fieldsync_inboxrecord_change", args=[record.pk]))
    assert page.status_code == 200
    assert b"District 0101 is not in province LA-XI." in page.content
    assert b"Ban Nameuang" in page.content
    assert page.context["can_review"] and page.context["can_fix"]


def test_fixing_a_rejected_record_applies_it_and_keeps_the_original(
    rejected, tablet, reviewer_browser
):
    # given a rejected accident, and the tablet's cursor
    report, record = rejected
    _, cursor = tablet.pull_all()
    fix_url = reverse("admin:fieldsync_inboxrecord_fix", args=[record.pk])
    form = reviewer_browser.get(fix_url)

    # when staff correct the district in the form and apply
    response = reviewer_browser.post(
        fix_url, form_post({**form.context["form"].initial, "district": "0901"})
    )

    # then the accident exists, created through the staff's admin device with the tablet's time
    assert form.status_code == 200 and b"0101" in form.content
    assert response.status_code == 302
    stored = Accident.objects.get(pk=report["id"])
    assert (stored.district_id, stored.version, stored.village) == ("0901", 1, "Ban Nameuang")
    version = RecordVersion.objects.get(record_id=report["id"])
    assert (version.source, version.user.username, version.device.name) == (
        "admin",
        "noy",
        "server: admin",
    )
    assert version.recorded_at is not None
    # and the original is kept, superseded, pointing to the batch that applied it
    record.refresh_from_db()
    assert record.status == "superseded"
    assert record.payload == report
    assert record.result["reason"] == "fixed" and record.result["by"] == "noy"
    assert record.result["previous_status"] == "rejected"
    replacement = InboxRecord.objects.get(pk=record.result["fixed_in"]["inbox_record"])
    assert str(replacement.batch.batch_id) == record.result["fixed_in"]["batch_id"]
    assert replacement.status == "applied"
    # and the tablet pulls the accident
    change = pulled(tablet.pull_all(cursor)[0], "accident")[report["id"]]
    assert (change["op"], change["data"]["district"]) == ("upsert", "0901")


def test_a_fix_the_engine_refuses_stores_nothing(rejected, reviewer_browser):
    # given a rejected accident
    _, record = rejected
    batches = SyncBatch.objects.count()

    # when staff apply a fix that is still wrong, as JSON and in the form
    url = reverse("admin:fieldsync_inboxrecord_fix", args=[record.pk])
    as_json = reviewer_browser.post(url, {"mode": "json", "data": '{"district": "9999"}'})
    in_form = reviewer_browser.post(url, form_post({**record.payload["data"], "district": "9999"}))

    # then the errors are shown beside the district and nothing is stored
    assert as_json.status_code == in_form.status_code == 200
    assert "district" in [name for name, _label, _m in as_json.context["json_refusals"]]
    assert in_form.context["form"].errors["district"] == ["Unknown: “9999”."]
    assert SyncBatch.objects.count() == batches
    assert InboxRecord.objects.get(pk=record.pk).status == "rejected"
    assert not Accident.objects.exists()


def test_discarding_needs_a_reason_and_keeps_the_record(rejected, reviewer_browser):
    _, record = rejected
    url = reverse("admin:fieldsync_inboxrecord_discard", args=[record.pk])

    reviewer_browser.post(url, {"reason": ""})
    still = InboxRecord.objects.get(pk=record.pk).status
    reviewer_browser.post(url, {"reason": "Test record from training"})

    assert still == "rejected"
    record.refresh_from_db()
    assert record.status == "discarded"
    assert (record.result["reason"], record.result["by"]) == ("Test record from training", "noy")
    assert record.result["errors"]  # the original errors stay with it
    assert not Accident.objects.exists()


def test_a_held_victim_can_be_discarded_and_never_comes_back(tablet, reviewer_browser):
    # given a victim held for an accident the server never received
    missing = str(uuid.uuid4())
    held = victim(missing)
    assert tablet.push_ok([held])[0]["status"] == "held"
    record = InboxRecord.objects.get(record_id=held["id"])

    # when staff discard it, then its accident arrives after all
    reviewer_browser.post(
        reverse("admin:fieldsync_inboxrecord_discard", args=[record.pk]),
        {"reason": "Tablet lost"},
    )
    tablet.push_ok([accident(missing)])

    # then the victim was not applied
    assert InboxRecord.objects.get(pk=record.pk).status == "discarded"
    from victims.models import Victim

    assert not Victim.objects.filter(pk=held["id"]).exists()


def test_personal_fields_are_masked_in_payloads_and_kept_by_a_fix(tablet, make_staff):
    # given a rejected victim (its accident is another organisation's... here: bad age)
    from django.test import Client

    from victims.models import Victim

    report = accident()
    tablet.push_ok([report])
    child = victim(report["id"], age_years=300, full_name="Somchai K.")
    assert tablet.push_ok([child])[0]["status"] == "rejected"
    record = InboxRecord.objects.get(record_id=child["id"])
    browser = Client()
    browser.force_login(make_staff("viewer", personal_data=False))

    # when staff without the permission look at it and fix the age
    page = browser.get(reverse("admin:fieldsync_inboxrecord_change", args=[record.pk]))
    fix_url = reverse("admin:fieldsync_inboxrecord_fix", args=[record.pk])
    form = browser.get(fix_url)
    fixed = json.loads(form.context["json_text"])
    fixed["age_years"] = 30
    browser.post(fix_url, {"mode": "json", "data": json.dumps(fixed)})

    # then they never saw the names, and the victim keeps the names the tablet sent
    for content in (page.content, form.content):
        assert b"Somchai" not in content and b"Bounmy" not in content
    assert fixed["full_name"] == "•••"
    assert Victim.objects.values_list("age_years", "full_name", "guardian_name").get(
        pk=child["id"]
    ) == (30, "Somchai K.", "Bounmy K.")
