"""Possible duplicates in the admin: staff open a group, pair the victims that are the same
person, confirm, and the reports merge without counting anyone twice (figures equal a recount)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from accidents.models import Accident, DuplicateGroup
from tests.helpers.admin import pulled, versions
from tests.helpers.figures import assert_figures_equal_the_records
from tests.helpers.sync import accident, assistance, victim
from victims.models import Assistance, CasualtyFigure, Victim

pytestmark = pytest.mark.django_db


def national_casualties() -> int:
    return sum(
        CasualtyFigure.objects.filter(outcome__in=["killed", "injured"]).values_list(
            "count", flat=True
        )
    )


@pytest.fixture
def group(make_tablet, django_capture_on_commit_callbacks):
    """The same event reported by two surveyors: a boy and his mother on each report (the boy
    with assistance and a father recorded on the second), and a third report of a girl."""
    first, second = make_tablet("somchai"), make_tablet("bounmy")
    a = accident(occurred_on="2026-11-18", latitude=19.45, longitude=103.2)
    b = accident(occurred_on="2026-11-19", latitude=19.452, longitude=103.202, village="Ban Na")
    boy_a = victim(a["id"], age_years=12, full_name="Somchai Keo")
    mother_a = victim(a["id"], age_years=38, sex="female", outcome="killed", full_name="Noy Keo")
    boy_b = victim(b["id"], age_years=13, full_name="Somchay Keo")
    mother_b = victim(b["id"], age_years=39, sex="female", outcome="killed", full_name="Nang Noy")
    father = victim(
        "", victim_type="indirect", accident=None, related_victim=boy_b["id"],
        relationship="parent", outcome="", age_years=41, full_name="Keo",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        first.push_ok([a, boy_a, mother_a, assistance(boy_a["id"])])
        second.push_ok(
            [b, boy_b, mother_b, father, assistance(boy_b["id"], service_type="physiotherapy")]
        )
    return {
        "tablet": first, "a": a["id"], "b": b["id"], "boy_a": boy_a["id"],
        "mother_a": mother_a["id"], "boy_b": boy_b["id"], "mother_b": mother_b["id"],
        "father": father["id"],
    }  # fmt: skip


def change_url(group: DuplicateGroup) -> str:
    return reverse("admin:accidents_duplicategroup_change", args=[group.pk])


def merge(browser: Any, group: DuplicateGroup, **post: str) -> Any:
    return browser.post(reverse("admin:accidents_duplicategroup_merge", args=[group.pk]), post)


def test_the_page_suggests_the_pairs_and_merges_nothing_before_confirmation(
    group, reviewer_browser
):
    # given the group the scan made
    duplicates = DuplicateGroup.objects.get()
    # when staff open it, keeping the first report
    page = reviewer_browser.get(change_url(duplicates) + f"?keep={group['a']}")
    # then the victims of the second report are offered, each paired with its likely self
    assert page.status_code == 200 and len(page.context["sides"]) == 2
    suggested = {row["victim"].pk.hex: row["suggested"] for row in page.context["to_pair"]}
    assert {k: v.replace("-", "") for k, v in suggested.items()} == {
        group["boy_b"].replace("-", ""): group["boy_a"].replace("-", ""),
        group["mother_b"].replace("-", ""): group["mother_a"].replace("-", ""),
    }
    assert "Somchay Keo" in page.content.decode()  # staff who may see names see them
    # and why the scan found them alike, in words (no raw JSON)
    assert "at most 1 day(s) apart; within 0.31 km; 2 direct victim(s)" in page.content.decode()
    assert "days_apart" not in page.content.decode()
    # and asking for the merge only shows what it will do
    pairs = {
        f"pair-{group['boy_b']}": group["boy_a"],
        f"pair-{group['mother_b']}": group["mother_a"],
    }
    response = merge(reviewer_browser, duplicates, keep=group["a"], **pairs)
    assert response.status_code == 200
    assert response.context["plan"].casualties_before == (2, 2)
    assert response.context["plan"].casualties_after == (1, 1)
    assert DuplicateGroup.objects.get().status == "open"
    assert not Accident.objects.filter(is_deleted=True).exists()
    assert not Victim.objects.filter(is_deleted=True).exists()


def test_names_are_hidden_from_staff_without_the_personal_data_permission(group, make_staff):
    from django.test import Client

    browser = Client()
    browser.force_login(make_staff("vone", personal_data=False))
    page = browser.get(change_url(DuplicateGroup.objects.get()))
    assert page.status_code == 200
    assert "Somchay" not in page.content.decode() and "Nang Noy" not in page.content.decode()


def test_a_confirmed_merge_counts_each_person_once_and_figures_equal_a_recount(
    group, reviewer_browser, staff, django_capture_on_commit_callbacks
):
    # given the two reports counted twice (4 casualties), and the first tablet's cursor
    duplicates = DuplicateGroup.objects.get()
    tablet = group["tablet"]
    _, cursor = tablet.pull_all()
    assert national_casualties() == 4

    # when staff keep the first report, pair the boy (the mother is left unpaired) and confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = merge(
            reviewer_browser, duplicates, keep=group["a"], confirm="yes",
            **{f"pair-{group['boy_b']}": group["boy_a"]},
        )  # fmt: skip

    # then the boy is one person, with both assistance records and his father
    assert response.status_code == 302
    boy_b = Victim.objects.get(pk=group["boy_b"])
    assert (boy_b.is_deleted, str(boy_b.merged_into_id)) == (True, group["boy_a"])
    assert Assistance.objects.filter(victim_id=group["boy_a"], is_deleted=False).count() == 2
    assert str(Victim.objects.get(pk=group["father"]).related_victim_id) == group["boy_a"]
    # and the unpaired mother moved to the kept report as another person
    assert str(Victim.objects.get(pk=group["mother_b"]).accident_id) == group["a"]
    # and the second report is a tombstone pointing to the first
    gone = Accident.objects.get(pk=group["b"])
    assert (gone.is_deleted, str(gone.merged_into_id)) == (True, group["a"])
    assert versions("victim", group["boy_b"])[-1][:4] == (3, "delete", "admin", "noy")
    # and the group is merged, by them
    duplicates.refresh_from_db()
    assert (duplicates.status, str(duplicates.kept_id), duplicates.decided_by) == (
        "merged", group["a"], staff,
    )  # fmt: skip
    assert not duplicates.members.filter(is_open=True).exists()
    # and casualties count three people, as a recount does
    assert national_casualties() == 3
    assert_figures_equal_the_records()
    # and the tablet learns where the victim and the report went, and the new counts
    changes = tablet.pull_all(cursor)[0]
    assert pulled(changes, "victim")[group["boy_b"]]["op"] == "delete"
    assert pulled(changes, "victim")[group["boy_b"]]["merged_into"] == group["boy_a"]
    assert pulled(changes, "accident")[group["b"]]["merged_into"] == group["a"]
    assert pulled(changes, "accident")[group["a"]]["data"]["killed"] == 2
    assert pulled(changes, "accident")[group["a"]]["data"]["injured"] == 1


@pytest.mark.parametrize(
    "pairs",
    [
        {"boy_b": "boy_b"},  # a victim of another report as the kept one
        {"boy_a": "boy_a"},  # a kept victim as the duplicate
        {"boy_b": "boy_a", "mother_b": "boy_a"},  # two people of one report as one
        {"boy_b": "not-a-victim"},
    ],
)
def test_a_wrong_pairing_is_refused_and_nothing_changes(group, reviewer_browser, pairs):
    duplicates = DuplicateGroup.objects.get()
    post = {f"pair-{group[k]}": group.get(v, v) for k, v in pairs.items()}
    response = merge(reviewer_browser, duplicates, keep=group["a"], confirm="yes", **post)
    assert response.status_code == 302
    assert DuplicateGroup.objects.get().status == "open"
    assert not Accident.objects.filter(is_deleted=True).exists()
    assert not Victim.objects.filter(is_deleted=True).exists()
    assert Victim.objects.filter(merged_into__isnull=False).count() == 0


def test_a_merge_the_engine_refuses_in_part_changes_nothing(group, reviewer_browser, monkeypatch):
    # given the engine refuses one record of the batch (the first assistance move made invalid)
    from fieldsync.services import review

    real = review.batch_push

    def refuse_one(**kwargs):
        kwargs["envelope"]["records"][0]["data"] = {"pillar": "not-a-pillar"}
        return real(**kwargs)

    monkeypatch.setattr(review, "batch_push", refuse_one)
    duplicates = DuplicateGroup.objects.get()
    merge(
        reviewer_browser, duplicates, keep=group["a"], confirm="yes",
        **{f"pair-{group['boy_b']}": group["boy_a"]},
    )  # fmt: skip
    assert DuplicateGroup.objects.get().status == "open"
    assert Victim.objects.filter(is_deleted=True).count() == 0
    assert Victim.objects.filter(merged_into__isnull=False).count() == 0
    assert Accident.objects.filter(merged_into__isnull=False).count() == 0


def test_marking_distinct_changes_no_record_and_is_never_reopened(group, reviewer_browser):
    from accidents.tasks import accidents_duplicates_flag

    duplicates = DuplicateGroup.objects.get()
    reviewer_browser.post(reverse("admin:accidents_duplicategroup_distinct", args=[duplicates.pk]))
    assert DuplicateGroup.objects.get().status == "distinct"
    assert set(Accident.objects.values_list("version", "is_deleted")) == {(1, False)}
    accidents_duplicates_flag.apply(args=[None])
    assert DuplicateGroup.objects.count() == 1


def test_staff_without_the_review_permission_cannot_merge(group, client, make_staff):
    from fieldsync.models import User

    viewer = make_staff("vone")
    viewer.groups.clear()
    User.objects.filter(pk=viewer.pk).update(is_staff=True)
    client.force_login(viewer)
    duplicates = DuplicateGroup.objects.get()
    response = merge(client, duplicates, keep=group["a"], confirm="yes")
    assert response.status_code in (302, 403)
    assert DuplicateGroup.objects.get().status == "open"


def test_staff_merge_two_victims_of_one_person_after_confirming(
    group, reviewer_browser, django_capture_on_commit_callbacks
):
    # given the boy recorded twice (on the two reports of the group)
    url = reverse("admin:victims_victim_merge", args=[group["boy_b"]])
    page = reviewer_browser.get(reverse("admin:victims_victim_change", args=[group["boy_b"]]))
    assert url in page.content.decode()
    choose = reviewer_browser.get(url)
    assert group["boy_a"] in [value for value, _label in choose.context["suggestions"]]
    # when staff choose the first record, then see what will happen
    confirm = reviewer_browser.post(url, {"keep": group["boy_a"]})
    assert confirm.context["step"] == "confirm"
    assert (confirm.context["assistance_moved"], confirm.context["family_moved"]) == (1, 1)
    assert not Victim.objects.filter(is_deleted=True).exists()
    # and confirm
    with django_capture_on_commit_callbacks(execute=True):
        done = reviewer_browser.post(url, {"keep": group["boy_a"], "confirm": "yes"})
    # then the second record is a tombstone pointing to the first, which has both histories
    assert done.status_code == 302
    boy_b = Victim.objects.get(pk=group["boy_b"])
    assert (boy_b.is_deleted, str(boy_b.merged_into_id)) == (True, group["boy_a"])
    assert Assistance.objects.filter(victim_id=group["boy_a"], is_deleted=False).count() == 2
    assert str(Victim.objects.get(pk=group["father"]).related_victim_id) == group["boy_a"]
    assert national_casualties() == 3
    assert_figures_equal_the_records()


@pytest.mark.parametrize("keep", ["boy_b", "father", "nobody", ""])
def test_a_wrong_victim_merge_is_refused_with_a_message(group, reviewer_browser, keep):
    url = reverse("admin:victims_victim_merge", args=[group["boy_b"]])
    response = reviewer_browser.post(url, {"keep": group.get(keep, keep), "confirm": "yes"})
    assert response.status_code == 200 and response.context["error"]
    assert not Victim.objects.filter(is_deleted=True).exists()


def test_a_report_taken_out_of_a_group_never_joins_it_again(
    group, reviewer_browser, make_tablet, django_capture_on_commit_callbacks
):
    from accidents.tasks import accidents_duplicates_flag

    # given a third report alike the two (same day, place and casualties)
    third = accident(occurred_on="2026-11-18", latitude=19.45, longitude=103.2)
    with django_capture_on_commit_callbacks(execute=True):
        make_tablet("kham").push_ok(
            [
                third,
                victim(third["id"], age_years=12),
                victim(third["id"], age_years=38, sex="female", outcome="killed"),
            ]
        )
    duplicates = DuplicateGroup.objects.get(status="open")
    assert duplicates.members.filter(is_open=True).count() == 3
    # when staff take it out as another accident
    response = reviewer_browser.post(
        reverse("admin:accidents_duplicategroup_remove", args=[duplicates.pk]),
        {"accident": third["id"]},
    )
    # then the group keeps the two reports, and a new scan leaves the third out
    assert response.status_code == 302
    accidents_duplicates_flag.apply(args=[None])
    open_members = DuplicateGroup.objects.get(status="open").members.filter(is_open=True)
    assert {str(a) for a in open_members.values_list("accident_id", flat=True)} == {
        group["a"],
        group["b"],
    }
    assert DuplicateGroup.objects.filter(status="open").count() == 1
    # and a report not in the group is refused with a message
    refused = reviewer_browser.post(
        reverse("admin:accidents_duplicategroup_remove", args=[duplicates.pk]),
        {"accident": "nonsense"},
        follow=True,
    )
    assert "not in the group" in refused.content.decode()
