"""The form engines alone (no server): JavaRosa, the engine inside ODK Collect, and ODK Web Forms'
xforms-engine fill the practice forms (tests/odk/clients/practice.py) as a surveyor would, refuse
what Collect refuses, and write the instances the server will receive."""

from __future__ import annotations

from pathlib import Path

import pytest

from odk.forms.build import form_definitions
from tests.odk.clients.harness import FillError, JavaRosa, WebForms
from tests.odk.clients.instances import instance_uuid, read_instance, without_ids

pytestmark = pytest.mark.java

ACCIDENT_ANSWERS = {
    "occurred_on": "2026-11-18",
    "province": "LA-XI",
    "district": "0902",
    "village": "Ban Nameuang",
    "accident_photo": "site.jpg",
    "victim": [
        {"sex": "male", "age_years": 12, "referral": "yes", "provider_organisation": "COPE"},
        {"sex": "female", "age_years": 34, "referral": "no"},
    ],
}

# What both engines put in the instance (ids aside): the irrelevant provider of the second
# victim is left out of the XML altogether, not sent empty.
ACCIDENT_VALUES = {
    "occurred_on": "2026-11-18",
    "province": "LA-XI",
    "district": "0902",
    "place": {"village": "Ban Nameuang"},
    "accident_photo": "site.jpg",
    "victim": [
        {"sex": "male", "age_years": "12", "referral": "yes", "provider_organisation": "COPE"},
        {"sex": "female", "age_years": "34", "referral": "no"},
    ],
    "meta": {},
}

ASKED = [
    "/data/occurred_on",
    "/data/province",
    "/data/district",
    "/data/place/village",
    "/data/accident_photo",
    "/data/victim[1]/sex",
    "/data/victim[1]/age_years",
    "/data/victim[1]/referral",
    "/data/victim[1]/provider_organisation",
    "/data/victim[2]/sex",
    "/data/victim[2]/age_years",
    "/data/victim[2]/referral",
]

LAO_LABELS = {
    "occurred_on": "ວັນທີເກີດອຸບັດຕິເຫດ",
    "province": "ແຂວງ",
    "district": "ເມືອງ",
    "village": "ບ້ານ",
    "accident_photo": "ຮູບສະຖານທີ່",
    "sex": "ເພດ",
    "age_years": "ອາຍຸ",
    "referral": "ສົ່ງຕໍ່?",
    "provider_organisation": "ອົງການ",
}

VICTIM_A = "7d0c8a52-1a61-4d6e-9f5a-0a6c2b1e4f10"
ACCIDENT_OF_A = "3b1f7a9e-5c2d-4e8f-a1b6-9d0e7c4f2a11"


def _javarosa_asked(asked: list[str]) -> list[str]:
    # JavaRosa names every step's position ([1] is the first); keep only the repeats' ones.
    return [
        "/".join(
            step if step.startswith("victim[") else step.split("[")[0] for step in ref.split("/")
        )
        for ref in asked
    ]


def test_javarosa_fills_an_accident_with_two_victims_and_a_photo(
    javarosa: JavaRosa, practice: Path, photo: bytes
) -> None:
    # given a surveyor's answers: two victims, one referred, and a photo of the site
    # when JavaRosa walks the form as Collect does and finalizes it
    filled = javarosa.fill(practice / "practice_accident.xml", practice, ACCIDENT_ANSWERS)

    # then the instance carries the answers, each victim its own once(uuid()) id
    name, attributes, values = read_instance(filled.xml, "victim")
    assert (name, attributes) == ("data", {"id": "practice_accident", "version": "2026120501"})
    assert without_ids(values, "victim_id") == ACCIDENT_VALUES
    victim_ids = [victim["victim_id"] for victim in values["victim"]]
    assert len(set(victim_ids)) == 2
    instance_uuid(values["meta"]["instanceID"])
    # and the surveyor was asked the referral's provider only for the referred victim
    assert _javarosa_asked(filled.asked) == ASKED
    assert filled.attachments == {"site.jpg": photo}
    # and JavaRosa writes a declaration and the form's namespaces, as Collect sends them
    assert filled.xml.startswith("<?xml version='1.0' encoding='UTF-8' ?><data ")
    assert 'xmlns:jr="http://openrosa.org/javarosa"' in filled.xml


def test_javarosa_refuses_an_accident_dated_in_the_future(
    javarosa: JavaRosa, practice: Path
) -> None:
    # given a date after today
    answers = {**ACCIDENT_ANSWERS, "occurred_on": "2099-01-01"}

    # when JavaRosa answers the question
    with pytest.raises(FillError) as refused:
        javarosa.fill(practice / "practice_accident.xml", practice, answers)

    # then the constraint stops the surveyor on that question
    assert refused.value.detail == {
        "question": "/data/occurred_on",
        "kind": "constraint",
        "message": None,
        "constraint": ". <= today() and . >= date('1964-01-01')",
        "value": "2099-01-01",
    }


