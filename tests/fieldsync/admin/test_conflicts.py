"""Conflict review through the admin: base, server and tablet side by side; staff pick a value per
field or keep the server's; the resolution is a new version tablets pull."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accidents.models import Accident
from fieldsync.models import Conflict, RecordVersion
from tests.helpers.admin import pulled, versions
from tests.helpers.sync import accident, victim

pytestmark = pytest.mark.django_db


@pytest.fixture
def clash(make_tablet):
    """Two surveyors of one organisation edit village and description of the same accident."""
    first = make_tablet("somchai")
    second = make_tablet("bounmy")
    report = accident(description="Farmer hit a bomblet")
    first.push_ok([report])
    second.pull_all()
    second.push_ok(
        [accident(report["id"], base_version=1, village="Ban Phonsavan", description="Two men")]
    )
    result = first.push_ok(
        [accident(report["id"], base_version=1, village="Ban Na", description="One man")]
    )[0]
    assert (result["status"], sorted(result["conflict_fields"])) == (
        "conflict",
        ["description", "village"],
    )
    return first, report["id"], Conflict.objects.get(record_id=report["id"])


def test_the_conflict_page_shows_each_side(clash, reviewer_browser):
    _, _, conflict = clash
    page = reviewer_browser.get(reverse("admin:fieldsync_conflict_change", args=[conflict.pk]))
    assert page.status_code == 200
    rows = {row["name"]: row for row in page.context["rows"]}
    assert rows["village"]["base"] == "Ban Nameuang"
    assert rows["village"]["server"] == "Ban Phonsavan"
    assert rows["village"]["tablet"] == "Ban Na"
    assert rows["village"]["current"] == "Ban Phonsavan"
    assert b'name="take_village" value="tablet"' in page.content


def test_resolving_field_by_field_stores_a_version_tablets_pull(clash, staff, reviewer_browser):
    # given a conflict on village and description, and the first tablet's cursor
    first, accident_id, conflict = clash
    _, cursor = first.pull_all()

    # when staff take the tablet's village and keep the server's description
    response = reviewer_browser.post(
        reverse("admin:fieldsync_conflict_resolve", args=[conflict.pk]),
        {"take_village": "tablet", "take_description": "server"},
    )

    # then the accident has both, at a new version made by staff from their admin device
    assert response.status_code == 302
    stored = Accident.objects.get(pk=accident_id)
    assert (stored.village, stored.description, stored.version) == ("Ban Na", "Two men", 3)
    assert versions("accident", accident_id)[-1] == (3, "update", "admin", "noy", "server: admin")
    assert RecordVersion.objects.get(record_id=accident_id, version=3).changes == {
        "village": ["Ban Phonsavan", "Ban Na"]
    }
    # and the conflict is kept, resolved by them
    conflict.refresh_from_db()
    assert (conflict.status, conflict.resolved_by) == ("resolved", staff)
    # and the tablet pulls the resolution
    change = pulled(first.pull_all(cursor)[0], "accident")[accident_id]
    assert (change["version"], change["data"]["village"]) == (3, "Ban Na")
    assert change["data"]["description"] == "Two men"


def test_keeping_the_server_values_stores_nothing(clash, reviewer_browser):
    _, accident_id, conflict = clash
    reviewer_browser.post(reverse("admin:fieldsync_conflict_resolve", args=[conflict.pk]), {})
    assert Accident.objects.get(pk=accident_id).version == 2
    assert Conflict.objects.get(pk=conflict.pk).status == "resolved"
    # a second resolution is refused
    again = reviewer_browser.post(
        reverse("admin:fieldsync_conflict_resolve", args=[conflict.pk]),
        {"take_village": "tablet"},
        follow=True,
    )
    assert Accident.objects.get(pk=accident_id).village == "Ban Phonsavan"
    assert "already resolved" in str(list(again.context["messages"])[-1])


def test_a_tablet_value_for_a_verified_accident_is_applied_by_staff(tablet, reviewer_browser):
    # given a verified accident whose tablet sent a change afterwards (a locked conflict)
    report = accident()
    tablet.push_ok([report])
    reviewer_browser.post(
        reverse("admin:accidents_accident_status", args=[report["id"]]), {"status": "verified"}
    )
    tablet.push_ok([accident(report["id"], base_version=2, village="Ban Xieng")])
    conflict = Conflict.objects.get(record_id=report["id"], kind="locked")

    # when staff accept the tablet's village
    reviewer_browser.post(
        reverse("admin:fieldsync_conflict_resolve", args=[conflict.pk]), {"take_village": "tablet"}
    )

    # then it is applied, and the accident stays verified
    assert Accident.objects.values_list("village", "status", "version").get(pk=report["id"]) == (
        "Ban Xieng",
        "verified",
        3,
    )


def test_personal_values_are_masked_and_not_changeable_without_the_permission(
    make_tablet, make_staff
):
    # given a conflict on a victim's name between two surveyors
    from django.test import Client

    first, second = make_tablet("somchai"), make_tablet("bounmy")
    report = accident()
    child = victim(report["id"], full_name="Somchai K.")
    first.push_ok([report, child])
    second.pull_all()
    second.push_ok([victim(report["id"], child["id"], base_version=1, full_name="Somchai Keo")])
    first.push_ok([victim(report["id"], child["id"], base_version=1, full_name="S. Keo")])
    conflict = Conflict.objects.get(record_id=child["id"])
    browser = Client()
    browser.force_login(make_staff("viewer", personal_data=False))

    # when staff without the permission open it and try to take the tablet's name
    page = browser.get(reverse("admin:fieldsync_conflict_change", args=[conflict.pk]))
    browser.post(
        reverse("admin:fieldsync_conflict_resolve", args=[conflict.pk]),
        {"take_full_name": "tablet"},
    )

    # then no name is on the page, and the name is unchanged, the conflict still open
    assert page.status_code == 200
    for name in (b"Somchai K", b"S. Keo", b"Somchai Keo"):
        assert name not in page.content
    assert b'name="take_full_name" value="tablet"' not in page.content
    assert Conflict.objects.get(pk=conflict.pk).status == "open"
