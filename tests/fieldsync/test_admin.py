"""Admin of the sync engine: pages, query counts, reference edits, device revocation, privacy."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse
from factory.django import DjangoModelFactory

from fieldsync.models import Change, Device, Organisation, User
from tests.helpers.factories import (
    ChangeFactory,
    ConflictFactory,
    DeviceFactory,
    InboxRecordFactory,
    LoginFailureFactory,
    OrganisationFactory,
    RecordVersionFactory,
    SyncBatchFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PAGES: list[tuple[str, type[DjangoModelFactory[Any]]]] = [
    ("fieldsync_organisation", OrganisationFactory),
    ("fieldsync_user", UserFactory),
    ("fieldsync_device", DeviceFactory),
    ("fieldsync_syncbatch", SyncBatchFactory),
    ("fieldsync_inboxrecord", InboxRecordFactory),
    ("fieldsync_recordversion", RecordVersionFactory),
    ("fieldsync_conflict", ConflictFactory),
    ("fieldsync_change", ChangeFactory),
    ("fieldsync_loginfailure", LoginFailureFactory),
]
READ_ONLY = [
    "fieldsync_syncbatch",
    "fieldsync_inboxrecord",
    "fieldsync_recordversion",
    "fieldsync_conflict",
    "fieldsync_change",
    "fieldsync_loginfailure",
]
# The same bound whatever the number of rows: no query per row.
MAX_CHANGELIST_QUERIES = 12


@pytest.mark.parametrize(("name", "factory"), PAGES)
def test_changelist_and_change_page_open(admin_browser, name, factory):
    # given one row
    row = factory.create()

    # when an NRA superuser opens the list and the row
    listing = admin_browser.get(reverse(f"admin:{name}_changelist"))
    page = admin_browser.get(reverse(f"admin:{name}_change", args=[quote(row.pk)]))

    # then both open
    assert (listing.status_code, page.status_code) == (200, 200)


@pytest.mark.parametrize("name", ["fieldsync_organisation", "fieldsync_user"])
def test_add_page_opens_for_editable_models(admin_browser, name):
    assert admin_browser.get(reverse(f"admin:{name}_add")).status_code == 200


@pytest.mark.parametrize("rows", [5, 50])
@pytest.mark.parametrize(("name", "factory"), PAGES)
def test_changelist_queries_do_not_grow_with_rows(
    admin_browser, django_assert_max_num_queries, name, factory, rows
):
    # given 5 or 50 rows
    for _ in range(rows):
        factory.create()

    # when the list opens, then it takes the same bounded number of queries
    with django_assert_max_num_queries(MAX_CHANGELIST_QUERIES):
        response = admin_browser.get(reverse(f"admin:{name}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("name", READ_ONLY)
def test_engine_tables_are_view_only(admin_browser, name):
    # given a row of an engine table
    row = dict(PAGES)[name].create()

    # when a superuser tries to add, change or delete
    add = admin_browser.get(reverse(f"admin:{name}_add"))
    change = admin_browser.post(reverse(f"admin:{name}_change", args=[quote(row.pk)]), {})
    delete = admin_browser.post(
        reverse(f"admin:{name}_delete", args=[quote(row.pk)]), {"post": "yes"}
    )

    # then every write is refused and the row is still there
    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert type(row).objects.filter(pk=row.pk).exists()


def test_editing_an_organisation_bumps_its_version_and_logs_it(admin_browser):
    # given an organisation at version 1
    OrganisationFactory.create(code="QLA", name="Quality of Life", kind="ngo")

    # when an NRA admin renames it
    response = admin_browser.post(
        reverse("admin:fieldsync_organisation_change", args=["QLA"]),
        {"name": "Quality of Life Association", "name_lo": "", "kind": "ngo"},
    )

    # then it is saved at version 2 and in the change log for every device
    assert response.status_code == 302
    assert Organisation.objects.values_list("name", "version").get(code="QLA") == (
        "Quality of Life Association",
        2,
    )
    assert list(Change.objects.values_list("model", "record_id", "audience", "version")) == [
        ("organisation", "QLA", "*public", 2)
    ]


def test_saving_an_organisation_unchanged_writes_nothing(admin_browser):
    # given an organisation
    OrganisationFactory.create(code="QLA", name="Quality of Life Association", kind="ngo")

    # when it is saved without a change
    response = admin_browser.post(
        reverse("admin:fieldsync_organisation_change", args=["QLA"]),
        {"name": "Quality of Life Association", "name_lo": "", "kind": "ngo"},
    )

    # then its version stays and nothing is logged
    assert response.status_code == 302
    assert Organisation.objects.get(code="QLA").version == 1
    assert Change.objects.count() == 0


def test_adding_an_organisation_logs_it(admin_browser):
    # when an NRA admin adds an organisation
    response = admin_browser.post(
        reverse("admin:fieldsync_organisation_add"),
        {
            "code": "JMAS",
            "name": "Japan Mine Action Service",
            "name_lo": "",
            "kind": "international",
        },
    )

    # then it exists at version 1, logged for every device
    assert response.status_code == 302
    assert Organisation.objects.values_list("name", "version").get(code="JMAS") == (
        "Japan Mine Action Service",
        1,
    )
    assert list(Change.objects.values_list("record_id", "version")) == [("JMAS", 1)]


def test_adding_an_existing_code_is_refused(admin_browser):
    # given an organisation
    OrganisationFactory.create(code="QLA", name="Quality of Life Association", kind="ngo")

    # when one is added with the same code
    response = admin_browser.post(
        reverse("admin:fieldsync_organisation_add"),
        {"code": "QLA", "name": "Other", "name_lo": "", "kind": "ngo"},
    )

    # then the form says so and the existing row is untouched
    assert response.status_code == 200
    assert "Organisation with this Code already exists." in response.content.decode()
    assert Organisation.objects.values_list("name", "version").get(code="QLA") == (
        "Quality of Life Association",
        1,
    )
    assert Change.objects.count() == 0


def test_organisations_cannot_be_deleted(admin_browser):
    OrganisationFactory.create(code="QLA")
    response = admin_browser.post(
        reverse("admin:fieldsync_organisation_delete", args=["QLA"]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Organisation.objects.filter(code="QLA").exists()


def test_revoke_action_revokes_the_selected_devices_only(admin_browser, nra_admin):
    # given three devices, one of them revoked already
    lost, kept = DeviceFactory.create(), DeviceFactory.create()
    earlier = DeviceFactory.create(revoked_by=nra_admin)
    Device.objects.filter(pk=earlier.pk).update(revoked_at="2026-01-01T00:00:00Z")

    # when the admin revokes the lost one and the one revoked before
    response = admin_browser.post(
        reverse("admin:fieldsync_device_changelist"),
        {"action": "revoke", "_selected_action": [lost.pk, earlier.pk]},
        follow=True,
    )

    # then only the lost one is newly revoked, by the admin; the others are unchanged
    assert response.status_code == 200
    assert "Revoked 1 device(s)." in response.content.decode()
    lost.refresh_from_db()
    kept.refresh_from_db()
    earlier.refresh_from_db()
    assert lost.revoked_at is not None
    assert lost.revoked_by == nra_admin
    assert kept.revoked_at is None
    assert earlier.revoked_at == datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def test_nra_staff_may_revoke_devices(staff_browser):
    # given a device
    device = DeviceFactory.create()

    # when NRA staff revoke it
    staff_browser.post(
        reverse("admin:fieldsync_device_changelist"),
        {"action": "revoke", "_selected_action": [device.pk]},
    )

    # then it is revoked by them
    device.refresh_from_db()
    assert device.revoked_by is not None
    assert device.revoked_by.username == "noy"


def test_surveyors_cannot_open_admin(client):
    # given a surveyor (not staff)
    client.force_login(UserFactory.create())

    # when they open admin, then they are sent to the login page
    response = client.get(reverse("admin:fieldsync_device_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_raw_victim_data_is_masked_for_staff_without_the_permission(staff_browser):
    # given a received victim record, its version history, a conflict on its name and the
    # response a batch gave with the server copy
    inbox = InboxRecordFactory.create()
    version = RecordVersionFactory.create()
    conflict = ConflictFactory.create()
    batch = SyncBatchFactory.create(
        response={
            "results": [
                {"model": "victim", "status": "conflict", "data": {"full_name": "S. Vongsa"}}
            ]
        }
    )

    # when NRA staff without the personal-data permission open them
    pages = [
        staff_browser.get(reverse("admin:fieldsync_inboxrecord_change", args=[inbox.pk])),
        staff_browser.get(reverse("admin:fieldsync_recordversion_change", args=[version.pk])),
        staff_browser.get(reverse("admin:fieldsync_conflict_change", args=[conflict.pk])),
        staff_browser.get(reverse("admin:fieldsync_syncbatch_change", args=[batch.pk])),
    ]

    # then they open with the personal fields masked and the other fields shown
    for page in pages:
        content = page.content.decode()
        assert page.status_code == 200
        assert "Somphone" not in content
        assert "Vongsa" not in content
        assert "5555" not in content
        assert "•••" in content
    assert "&quot;victim_type&quot;: &quot;direct&quot;" in pages[0].content.decode()


def test_raw_victim_data_is_shown_to_those_who_see_personal_data(admin_browser):
    # given a received victim record
    inbox = InboxRecordFactory.create()

    # when an NRA admin with the permission opens it, then the name is shown
    page = admin_browser.get(reverse("admin:fieldsync_inboxrecord_change", args=[inbox.pk]))
    assert "Somphone Vongsa" in page.content.decode()
    assert "•••" not in page.content.decode()


def test_filtering_on_raw_data_is_refused_without_the_permission(staff_browser):
    # given a received victim record
    InboxRecordFactory.create()
    url = reverse("admin:fieldsync_inboxrecord_changelist")
    lookup = {"payload__data__full_name__startswith": "Som"}

    # when staff without the permission filter on the name, then it is refused
    assert staff_browser.get(url, lookup).status_code == 400


def test_filtering_on_raw_data_is_allowed_with_the_permission(admin_browser):
    # given a received victim record
    InboxRecordFactory.create()
    url = reverse("admin:fieldsync_inboxrecord_changelist")

    # when an NRA admin with the permission filters on the name, then it is found
    response = admin_browser.get(url, {"payload__data__full_name__startswith": "Som"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_an_account_is_added_with_its_role_and_organisation(admin_browser):
    # given an organisation
    OrganisationFactory.create(code="HALO")

    # when a superuser adds a surveyor of it
    response = admin_browser.post(
        reverse("admin:fieldsync_user_add"),
        {
            "username": "khamla",
            "usable_password": "true",
            "password1": "mekong river at dusk",
            "password2": "mekong river at dusk",
            "role": "surveyor",
            "organisation": "HALO",
        },
    )

    # then the account exists with them
    assert response.status_code == 302
    user = User.objects.get(username="khamla")
    assert (user.role, user.organisation_id, user.is_staff) == ("surveyor", "HALO", False)
    assert user.check_password("mekong river at dusk")
