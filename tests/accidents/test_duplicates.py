"""The duplicate scan: alike reports become groups (never merged), a report is in at most one
open group, each report costs a bounded number of comparisons, memory stays bounded when a
village floods the server with near-identical reports, and decided groups are never reopened."""

from __future__ import annotations

import datetime
import tracemalloc
import uuid

import pytest

from accidents.duplicates import MAX_COMPARISONS, MAX_GROUP_SIZE, duplicate_groups_flag
from accidents.models import Accident, DuplicateGroup, DuplicateMember
from accidents.services import duplicate_group_mark_distinct
from accidents.tasks import accidents_duplicates_flag
from config.celery import app as celery_app
from tests.helpers.factories import AccidentFactory, DistrictFactory, VictimFactory
from tests.helpers.sync import accident, delete, victim
from victims.models import Victim

pytestmark = pytest.mark.django_db


@pytest.fixture
def push(tablet, django_capture_on_commit_callbacks):
    """Push as a surveyor; the scan runs after the commit, as it does in the field."""

    def run(records):
        with django_capture_on_commit_callbacks(execute=True):
            return tablet.push_ok(records)

    return run


def open_groups() -> list[set[str]]:
    groups: dict[int, set[str]] = {}
    for group_id, accident_id in DuplicateMember.objects.filter(is_open=True).values_list(
        "group_id", "accident_id"
    ):
        groups.setdefault(group_id, set()).add(str(accident_id))
    return list(groups.values())


def test_alike_reports_make_one_group_once_and_nothing_is_merged(push):
    # given three reports of one event, a day apart, a few hundred metres apart, the same boy
    reports = [
        accident(occurred_on=f"2026-11-{day}", latitude=19.45 + day / 1000, longitude=103.2)
        for day in (17, 18, 19)
    ]
    push([*reports, *(victim(r["id"], age_years=12) for r in reports)])
    # then one group holds all three, and a second scan adds nothing
    assert open_groups() == [{r["id"] for r in reports}]
    assert accidents_duplicates_flag.apply(args=[None]).get()["groups_created"] == 0
    assert DuplicateGroup.objects.count() == 1
    assert set(Accident.objects.values_list("version", "is_deleted")) == {(1, False)}


def test_a_report_dated_before_a_group_joins_it(push):
    # given a group of two reports of 18 and 19 November
    a, b = accident(occurred_on="2026-11-18"), accident(occurred_on="2026-11-19")
    push([a, b, victim(a["id"]), victim(b["id"])])
    # when a report of the 17th arrives
    c = accident(occurred_on="2026-11-17")
    push([c, victim(c["id"])])
    # then it joins the group (it is read before the group's reports)
    assert open_groups() == [{a["id"], b["id"], c["id"]}]


@pytest.mark.parametrize(
    "change",
    [
        {"occurred_on": "2026-11-10"},  # a week apart
        {"latitude": 19.6, "longitude": 103.2},  # 16 km apart
        {"district": "0902"},  # another district
    ],
)
def test_reports_far_apart_are_not_grouped(push, change):
    a, b = accident(), accident(**change)
    push([a, b, victim(a["id"]), victim(b["id"])])
    assert accidents_duplicates_flag.apply(args=[None]).get()["groups_created"] == 0
    assert not DuplicateGroup.objects.exists()


def test_reports_with_other_victims_are_not_grouped(push):
    a, b = accident(), accident()
    push([a, b, victim(a["id"], age_years=12), victim(b["id"], age_years=40)])
    assert not DuplicateGroup.objects.exists()


def test_reports_marked_distinct_are_never_grouped_together_again(push, staff):
    # given a group staff marked distinct
    a, b = accident(), accident()
    push([a, b, victim(a["id"]), victim(b["id"])])
    duplicate_group_mark_distinct(group_id=DuplicateGroup.objects.get().pk, by=staff)
    # when both are scanned again, and a third alike report arrives
    accidents_duplicates_flag.apply(args=[None])
    c = accident()
    push([c, victim(c["id"])])
    # then the third joins one of them, never both in one group
    groups = open_groups()
    assert len(groups) == 1 and len(groups[0]) == 2 and c["id"] in groups[0]
    assert DuplicateGroup.objects.get(status="distinct").members.count() == 2


