"""The admin's home page in a real browser, in English and Lao: tasks in order, the review box's
counts and links, internal tables for superusers only, the sidebar's order, Lao dates and
district names, and an export reached from the home page by choosing a province by name.
Screenshots under test-output/home/."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.management import call_command

from accidents.models import Accident, District
from exchange.imports import import_file_store
from exchange.models import ImportFile
from fieldsync.models import InboxStatus, Role, User
from fieldsync.services.accounts import account_create_or_update
from tests.helpers.browser import LANGUAGES, browser_marks, screenshot, staff_page
from tests.helpers.factories import (
    AccidentFactory,
    ConflictFactory,
    InboxRecordFactory,
    UserFactory,
)
from tests.helpers.sync import PASSWORD

pytestmark = browser_marks

TASKS = {
    "en": ["Review", "Figures", "Records", "Reference data", "Accounts"],
    "lo": ["ກວດກາ", "ຕົວເລກສະຖິຕິ", "ບັນທຶກ", "ຂໍ້ມູນອ້າງອີງ", "ບັນຊີຜູ້ໃຊ້"],
}
TO_VERIFY = {"en": "Accidents to verify", "lo": "ອຸບັດຕິເຫດທີ່ລໍຖ້າຢັ້ງຢືນ"}
EXPORT = {"en": "Export records", "lo": "ສົ່ງອອກບັນທຶກ"}
XIENGKHOUANG = {"en": "Xiengkhouang", "lo": "ຊຽງຂວາງ"}
PEK = {"en": "Pek", "lo": "ແປກ"}
LOADED_LAO_FACES = """document.fonts.ready.then(() => [...document.fonts]
    .filter((face) => face.family.includes("Noto Sans Lao") && face.status === "loaded")
    .map((face) => face.weight))"""
UPLOADED = {"en": "Nov. 27, 2026, 4:30 p.m.", "lo": "27/11/2026 16:30"}


@pytest.fixture
def a_day_to_review(transactional_db, monkeypatch):
    """NRA staff; two accidents to verify (Pek, Xamneua), a verified one, a conflict and a
    rejected received record."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    call_command("seed_reference_data", verbosity=0)
    account_create_or_update(
        username="noy", password=PASSWORD, role=Role.NRA_STAFF, organisation_code="NRA"
    )
    pek, xamneua = District.objects.get(code="0901"), District.objects.get(code="0701")
    in_pek = AccidentFactory.create(
        province=pek.province, district=pek, occurred_on=datetime.date(2025, 3, 14)
    )
    AccidentFactory.create(province=xamneua.province, district=xamneua)
    AccidentFactory.create(province=pek.province, district=pek, status="verified")
    ConflictFactory.create()
    InboxRecordFactory.create(status=InboxStatus.REJECTED)
    return in_pek


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_home_page_by_task_with_counts_that_open_the_queues(
    a_day_to_review, live_server, language
):
    with staff_page(live_server, "noy", PASSWORD, language=language) as page:
        captions = page.locator("#content-main .module caption").all_text_contents()
        counts = {
            key: page.locator(f"#review-queues .queue-{key} .count").inner_text()
            for key in ("verify", "conflicts", "duplicates", "rejected", "held")
        }
        internal = page.locator(".app-internal").count()
        lao_faces = page.evaluate(LOADED_LAO_FACES)
        screenshot(page, "home", f"home-{language}")
        page.click(f"#review-queues a:has-text('{TO_VERIFY[language]}')")
        page.wait_for_selector("#result_list")
        rows = page.locator("#result_list tbody tr").count()

    assert [caption.strip() for caption in captions] == TASKS[language]
    assert counts == {
        "verify": "2",
        "conflicts": "1",
        "duplicates": "0",
        "rejected": "1",
        "held": "0",
    }
    assert internal == 0  # dirty slices, sync batches...: superusers only
    assert rows == 2
    # Lao text (in English too: the language switcher's ລາວ) is drawn with the shipped font
    assert "400" in lao_faces


def test_superusers_see_the_internal_tables(transactional_db, live_server, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    UserFactory.create(username="root", superuser=True)

    with staff_page(live_server, "root", PASSWORD) as page:
        internal = page.locator(".app-internal tr th a").all_inner_texts()

    assert [name.strip() for name in internal] == [
        "Sync batches",
        "Changes",
        "Record versions",
        "Login failures",
        "Statistics slices",
        "Dirty statistics slices",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sidebar_follows_the_tasks_and_lists_show_lao_dates_and_districts(
    a_day_to_review, live_server, language
):
    noy = User.objects.get(username="noy")
    import_file = import_file_store(content=b"a,b\n", file_name="old.csv", kind=None, user=noy)
    ImportFile.objects.filter(pk=import_file.pk).update(
        created_at=datetime.datetime(2026, 11, 27, 9, 30, tzinfo=datetime.UTC)
    )

    with staff_page(live_server, "noy", PASSWORD, language=language) as page:
        page.goto(f"{live_server.url}/admin/accidents/accident/?q={a_day_to_review.reference}")
        sidebar = page.locator("#nav-sidebar caption").all_text_contents()
        row = page.locator("#result_list tbody tr").first.inner_text()
        screenshot(page, "home", f"accidents-{language}")
        page.goto(f"{live_server.url}/admin/exchange/importfile/")
        uploaded = page.locator("#result_list td.field-created_at").first.inner_text()

    assert [caption.strip() for caption in sidebar] == TASKS[language]
    assert PEK[language] in row
    assert uploaded == UPLOADED[language]  # 16:30 in Vientiane


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_export_reached_from_home_by_choosing_a_province_by_name(
    a_day_to_review, live_server, language
):
    with staff_page(live_server, "noy", PASSWORD, language=language) as page:
        page.click(f"#content-main a:has-text('{EXPORT[language]}')")
        page.select_option("#id_province", label=XIENGKHOUANG[language])
        districts = page.locator("#id_district option:not([disabled])").all_inner_texts()
        screenshot(page, "home", f"export-{language}")
        with page.expect_download() as download:
            page.click("input[name=download]")
        text = download.value.path().read_text(encoding="utf-8")

    references = sorted(row["reference"] for row in csv.DictReader(io.StringIO(text)))
    in_xiengkhouang = Accident.objects.filter(province_id="LA-XI").order_by("reference")
    assert references == [accident.reference for accident in in_xiengkhouang]
    assert len(references) == 2
    assert PEK[language] in districts
    assert len(districts) == 1 + District.objects.filter(province_id="LA-XI").count()
