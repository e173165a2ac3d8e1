"""The accident and victim lists, the map and the review queue in a real browser, as NRA staff
use them on a 1366 px laptop with the sidebar open, in English and in Lao. Screenshots are saved
under test-output/lists/."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from accidents.models import Accident, District, Province
from fieldsync.models import Organisation, Role
from fieldsync.services.accounts import account_create_or_update
from tests.helpers.browser import LANGUAGES, VIEWPORT, browser_marks, screenshot, staff_page
from tests.helpers.factories import AccidentFactory, VictimFactory, accidents_like
from tests.helpers.sync import PASSWORD

pytestmark = browser_marks
YEAR = timezone.localdate().year
# Far from the other points, so a click there hits this accident alone.
LONELY = (Decimal("20.900000"), Decimal("101.400000"))


@pytest.fixture
def field_week(transactional_db, monkeypatch):
    """30 reports from two provinces, received over the last ten days (the three newest today),
    each with a casualty; one lonely report far in the north-west; staff with and without the
    personal-data permission."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread
    call_command("seed_reference_data", verbosity=0)
    for name, personal in (("noy", True), ("kham", False)):
        account_create_or_update(
            username=name,
            password=PASSWORD,
            role=Role.NRA_STAFF,
            organisation_code="NRA",
            personal_data=personal,
        )
    halo = Organisation.objects.get(code="HALO")
    places = [District.objects.get(code="0901"), District.objects.get(code="1201")]
    now = timezone.now()
    accidents = []
    for number in range(30):
        district = places[number % 2]
        accident = AccidentFactory.create(
            reference=f"LA-{district.province_id[3:]}-{YEAR}-{number + 1:04d}",
            province=district.province,
            district=district,
            reporting_organisation=halo,
            occurred_on=datetime.date(YEAR, 1, 1) + datetime.timedelta(days=number),
            latitude=Decimal("19.4") + Decimal(number) / 100
            if district.code == "0901"
            else Decimal("17.2"),
            longitude=Decimal("103.2") + Decimal(number) / 100,
        )
        Accident.objects.filter(pk=accident.pk).update(
            created_at=now - datetime.timedelta(days=number // 3, minutes=number)
        )
        VictimFactory.create(accident=accident, age_years=10 + number, outcome="killed")
        accidents.append(accident)
    lonely = AccidentFactory.create(
        reference=f"LA-BK-{YEAR}-0001",
        province=Province.objects.get(code="LA-BK"),
        district=District.objects.filter(province_id="LA-BK").order_by("code").first(),
        reporting_organisation=halo,
        occurred_on=datetime.date(YEAR, 2, 20),
        latitude=LONELY[0],
        longitude=LONELY[1],
    )
    Accident.objects.filter(pk=lonely.pk).update(created_at=now - datetime.timedelta(days=40))
    return accidents, lonely


def _fits(page, table: str, *columns: str) -> None:
    right = page.eval_on_selector(table, "t => t.getBoundingClientRect().right")
    assert right <= VIEWPORT["width"], f"{table} ends at {right} px"
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= VIEWPORT["width"], f"the page scrolls sideways ({scroll} px)"
    for column in columns:
        box = page.locator(f"{table} thead th.column-{column}").bounding_box()
        assert box is not None and box["x"] + box["width"] <= VIEWPORT["width"], column


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_accident_queue_fits_filters_by_district_and_received_today(
    field_week, live_server, language
):
    accidents, _ = field_week
    with staff_page(live_server, "noy", PASSWORD, language=language) as page:
        # given the accident list, newest received first
        page.goto(f"{live_server.url}/admin/accidents/accident/")
        _fits(page, "#result_list", "status_label", "organisation", "casualties", "received")
        first = page.locator("#result_list tbody tr").first
        assert accidents[0].reference in first.inner_text()
        assert "1" in first.locator("td.field-casualties").inner_text()
        screenshot(page, "lists", f"accidents-{language}")

        # when the officer picks a province, then its district, then "Today" under received
        page.goto(f"{live_server.url}/admin/accidents/accident/?province__code__exact=LA-XI")
        page.click("#changelist-filter a[href*='district=0901']")
        page.click("#changelist-filter details[data-filter-title] a[href*='created_at__gte']")
        rows = page.locator("#result_list tbody tr")
        screenshot(page, "lists", f"accidents-district-today-{language}")

        # then only today's reports from Pek remain (numbers 0 and 2), newest first
        assert [rows.nth(i).locator("th a").inner_text() for i in range(rows.count())] == [
            accidents[0].reference,
            accidents[2].reference,
        ]
        assert "district=0901" in page.url

        # when they sort by received, oldest first, then the oldest report leads
        page.goto(f"{live_server.url}/admin/accidents/accident/")
        page.click("#result_list thead th.column-received div.text a")
        page.wait_for_url("**o=*")
        oldest_first = page.locator("#result_list tbody tr").first.inner_text()
        screenshot(page, "lists", f"accidents-oldest-received-{language}")

    # then the report received 40 days ago leads
    assert f"LA-BK-{YEAR}-0001" in oldest_first


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_occurrence_date_range_filter(field_week, live_server, language):
    accidents, _ = field_week
    with staff_page(live_server, "noy", PASSWORD, language=language) as page:
        page.goto(f"{live_server.url}/admin/accidents/accident/?province__code__exact=LA-XI")
        form = page.locator("#date-range-occurred_on")
        form.locator("input[name=occurred_on__gte]").fill(f"{YEAR}-01-03")
        form.locator("input[name=occurred_on__lte]").fill(f"{YEAR}-01-07")
        form.locator("button[type=submit]").click()
        page.wait_for_url("**occurred_on__lte=*")
        references = page.locator("#result_list tbody th a").all_inner_texts()
        screenshot(page, "lists", f"accidents-date-range-{language}")

    # then the province filter is kept and only 3, 5 and 7 January (even numbers in Xieng
    # Khouang: 2, 4, 6) are listed
    assert sorted(references) == sorted(accidents[n].reference for n in (2, 4, 6))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_victim_list_reads_without_personal_data_and_fits(field_week, live_server, language):
    accidents, _ = field_week
    with staff_page(live_server, "kham", PASSWORD, language=language) as page:
        page.goto(f"{live_server.url}/admin/victims/victim/?accident__province__code__exact=LA-XI")
        _fits(page, "#result_list", "accident_reference", "sex", "age", "outcome", "received")
        first = page.locator("#result_list tbody tr").first
        cells = first.inner_text()
        screenshot(page, "lists", f"victims-{language}")
        body = page.content()

    # then the first cell is the accident's reference (of the victim received last in Xieng
    # Khouang), the name is masked, no UUID is shown
    assert cells.split("\t")[1].strip() == accidents[28].reference
    assert "Somphone" not in body
    assert "•••" in cells
    assert str(accidents[0].pk) not in cells


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_dashboard_map_shows_points_and_a_click_opens_the_accident(
    field_week, live_server, language
):
    _, lonely = field_week
    with staff_page(live_server, "noy", PASSWORD, language=language) as page:
        page.goto(f"{live_server.url}/admin/dashboard/?year={YEAR}")
        page.wait_for_selector("#dashboard-accident-map[data-points]")
        shown = page.get_attribute("#dashboard-accident-map", "data-points")
        page.locator("#dashboard-accident-map").scroll_into_view_if_needed()
        screenshot(page, "lists", f"dashboard-map-{language}")
        x, y = page.evaluate(
            """id => {
                const element = document.getElementById('dashboard-accident-map');
                const marker = element.accidentMarkers[id];
                const point = element.accidentMap.latLngToContainerPoint(marker.getLatLng());
                const box = element.getBoundingClientRect();
                return [box.left + point.x, box.top + point.y];
            }""",
            str(lonely.pk),
        )
        page.mouse.click(x, y)
        page.wait_for_url(f"**/accidents/accident/{lonely.pk}/change/")
        page.wait_for_selector("#accident-map[data-points]")
        screenshot(page, "lists", f"accident-map-{language}")

    assert shown == "31"


@pytest.mark.parametrize("language", LANGUAGES)
def test_verify_goes_on_to_the_next_report_waiting(field_week, live_server, language):
    accidents, _ = field_week
    with staff_page(live_server, "noy", PASSWORD, language=language) as page:
        # given the newest report open, when the officer verifies it
        page.goto(f"{live_server.url}/admin/accidents/accident/{accidents[0].pk}/change/")
        page.click("#verify-button")

        # then the next report waiting (received just before) opens, with a message
        page.wait_for_url(f"**/accidents/accident/{accidents[1].pk}/change/")
        message = page.locator(".messagelist").inner_text()
        screenshot(page, "lists", f"next-report-{language}")

    assert accidents[1].reference in message
    assert Accident.objects.get(pk=accidents[0].pk).status == "verified"
    assert Accident.objects.get(pk=accidents[1].pk).status == "reported"


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_paging_to_the_last_of_more_than_ten_thousand_accidents(field_week, live_server, language):
    # given 10,150 accidents (the field week's 31 and 10,119 more)
    accidents, _ = field_week
    template = accidents[0]
    accidents_like(template, 10_119, year=2020)
    with staff_page(live_server, "noy", PASSWORD, language=language) as page:
        # when the officer opens the list and clicks the last page in the paginator
        page.goto(f"{live_server.url}/admin/accidents/accident/")
        counted = page.locator("#changelist-form .paginator").inner_text()
        page.locator("#changelist-form .paginator a", has_text="102").first.click()
        page.wait_for_url("**p=102*")
        rows = page.locator("#result_list tbody tr").count()
        screenshot(page, "lists", f"accidents-last-page-{language}")
        url = page.url

    # then the count is exact and the last page opens with its 50 rows
    assert "10150" in counted.replace(",", "").replace(".", "").replace("\u202f", "")
    assert rows == 50 and "e=1" not in url
