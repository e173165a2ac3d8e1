"""The ODK forms: generated from the data dictionary and the reference data, converted by pyxform,
in English and Lao, versioned by the data they list, and loadable by JavaRosa (ODK Validate)."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
from importlib import resources
from xml.etree.ElementTree import canonicalize

import pytest
from defusedxml import ElementTree
from django.core.management import call_command
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from accidents.models import District
from fieldsync.models import Organisation, OrganisationKind
from odk.forms.build import FormDefinition, form_definition, form_definitions
from odk.forms.media import media_file
from tests.helpers.factories import UserFactory

XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"
JAR = resources.files("pyxform") / "validators/odk_validate/bin/ODK_Validate.jar"

SELECT_ONE = ("string", "select1")
TEXT = ("string", "input")
IMAGE = ("binary", "upload")
CALCULATE = ("string", None)
ACCIDENT_QUESTIONS = {
    "occurred_on": ("date", "input"),
    "date_precision": SELECT_ONE,
    "time_of_day": SELECT_ONE,
    "province": SELECT_ONE,
    "district": SELECT_ONE,
    "village": TEXT,
    "location": ("geopoint", "input"),
    "latitude": CALCULATE,
    "longitude": CALCULATE,
    "location_accuracy_m": CALCULATE,
    "classification": SELECT_ONE,
    "device_category": SELECT_ONE,
    "ordnance_type": SELECT_ONE,
    "activity": SELECT_ONE,
    "ordnance_moved_before": SELECT_ONE,
    "prior_risk_education": SELECT_ONE,
    "description": TEXT,
    "accident_photos/accident_photo": IMAGE,
    "victim/victim_id": CALCULATE,
    "victim/outcome": SELECT_ONE,
    "victim/sex": SELECT_ONE,
    "victim/age_years": ("int", "input"),
    "victim/age_estimated": SELECT_ONE,
    "victim/civilian_status": SELECT_ONE,
    "victim/role": SELECT_ONE,
    "victim/injuries": ("string", "select"),
    "victim/consent": SELECT_ONE,
    "victim/full_name": TEXT,
    "victim/date_of_birth": ("date", "input"),
    "victim/phone": TEXT,
    "victim/guardian_name": TEXT,
    "victim/consent_document": IMAGE,
    "victim/victim_photos/victim_photo": IMAGE,
    "victim/referral": SELECT_ONE,
    "victim/assistance_id": CALCULATE,
    "victim/pillar": SELECT_ONE,
    "victim/service_type": SELECT_ONE,
    "victim/provider_organisation": SELECT_ONE,
    "meta/instanceID": ("string", None),
    "meta/instanceName": ("string", None),
}
ASSISTANCE_QUESTIONS = {
    "victim": SELECT_ONE,
    "assistance_id": SELECT_ONE,
    "base_version": CALCULATE,
    "pillar": SELECT_ONE,
    "service_type": SELECT_ONE,
    "provider_organisation": SELECT_ONE,
    "status": SELECT_ONE,
    "started_on": ("date", "input"),
    "completed_on": ("date", "input"),
    "quantity": ("decimal", "input"),
    "unit": TEXT,
    "cost_lak": ("decimal", "input"),
    "notes": TEXT,
    "assistance_documents/assistance_document": IMAGE,
    "meta/instanceID": ("string", None),
    "meta/instanceName": ("string", None),
}


def parse(form: FormDefinition):
    return ElementTree.fromstring(form.xml.encode())


def binds(form: FormDefinition) -> dict[str, dict[str, str]]:
    """Each bind's attributes by its path below the form's root, whitespace normalised."""
    prefix = f"/{form.form_id}/"
    return {
        bind.get("nodeset").removeprefix(prefix): {
            name: " ".join(value.split()) for name, value in bind.attrib.items()
        }
        for bind in parse(form).iter(f"{XF}bind")
    }


def questions(form: FormDefinition) -> dict[str, tuple[str, str | None]]:
    """Each field's (bind type, body control) by its path; None for a field without control."""
    prefix = f"/{form.form_id}/"
    body = parse(form).find(f"{H}body")
    controls = {
        element.get("ref").removeprefix(prefix): element.tag.removeprefix(XF)
        for element in body.iter()
        if element.get("ref") and element.tag.removeprefix(XF) not in ("group", "label", "hint")
    }
    return {
        path: (attributes.get("type", ""), controls.get(path))
        for path, attributes in binds(form).items()
        if "type" in attributes
    }


