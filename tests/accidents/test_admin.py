"""Admin of the accidents app: reference data edited through the upsert service; accidents view
only; lists without a query per row."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse
from factory.django import DjangoModelFactory

from accidents.models import Accident, District, Province
from fieldsync.models import Change
from tests.helpers.factories import (
    AccidentFactory,
    DistrictFactory,
    OrdnanceTypeFactory,
    ProvinceFactory,
)

pytestmark = pytest.mark.django_db

PAGES: list[tuple[str, type[DjangoModelFactory[Any]]]] = [
    ("accidents_province", ProvinceFactory),
    ("accidents_district", DistrictFactory),
    ("accidents_ordnancetype", OrdnanceTypeFactory),
    ("accidents_accident", AccidentFactory),
]
MAX_CHANGELIST_QUERIES = 12


@pytest.mark.parametrize(("name", "factory"), PAGES)
def test_changelist_and_change_page_open(admin_browser, name, factory):
    # given one row
    row = factory.create()

    # when an NRA superuser opens the list and the row, then both open
    listing = admin_browser.get(reverse(f"admin:{name}_changelist"))
    page = admin_browser.get(reverse(f"admin:{name}_change", args=[quote(row.pk)]))
    assert (listing.status_code, page.status_code) == (200, 200)


@pytest.mark.parametrize(
    "name", ["accidents_province", "accidents_district", "accidents_ordnancetype"]
)
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


def test_accidents_are_view_only(admin_browser):
    # given an accident
    accident = AccidentFactory.create(village="Ban Naphia")

    # when a superuser tries to add, change or delete
    add = admin_browser.get(reverse("admin:accidents_accident_add"))
    change = admin_browser.post(
        reverse("admin:accidents_accident_change", args=[accident.pk]), {"village": "Other"}
    )
    delete = admin_browser.post(
        reverse("admin:accidents_accident_delete", args=[accident.pk]), {"post": "yes"}
    )

    # then every write is refused and the accident is unchanged
    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert Accident.objects.values_list("village", "version").get() == ("Ban Naphia", 1)


def test_editing_a_district_bumps_its_version_and_logs_it(admin_browser):
    # given a district without a Lao name
    district = DistrictFactory.create(code="0901", name_en="Pek")

    # when an NRA admin gives it one
    response = admin_browser.post(
        reverse("admin:accidents_district_change", args=["0901"]),
        {"province": district.province_id, "name_en": "Pek", "name_lo": "ແປກ"},
    )

    # then it is saved at version 2 and logged for every device
    assert response.status_code == 302
    assert District.objects.values_list("name_lo", "version").get(code="0901") == ("ແປກ", 2)
    assert list(Change.objects.values_list("model", "record_id", "audience", "version")) == [
        ("district", "0901", "*public", 2)
    ]


def test_a_province_code_cannot_be_changed(admin_browser):
    # given a province
    ProvinceFactory.create(code="LA-XI", lsb_code="09", name_en="Xiengkhouang")

    # when its change form is posted with another code
    response = admin_browser.post(
        reverse("admin:accidents_province_change", args=["LA-XI"]),
        {"code": "LA-XX", "lsb_code": "09", "name_en": "Xiengkhouang", "name_lo": ""},
    )

    # then the code is ignored: still one province, under its code
    assert response.status_code == 302
    assert list(Province.objects.values_list("code", flat=True)) == ["LA-XI"]


@pytest.mark.parametrize("name", ["accidents_province", "accidents_district"])
def test_reference_rows_cannot_be_deleted(admin_browser, name):
    row = dict(PAGES)[name].create()
    response = admin_browser.post(
        reverse(f"admin:{name}_delete", args=[quote(row.pk)]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert type(row).objects.filter(pk=row.pk).exists()


def test_accidents_are_found_by_reference(admin_browser):
    # given two accidents
    AccidentFactory.create(reference="LA-XI-2025-0001")
    AccidentFactory.create(reference="LA-HO-2025-0001")

    # when searching one reference, then only it is listed
    response = admin_browser.get(reverse("admin:accidents_accident_changelist"), {"q": "LA-XI"})
    assert [a.reference for a in response.context["cl"].result_list] == ["LA-XI-2025-0001"]
