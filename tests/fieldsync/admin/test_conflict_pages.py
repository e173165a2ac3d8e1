"""Conflict pages say which record: the accident's reference (for a victim, its accident and its
sex, age and outcome, never personal data without the permission), field labels, values as
labels, links to the records; a delete conflict reads as what each side did."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accidents.models import Accident
from fieldsync.models import Conflict
from tests.helpers.sync import accident, delete, victim

pytestmark = pytest.mark.django_db


@pytest.fixture
def victim_clash(make_tablet):
    """Two surveyors change the outcome and the name of one victim."""
    first, second = make_tablet("somchai"), make_tablet("bounmy")
    report = accident()
    child = victim(report["id"], full_name="Somchai K.")
    first.push_ok([report, child])
    second.pull_all()
    second.push_ok(
        [victim(report["id"], child["id"], base_version=1, outcome="killed", full_name="S. K.")]
    )
    first.push_ok([victim(report["id"], child["id"], base_version=1, outcome="unknown")])
    conflict = Conflict.objects.get(record_id=child["id"])
    return Accident.objects.get(pk=report["id"]), child["id"], conflict


def test_a_victim_conflict_names_its_accident_and_the_victim_without_personal_data(
    victim_clash, make_staff
):
    accident_row, _, conflict = victim_clash
    browser = Client()
    browser.force_login(make_staff("viewer", personal_data=False))

    page = browser.get(reverse("admin:fieldsync_conflict_change", args=[conflict.pk]))

    text = page.content.decode()
    links = {link.kind: link for link in page.context["links"]}
    assert links["accident"].summary == accident_row.reference
    assert links["accident"].url == reverse(
        "admin:accidents_accident_change", args=[accident_row.pk]
    )
    assert links["victim"].summary == "Sex: Male, Age (years): 12, Outcome: Killed"
    assert f'href="{links["accident"].url}">{accident_row.reference}</a>' in text
    rows = {row["name"]: row for row in page.context["rows"]}
    assert (rows["outcome"]["label"], rows["outcome"]["server"], rows["outcome"]["tablet"]) == (
        "Outcome",
        "Killed",
        "Unknown",
    )
    assert "Somchai" not in text and "S. K." not in text


def test_the_conflict_list_names_records_by_their_accident(victim_clash, reviewer_browser):
    accident_row, _, _ = victim_clash

    page = reviewer_browser.get(reverse("admin:fieldsync_conflict_changelist"))

    text = page.content.decode()
    assert f"{accident_row.reference} · Sex: Male, Age (years): 12, Outcome: Killed" in text
    assert "Outcome" in text  # the clashing fields by their labels


def test_a_delete_conflict_reads_as_what_each_side_did(make_tablet, reviewer_browser):
    # given an accident the first tablet deletes after the second changed its village
    first, second = make_tablet("somchai"), make_tablet("bounmy")
    report = accident()
    first.push_ok([report])
    second.pull_all()
    second.push_ok([accident(report["id"], base_version=1, village="Ban Phonsavan")])
    assert first.push_ok([delete("accident", report["id"], 1)])[0]["status"] == "conflict"
    conflict = Conflict.objects.get(record_id=report["id"], kind="delete")

    # when staff open it
    page = reviewer_browser.get(reverse("admin:fieldsync_conflict_change", args=[conflict.pk]))

    # then it says who deleted from which version, and what the server changed since
    story = page.context["story"]
    assert (story.tablet_op, story.base_version) == ("delete", 1)
    assert story.tablet_who == "somchai (tablet of somchai)"
    [version] = story.server_versions
    assert (version.version, version.who) == (2, "bounmy (tablet of bounmy)")
    assert version.changes == [("Village", "Ban Nameuang", "Ban Phonsavan")]
    text = page.content.decode()
    assert "somchai (tablet of somchai) deleted this record" in text
    assert "Village: Ban Nameuang → Ban Phonsavan" in text
    assert "{}" not in text
    assert Accident.objects.get(pk=report["id"]).reference in text


def test_the_conflict_list_names_a_page_of_records_in_a_fixed_number_of_queries(
    make_tablet, reviewer_browser
):
    first, second = make_tablet("somchai"), make_tablet("bounmy")
    url = reverse("admin:fieldsync_conflict_changelist")

    def clash() -> None:
        report = accident()
        child = victim(report["id"])
        first.push_ok([report, child])
        second.pull_all()
        second.push_ok([victim(report["id"], child["id"], base_version=1, outcome="killed")])
        first.push_ok([victim(report["id"], child["id"], base_version=1, outcome="unknown")])

    clash()
    with CaptureQueriesContext(connection) as one:
        reviewer_browser.get(url)
    clash()
    clash()
    with CaptureQueriesContext(connection) as three:
        page = reviewer_browser.get(url)

    assert page.content.decode().count("Outcome: Killed") == 3
    assert len(three) == len(one)