def canonical(xml: str) -> list[str]:
    """The XML in canonical form (attributes sorted), split on whitespace."""
    return canonicalize(xml_data=xml, strip_text=True).split()


def itemset(form: FormDefinition, path: str) -> str:
    body = parse(form).find(f"{H}body")
    control = next(e for e in body.iter() if e.get("ref") == f"/{form.form_id}/{path}")
    return " ".join(control.find(f"{XF}itemset").get("nodeset").split())


def translations(form: FormDefinition, lang: str) -> dict[str, str]:
    translation = next(t for t in parse(form).iter(f"{XF}translation") if t.get("lang") == lang)
    return {
        text.get("id"): "".join(text.find(f"{XF}value").itertext())
        for text in translation.iter(f"{XF}text")
    }


def test_both_forms_have_the_questions_of_the_design_with_their_types(seeded):
    # when the forms are generated from the seeded reference data
    forms = form_definitions()

    # then each has the questions docs/odk.md names, with their types and controls
    assert sorted(forms) == ["uxo_accident", "uxo_assistance"]
    assert questions(forms["uxo_accident"]) == ACCIDENT_QUESTIONS
    assert questions(forms["uxo_assistance"]) == ASSISTANCE_QUESTIONS
    repeats = {r.get("nodeset") for r in parse(forms["uxo_accident"]).iter(f"{XF}repeat")}
    assert repeats == {
        "/uxo_accident/accident_photos",
        "/uxo_accident/victim",
        "/uxo_accident/victim/victim_photos",
    }
    # and only the assistance form reads media files, the victims' and their assistance's
    assert forms["uxo_accident"].media == ()
    assert forms["uxo_assistance"].media == ("victims.csv", "assistance.csv")
    assert 'src="jr://file-csv/victims.csv"' in forms["uxo_assistance"].xml
    assert 'src="jr://file-csv/assistance.csv"' in forms["uxo_assistance"].xml


def test_the_definition_names_its_form_title_version_and_the_md5_of_its_xml(seeded):
    form = form_definition("uxo_accident")

    assert form.title == "UXO accident"
    assert f'<uxo_accident id="uxo_accident" version="{form.version}">' in form.xml
    assert form.md5 == hashlib.md5(form.xml.encode(), usedforsecurity=False).hexdigest()
    assert form_definition("uxo_unknown") is None


def test_the_dictionary_rules_are_constraints_and_relevance(seeded):
    accident = binds(form_definition("uxo_accident"))
    assistance = binds(form_definition("uxo_assistance"))

    assert accident["occurred_on"]["constraint"] == ". <= today() and . >= date('1964-01-01')"
    assert accident["location"]["constraint"] == (
        "selected-at(., 0) >= 13.9 and selected-at(., 0) <= 22.5"
        " and selected-at(., 1) >= 100.0 and selected-at(., 1) <= 107.7"
    )
    assert accident["latitude"]["calculate"] == (
        "if( /uxo_accident/location != '', selected-at( /uxo_accident/location , 0), '')"
    )
    assert accident["village"]["constraint"] == "string-length(.) <= 200"
    assert accident["victim/age_years"]["constraint"] == ". >= 0 and . <= 110"
    assert accident["victim/victim_id"]["calculate"] == "once(uuid())"
    consent_given = "../consent != '' and ../consent != 'none'"
    for personal in ("full_name", "date_of_birth", "phone", "guardian_name", "consent_document"):
        assert accident[f"victim/{personal}"]["relevant"] == consent_given, personal
    assert accident["victim/victim_photos"]["relevant"] == consent_given
    assert accident["victim/pillar"]["relevant"] == "../referral = 'yes'"
    assert accident["victim/provider_organisation"]["required"] == "true()"
    assert assistance["completed_on"]["constraint"] == (
        "/uxo_assistance/started_on = '' or . >= /uxo_assistance/started_on"
    )
    assert assistance["completed_on"]["required"] == "/uxo_assistance/status = 'completed'"
    assert assistance["pillar"]["required"] == "/uxo_assistance/assistance_id = ''"
    assert assistance["unit"]["relevant"] == "/uxo_assistance/quantity != ''"
    assert assistance["base_version"]["calculate"] == (
        "if( /uxo_assistance/assistance_id != '', instance('assistance')/root/item"
        "[name= /uxo_assistance/assistance_id ]/version, '')"
    )
    assert assistance["quantity"]["constraint"] == ". >= 0"


