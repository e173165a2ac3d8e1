"""Fix and apply as a form: labelled fields, vocabularies and reference data as selects, names
read as the import reads them; a JSON fallback that says where a typo is."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accidents.models import Accident
from fieldsync.models import AttachmentRef, InboxRecord
from tests.helpers.admin import form_post
from tests.helpers.sync import accident, victim

pytestmark = pytest.mark.django_db


@pytest.fixture
def rejected(tablet):
    """An accident the tablet sent with a district outside its province."""
    report = accident(district="0101")
    assert tablet.push_ok([report])[0]["status"] == "rejected"
    record = InboxRecord.objects.get(record_id=report["id"])
    return report, record, reverse("admin:fieldsync_inboxrecord_fix", args=[record.pk])


def test_the_form_shows_labelled_fields_and_no_error_before_anything_is_sent(
    rejected, reviewer_browser
):
    _, record, url = rejected
    change = reviewer_browser.get(reverse("admin:fieldsync_inboxrecord_change", args=[record.pk]))
    page = reviewer_browser.get(url)

    text = page.content.decode()
    assert "Please correct the error" not in change.content.decode()
    assert "Please correct the error" not in text and "errornote" not in text
    assert '<label for="id_district">District' in text
    assert '<option value="0901">Pek (0901)</option>' in text
    assert '<option value="farming" selected>' in text  # a vocabulary, with its label
    assert "Refused on receipt:</strong> District 0101 is not in province LA-XI." in text
    assert page.context["form"].initial["reported_on"]  # the sender's defaults, shown


def test_a_district_typed_by_name_is_read_as_its_code(rejected, reviewer_browser):
    report, record, url = rejected
    initial = reviewer_browser.get(url).context["form"].initial

    response = reviewer_browser.post(url, form_post({**initial, "district": " pek "}))

    assert response.status_code == 302
    assert Accident.objects.get(pk=report["id"]).district_id == "0901"
    assert InboxRecord.objects.get(pk=record.pk).status == "superseded"


def test_an_unknown_district_is_refused_beside_the_field_and_stores_nothing(
    rejected, reviewer_browser
):
    _, record, url = rejected
    initial = reviewer_browser.get(url).context["form"].initial

    response = reviewer_browser.post(url, form_post({**initial, "district": "Atlantis"}))

    assert response.status_code == 200
    assert response.context["form"].errors["district"] == ["Unknown: “Atlantis”."]
    assert not Accident.objects.exists()
    assert InboxRecord.objects.get(pk=record.pk).status == "rejected"


def test_a_district_of_another_province_is_refused_beside_it(rejected, reviewer_browser):
    _, _, url = rejected
    initial = reviewer_browser.get(url).context["form"].initial

    response = reviewer_browser.post(url, form_post({**initial, "district": "Chanthabuly"}))

    assert response.status_code == 200
    assert response.context["form"].errors["district"] == [
        "Chanthabuly (0101) is not in Xiengkhouang."
    ]
    assert not Accident.objects.exists()


def test_the_engine_s_refusal_is_shown_beside_its_field(rejected, reviewer_browser):
    # given a date the form takes but the engine refuses
    _, record, url = rejected
    initial = reviewer_browser.get(url).context["form"].initial

    response = reviewer_browser.post(
        url, form_post({**initial, "district": "0901", "occurred_on": "2999-01-01"})
    )

    assert response.status_code == 200
    assert response.context["form"].errors["occurred_on"] == [
        "The accident date cannot be in the future."
    ]
    assert "The record was refused." in response.content.decode()
    assert not Accident.objects.exists()
    assert InboxRecord.objects.get(pk=record.pk).status == "rejected"


def test_the_json_fallback_reads_names_and_applies(rejected, reviewer_browser):
    report, _, url = rejected
    data = {**report["data"], "district": "Pek", "province": "Xieng Khouang"}

    response = reviewer_browser.post(url, {"mode": "json", "data": json.dumps(data)})

    assert response.status_code == 302
    assert Accident.objects.values_list("province_id", "district_id").get(pk=report["id"]) == (
        "LA-XI",
        "0901",
    )


def test_a_json_typo_says_where_it_is_and_stores_nothing(rejected, reviewer_browser):
    _, record, url = rejected

    response = reviewer_browser.post(
        url,
        {"mode": "json", "data": '{\n  "district": "0901",\n  "village": "Ban Na"\n  "x": 1\n}'},
    )

    assert response.status_code == 200
    assert response.context["json_error"] == (
        "The JSON is not valid at line 4, column 3: Expecting ',' delimiter."
    )
    assert b'id="fix-json" open' in response.content
    assert InboxRecord.objects.get(pk=record.pk).status == "rejected"
    assert not Accident.objects.exists()


def test_a_district_name_of_several_provinces_is_read_in_the_record_s_province(
    rejected, reviewer_browser
):
    report, _, url = rejected

    rest = {k: v for k, v in report["data"].items() if k not in ("province", "district")}
    # the district before the province, and the province by its name
    ambiguous = {"district": "Xaysetha", **rest, "province": "Vientiane Capital"}
    elsewhere = {**report["data"], "province": "LA-XI", "district": "Xaysetha"}
    elsewhere_response = reviewer_browser.post(url, {"mode": "json", "data": json.dumps(elsewhere)})
    response = reviewer_browser.post(url, {"mode": "json", "data": json.dumps(ambiguous)})

    assert elsewhere_response.context["json_error"] == (
        "district: The name “Xaysetha” fits several: Xaysetha (0103), Xaysetha (1701). Choose one."
    )
    assert response.status_code == 302
    assert Accident.objects.values_list("province_id", "district_id").get(pk=report["id"]) == (
        "LA-VT",
        "0103",
    )


def test_a_rejected_victim_names_its_accident(tablet, reviewer_browser):
    # given a victim refused for its age, of an accident the server holds
    report = accident()
    tablet.push_ok([report])
    child = victim(report["id"], age_years=300)
    assert tablet.push_ok([child])[0]["status"] == "rejected"
    record = InboxRecord.objects.get(record_id=child["id"])

    # when staff open it
    page = reviewer_browser.get(reverse("admin:fieldsync_inboxrecord_change", args=[record.pk]))

    # then it names the accident it belongs to, with a link to it
    reference = Accident.objects.get(pk=report["id"]).reference
    [link] = page.context["links"]
    assert (link.kind, link.summary) == ("accident", reference)
    assert f'<a href="{link.url}">{reference}</a>' in page.content.decode()


def test_a_fix_keeps_the_files_the_tablet_named(tablet, reviewer_browser):
    # given a rejected report naming two photos (not uploaded yet)
    photos = [
        {"sha256": "a" * 64, "name": "site.jpg", "content_type": "image/jpeg"},
        {"sha256": "b" * 64, "name": "BLU-26.jpg", "content_type": "image/jpeg"},
    ]
    report = accident(district="0101", photos=photos)
    assert tablet.push_ok([report])[0]["status"] == "rejected"
    record = InboxRecord.objects.get(record_id=report["id"])
    url = reverse("admin:fieldsync_inboxrecord_fix", args=[record.pk])
    initial = reviewer_browser.get(url).context["form"].initial

    # when staff fix the district and apply
    response = reviewer_browser.post(url, form_post({**initial, "district": "0901"}))

    # then the stored report names the tablet's photos, and the server knows it waits for them
    assert response.status_code == 302
    assert Accident.objects.get(pk=report["id"]).photos == photos
    refs = AttachmentRef.objects.filter(record_id=report["id"]).values_list("sha256", flat=True)
    assert sorted(refs) == ["a" * 64, "b" * 64]