def test_javarosa_offers_only_the_districts_of_the_chosen_province(
    javarosa: JavaRosa, practice: Path
) -> None:
    # given Houaphan chosen and a district of Xiangkhouang
    answers = {**ACCIDENT_ANSWERS, "province": "LA-HO", "district": "0901"}

    # when JavaRosa looks for that district among the choices it shows
    with pytest.raises(FillError) as refused:
        javarosa.fill(practice / "practice_accident.xml", practice, answers)

    # then the choice filter left only Houaphan's district
    assert refused.value.detail == {
        "question": "/data/district",
        "kind": "choice",
        "message": "not among the choices offered",
        "value": "0901",
        "offered": ["0801"],
    }


def test_javarosa_refuses_to_finalize_without_a_required_answer(
    javarosa: JavaRosa, practice: Path
) -> None:
    # given no district
    answers = {key: value for key, value in ACCIDENT_ANSWERS.items() if key != "district"}

    # when JavaRosa validates the form before finalizing it
    with pytest.raises(FillError) as refused:
        javarosa.fill(practice / "practice_accident.xml", practice, answers)

    # then the required district stops it
    assert refused.value.detail == {
        "question": "/data/district",
        "kind": "required",
        "message": "an answer is required",
    }


def test_javarosa_edit_of_a_finalized_form_keeps_the_ids_and_deprecates_the_instance_id(
    javarosa: JavaRosa, practice: Path
) -> None:
    # given a finalized, sent accident
    form = practice / "practice_accident.xml"
    first = javarosa.fill(form, practice, ACCIDENT_ANSWERS)
    _, _, before = read_instance(first.xml, "victim")

    # when the surveyor opens it again, corrects the village and the second victim's age
    edited = javarosa.fill(
        form,
        practice,
        {"village": "Ban Phonsavan", "victim": [{}, {"age_years": 35}]},
        previous=first.xml,
    )

    # then the edit carries the old instanceID as deprecatedID under a new instanceID
    _, _, after = read_instance(edited.xml, "victim")
    assert after["meta"]["deprecatedID"] == before["meta"]["instanceID"]
    assert instance_uuid(after["meta"]["instanceID"]) != instance_uuid(before["meta"]["instanceID"])
    assert list(after["meta"]) == ["instanceID", "deprecatedID"]
    # and the victims keep their ids (once() is not evaluated again); only the edits differ
    assert [v["victim_id"] for v in after["victim"]] == [v["victim_id"] for v in before["victim"]]
    expected = {**before, "place": {"village": "Ban Phonsavan"}}
    expected["victim"] = [before["victim"][0], {**before["victim"][1], "age_years": "35"}]
    assert {k: v for k, v in after.items() if k != "meta"} == {
        k: v for k, v in expected.items() if k != "meta"
    }


def test_javarosa_shows_the_form_in_lao(javarosa: JavaRosa, practice: Path) -> None:
    # given the form's two languages
    # when the surveyor picks Lao
    filled = javarosa.fill(
        practice / "practice_accident.xml", practice, ACCIDENT_ANSWERS, language="Lao (lo)"
    )

    # then every question and choice is labelled in Lao script; the data stays the same
    assert filled.languages == ["English (en)", "Lao (lo)"]
    assert filled.language == "Lao (lo)"
    assert filled.labels == LAO_LABELS
    assert filled.choices["province"] == {"LA-XI": "ຊຽງຂວາງ", "LA-HO": "ຫົວພັນ"}
    assert without_ids(read_instance(filled.xml, "victim")[2], "victim_id") == ACCIDENT_VALUES


def test_javarosa_chooses_a_victim_from_victims_csv(javarosa: JavaRosa, practice: Path) -> None:
    # given victims.csv beside the assistance form (its media)
    # when the surveyor chooses the first victim and records a service
    filled = javarosa.fill(
        practice / "practice_assistance.xml",
        practice,
        {"victim": VICTIM_A, "pillar": "medical_care", "started_on": "2026-11-20"},
    )

    # then the choices were the CSV's rows, and the instance names the victim and its accident
    assert filled.choices["victim"] == {
        VICTIM_A: "ACC-2026-0001 · 12 · male · Ban Nameuang",
        "c2e4b6a8-0f1d-4c3b-8a5e-7f9d1b3c5e22": "ACC-2026-0001 · 34 · female · Ban Nameuang",
    }
    name, attributes, values = read_instance(filled.xml)
    assert (name, attributes["id"]) == ("data", "practice_assistance")
    assert without_ids(values) == {
        "victim": VICTIM_A,
        "victim_accident": ACCIDENT_OF_A,
        "pillar": "medical_care",
        "started_on": "2026-11-20",
        "completed_on": "",
        "notes": "",
        "meta": {},
    }