def test_districts_are_filtered_by_the_chosen_province(seeded):
    form = form_definition("uxo_accident")

    assert (
        itemset(form, "district")
        == "instance('district')/root/item[province= /uxo_accident/province ]"
    )
    district_items = next(i for i in parse(form).iter(f"{XF}instance") if i.get("id") == "district")
    in_xiengkhouang = sorted(
        item.findtext(f"{XF}name")
        for item in district_items.iter(f"{XF}item")
        if item.findtext(f"{XF}province") == "LA-XI"
    )
    assert in_xiengkhouang == sorted(
        District.objects.filter(province="LA-XI").values_list("code", flat=True)
    )
    assert len(in_xiengkhouang) == 7
    assert itemset(form, "ordnance_type") == (
        "instance('ordnance_type')/root/item[device_category= /uxo_accident/device_category ]"
    )
    assert itemset(form, "victim/service_type") == (
        "instance('service_type')/root/item[pillar= current()/../pillar ]"
    )
    assert itemset(form_definition("uxo_assistance"), "assistance_id") == (
        "instance('assistance')/root/item[victim= /uxo_assistance/victim ]"
    )


def test_labels_and_choices_are_in_english_and_lao(seeded):
    form = form_definition("uxo_accident")

    english = translations(form, "English (en)")
    lao = translations(form, "Lao (lo)")

    assert english["province-0"] == "Vientiane Capital"
    assert lao["province-0"] == "ນະຄອນຫຼວງວຽງຈັນ"
    assert (english["sex-0"], lao["sex-0"]) == ("Male", "ຊາຍ")
    assert english["/uxo_accident/occurred_on:label"] == "Occurred on"
    assert lao["/uxo_accident/occurred_on:label"] == "ເກີດຂຶ້ນວັນທີ"
    assert lao["/uxo_accident/victim/consent:label"] == "ຄວາມຍິນຍອມ"
    # constraint messages are the engine's refusals, in both languages
    assert english["/uxo_accident/occurred_on:jr:constraintMsg"] == (
        "The accident date cannot be in the future."
        " The accident date cannot be before 1 January 1964."
    )
    assert lao["/uxo_accident/occurred_on:jr:constraintMsg"] == (
        "ວັນທີເກີດອຸບັດຕິເຫດຕ້ອງບໍ່ເປັນວັນທີໃນອະນາຄົດ. ວັນທີເກີດອຸບັດຕິເຫດຕ້ອງບໍ່ກ່ອນວັນທີ 1 ມັງກອນ 1964."
    )
    assert lao["/uxo_accident/village:jr:constraintMsg"] == "ຊ່ອງນີ້ຕ້ອງມີບໍ່ເກີນ 200 ຕົວອັກສອນ."
    dash = "\N{EN DASH}"
    assert english["/uxo_accident/location:jr:constraintMsg"] == (
        f"Coordinates must lie inside Lao PDR (latitude 13.9{dash}22.5)."
        f" Coordinates must lie inside Lao PDR (longitude 100.0{dash}107.7)."
    )
    assert "/uxo_accident/victim/consent:hint" in lao
    assert set(english) == set(lao)