def test_a_deleted_report_leaves_its_group(push):
    a, b, c = accident(), accident(), accident()
    push([a, b, c, victim(a["id"]), victim(b["id"]), victim(c["id"])])
    assert open_groups() == [{a["id"], b["id"], c["id"]}]
    push([delete("accident", c["id"], 1)])
    assert open_groups() == [{a["id"], b["id"]}]
    push([delete("accident", b["id"], 1)])
    assert open_groups() == []
    assert DuplicateGroup.objects.get().status == "superseded"


def test_the_scan_runs_in_a_queue_of_its_own():
    router = celery_app.amqp.router
    assert router.route({}, "accidents_duplicates_flag")["queue"].name == "duplicates"
    assert router.route({}, "statistics_refresh")["queue"].name == "celery"


# The scan keeps a window, not the reports: its peak does not grow with the flood (measured:
# about 1.5 MB for 3,000 reports, under 3 MB for 30,000; the pairwise scan held every pair).
MEMORY_BOUND = 8 * 1024 * 1024


def flood(count: int) -> list[str]:
    """`count` near-identical reports from one village in one week: the same boy, aged 11-13."""
    district = DistrictFactory.create()
    organisation = _organisation()
    start = datetime.date(2026, 6, 1)
    accidents = Accident.objects.bulk_create(
        AccidentFactory.build(
            id=uuid.uuid4(),
            reference=f"LA-T-2026-{n:05d}",
            province=district.province,
            district=district,
            reporting_organisation=organisation,
            occurred_on=start + datetime.timedelta(days=n % 7),
            latitude=19.45,
            longitude=103.2,
        )
        for n in range(count)
    )
    Victim.objects.bulk_create(
        VictimFactory.build(id=uuid.uuid4(), accident=a, age_years=11 + n % 3)
        for n, a in enumerate(accidents)
    )
    return [str(a.pk) for a in accidents]


def _organisation():
    from fieldsync.models import Organisation

    return Organisation.objects.get_or_create(code="HALO", defaults={"name": "HALO"})[0]


def scan_flood(count: int) -> tuple[dict[str, int], int]:
    ids = flood(count)
    tracemalloc.start()
    try:
        result = duplicate_groups_flag()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # every report is in exactly one open group, of at most MAX_GROUP_SIZE reports
    members = list(
        DuplicateMember.objects.filter(is_open=True).values_list("accident_id", flat=True)
    )
    assert sorted(str(m) for m in members) == sorted(ids)
    sizes = [len(g) for g in open_groups()]
    assert max(sizes) <= MAX_GROUP_SIZE and min(sizes) >= 2
    assert result.groups_created == len(sizes) == DuplicateGroup.objects.count()
    # and the comparisons are bounded per report, far from the n(n-1)/2 pairs
    assert result.comparisons <= MAX_COMPARISONS * count
    # and a second scan changes nothing
    again = duplicate_groups_flag()
    assert (again.groups_created, again.reports_grouped) == (0, 0)
    # and one more alike report, scanned as a push would, costs a bounded number of comparisons
    more = AccidentFactory.create(
        district_id=Accident.objects.get(pk=ids[0]).district_id,
        province_id=Accident.objects.get(pk=ids[0]).province_id,
        reporting_organisation=_organisation(),
        occurred_on=datetime.date(2026, 6, 3),
        latitude=19.45,
        longitude=103.2,
    )
    VictimFactory.create(accident=more, age_years=12)
    one = duplicate_groups_flag(accident_ids=[str(more.pk)])
    assert one.comparisons <= MAX_COMPARISONS and one.reports > count // 2
    print(f"flood {count}: {result.as_dict()} tracemalloc peak {peak / 1e6:.1f} MB")
    return result.as_dict(), peak


def test_a_flood_of_alike_reports_makes_groups_with_bounded_work_and_memory():
    result, peak = scan_flood(3000)
    assert result["comparisons"] <= 3 * 3000
    assert peak < MEMORY_BOUND, f"peak {peak / 1e6:.1f} MB"


@pytest.mark.slow
def test_a_large_flood_keeps_memory_per_report_bounded():
    result, peak = scan_flood(30_000)
    assert result["comparisons"] <= 3 * 30_000
    assert peak < MEMORY_BOUND, f"peak {peak / 1e6:.1f} MB"  # the same bound as for 3,000