def test_javarosa_refuses_a_victim_missing_from_victims_csv(
    javarosa: JavaRosa, practice: Path
) -> None:
    # given a victim id the user's victims.csv does not list
    unknown = "00000000-0000-4000-8000-000000000000"

    # when the surveyor looks for it
    with pytest.raises(FillError) as refused:
        javarosa.fill(
            practice / "practice_assistance.xml",
            practice,
            {"victim": unknown, "pillar": "medical_care"},
        )

    # then it is not among the choices
    assert refused.value.detail["kind"] == "choice"
    assert refused.value.detail["offered"] == [VICTIM_A, "c2e4b6a8-0f1d-4c3b-8a5e-7f9d1b3c5e22"]


@pytest.mark.django_db(transaction=True)  # as the live tests: no switch of database mode
@pytest.mark.parametrize(
    ("answers", "refusal"),
    [
        (
            {"location": "17.97 102.6 170 5", "province": "LA-XI", "district": "0802"},
            {
                "question": "/uxo_accident/district",
                "kind": "choice",
                "message": "not among the choices offered",
                "value": "0802",
            },
        ),
        (
            {"location": "13.7 100.5 2 5"},  # Bangkok
            {"question": "/uxo_accident/location", "kind": "constraint"},
        ),
    ],
    ids=["district-of-another-province", "location-outside-laos"],
)
def test_javarosa_stops_the_generated_accident_form_on_the_dictionarys_rules(
    javarosa: JavaRosa, seeded: None, tmp_path: Path, answers: dict, refusal: dict
) -> None:
    # given the uxo_accident form the server generates from the data dictionary
    form = tmp_path / "uxo_accident.xml"
    form.write_text(form_definitions()["uxo_accident"].xml, encoding="utf-8")
    filled = {
        "occurred_on": "2026-11-18",
        "province": "LA-XI",
        "district": "0901",
        "classification": "civilian",
        "device_category": "cluster_submunition",
        "activity": "farming",
        **answers,
    }

    # when JavaRosa answers the questions in order
    with pytest.raises(FillError) as refused:
        javarosa.fill(form, tmp_path, filled)

    # then it stops on the question whose rule the answer breaks
    assert {key: refused.value.detail[key] for key in refusal} == refusal


@pytest.mark.node
def test_xforms_engine_writes_the_same_accident_as_javarosa(
    javarosa: JavaRosa, webforms: WebForms, practice: Path, photo: bytes
) -> None:
    # given the same answers
    form = practice / "practice_accident.xml"

    # when ODK Web Forms' engine and JavaRosa both fill the form
    web = webforms.fill(form, practice, ACCIDENT_ANSWERS)
    java = javarosa.fill(form, practice, ACCIDENT_ANSWERS)

    # then the instances hold the same values (ids aside) and the same photo
    web_values = read_instance(web.xml, "victim")
    java_values = read_instance(java.xml, "victim")
    assert web_values[:2] == java_values[:2]
    assert without_ids(web_values[2], "victim_id") == ACCIDENT_VALUES
    assert without_ids(java_values[2], "victim_id") == ACCIDENT_VALUES
    assert web.asked == ASKED
    assert web.attachments == {"site.jpg": photo}
    # and the engine's payload names the instance part's file after the part, with no XML
    # declaration nor namespace declarations (the server must accept both spellings)
    assert web.xml_filename == "xml_submission_file"
    assert web.xml.startswith('<data id="practice_accident" version="2026120501">')


@pytest.mark.node
def test_xforms_engine_shows_lao_and_chooses_from_victims_csv(
    webforms: WebForms, practice: Path
) -> None:
    # given the assistance form in Lao
    # when the engine fills it with a victim of victims.csv
    filled = webforms.fill(
        practice / "practice_assistance.xml",
        practice,
        {"victim": VICTIM_A, "pillar": "medical_care"},
        language="Lao (lo)",
    )

    # then the labels are Lao and the victim's accident comes from the CSV
    assert filled.language == "Lao (lo)"
    assert filled.labels == {
        "victim": "ຜູ້ເຄາະຮ້າຍ",
        "pillar": "ເສົາຄ້ຳ",
        "started_on": "ວັນທີເລີ່ມ",
        "completed_on": "ວັນທີສຳເລັດ",
        "notes": "ໝາຍເຫດ",
    }
    assert without_ids(read_instance(filled.xml)[2]) == {
        "victim": VICTIM_A,
        "victim_accident": ACCIDENT_OF_A,
        "pillar": "medical_care",
        "started_on": "",
        "completed_on": "",
        "notes": "",
        "meta": {},
    }


@pytest.mark.node
def test_xforms_engine_refuses_a_district_of_another_province(
    webforms: WebForms, practice: Path
) -> None:
    # given Houaphan chosen and a district of Xiangkhouang
    answers = {**ACCIDENT_ANSWERS, "province": "LA-HO", "district": "0901"}

    # when the engine looks for that district among the choices
    with pytest.raises(FillError) as refused:
        webforms.fill(practice / "practice_accident.xml", practice, answers)

    # then only Houaphan's district was offered
    assert refused.value.detail == {
        "question": "/data/district",
        "kind": "choice",
        "value": "0901",
        "offered": ["0801"],
    }