def test_a_change_of_a_district_gives_the_accident_form_a_new_version_and_hash(seeded):
    # given the forms as served
    before = form_definitions()

    # when NRA staff rename a district in Lao
    District.objects.filter(code="0901").update(name_lo="ແປກ (ໃໝ່)")
    after = form_definitions()

    # then the accident form lists the new name under a new version and hash
    assert after["uxo_accident"].version != before["uxo_accident"].version
    assert after["uxo_accident"].md5 != before["uxo_accident"].md5
    assert "ແປກ (ໃໝ່)" in after["uxo_accident"].xml
    # and the assistance form, which lists no district, is unchanged (the same cached object)
    assert after["uxo_assistance"] is before["uxo_assistance"]


def test_only_what_a_form_lists_of_a_reference_row_changes_its_version(seeded):
    before = form_definitions()

    # when an organisation's kind changes (no form shows it), nothing changes
    Organisation.objects.filter(code="COPE").update(kind=OrganisationKind.GOVERNMENT)
    unchanged = form_definitions()
    # when its Lao name changes, both forms (which list providers) change
    Organisation.objects.filter(code="COPE").update(name_lo="ໂຄບ")
    renamed = form_definitions()

    assert unchanged == before
    for form_id in ("uxo_accident", "uxo_assistance"):
        assert renamed[form_id].version != before[form_id].version
        assert renamed[form_id].md5 != before[form_id].md5
        assert "ໂຄບ" in renamed[form_id].xml


def test_forms_are_converted_once_per_reference_data(seeded, django_assert_num_queries):
    first = form_definitions()

    # one query per reference table, and no conversion, while the data stays the same
    with django_assert_num_queries(5):
        again = form_definitions()

    assert again["uxo_accident"] is first["uxo_accident"]
    assert again["uxo_assistance"] is first["uxo_assistance"]


def test_the_command_writes_the_xlsforms_that_convert_to_the_served_forms(seeded, tmp_path):
    out = io.StringIO()

    call_command("odk_xlsforms", str(tmp_path / "odk"), stdout=out)

    paths = [tmp_path / "odk" / "uxo_accident.xlsx", tmp_path / "odk" / "uxo_assistance.xlsx"]
    assert out.getvalue().splitlines() == [str(path) for path in paths]
    workbook = load_workbook(paths[0], read_only=True)
    assert workbook.sheetnames == ["survey", "choices", "settings"]
    header = next(workbook["survey"].iter_rows(values_only=True))
    assert "label::Lao (lo)" in header
    for path, form_id in zip(paths, ("uxo_accident", "uxo_assistance"), strict=True):
        converted = convert(xlsform=str(path), form_name=form_id).xform
        # the same form, but for attribute order and spaces pyxform puts around references
        assert canonical(converted) == canonical(form_definition(form_id).xml)


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs a Java runtime")
@pytest.mark.parametrize("form_id", ["uxo_accident", "uxo_assistance"])
def test_odk_validate_loads_the_form_in_javarosa(seeded, tmp_path, form_id):
    # given the form and, for the assistance form, the media files of a surveyor
    form = form_definition(form_id)
    (tmp_path / f"{form_id}.xml").write_text(form.xml, encoding="utf-8")
    surveyor = UserFactory(organisation_id="HALO")
    for name in form.media:
        content = media_file(form_id=form_id, name=name, user=surveyor, language="lo")
        (tmp_path / name).write_bytes(content)

    # when ODK Validate (JavaRosa, the engine inside Collect) loads it
    with resources.as_file(JAR) as jar:
        result = subprocess.run(
            ["java", "-jar", str(jar), str(tmp_path / f"{form_id}.xml")],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    # then it is valid
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Xform is valid!" in result.stdout
