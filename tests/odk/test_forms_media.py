"""The media files of `uxo_assistance`, per user: only the victims and assistance records the
user may see, never a personal field, labels in the user's language, the same bytes for the same
data."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission

from accidents.models import District, Province
from fieldsync.models import Organisation, Role
from odk.forms.media import media_file
from tests.helpers.factories import AccidentFactory, AssistanceFactory, UserFactory, VictimFactory
from victims.choices import AssistanceStatus, Consent, Pillar, Relationship, Sex, VictimType
from victims.models import ServiceType

PERSONAL_VALUES = ("Somphone", "Vongsa", "Khamla", "+856", "2013-02-01", "Bounmy", "consent.jpg")


@pytest.fixture
def field(seeded) -> SimpleNamespace:
    """Two accidents in Pek district: HALO's (a boy, his mother, a deleted and a merged record)
    and MAG's (a woman referred to COPE for emergency care)."""
    xiengkhouang = Province.objects.get(code="LA-XI")
    pek = District.objects.get(code="0901")
    halo_accident = AccidentFactory(
        reference="LA-XI-2025-0001",
        province=xiengkhouang,
        district=pek,
        village="Ban Naphia",
        reporting_organisation_id="HALO",
    )
    mag_accident = AccidentFactory(
        reference="LA-XI-2025-0002",
        province=xiengkhouang,
        district=pek,
        village="Ban Khai",
        reporting_organisation_id="MAG",
    )
    boy = VictimFactory(accident=halo_accident, photos=[{"name": "boy.jpg"}])
    mother = VictimFactory(
        victim_type=VictimType.INDIRECT,
        accident=None,
        related_victim=boy,
        relationship=Relationship.PARENT,
        outcome="",
        sex=Sex.FEMALE,
        age_years=None,
        consent=Consent.SELF,
        full_name="Noy Vongsa",
        date_of_birth=None,
        guardian_name="",
        consent_document=[{"name": "consent.jpg"}],
    )
    VictimFactory(accident=halo_accident, is_deleted=True)
    VictimFactory(accident=halo_accident, merged_into=boy)
    woman = VictimFactory(
        accident=mag_accident,
        sex=Sex.FEMALE,
        age_years=34,
        consent=Consent.SELF,
        full_name="Khamla Sisouk",
        date_of_birth=datetime.date(1991, 5, 2),
        guardian_name="",
    )
    emergency = AssistanceFactory(
        victim=woman,
        pillar=Pillar.MEDICAL_CARE,
        service_type=ServiceType.objects.get(code="emergency_care"),
        provider_organisation_id="COPE",
        status=AssistanceStatus.REFERRED,
        started_on=datetime.date(2025, 3, 21),
    )
    AssistanceFactory(victim=woman, provider_organisation_id="COPE", is_deleted=True)
    prosthesis = AssistanceFactory(
        victim=boy,
        pillar=Pillar.PHYSICAL_REHABILITATION,
        service_type=ServiceType.objects.get(code="prosthesis"),
        provider_organisation_id="HI",
        status=AssistanceStatus.NEEDED,
    )
    return SimpleNamespace(
        halo_accident=halo_accident,
        mag_accident=mag_accident,
        boy=boy,
        mother=mother,
        woman=woman,
        emergency=emergency,
        prosthesis=prosthesis,
    )


def csv_lines(user, name: str, language: str = "en") -> list[str]:
    content = media_file(form_id="uxo_assistance", name=name, user=user, language=language)
    return content.decode().splitlines()


def test_a_surveyor_gets_the_victims_of_their_organisation_only(field):
    surveyor = UserFactory(organisation=Organisation.objects.get(code="HALO"))

    lines = csv_lines(surveyor, "victims.csv")

    # then HALO's casualty and his mother (by her casualty's accident), not MAG's victim, not
    # the deleted record, not the duplicate merged into the boy
    boy, mother, accident = field.boy.pk, field.mother.pk, field.halo_accident.pk
    assert sorted(lines[1:]) == sorted(
        [
            f"{boy},LA-XI-2025-0001 · Male · 12 years · Ban Naphia,{accident}",
            f"{mother},LA-XI-2025-0001 · Parent · Female · age unknown · Ban Naphia,{accident}",
        ]
    )
    assert lines[0] == "name,label,accident"


def test_a_surveyor_gets_the_assistance_of_their_victims(field):
    surveyor = UserFactory(organisation=Organisation.objects.get(code="HALO"))

    lines = csv_lines(surveyor, "assistance.csv")

    assert lines == [
        "name,label,victim,version,pillar,status",
        f"{field.prosthesis.pk},Physical rehabilitation · Prosthesis · Needed · HI,"
        f"{field.boy.pk},1,physical_rehabilitation,needed",
    ]


