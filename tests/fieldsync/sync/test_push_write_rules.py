"""Who may write what, through push (sync contract): each attack of the security review, refused
with code `forbidden`, the raw record kept for review and nothing else stored or shown.

HALO reported accident A with casualty V; COPE provides assistance S_cope to V (so COPE sees V);
HALO itself provides S_halo. MAG reported accident M with casualty W.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from accidents.models import Accident
from fieldsync.models import InboxRecord, RecordVersion, Role
from tests.helpers.sync import Tablet, accident, assistance, delete, victim
from victims.models import Assistance, Victim

pytestmark = pytest.mark.django_db


@dataclass
class Field:
    halo: Tablet
    mag: Tablet
    cope: Tablet
    nra: Tablet
    a: dict
    v: dict
    s_cope: dict
    s_halo: dict
    m: dict
    w: dict


@pytest.fixture
def field(make_tablet: Callable[..., Tablet]) -> Field:
    halo = make_tablet("surveyor-halo", Role.SURVEYOR, "HALO")
    mag = make_tablet("surveyor-mag", Role.SURVEYOR, "MAG")
    cope = make_tablet("cope-system", Role.PARTNER, "COPE")
    nra = make_tablet("nra-officer", Role.NRA_STAFF, "NRA")
    a = accident()
    v = victim(a["id"])
    s_cope = assistance(v["id"], provider_organisation="COPE")
    s_halo = assistance(v["id"], provider_organisation="HALO", pillar="medical_care")
    s_halo["data"]["service_type"] = None
    assert {r["status"] for r in halo.push_ok([a, v, s_cope, s_halo])} == {"applied"}
    m = accident(province="LA-HO", district="0701", ordnance_type=None, latitude=None)
    m["data"]["longitude"] = None
    w = victim(m["id"], full_name="Noy S.")
    assert {r["status"] for r in mag.push_ok([m, w])} == {"applied"}
    return Field(halo, mag, cope, nra, a, v, s_cope, s_halo, m, w)


def _forbidden(tablet: Tablet, record: dict) -> dict:
    """Push one record; assert it is refused `forbidden`, stored nowhere but the inbox."""
    versions = RecordVersion.objects.count()
    (result,) = tablet.push_ok([record])
    assert (result["status"], result["code"]) == ("rejected", "forbidden"), result
    assert result["errors"], result
    assert RecordVersion.objects.count() == versions  # nothing applied
    inbox = InboxRecord.objects.filter(
        record_id=record["id"], batch__device__user=tablet.user
    ).latest("pk")
    assert (inbox.status, inbox.payload) == ("rejected", record)  # kept for NRA review
    return result


def _pulled_ids(tablet: Tablet) -> set[str]:
    changes, _ = tablet.pull_all()
    return {change["id"] for change in changes}


# -- partners ----------------------------------------------------------------------------------
def test_a_partner_creates_no_accident(field: Field) -> None:
    record = accident(reporting_organisation="COPE")
    result = _forbidden(field.cope, record)

    assert result["errors"] == {
        "non_field_errors": ["Partner accounts may not write accident records."]
    }
    assert not Accident.objects.filter(pk=record["id"]).exists()


def test_a_partner_creates_no_named_victim(field: Field) -> None:
    record = victim(field.a["id"], full_name="Invented Person")
    _forbidden(field.cope, record)

    assert not Victim.objects.filter(pk=record["id"]).exists()
    assert record["id"] not in _pulled_ids(field.halo)


def test_a_partner_creates_no_accident_with_named_victims_of_its_own(field: Field) -> None:
    own = accident(reporting_organisation="COPE")
    named = victim(own["id"], full_name="Invented Person")

    results = field.cope.push_ok([own, named])

    assert [(r["status"], r["code"]) for r in results] == [("rejected", "forbidden")] * 2
    assert not Accident.objects.filter(pk=own["id"]).exists()
    assert not Victim.objects.filter(pk=named["id"]).exists()


def test_a_partner_records_no_assistance_in_another_providers_name(field: Field) -> None:
    record = assistance(field.v["id"], provider_organisation="HI", pillar="psychosocial")
    record["data"]["service_type"] = None
    result = _forbidden(field.cope, record)

    assert list(result["errors"]) == ["provider_organisation"]
    assert not Assistance.objects.filter(pk=record["id"]).exists()
    hi = field.halo  # the other provider learns nothing of V through it
    assert record["id"] not in _pulled_ids(hi)


def test_a_partner_records_no_assistance_for_a_victim_it_does_not_see(field: Field) -> None:
    record = assistance(field.w["id"], provider_organisation="COPE")
    _forbidden(field.cope, record)

    assert field.w["id"] not in _pulled_ids(field.cope)  # W stays out of COPE's view


def test_a_partner_edits_and_deletes_no_other_providers_assistance(field: Field) -> None:
    s_halo = field.s_halo
    edit = assistance(field.v["id"], s_halo["id"], 1, provider_organisation="HALO", notes="x")
    _forbidden(field.cope, edit)
    _forbidden(field.cope, delete("assistance", s_halo["id"], 1))

    stored = Assistance.objects.get(pk=s_halo["id"])
    assert (stored.version, stored.is_deleted, stored.notes) == (1, False, "")


def test_a_partner_hands_its_assistance_to_nobody_else(field: Field) -> None:
    moved = assistance(field.v["id"], field.s_cope["id"], 1, provider_organisation="HI")
    result = _forbidden(field.cope, moved)

    assert list(result["errors"]) == ["provider_organisation"]
    assert Assistance.objects.get(pk=field.s_cope["id"]).provider_organisation_id == "COPE"


def test_a_partner_writes_the_assistance_it_provides(field: Field) -> None:
    edit = assistance(field.v["id"], field.s_cope["id"], 1, status="in_progress")
    new = assistance(field.v["id"], pillar="psychosocial", provider_organisation="COPE")
    new["data"]["service_type"] = None

    results = field.cope.push_ok([edit, new, delete("assistance", field.s_cope["id"], 2)])

    assert [r["status"] for r in results] == ["applied", "applied", "rejected"]
    assert results[2]["code"] == "duplicate_in_batch"


# -- surveyors ---------------------------------------------------------------------------------
def test_a_surveyor_adds_no_family_member_to_another_organisations_victim(field: Field) -> None:
    family = victim(
        None,
        victim_type="indirect",
        related_victim=field.v["id"],
        relationship="parent",
        outcome="",
        injuries=[],
        full_name="Invented Relative",
    )
    del family["data"]["accident"]
    _forbidden(field.mag, family)

    assert family["id"] not in _pulled_ids(field.halo)


def test_a_surveyor_whose_organisation_assists_a_victim_adds_no_family_to_it(
    field: Field,
) -> None:
    """MAG sees V once HALO refers V to MAG; seeing is not writing."""
    referral = assistance(field.v["id"], provider_organisation="MAG", pillar="psychosocial")
    referral["data"]["service_type"] = None
    field.halo.push_ok([referral])
    assert field.v["id"] in _pulled_ids(field.mag)
    family = victim(
        None,
        victim_type="indirect",
        related_victim=field.v["id"],
        relationship="parent",
        outcome="",
        injuries=[],
        full_name="Invented Relative",
    )
    del family["data"]["accident"]

    _forbidden(field.mag, family)
    _forbidden(field.mag, victim(field.a["id"], field.v["id"], 1, outcome="killed"))

    assert family["id"] not in _pulled_ids(field.halo)
    assert Victim.objects.get(pk=field.v["id"]).outcome == "injured"


def test_a_surveyor_reports_for_no_other_organisation(field: Field) -> None:
    record = accident(reporting_organisation="HALO")
    result = _forbidden(field.mag, record)

    assert list(result["errors"]) == ["reporting_organisation"]


def test_a_surveyor_moves_no_accident_to_another_organisation(field: Field) -> None:
    moved = accident(field.a["id"], 1, reporting_organisation="MAG")
    _forbidden(field.halo, moved)

    assert Accident.objects.get(pk=field.a["id"]).reporting_organisation_id == "HALO"


def test_a_surveyor_writes_no_victim_or_assistance_of_another_organisation(field: Field) -> None:
    _forbidden(field.mag, victim(field.a["id"]))
    _forbidden(field.mag, victim(field.a["id"], field.v["id"], 1, outcome="killed"))
    _forbidden(field.mag, assistance(field.v["id"], provider_organisation="MAG"))
    _forbidden(field.mag, delete("assistance", field.s_cope["id"], 1))

    assert Victim.objects.get(pk=field.v["id"]).outcome == "injured"


def test_a_surveyor_records_referrals_to_any_provider_for_its_victims(field: Field) -> None:
    referral = assistance(field.v["id"], provider_organisation="HI", pillar="psychosocial")
    referral["data"]["service_type"] = None
    cope_edit = assistance(field.v["id"], field.s_cope["id"], 1, status="in_progress")

    results = field.halo.push_ok([referral, cope_edit])

    assert [r["status"] for r in results] == ["applied", "applied"]


def test_nra_staff_write_any_record(field: Field) -> None:
    moved = accident(field.m["id"], 1, reporting_organisation="HALO")
    for_mag = assistance(field.w["id"], provider_organisation="HI", pillar="psychosocial")
    for_mag["data"]["service_type"] = None

    results = field.nra.push_ok([moved, for_mag, delete("assistance", field.s_cope["id"], 1)])

    assert [r["status"] for r in results] == ["applied", "applied", "applied"]


# -- held records, checked again at release --------------------------------------------------
def test_a_held_victim_does_not_attach_itself_to_another_organisations_accident(
    field: Field,
) -> None:
    """MAG pushes a victim for an accident id HALO has not uploaded yet; when HALO's accident
    arrives, the MAG victim is refused then, and nothing of it is visible to anyone."""
    future = str(uuid.uuid4())
    planted = victim(future, full_name="Planted Person")
    (held,) = field.mag.push_ok([planted])
    assert held["status"] == "held"

    (applied,) = field.halo.push_ok([accident(future)])

    assert applied["status"] == "applied"
    inbox = InboxRecord.objects.get(record_id=planted["id"])
    assert (inbox.status, inbox.result["code"]) == ("rejected", "forbidden")
    assert not Victim.objects.filter(pk=planted["id"]).exists()
    assert planted["id"] not in _pulled_ids(field.halo) | _pulled_ids(field.mag)
    assert Accident.objects.get(pk=future).version == 1
    changes, _ = field.halo.pull_all()
    (pulled,) = [c for c in changes if c["id"] == future]
    assert (pulled["data"]["killed"], pulled["data"]["injured"]) == (0, 0)


def test_a_held_assistance_does_not_reach_a_victim_its_partner_never_saw(field: Field) -> None:
    future = str(uuid.uuid4())
    planted = assistance(future, provider_organisation="COPE")
    (held,) = field.cope.push_ok([planted])
    assert held["status"] == "held"

    (applied,) = field.halo.push_ok([victim(field.a["id"], future)])

    assert applied["status"] == "applied"
    inbox = InboxRecord.objects.get(record_id=planted["id"])
    assert (inbox.status, inbox.result["code"]) == ("rejected", "forbidden")
    assert not Assistance.objects.filter(pk=planted["id"]).exists()
    assert future not in _pulled_ids(field.cope)


def test_a_held_record_of_the_right_organisation_is_applied_at_release(field: Field) -> None:
    future = str(uuid.uuid4())
    casualty = victim(future)  # HALO's own victim, before its accident
    assert field.halo.push_ok([casualty])[0]["status"] == "held"

    field.halo.push_ok([accident(future)])

    assert InboxRecord.objects.get(record_id=casualty["id"]).status == "applied"
    assert Victim.objects.get(pk=casualty["id"]).accident_id == uuid.UUID(future)


def test_only_nra_staff_move_an_assistance_record_to_another_provider(field: Field) -> None:
    """HALO's surveyors may refer V to anyone, and edit S_cope; moving it is NRA staff's."""
    moved = assistance(field.v["id"], field.s_cope["id"], 1, provider_organisation="HI")
    result = _forbidden(field.halo, moved)

    assert result["errors"] == {
        "provider_organisation": [
            "Only NRA staff may move assistance records to another organisation."
        ]
    }
    (applied,) = field.nra.push_ok([moved])
    assert applied["status"] == "applied"
