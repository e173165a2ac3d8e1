"""Admin of the victims app: personal fields only for those who may see them; view only records;
service types edited through the upsert service."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse
from factory.django import DjangoModelFactory

from fieldsync.models import Change
from tests.helpers.factories import (
    AssistanceFactory,
    ServiceTypeFactory,
    VictimFactory,
)
from victims.models import ServiceType, Victim

pytestmark = pytest.mark.django_db

PAGES: list[tuple[str, type[DjangoModelFactory[Any]]]] = [
    ("victims_servicetype", ServiceTypeFactory),
    ("victims_victim", VictimFactory),
    ("victims_assistance", AssistanceFactory),
]
MAX_CHANGELIST_QUERIES = 12
PERSONAL_VALUES = ("Somphone", "Vongsa", "Bounmy", "5555", "2013")


@pytest.mark.parametrize(("name", "factory"), PAGES)
def test_changelist_and_change_page_open(admin_browser, name, factory):
    # given one row
    row = factory.create()

    # when an NRA superuser opens the list and the row, then both open
    listing = admin_browser.get(reverse(f"admin:{name}_changelist"))
    page = admin_browser.get(reverse(f"admin:{name}_change", args=[quote(row.pk)]))
    assert (listing.status_code, page.status_code) == (200, 200)


@pytest.mark.parametrize("name", ["victims_servicetype"])
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


def test_staff_without_the_permission_see_personal_fields_masked(staff_browser):
    # given a child victim with a name, birth date, phone and guardian
    victim = VictimFactory.create()

    # when NRA staff without the personal-data permission open the list and the victim
    listing = staff_browser.get(reverse("admin:victims_victim_changelist"))
    page = staff_browser.get(reverse("admin:victims_victim_change", args=[victim.pk]))

    # then both open, every personal value is masked, the rest is shown
    for response in (listing, page):
        content = response.content.decode()
        assert response.status_code == 200
        assert [value for value in PERSONAL_VALUES if value in content] == []
        assert "•••" in content
    assert page.content.decode().count("•••") == 6  # name, birth, phone, guardian, 2 files
    assert "Guardian name" in page.content.decode()
    assert "Injured" in page.content.decode()


def test_those_who_see_personal_data_see_the_fields(admin_browser):
    # given a victim
    victim = VictimFactory.create()

    # when an NRA admin with the permission opens it
    page = admin_browser.get(reverse("admin:victims_victim_change", args=[victim.pk]))

    # then the personal values are shown
    content = page.content.decode()
    assert [value for value in PERSONAL_VALUES if value not in content] == []
    assert "•••" not in content


def test_staff_without_the_permission_cannot_search_by_name(staff_browser):
    # given a victim with a name
    victim = VictimFactory.create(full_name="Somphone Vongsa")
    url = reverse("admin:victims_victim_changelist")

    # when staff without the permission search the name, then nothing is found
    by_name = staff_browser.get(url, {"q": "Somphone"})
    assert by_name.context["cl"].result_count == 0
    # but the victim is found by its id
    by_id = staff_browser.get(url, {"q": str(victim.pk)})
    assert by_id.context["cl"].result_count == 1
    # and filtering on a personal field in the URL is refused
    assert staff_browser.get(url, {"full_name__startswith": "Som"}).status_code == 400


def test_those_who_see_personal_data_can_search_by_name(admin_browser):
    VictimFactory.create(full_name="Somphone Vongsa")
    VictimFactory.create(full_name="Khamla Sisouk")
    response = admin_browser.get(reverse("admin:victims_victim_changelist"), {"q": "Somphone"})
    assert response.context["cl"].result_count == 1


def test_a_victim_is_never_named_by_its_string():
    victim = VictimFactory.create(full_name="Somphone Vongsa")
    assert str(victim) == f"Victim {victim.pk}"


@pytest.mark.parametrize("name", ["victims_victim", "victims_assistance"])
def test_victims_and_assistance_are_view_only(admin_browser, name):
    # given a row
    row = dict(PAGES)[name].create()

    # when a superuser tries to add, change or delete
    add = admin_browser.get(reverse(f"admin:{name}_add"))
    change = admin_browser.post(reverse(f"admin:{name}_change", args=[quote(row.pk)]), {})
    delete = admin_browser.post(
        reverse(f"admin:{name}_delete", args=[quote(row.pk)]), {"post": "yes"}
    )

    # then every write is refused and the row is unchanged
    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert type(row).objects.get(pk=row.pk).version == 1
    assert Victim.objects.count() == 1


def test_editing_a_service_type_bumps_its_version_and_logs_it(admin_browser):
    # given a service type without a Lao name
    ServiceTypeFactory.create(
        code="prosthesis", pillar="physical_rehabilitation", name="Prosthesis"
    )

    # when an NRA admin gives it one
    response = admin_browser.post(
        reverse("admin:victims_servicetype_change", args=["prosthesis"]),
        {"pillar": "physical_rehabilitation", "name": "Prosthesis", "name_lo": "ຂາທຽມ"},
    )

    # then it is saved at version 2 and logged for every device
    assert response.status_code == 302
    assert ServiceType.objects.values_list("name_lo", "version").get() == ("ຂາທຽມ", 2)
    assert list(Change.objects.values_list("model", "record_id", "audience", "version")) == [
        ("service_type", "prosthesis", "*public", 2)
    ]


def test_service_types_cannot_be_deleted(admin_browser):
    ServiceTypeFactory.create(code="prosthesis")
    response = admin_browser.post(
        reverse("admin:victims_servicetype_delete", args=["prosthesis"]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert ServiceType.objects.filter(code="prosthesis").exists()
