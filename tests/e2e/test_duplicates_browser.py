"""A data officer merges two reports of one accident in a real browser, in English and in Lao:
open the group, check the suggested pairs, review the merge, confirm; each casualty counts once.
Screenshots of each step are saved under test-output/duplicates/."""

from __future__ import annotations

import pytest

from accidents.models import Accident, DuplicateGroup
from tests.helpers.browser import browser_marks, field_office, screenshot, staff_page
from tests.helpers.figures import assert_figures_equal_the_records
from tests.helpers.sync import PASSWORD, accident, assistance, victim
from victims.models import CasualtyFigure, Victim

pytestmark = browser_marks


@pytest.fixture
def reported_twice(transactional_db):
    """One accident (a boy injured, his mother killed) reported by two surveyors."""
    tablets = field_office("somchai", "bounmy")
    ids = {}
    for tablet, day, names in zip(
        tablets,
        ("2026-11-18", "2026-11-19"),
        (("Somchai Keo", "Noy Keo"), ("Somchay Keo", "Nang Noy Keo")),
        strict=True,
    ):
        report = accident(occurred_on=day, latitude=19.45, longitude=103.2)
        boy = victim(report["id"], age_years=12, full_name=names[0])
        mother = victim(
            report["id"], age_years=38, sex="female", outcome="killed", full_name=names[1]
        )
        tablet.push_ok([report, boy, mother, assistance(boy["id"])])
        ids[day] = (report["id"], boy["id"], mother["id"])
    return ids


def casualties() -> int:
    return sum(
        CasualtyFigure.objects.filter(outcome__in=["killed", "injured"]).values_list(
            "count", flat=True
        )
    )


@pytest.mark.parametrize("language", ["en", "lo"])
def test_a_data_officer_merges_a_duplicate_report_pairing_its_victims(
    reported_twice, live_server, monkeypatch, language
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    (kept, boy_a, mother_a), (gone, boy_b, mother_b) = reported_twice.values()
    group = DuplicateGroup.objects.get(status="open")
    assert casualties() == 4  # counted twice before the merge

    with staff_page(live_server, "noy", PASSWORD, language=language) as page:
        # the open groups, and the group
        page.goto(f"{live_server.url}/admin/accidents/duplicategroup/?status__exact=open")
        screenshot(page, "duplicates", f"groups-{language}")
        page.click(f"#result_list a[href*='/duplicategroup/{group.pk}/']")
        page.wait_for_selector("#duplicate-sides")
        assert page.locator("td.casualties").all_inner_texts() == ["1, 1", "1, 1"]
        switch = page.locator(f"a.keep-report[href='?keep={kept}']")
        if switch.count():  # keep the first report
            switch.click()
        page.wait_for_selector("#victim-pairs")
        # the suggested pairs: the boy with the boy, the mother with the mother
        assert page.input_value(f"select[name='pair-{boy_b}']") == boy_a
        assert page.input_value(f"select[name='pair-{mother_b}']") == mother_a
        assert "Somchay Keo" in page.content()  # names shown: noy may see personal data
        screenshot(page, "duplicates", f"group-{language}")
        # review the merge: nothing changed yet, and the casualties after it
        page.click("#review-merge")
        page.wait_for_selector("#merge-casualties")
        after = page.locator("#merge-casualties tbody tr").nth(1).locator("td").all_inner_texts()
        assert after == ["1", "1"]
        assert not Accident.objects.filter(is_deleted=True).exists()
        screenshot(page, "duplicates", f"confirm-{language}")
        # confirm
        page.click("#confirm-merge")
        page.wait_for_selector(".messagelist .success")
        # the kept report still has its two casualties (one killed, one injured), not four
        assert page.locator("td.casualties").first.inner_text() == "1, 1"
        screenshot(page, "duplicates", f"merged-{language}")

    assert Accident.objects.get(pk=gone).merged_into_id is not None
    assert str(Victim.objects.get(pk=boy_b).merged_into_id) == boy_a
    assert str(Victim.objects.get(pk=mother_b).merged_into_id) == mother_a
    assert casualties() == 2  # each person once
    assert_figures_equal_the_records()
