"""The accident queue and the victim list in the admin: exact counts and every page past 10,000
rows, newest received first, district and date range filters, the casualty count, the map's
points, and the next report after a verdict."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accidents.admin import map as accident_map
from accidents.models import Accident, District
from fieldsync.models import Organisation
from tests.helpers.factories import AccidentFactory, UserFactory, VictimFactory, accidents_like

pytestmark = pytest.mark.django_db
LIST = reverse("admin:accidents_accident_changelist")
POINTS = reverse("admin:accidents_accident_map_points")


def _received(accident: Accident, days_ago: float) -> Accident:
    when = timezone.now() - datetime.timedelta(days=days_ago)
    Accident.objects.filter(pk=accident.pk).update(created_at=when)
    accident.refresh_from_db()
    return accident


def _in(district_code: str, **fields) -> Accident:
    district = District.objects.get(code=district_code)
    return AccidentFactory.create(
        province=district.province,
        district=district,
        reporting_organisation=Organisation.objects.get(code="HALO"),
        **fields,
    )


def _references(response) -> list[str]:
    return [accident.reference for accident in response.context["cl"].result_list]


def test_every_page_of_more_than_ten_thousand_accidents_opens_with_the_exact_count(
    reviewer_browser,
):
    # given 10,150 accidents (the old paginator stopped counting at 10,001)
    template = _in("0901")
    accidents_like(template, 10_149, year=2025)

    # when staff open the list and its last page (page 102 of 100 rows)
    first = reviewer_browser.get(LIST)
    last = reviewer_browser.get(LIST, {"p": "102"})

    # then both open, the count is exact and the last page holds the last 50 rows
    assert (first.status_code, last.status_code) == (200, 200)
    assert first.context["cl"].result_count == 10_150
    assert first.context["cl"].paginator.num_pages == 102
    newest_first = Accident.objects.order_by("-created_at", "-pk")
    assert _references(last) == list(newest_first.values_list("reference", flat=True)[10_100:])


def test_a_filtered_list_says_how_many_of_how_many_and_shows_them_all(reviewer_browser):
    # given 3 accidents in Pek and 2 elsewhere
    for _ in range(3):
        _in("0901")
    for _ in range(2):
        _in("1201")

    # when staff filter on Pek
    response = reviewer_browser.get(LIST, {"district": "0901", "province__code__exact": "LA-XI"})

    # then "3 results (5 total)" and the full count, not a "Show all" that clears the filters
    cl = response.context["cl"]
    assert (cl.result_count, cl.full_result_count) == (3, 5)
    assert "5 total" in response.content.decode()


def test_the_queue_lists_newest_received_first_with_casualties(reviewer_browser):
    # given three reports received 3, 1 and 2 days ago, the newest with two killed and one injured
    old = _received(_in("0901", reference="LA-XI-2025-0001"), 3)
    newest = _received(_in("0901", reference="LA-XI-2025-0002"), 1)
    _received(_in("1201", reference="LA-KH-2025-0001"), 2)
    for outcome in ("killed", "killed", "injured"):
        VictimFactory.create(accident=newest, outcome=outcome)

    # when staff open the list
    response = reviewer_browser.get(LIST)

    # then newest received first, and the casualty count is 3 (2 killed, 1 injured)
    assert _references(response) == ["LA-XI-2025-0002", "LA-KH-2025-0001", old.reference]
    page = response.content.decode()
    assert '<span title="2 killed, 1 injured">3</span>' in page
    assert '<span title="0 killed, 0 injured">0</span>' in page


def test_the_district_filter_follows_the_province(reviewer_browser):
    # given a report in Pek (Xieng Khouang) and one in Khammouane
    _in("0901", reference="LA-XI-2025-0001")
    _in("1201", reference="LA-KH-2025-0001")

    # when staff open the list, then choose Xieng Khouang, then Pek
    whole = reviewer_browser.get(LIST)
    province = reviewer_browser.get(LIST, {"province__code__exact": "LA-XI"})
    district = reviewer_browser.get(LIST, {"province__code__exact": "LA-XI", "district": "0901"})

    # then districts are offered only once a province is chosen, and only its own
    assert "district=0901" not in whole.content.decode()
    assert "district=0901" in province.content.decode()
    assert "district=1201" not in province.content.decode()
    assert _references(district) == ["LA-XI-2025-0001"]


def test_the_occurrence_date_range_includes_both_ends(reviewer_browser):
    # given reports on 1, 2, 3 and 4 March
    for day in (1, 2, 3, 4):
        _in("0901", reference=f"LA-XI-2025-000{day}", occurred_on=datetime.date(2025, 3, day))

    # when staff ask for 2 to 3 March, then from 3 March on
    both = reviewer_browser.get(
        LIST, {"occurred_on__gte": "2025-03-02", "occurred_on__lte": "2025-03-03"}
    )
    open_ended = reviewer_browser.get(LIST, {"occurred_on__gte": "2025-03-03"})

    # then both ends are included
    assert sorted(_references(both)) == ["LA-XI-2025-0002", "LA-XI-2025-0003"]
    assert sorted(_references(open_ended)) == ["LA-XI-2025-0003", "LA-XI-2025-0004"]


@pytest.mark.parametrize("value", ["2025-13-01", "yesterday", "\uff12\uff10\uff12\uff15-03-01"])
def test_a_date_that_is_not_a_date_is_refused_without_an_error(reviewer_browser, value):
    response = reviewer_browser.get(LIST, {"occurred_on__gte": value})

    assert response.status_code == 302
    assert response.url.endswith("?e=1")


def test_received_today_leaves_out_yesterday(reviewer_browser):
    _received(_in("0901", reference="LA-XI-2025-0001"), 0)
    _received(_in("0901", reference="LA-XI-2025-0002"), 1.5)
    listing = reviewer_browser.get(LIST)
    received = next(
        spec for spec in listing.context["cl"].filter_specs if spec.field_path == "created_at"
    )
    today = list(received.choices(listing.context["cl"]))[1]  # after "Any date"

    response = reviewer_browser.get(LIST + today["query_string"])

    assert _references(response) == ["LA-XI-2025-0001"]


# -- the map's points ------------------------------------------------------------------------------
def test_map_points_are_live_accidents_with_coordinates_filtered(reviewer_browser):
    # given accidents with and without coordinates, deleted, of two years, provinces, categories
    shown = _in("0901", latitude=Decimal("19.45"), longitude=Decimal("103.18"), status="verified")
    _in("0901")  # no coordinates
    _in("0901", latitude=Decimal("19.4"), longitude=Decimal("103.1"), is_deleted=True)
    _in("0901", latitude=Decimal("19.4"), longitude=Decimal("103.1"), device_category="landmine")
    _in("1201", latitude=Decimal("17.4"), longitude=Decimal("104.8"))
    _in("0901", latitude=Decimal("19.4"), longitude=Decimal("103.1"), occurred_on="2024-05-01")

    # when the map asks for 2025's cluster submunitions in Xieng Khouang
    response = reviewer_browser.get(
        POINTS, {"year": "2025", "province": "LA-XI", "device_category": "cluster_submunition"}
    )
    everything = reviewer_browser.get(POINTS).json()

    # then one point, in the compact form the map reads, and the change page it opens
    data = response.json()
    assert data["points"] == [[19.45, 103.18, str(shown.pk), "verified"]]
    assert (data["total"], data["truncated"]) == (1, False)
    assert data["change_url"].replace(data["placeholder"], str(shown.pk)) == reverse(
        "admin:accidents_accident_change", args=[shown.pk]
    )
    assert everything["total"] == 4


def test_map_points_stop_at_the_limit_and_say_so(reviewer_browser, monkeypatch):
    monkeypatch.setattr(accident_map, "MAX_POINTS", 2)
    for day in (1, 2, 3):
        _in(
            "0901",
            latitude=Decimal("19.4"),
            longitude=Decimal("103.1"),
            occurred_on=f"2025-03-0{day}",
        )

    data = reviewer_browser.get(POINTS).json()

    assert (len(data["points"]), data["total"], data["truncated"]) == (2, 3, True)


@pytest.mark.parametrize(
    "query",
    [
        {"year": "۲۰۲۵"},
        {"year": "99999999999999999999"},
        {"province": "x" * 500},
        {"device_category": "tank"},
    ],
)
def test_map_points_ignore_odd_filters_without_an_error(reviewer_browser, query):
    assert reviewer_browser.get(POINTS, query).status_code == 200


def test_map_points_are_for_staff_only(client, seeded):
    _in("0901", latitude=Decimal("19.4"), longitude=Decimal("103.1"))
    anonymous = client.get(POINTS)
    client.force_login(UserFactory.create(username="outsider", is_staff=True))
    without_permission = client.get(POINTS)

    assert anonymous.status_code == 302 and "/login/" in anonymous.url
    assert without_permission.status_code == 403


def test_the_dashboard_and_the_accident_page_carry_the_map(reviewer_browser):
    accident = _in("0901", latitude=Decimal("19.45"), longitude=Decimal("103.18"))
    without = _in("0901")

    dashboard = reviewer_browser.get(
        reverse("figures-dashboard"), {"year": "2025", "province": "LA-XI", "device_category": "?"}
    ).content.decode()
    page = reviewer_browser.get(
        reverse("admin:accidents_accident_change", args=[accident.pk])
    ).content.decode()
    bare = reviewer_browser.get(
        reverse("admin:accidents_accident_change", args=[without.pk])
    ).content.decode()

    assert f'data-points-url="{POINTS}?year=2025&amp;province=LA-XI"' in dashboard
    assert "accidents/map/leaflet/leaflet.js" in dashboard
    assert 'data-focus="19.450000,103.180000"' in page
    assert f'data-current="{accident.pk}"' in page
    assert 'id="accident-map"' not in bare


# -- next report after a verdict -------------------------------------------------------------------
def _status(browser, accident, status, reason=""):
    url = reverse("admin:accidents_accident_status", args=[accident.pk])
    return browser.post(url, {"status": status, "reason": reason})


def test_a_verdict_goes_on_to_the_report_received_just_before(reviewer_browser):
    # given four waiting reports received 1 to 4 days ago and one already verified
    waiting = [_received(_in("0901"), days) for days in (1, 2, 3, 4)]
    _received(_in("0901", status="verified"), 2.5)

    # when staff verify the second newest, then reject the oldest
    verified = _status(reviewer_browser, waiting[1], "verified")
    rejected = _status(reviewer_browser, waiting[3], "rejected", "Not an ordnance accident")

    # then the next is the one received just before; after the oldest, back to the newest
    change = "admin:accidents_accident_change"
    assert verified.url == reverse(change, args=[waiting[2].pk])
    assert rejected.url == reverse(change, args=[waiting[0].pk])
    page = reviewer_browser.get(rejected.url).content.decode()
    assert f"Next report waiting: {waiting[0].reference} (2 waiting)." in page


def test_the_last_verdict_goes_back_to_the_queue_and_back_to_reported_stays(reviewer_browser):
    only = _in("0901")
    verified = _status(reviewer_browser, only, "verified")
    back = _status(reviewer_browser, only, "reported")
    refused = _status(reviewer_browser, only, "rejected")  # no reason: refused, stays

    assert verified.url == LIST + "?status__exact=reported&is_deleted__exact=0"
    stay = reverse("admin:accidents_accident_change", args=[only.pk])
    assert (back.url, refused.url) == (stay, stay)
    assert Accident.objects.get(pk=only.pk).status == "reported"


def test_show_all_lists_every_row_of_a_list_of_at_most_200(reviewer_browser):
    # given 105 accidents: two pages of 100
    for _ in range(105):
        _in("0901")

    # when staff follow "Show all" under the list
    paged = reviewer_browser.get(LIST)
    everything = reviewer_browser.get(LIST, {"all": ""})

    # then it is offered and lists all 105 on one page
    assert "?all=" in paged.content.decode()
    assert (len(paged.context["cl"].result_list), len(everything.context["cl"].result_list)) == (
        100,
        105,
    )
