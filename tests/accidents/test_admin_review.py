"""Verification workflow through the admin views: verify, reject with a reason (one and in bulk);
who and when are recorded, a version is stored, and tablets pull the new status."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accidents.models import Accident
from fieldsync.models import Conflict
from tests.helpers.admin import pulled, versions
from tests.helpers.sync import accident

pytestmark = pytest.mark.django_db


def status_url(accident_id: str) -> str:
    return reverse("admin:accidents_accident_status", args=[accident_id])


def test_verifying_an_accident_records_who_and_locks_it(tablet, staff, reviewer_browser):
    # given an accident a tablet reported, and that tablet's cursor
    report = accident()
    tablet.push_ok([report])
    _, cursor = tablet.pull_all()

    # when NRA staff open it and press Verify
    page = reviewer_browser.get(reverse("admin:accidents_accident_change", args=[report["id"]]))
    response = reviewer_browser.post(status_url(report["id"]), {"status": "verified"})

    # then it is verified at version 2, by them, as an admin change
    assert page.status_code == 200 and b"verify-button" in page.content
    assert response.status_code == 302
    stored = Accident.objects.get(pk=report["id"])
    assert (stored.status, stored.version, stored.status_changed_by) == ("verified", 2, staff)
    assert stored.status_changed_at is not None
    assert versions("accident", report["id"])[-1][:4] == (2, "update", "admin", "noy")
    # and the tablet pulls the new status
    changes, _ = tablet.pull_all(cursor)
    assert pulled(changes, "accident")[report["id"]]["data"]["status"] == "verified"
    assert pulled(changes, "accident")[report["id"]]["version"] == 2
    # and an edit from the field is now a conflict, not applied
    result = tablet.push_ok([accident(report["id"], base_version=2, village="Ban Other")])[0]
    assert result["status"] == "conflict"
    assert Accident.objects.get(pk=report["id"]).village == "Ban Nameuang"
    assert Conflict.objects.get(record_id=report["id"]).kind == "locked"


def test_rejecting_needs_a_reason(tablet, reviewer_browser):
    # given a reported accident
    report = accident()
    tablet.push_ok([report])

    # when staff reject it without a reason, then with one
    reviewer_browser.post(status_url(report["id"]), {"status": "rejected", "reason": "  "})
    unchanged = Accident.objects.values_list("status", "version").get(pk=report["id"])
    reviewer_browser.post(
        status_url(report["id"]), {"status": "rejected", "reason": "Reported twice by phone"}
    )

    # then only the second is stored, with its reason
    assert unchanged == ("reported", 1)
    assert Accident.objects.values_list("status", "status_reason", "version").get(
        pk=report["id"]
    ) == ("rejected", "Reported twice by phone", 2)


def test_staff_without_the_review_permission_cannot_verify(tablet, make_staff):
    # given an accident and a staff account that may only view (NRA viewer)
    from django.contrib.auth.models import Permission
    from django.test import Client

    report = accident()
    tablet.push_ok([report])
    viewer = make_staff("viewer")
    viewer.groups.clear()
    viewer.user_permissions.add(Permission.objects.get(codename="view_accident"))
    browser = Client()
    browser.force_login(viewer)

    # when they post a verification, then it is refused and nothing changes
    assert browser.post(status_url(report["id"]), {"status": "verified"}).status_code == 403
    assert Accident.objects.get(pk=report["id"]).status == "reported"


def test_bulk_reject_asks_for_a_reason_then_rejects_every_selected_accident(
    tablet, reviewer_browser
):
    # given three reported accidents, and the tablet's cursor
    reports = [accident(village=f"Ban {n}") for n in range(3)]
    tablet.push_ok(reports)
    _, cursor = tablet.pull_all()
    chosen = [reports[0]["id"], reports[1]["id"]]
    changelist = reverse("admin:accidents_accident_changelist")

    # when staff choose "Reject selected" for two of them
    ask = reviewer_browser.post(
        changelist, {"action": "reject_selected", "_selected_action": chosen}
    )
    # and give the reason on the next page
    done = reviewer_browser.post(
        changelist,
        {
            "action": "reject_selected",
            "_selected_action": chosen,
            "apply": "1",
            "reason": "Training data entered by mistake",
        },
    )

    # then the first step asked, the second rejected exactly those two
    assert ask.status_code == 200 and b"Training data" not in ask.content
    assert b'name="reason"' in ask.content
    assert done.status_code == 302
    assert dict(Accident.objects.values_list("village", "status")) == {
        "Ban 0": "rejected",
        "Ban 1": "rejected",
        "Ban 2": "reported",
    }
    assert set(
        Accident.objects.filter(status="rejected").values_list("status_reason", flat=True)
    ) == {"Training data entered by mistake"}
    # and the tablet pulls both at version 2, the third not at all
    changes = pulled(tablet.pull_all(cursor)[0], "accident")
    assert {k: (v["version"], v["data"]["status"]) for k, v in changes.items()} == {
        chosen[0]: (2, "rejected"),
        chosen[1]: (2, "rejected"),
    }


def test_bulk_verify_skips_accidents_already_verified(tablet, reviewer_browser):
    # given two accidents, one already verified
    reports = [accident(village="Ban A"), accident(village="Ban B")]
    tablet.push_ok(reports)
    reviewer_browser.post(status_url(reports[0]["id"]), {"status": "verified"})

    # when both are verified in bulk
    response = reviewer_browser.post(
        reverse("admin:accidents_accident_changelist"),
        {"action": "verify_selected", "_selected_action": [r["id"] for r in reports]},
    )

    # then only the second got a new version
    assert response.status_code == 302
    assert dict(Accident.objects.values_list("village", "version")) == {"Ban A": 2, "Ban B": 2}
    assert set(Accident.objects.values_list("status", flat=True)) == {"verified"}


def test_history_lists_every_version_with_who_and_from_where(tablet, reviewer_browser):
    # given an accident a tablet created and staff verified
    report = accident()
    tablet.push_ok([report])
    reviewer_browser.post(status_url(report["id"]), {"status": "verified"})

    # when its history opens
    page = reviewer_browser.get(reverse("admin:accidents_accident_history", args=[report["id"]]))

    # then both versions are there: the tablet's creation and the staff's verification
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [(r.version.version, r.version.source, r.version.user.username) for r in rows] == [
        (2, "admin", "noy"),
        (1, "sync", "surveyor-halo"),
    ]
    assert ("status", "reported", "verified") in rows[0].changes
    assert rows[1].version.recorded_at is not None
    assert b"tablet of surveyor-halo" in page.content
    assert rows[1].version.device.name == "tablet of surveyor-halo"
