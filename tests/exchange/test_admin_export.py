"""The export page: places and organisations chosen by name (in the reader's language), turned
into the API's codes; a value off the lists is refused with a message, never an empty file."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from accidents.models import District, Province
from fieldsync.models import Organisation
from tests.helpers.factories import AccidentFactory

pytestmark = pytest.mark.django_db
EXPORT = "/admin/exchange/importfile/export/"


@pytest.fixture
def accidents_in_two_provinces(seeded) -> tuple[str, str]:
    """An accident in Pek (Xiengkhouang) and one in Xamneua (Houaphanh)."""
    pek = District.objects.get(code="0901")
    xamneua = District.objects.get(code="0701")
    halo = Organisation.objects.get(code="HALO")
    in_pek = AccidentFactory.create(
        province=pek.province, district=pek, reporting_organisation=halo
    )
    in_xamneua = AccidentFactory.create(province=xamneua.province, district=xamneua)
    return in_pek.reference, in_xamneua.reference


def download(client: Client, **filters: str):
    return client.get(
        EXPORT, {"records": "accidents", "format": "csv", "download": "Download", **filters}
    )


def references(response) -> list[str]:
    text = b"".join(response.streaming_content).decode()
    return [row["reference"] for row in csv.DictReader(io.StringIO(text))]


def test_a_province_chosen_by_name_exports_its_accidents(staff_browser, accidents_in_two_provinces):
    in_pek, _in_xamneua = accidents_in_two_provinces
    page = staff_browser.get(EXPORT, {"records": "accidents"})
    province = page.context["form"]["province"]
    # the officer sees names, the form sends codes
    assert ("LA-XI", "Xiengkhouang") in [(str(v), label) for v, label in province.field.choices]

    response = download(staff_browser, province="LA-XI")

    assert references(response) == [in_pek]


def test_a_district_and_an_organisation_chosen_from_lists(
    staff_browser, accidents_in_two_provinces
):
    in_pek, _in_xamneua = accidents_in_two_provinces
    page = staff_browser.get(EXPORT, {"records": "accidents"})
    districts = dict(page.context["form"].fields["district"].choices)

    assert ("0901", "Pek") in districts["Xiengkhouang"]
    assert references(download(staff_browser, district="0901")) == [in_pek]
    assert references(download(staff_browser, organisation="HALO")) == [in_pek]


@pytest.mark.parametrize(
    ("filters", "field", "message"),
    [
        ({"province": "Xiengkhouang"}, "province", "Unknown province: choose one from the list."),
        ({"district": "Pek"}, "district", "Unknown district: choose one from the list."),
        (
            {"organisation": "Halo Trust"},
            "organisation",
            "Unknown organisation: choose one from the list.",
        ),
        (
            {"province": "LA-HO", "district": "0901"},
            "district",
            "Pek is not a district of Houaphanh.",
        ),
    ],
)
def test_a_value_off_the_lists_is_refused_not_an_empty_file(
    staff_browser, accidents_in_two_provinces, filters, field, message
):
    response = download(staff_browser, **filters)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response.context["form"].errors == {field: [message]}
    assert message.encode() in response.content


def test_every_filter_of_every_kind_has_a_readable_label(staff_browser, seeded):
    for records in ("accidents", "victims", "assistance"):
        page = staff_browser.get(EXPORT, {"records": records})

        assert page.status_code == 200
        assert b"[invalid name]" not in page.content
        assert b'name="organisation"' in page.content
    victims = staff_browser.get(EXPORT, {"records": "victims"})
    assert b'name="occurred_on_after"' in victims.content
    assert b"Accident date" in victims.content


def test_in_lao_places_are_listed_by_their_lao_names(staff_browser, seeded):
    District.objects.filter(code="0901").update(name_lo="ແປກ")
    staff_browser.cookies["django_language"] = "lo"

    form = staff_browser.get(EXPORT, {"records": "accidents"}).context["form"]

    xiengkhouang = Province.objects.get(code="LA-XI").name_lo
    assert ("LA-XI", xiengkhouang) in [
        (str(v), label) for v, label in form.fields["province"].choices
    ]
    assert ("0901", "ແປກ") in dict(form.fields["district"].choices)[xiengkhouang]


def test_the_export_page_is_reached_from_the_home_page(staff_browser):
    home = staff_browser.get("/admin/").content.decode()

    assert f'href="{EXPORT}"' in home


def test_lists_of_choices_offer_all_first(staff_browser, seeded):
    staff_browser.cookies["django_language"] = "lo"

    page = staff_browser.get(EXPORT, {"records": "victims"})

    sex = page.context["filters"]
    choices = next(field for field in sex if field.name == "sex").field.choices
    assert [str(label) for _value, label in choices][:1] == ["ທັງໝົດ"]
    assert b"---------" not in page.content
