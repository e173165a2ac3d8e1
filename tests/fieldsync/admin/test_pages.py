"""The dashboard, privacy of history pages, bounded query counts of the main lists, and Lao."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accidents.models import District
from tests.helpers.factories import (
    AccidentFactory,
    AssistanceFactory,
    ConflictFactory,
    DeviceFactory,
    InboxRecordFactory,
    RecordVersionFactory,
    VictimFactory,
)
from tests.helpers.sync import accident, victim

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_the_year_figures_queues_and_offline_charts(
    tablet, reviewer_browser, django_capture_on_commit_callbacks
):
    # given this year's accident with a child and an adult casualty, one of them killed
    report = accident(occurred_on="2026-11-18")
    with django_capture_on_commit_callbacks(execute=True):
        tablet.push_ok(
            [
                report,
                victim(report["id"], age_years=9),
                victim(report["id"], age_years=40, outcome="killed", full_name="", consent="self"),
            ]
        )
    tablet.push_ok([accident(district="0101")])  # one rejected record

    # when the dashboard opens for 2026
    page = reviewer_browser.get(reverse("figures-dashboard"), {"year": "2026"})

    # then the headline figures, the share of children and the queues are there
    assert page.status_code == 200
    summary = page.context["summary"]
    assert (summary["accidents"], summary["casualties"], summary["killed"]) == (1, 2, 1)
    assert str(page.context["children_share"]) == "50.0"
    queues = {label: count for label, count, _ in page.context["queues"]}
    assert queues == {
        "Accidents to verify": 1,
        "Open conflicts": 0,
        "Held records": 0,
        "Rejected records": 1,
        "Possible duplicates": 0,
    }
    # and the charts are inline SVG, with nothing loaded from another host
    content = page.content.decode()
    assert 'id="chart-month"' in content and 'id="chart-province"' in content
    assert [bar.value for bar in page.context["month_bars"]][10] == 2
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", content)
    # and the admin's home page links to it
    assert reverse("figures-dashboard") in reviewer_browser.get("/admin/").content.decode()


def test_history_masks_personal_values_for_staff_without_the_permission(
    tablet, make_staff: Callable
):
    # given a victim with a name
    report = accident()
    child = victim(report["id"], full_name="Somchai K.")
    tablet.push_ok([report, child])
    url = reverse("admin:victims_victim_history", args=[child["id"]])
    allowed, denied = Client(), Client()
    allowed.force_login(make_staff("reader", personal_data=True))
    denied.force_login(make_staff("viewer", personal_data=False))

    # then only staff with the permission read the name in its history
    assert b"Somchai K." in allowed.get(url).content
    page = denied.get(url)
    assert page.status_code == 200
    assert b"Somchai" not in page.content and b"Bounmy" not in page.content
    assert "•••".encode() in page.content


LISTS = [
    ("admin:accidents_accident_changelist", lambda: AccidentFactory.create()),
    ("admin:victims_victim_changelist", lambda: VictimFactory.create()),
    ("admin:victims_assistance_changelist", lambda: AssistanceFactory.create()),
    ("admin:fieldsync_conflict_changelist", lambda: ConflictFactory.create()),
    ("admin:fieldsync_inboxrecord_changelist", lambda: InboxRecordFactory.create()),
    ("admin:fieldsync_recordversion_changelist", lambda: RecordVersionFactory.create()),
    ("admin:fieldsync_device_changelist", lambda: DeviceFactory.create()),
]
# Session, user and permissions, the page of rows, filters' choices: never a query per row.
MAX_LIST_QUERIES = 12


@pytest.mark.parametrize(("url", "make"), LISTS)
def test_main_lists_take_a_bounded_number_of_queries(
    reviewer_browser, django_assert_max_num_queries, url, make
):
    for rows in (3, 40):
        while len(make.__dict__.setdefault("made", [])) < rows:
            make.__dict__["made"].append(make())
        with django_assert_max_num_queries(MAX_LIST_QUERIES) as captured:
            response = reviewer_browser.get(reverse(url))
        assert response.status_code == 200
        make.__dict__.setdefault("counts", []).append(len(captured))
    small, large = make.__dict__["counts"][-2:]
    assert small == large, f"{url}: {small} queries for 3 rows, {large} for 40"
    # one exact count, of the table alone: no sort, no join for the page's related rows
    counts = [
        q["sql"] for q in captured.captured_queries if q["sql"].upper().startswith("SELECT COUNT(")
    ]
    assert len(counts) == 1, counts
    assert "ORDER BY" not in counts[0].upper() and "JOIN" not in counts[0].upper(), counts[0]


def test_the_admin_switches_to_lao_and_shows_lao_names(tablet, reviewer_browser):
    # given an accident in a district with a Lao name
    District.objects.filter(code="0901").update(name_lo="ແປກ")
    tablet.push_ok([accident()])

    # when staff choose Lao in the header
    switched = reviewer_browser.post(
        reverse("set_language"), {"language": "lo", "next": "/admin/"}, follow=True
    )
    page = reviewer_browser.get(reverse("admin:accidents_accident_changelist"))

    # then the admin speaks Lao, and reference data shows the Lao name
    assert switched.status_code == 200
    assert 'lang="lo"' in page.content.decode()
    assert "ອຸບັດຕິເຫດ" in page.content.decode()  # "accidents"
    assert "ແປກ<br>" in page.content.decode()  # the district column (over its province)
    assert "ຊຽງຂວາງ" in page.content.decode()  # the province column and filter
    assert "ພາສາ" in page.content.decode()  # the switcher's label
