"""Possible duplicates: the task flags pairs (never merges); staff merge them (victims move, the
other report becomes a tombstone pointing to the kept one) or mark them distinct."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accidents.models import Accident, DuplicateCandidate
from accidents.tasks import accidents_duplicates_flag
from tests.helpers.admin import pulled, versions
from tests.helpers.sync import accident, assistance, victim
from victims.models import Assistance, Victim

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(make_tablet, django_capture_on_commit_callbacks):
    """The same event reported by two surveyors: a day apart, 300 m apart, the same boy."""
    first, second = make_tablet("somchai"), make_tablet("bounmy")
    a = accident(occurred_on="2026-11-18", latitude=19.45, longitude=103.2)
    b = accident(occurred_on="2026-11-19", latitude=19.452, longitude=103.202, village="Ban Na")
    boy_a = victim(a["id"], age_years=12)
    boy_b = victim(b["id"], age_years=13, full_name="Somchai Keo")
    with django_capture_on_commit_callbacks(execute=True):
        first.push_ok([a, boy_a, assistance(boy_a["id"])])
        second.push_ok([b, boy_b, assistance(boy_b["id"], service_type="physiotherapy")])
    return first, a, b, boy_a, boy_b


def test_the_task_flags_the_pair_once_and_merges_nothing(pair):
    _, a, b, _, _ = pair
    assert DuplicateCandidate.objects.count() == 1
    candidate = DuplicateCandidate.objects.get()
    assert {str(candidate.first_id), str(candidate.second_id)} == {a["id"], b["id"]}
    assert candidate.status == "open"
    assert candidate.reasons["days_apart"] == 1 and candidate.reasons["distance_km"] < 0.5
    # running it again over everything adds nothing, and no accident changed
    assert accidents_duplicates_flag.apply(args=[None]).get() == 1
    assert DuplicateCandidate.objects.count() == 1
    assert set(Accident.objects.values_list("version", "is_deleted")) == {(1, False)}


@pytest.mark.parametrize(
    "change",
    [
        {"occurred_on": "2026-11-10"},  # a week apart
        {"latitude": 19.6, "longitude": 103.2},  # 16 km apart
        {"district": "0902"},  # another district
    ],
)
def test_reports_far_apart_are_not_flagged(tablet, change):
    a = accident()
    b = accident(**change)
    tablet.push_ok([a, b, victim(a["id"]), victim(b["id"])])
    assert accidents_duplicates_flag.apply(args=[None]).get() == 0
    assert not DuplicateCandidate.objects.exists()


def test_reports_with_other_victims_are_not_flagged(tablet):
    a, b = accident(), accident()
    tablet.push_ok([a, b, victim(a["id"], age_years=12), victim(b["id"], age_years=40)])
    assert accidents_duplicates_flag.apply(args=[None]).get() == 0


def test_merging_moves_victims_and_leaves_a_tombstone_tablets_learn_of(
    pair, staff, reviewer_browser
):
    # given the flagged pair, and the first tablet's cursor
    first, a, b, _boy_a, boy_b = pair
    _, cursor = first.pull_all()
    candidate = DuplicateCandidate.objects.get()
    page = reviewer_browser.get(
        reverse("admin:accidents_duplicatecandidate_change", args=[candidate.pk])
    )

    # when staff merge, keeping the first report
    response = reviewer_browser.post(
        reverse("admin:accidents_duplicatecandidate_decide", args=[candidate.pk]),
        {"decision": "merge", "keep": a["id"]},
    )

    # then the second report's victim (with its assistance) belongs to the first
    assert page.status_code == 200 and len(page.context["sides"]) == 2
    assert response.status_code == 302
    assert set(Victim.objects.values_list("accident_id", flat=True)) == {
        Accident.objects.get(pk=a["id"]).pk
    }
    assert Assistance.objects.filter(victim_id=boy_b["id"]).count() == 1
    # and the second is a tombstone pointing to the first, with its history
    gone = Accident.objects.get(pk=b["id"])
    assert (gone.is_deleted, str(gone.merged_into_id), gone.version) == (True, a["id"], 3)
    assert [v[:4] for v in versions("accident", b["id"])] == [
        (1, "create", "sync", "bounmy"),
        (2, "update", "admin", "noy"),
        (3, "delete", "admin", "noy"),
    ]
    assert versions("victim", boy_b["id"])[-1] == (2, "update", "admin", "noy", "server: admin")
    # and the pair is recorded as merged, by them
    candidate.refresh_from_db()
    assert (candidate.status, str(candidate.kept_id), candidate.decided_by) == (
        "merged",
        a["id"],
        staff,
    )
    # and the tablet pulls the delete, the moved victim and the first accident's new counts
    changes = first.pull_all(cursor)[0]
    assert pulled(changes, "accident")[b["id"]]["op"] == "delete"
    assert pulled(changes, "accident")[b["id"]]["merged_into"] == a["id"]
    assert pulled(changes, "accident")[a["id"]]["data"]["injured"] == 2
    assert pulled(changes, "victim")[boy_b["id"]]["data"]["accident"] == a["id"]


def test_marking_distinct_changes_no_record(pair, reviewer_browser):
    candidate = DuplicateCandidate.objects.get()
    reviewer_browser.post(
        reverse("admin:accidents_duplicatecandidate_decide", args=[candidate.pk]),
        {"decision": "distinct"},
    )
    assert DuplicateCandidate.objects.get().status == "distinct"
    assert set(Accident.objects.values_list("version", "is_deleted")) == {(1, False)}
    # a new scan never reopens it
    accidents_duplicates_flag.apply(args=[None])
    assert DuplicateCandidate.objects.get().status == "distinct"


def test_the_kept_accident_must_be_one_of_the_pair(pair, reviewer_browser):
    candidate = DuplicateCandidate.objects.get()
    reviewer_browser.post(
        reverse("admin:accidents_duplicatecandidate_decide", args=[candidate.pk]),
        {"decision": "merge", "keep": "not-an-accident"},
    )
    assert DuplicateCandidate.objects.get().status == "open"
    assert not Accident.objects.filter(is_deleted=True).exists()