def test_a_partner_gets_only_the_victims_referred_to_them_and_their_own_assistance(field):
    partner = UserFactory(role=Role.PARTNER, organisation=Organisation.objects.get(code="COPE"))

    victims = csv_lines(partner, "victims.csv")
    assistance = csv_lines(partner, "assistance.csv")

    assert victims == [
        "name,label,accident",
        f"{field.woman.pk},LA-XI-2025-0002 · Female · 34 years · Ban Khai,{field.mag_accident.pk}",
    ]
    assert assistance == [
        "name,label,victim,version,pillar,status",
        f"{field.emergency.pk},Medical care · Emergency care · Referred · COPE · 2025-03-21,"
        f"{field.woman.pk},1,medical_care,referred",
    ]


def test_a_partner_assisting_nobody_gets_only_the_header(field):
    partner = UserFactory(role=Role.PARTNER, organisation=Organisation.objects.get(code="NPA"))

    assert csv_lines(partner, "victims.csv") == ["name,label,accident"]
    assert csv_lines(partner, "assistance.csv") == ["name,label,victim,version,pillar,status"]


def test_no_personal_field_in_any_file_even_for_staff_who_may_see_personal_data(field):
    # given NRA staff holding the personal-data permission, who see every victim
    staff = UserFactory(nra=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    assert staff.sees_personal_data()

    victims = csv_lines(staff, "victims.csv")
    assistance = csv_lines(staff, "assistance.csv")

    # then every live victim is listed, without a name, birth date, phone, guardian or photo
    assert len(victims) == 1 + 3
    assert len(assistance) == 1 + 2
    content = "\n".join(victims + assistance)
    for value in (*PERSONAL_VALUES, "Noy", "Sisouk", "1991", "boy.jpg"):
        assert value not in content, value


def test_labels_are_in_the_language_asked_for(field):
    surveyor = UserFactory(organisation=Organisation.objects.get(code="HALO"))

    victims = csv_lines(surveyor, "victims.csv", language="lo")
    assistance = csv_lines(surveyor, "assistance.csv", language="lo")

    assert f"{field.boy.pk},LA-XI-2025-0001 · ຊາຍ · " in "\n".join(victims)
    assert f"{field.mother.pk},LA-XI-2025-0001 · ພໍ່ແມ່ · ຍິງ · " in "\n".join(victims)
    prosthesis = ServiceType.objects.get(code="prosthesis")
    lao_service = prosthesis.name_lo or prosthesis.name
    assert assistance[1].startswith(f"{field.prosthesis.pk},ການຟື້ນຟູໜ້າທີ່ການ")
    assert f" · {lao_service} · " in assistance[1]


def test_the_same_data_gives_the_same_bytes_and_an_edit_changes_them(field):
    staff = UserFactory(nra=True)

    first = media_file(form_id="uxo_assistance", name="victims.csv", user=staff, language="en")
    again = media_file(form_id="uxo_assistance", name="victims.csv", user=staff, language="en")
    field.woman.age_years = 35
    field.woman.save(update_fields=["age_years"])
    edited = media_file(form_id="uxo_assistance", name="victims.csv", user=staff, language="en")

    assert first == again
    assert edited != first
    # ordered by accident reference: HALO's two victims, then MAG's
    assert [line.split(",")[0] for line in first.decode().splitlines()[1:]][2] == str(
        field.woman.pk
    )


def test_each_file_is_one_query_whatever_the_number_of_victims(field, django_assert_num_queries):
    staff = UserFactory(nra=True)
    for _ in range(30):
        VictimFactory(accident=field.mag_accident)
    staff.sees_personal_data()  # the viewer's permissions, loaded once per request

    with django_assert_num_queries(1):
        victims = media_file(
            form_id="uxo_assistance", name="victims.csv", user=staff, language="en"
        )
    with django_assert_num_queries(1):
        media_file(form_id="uxo_assistance", name="assistance.csv", user=staff, language="en")

    assert len(victims.decode().splitlines()) == 1 + 3 + 30


def test_an_unknown_form_or_file_has_no_media(field):
    staff = UserFactory(nra=True)

    assert media_file(form_id="uxo_accident", name="victims.csv", user=staff, language="en") is None
    assert media_file(form_id="uxo_assistance", name="other.csv", user=staff, language="en") is None
    assert media_file(form_id="nope", name="victims.csv", user=staff, language="en") is None
