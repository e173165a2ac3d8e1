"""The admin's home page and sidebar by task (config.admin_site, figures.home): the review box's
counts and links, the order of the sections in every language, internal tables for superusers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from accidents.choices import AccidentStatus
from config.admin_site import OTHER, TASKS, task_of
from fieldsync.models import InboxStatus
from tests.helpers.factories import (
    AccidentFactory,
    ConflictFactory,
    InboxRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TASK_ORDER = ["review", "figures", "records", "reference", "accounts"]


def sections(html: str) -> list[str]:
    """The task sections of a page, in the order shown (home page or sidebar)."""
    return re.findall(r'<div class="app-([a-z]+) module', html)


def queue(html: str, key: str) -> tuple[int, str]:
    """(count, link) of a queue of the review box."""
    match = re.search(
        rf'<li class="queue-{key}[^"]*">\s*<a href="([^"]+)"><span class="count">(\d+)</span>', html
    )
    assert match, f"no {key} queue on the page"
    return int(match[2]), match[1].replace("&amp;", "&")


def test_the_home_page_shows_what_waits_for_review_with_counts_and_links(staff_browser):
    # given two reported accidents, a verified one, an open conflict, two rejected and one held
    # received records
    AccidentFactory.create_batch(2)
    AccidentFactory.create(status=AccidentStatus.VERIFIED)
    ConflictFactory.create()
    InboxRecordFactory.create_batch(2, status=InboxStatus.REJECTED)
    InboxRecordFactory.create(status=InboxStatus.HELD)
    InboxRecordFactory.create(status=InboxStatus.APPLIED)

    # when NRA staff open the home page
    html = staff_browser.get(reverse("admin:index")).content.decode()

    # then each queue shows its count and opens its filtered list
    changelist = reverse("admin:accidents_accident_changelist")
    inbox = reverse("admin:fieldsync_inboxrecord_changelist")
    assert queue(html, "verify") == (2, f"{changelist}?status__exact=reported&is_deleted__exact=0")
    assert queue(html, "conflicts") == (
        1,
        reverse("admin:fieldsync_conflict_changelist") + "?status__exact=open",
    )
    assert queue(html, "duplicates") == (
        0,
        reverse("admin:accidents_duplicategroup_changelist") + "?status__exact=open",
    )
    assert queue(html, "rejected") == (2, f"{inbox}?status__exact=rejected")
    assert queue(html, "held") == (1, f"{inbox}?status__exact=held")
    assert (
        staff_browser.get(f"{changelist}?status__exact=reported&is_deleted__exact=0").status_code
        == 200
    )


def test_staff_see_the_tasks_in_order_and_no_internal_table(staff_browser):
    html = staff_browser.get(reverse("admin:index")).content.decode()

    assert sections(html) == TASK_ORDER
    for internal in ("dirtyslice", "statisticsslice", "syncbatch", "change", "recordversion"):
        assert f'class="model-{internal}' not in html
    # the task's pages sit beside its tables: the dashboard, the reports and the export
    assert reverse("figures-dashboard") in html
    assert reverse("admin:figures_statistics_reports") in html
    assert reverse("admin:exchange_importfile_export") in html


def test_a_page_is_listed_only_to_who_may_open_it(client):
    surveyor = UserFactory.create(username="somchai", is_staff=True)
    client.force_login(surveyor)

    html = client.get(reverse("admin:index")).content.decode()

    assert reverse("figures-dashboard") not in html
    assert reverse("admin:figures_statistics_reports") not in html
    assert reverse("admin:exchange_importfile_export") not in html


def test_superusers_see_the_internal_tables_last(admin_browser):
    html = admin_browser.get(reverse("admin:index")).content.decode()

    assert sections(html) == [*TASK_ORDER, "internal"]
    internal = html.split('<div class="app-internal module')[1]
    assert re.findall(r'<tr class="model-([a-z]+)', internal) == [
        "syncbatch",
        "change",
        "recordversion",
        "loginfailure",
        "statisticsslice",
        "dirtyslice",
    ]


@pytest.mark.parametrize("language", ["en", "lo"])
def test_the_sidebar_follows_the_tasks_in_every_language(staff_browser, language):
    staff_browser.cookies["django_language"] = language

    html = staff_browser.get(reverse("admin:accidents_accident_changelist")).content.decode()

    sidebar = html.split('id="nav-sidebar"')[1]
    assert sections(sidebar) == TASK_ORDER
    records = sidebar.split('<div class="app-records module')[1].split("</table>")[0]
    assert re.findall(r'<tr class="model-([a-z_-]+)', records)[:4] == [
        "page-export",
        "accident",
        "victim",
        "assistance",
    ]


def test_no_view_site_link_leads_to_a_missing_page(staff_browser):
    html = staff_browser.get(reverse("admin:index")).content.decode()

    assert "View site" not in html
    assert 'href="/"' not in html


def test_every_admin_table_has_its_task():
    labels = {model._meta.label_lower for model in admin.site._registry}

    assert [label for label in sorted(labels) if task_of(label) is OTHER] == []
    placed = [label for task in TASKS for label in task.models]
    assert len(placed) == len(set(placed))  # each table in one task only


def test_an_app_page_lists_its_tables_in_the_tasks_order(admin_browser: Client):
    html = admin_browser.get(reverse("admin:app_list", args=["accidents"])).content.decode()

    content = html.split('id="content-main"')[1]
    tables = re.findall(r'<tr class="model-([a-z]+)', content)
    assert tables[0].startswith("duplicate")  # pairs or groups: the review first
    assert tables[1:] == [
        "accidentfigure",
        "accident",
        "province",
        "district",
        "ordnancetype",
    ]


def test_the_lao_webfont_ships_with_its_licence(staff_browser):
    html = staff_browser.get(reverse("admin:index")).content.decode()
    folder = "fieldsync/fonts/noto-sans-lao"

    # the stylesheet that declares it is on every admin page (the browser test sees it drawn)
    assert '<link rel="stylesheet" href="/static/fieldsync/admin.css">' in html
    for weight in (400, 600, 700):
        font = finders.find(f"{folder}/noto-sans-lao-lao-{weight}-normal.woff2")
        assert Path(font).read_bytes()[:4] == b"wOF2"
    assert "SIL Open Font License" in Path(finders.find(f"{folder}/OFL.txt")).read_text()
    css = Path(finders.find("fieldsync/admin.css")).read_text()
    assert css.count('font-family: "Noto Sans Lao"') == 3


def test_the_sidebar_marks_the_one_page_open(staff_browser):
    """The export's address lies under the import files': only the export is marked current."""
    export = staff_browser.get(reverse("admin:exchange_importfile_export")).content.decode()
    imports = staff_browser.get(reverse("admin:exchange_importfile_changelist")).content.decode()
    assert re.findall(r'<a href="([^"]+)" aria-current="page"', export) == [
        reverse("admin:exchange_importfile_export")
    ]
    assert re.findall(r'<a href="([^"]+)" aria-current="page"', imports) == [
        reverse("admin:exchange_importfile_changelist")
    ]
