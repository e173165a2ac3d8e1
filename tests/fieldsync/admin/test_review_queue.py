"""The review queue holds only what still needs a person: a held or rejected record overtaken by a
later stored version of the same record leaves it (status superseded) and stays in history."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from accidents.models import Accident
from fieldsync.models import InboxRecord
from fieldsync.selectors import ReviewCounts, review_queue_counts
from figures import dashboard
from tests.helpers.sync import accident, delete, victim

pytestmark = pytest.mark.django_db


def _rejected(tablet, report):
    assert tablet.push_ok([report])[0]["status"] == "rejected"
    return InboxRecord.objects.get(record_id=report["id"], status="rejected")


def test_a_rejected_record_resent_fixed_leaves_the_queue_and_keeps_its_errors(tablet):
    # given an accident rejected for a district outside its province
    bad = accident(district="0101")
    record = _rejected(tablet, bad)
    counted = review_queue_counts()

    # when the tablet re-sends it fixed and it is applied
    assert tablet.push_ok([accident(bad["id"])])[0]["status"] == "applied"

    # then it left the queue, and its payload and errors stay for the history
    record.refresh_from_db()
    assert counted == ReviewCounts(rejected=1, held=0, conflicts=0)
    assert review_queue_counts() == ReviewCounts(rejected=0, held=0, conflicts=0)
    assert dashboard.rejected_records() == 0
    assert record.status == "superseded" and record.resolved_at is not None
    assert record.payload == bad
    assert "district" in record.result["errors"]


def test_a_rejected_edit_newer_than_the_stored_version_stays_in_the_queue(tablet):
    # given an accident stored, then an edit of it the engine refused
    report = accident()
    tablet.push_ok([report])
    record = _rejected(tablet, accident(report["id"], base_version=1, district="0101"))

    # when another record is applied
    tablet.push_ok([accident()])

    # then the refused edit still needs a person
    assert InboxRecord.objects.get(pk=record.pk).status == "rejected"
    assert review_queue_counts().rejected == 1
    assert dashboard.rejected_records() == 1


def test_a_rejected_edit_of_a_record_deleted_since_leaves_the_queue(tablet):
    report = accident()
    tablet.push_ok([report])
    record = _rejected(tablet, accident(report["id"], base_version=1, district="0101"))

    assert tablet.push_ok([delete("accident", report["id"], 1)])[0]["status"] == "applied"

    assert InboxRecord.objects.get(pk=record.pk).status == "superseded"
    assert review_queue_counts().rejected == 0


def test_a_held_victim_whose_record_was_applied_since_leaves_the_queue(tablet):
    # given a victim held for an accident the server does not have
    report = accident()
    held = victim(report["id"])
    assert tablet.push_ok([held])[0]["status"] == "held"
    record = InboxRecord.objects.get(record_id=held["id"])
    assert review_queue_counts().held == 1

    # when the same victim is sent again with its accident, and applied
    results = tablet.push_ok([report, victim(report["id"], record_id=held["id"])])

    # then the held copy is superseded (released or overtaken: never still held)
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert InboxRecord.objects.get(pk=record.pk).status != "held"
    assert review_queue_counts() == ReviewCounts(rejected=0, held=0, conflicts=0)


def test_fixing_a_record_already_holding_the_fix_resolves_it(tablet, reviewer_browser):
    # given a stored accident and an edit of it refused for its district
    report = accident()
    tablet.push_ok([report])
    record = _rejected(tablet, accident(report["id"], base_version=1, district="0101"))

    # when staff fix the edit back to what the server already holds
    response = reviewer_browser.post(
        reverse("admin:fieldsync_inboxrecord_fix", args=[record.pk]),
        {"mode": "json", "data": '{"district": "0901"}'},
        follow=True,
    )

    # then the record left the queue, and the page says it was already so (not "Unchanged")
    record.refresh_from_db()
    assert record.status == "superseded"
    assert record.result["fixed_in"]["status"] == "unchanged"
    text = response.content.decode()
    assert "already holds these values" in text
    assert Accident.objects.get(pk=report["id"]).version == 1
    assert review_queue_counts().rejected == 0


def test_the_migration_supersedes_rejected_records_a_later_version_overtook(tablet):
    # given records as they were before the superseded status: a re-sent fix left one rejected
    bad = accident(district="0101")
    record = _rejected(tablet, bad)
    tablet.push_ok([accident(bad["id"])])
    still = _rejected(tablet, accident(bad["id"], base_version=1, district="0101"))
    InboxRecord.objects.filter(pk=record.pk).update(status="rejected", resolved_at=None)

    # when the data migration runs
    migration = importlib.import_module("fieldsync.migrations.0003_inbox_superseded")
    migration.supersede(apps, None)

    # then only the record the later version overtook left the queue
    assert InboxRecord.objects.get(pk=record.pk).status == "superseded"
    assert InboxRecord.objects.get(pk=still.pk).status == "rejected"


def test_a_superseded_record_offers_no_review_and_cannot_be_fixed(tablet, reviewer_browser):
    # given a rejected accident the tablet re-sent fixed
    bad = accident(district="0101")
    record = _rejected(tablet, bad)
    tablet.push_ok([accident(bad["id"])])
    fix_url = reverse("admin:fieldsync_inboxrecord_fix", args=[record.pk])

    # when staff open it and try to fix it anyway
    page = reviewer_browser.get(reverse("admin:fieldsync_inboxrecord_change", args=[record.pk]))
    fix = reviewer_browser.post(fix_url, {"mode": "json", "data": '{"district": "0902"}'})

    # then it says a later version was stored, and nothing changed
    assert not page.context["can_review"]
    assert "A later version of this record was stored since" in page.content.decode()
    assert fix.status_code == 200 and fix.context["form"] is None
    assert Accident.objects.get(pk=bad["id"]).district_id == "0901"
    assert InboxRecord.objects.get(pk=record.pk).status == "superseded"
