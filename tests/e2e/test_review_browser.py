"""The review queue in a real browser, in English and Lao: a rejected record the tablet re-sent
fixed has left the queue, one is fixed through the form choosing a district by name, a conflict
page names its accident and links to it, and a delete conflict reads as what each side did.
Screenshots under test-output/review/."""

from __future__ import annotations

import pytest

from accidents.models import Accident
from fieldsync.models import Conflict, InboxRecord
from tests.helpers.browser import LANGUAGES, browser_marks, field_office, screenshot, staff_page
from tests.helpers.sync import PASSWORD, accident, delete

pytestmark = browser_marks


@pytest.fixture
def review_day(transactional_db):
    """A rejected accident re-sent fixed, another still rejected, a field and a delete conflict."""
    first, second = field_office("somchai", "bounmy")
    resent = accident(district="0101", village="Ban Resent")
    to_fix = accident(district="0101", village="Ban To Fix")
    disputed = accident(village="Ban Nameuang")
    deleted = accident(village="Ban Delete")
    first.push_ok([resent, to_fix, disputed, deleted])
    first.push_ok([accident(resent["id"], village="Ban Resent")])
    second.pull_all()
    second.push_ok(
        [
            accident(disputed["id"], base_version=1, village="Ban Phonxai"),
            accident(deleted["id"], base_version=1, village="Ban Phonsavan"),
        ]
    )
    first.push_ok(
        [
            accident(disputed["id"], base_version=1, village="Ban Phonkham"),
            delete("accident", deleted["id"], 1),
        ]
    )
    return {
        "resent": InboxRecord.objects.get(record_id=resent["id"], status="superseded"),
        "to_fix": InboxRecord.objects.get(record_id=to_fix["id"]),
        "conflict": Conflict.objects.get(record_id=disputed["id"]),
        "delete": Conflict.objects.get(record_id=deleted["id"], kind="delete"),
        "disputed": Accident.objects.get(pk=disputed["id"]),
        "deleted": Accident.objects.get(pk=deleted["id"]),
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_queue_the_fix_form_and_the_conflict_pages(
    review_day, live_server, monkeypatch, language
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base = live_server.url
    to_fix, conflict = review_day["to_fix"], review_day["conflict"]

    with staff_page(live_server, "noy", PASSWORD, language=language) as page:
        # the rejected queue: the record re-sent fixed has left it, the other is there
        page.goto(f"{base}/admin/fieldsync/inboxrecord/?status__exact=rejected")
        rows = page.locator("#result_list tbody tr")
        queue = rows.all_inner_texts()
        screenshot(page, "review", f"rejected-queue-{language}")

        # fix the other through the form, choosing the district by its name
        page.goto(f"{base}/admin/fieldsync/inboxrecord/{to_fix.pk}/fix/")
        assert page.locator(".errornote").count() == 0
        page.select_option("#id_district", label={"en": "Pek (0901)", "lo": "ແປກ (0901)"}[language])
        screenshot(page, "review", f"fix-form-{language}")
        page.click("#fix-form input[name=apply]")
        page.wait_for_selector(".messagelist .success")
        page.goto(f"{base}/admin/fieldsync/inboxrecord/?status__exact=rejected")
        after_fix = page.locator("#result_list tbody tr").count()

        # a conflict page names its accident and links to it
        page.goto(f"{base}/admin/fieldsync/conflict/{conflict.pk}/change/")
        link = page.locator("#conflict-record a", has_text=review_day["disputed"].reference)
        screenshot(page, "review", f"conflict-{language}")
        link.click()
        page.wait_for_url(f"**/admin/accidents/accident/{conflict.record_id}/change/")

        # a delete conflict reads as what each side did
        page.goto(f"{base}/admin/fieldsync/conflict/{review_day['delete'].pk}/change/")
        tablet_side = page.inner_text("#tablet-side")
        server_side = page.inner_text("#server-side")
        record = page.inner_text("#conflict-record")
        screenshot(page, "review", f"delete-conflict-{language}")

    assert len(queue) == 1 and str(to_fix.record_id) in queue[0]
    assert after_fix == 0
    assert InboxRecord.objects.get(pk=to_fix.pk).status == "superseded"
    assert Accident.objects.get(pk=to_fix.record_id).district_id == "0901"
    assert "somchai" in tablet_side and "Ban Nameuang" not in tablet_side
    assert "bounmy" in server_side and "Ban Delete → Ban Phonsavan" in server_side
    assert review_day["deleted"].reference in record
