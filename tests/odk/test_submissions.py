"""Submissions reconciled by the engine (contract: openrosa.md, Submissions): records as a tablet
would push them, resends, reused instance ids, edits as three-way merges, files in parts,
refusals that store nothing, and what the answer tells the surveyor."""

from __future__ import annotations

import hashlib
import logging
import uuid
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from accidents.models import Accident
from fieldsync.models import Attachment, InboxRecord, RecordVersion, Role, SyncBatch
from odk.models import Submission
from tests.helpers.attachments import pdf_bytes, photo_bytes
from tests.helpers.sync import accident, assistance, victim
from tests.odk.instances import ADULT, CHILD, accident_answers, basic, instance_xml, submit
from victims.models import Assistance, Victim

RESPONSE = "{http://openrosa.org/http/response}"
pytestmark = pytest.mark.usefixtures("seeded")


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _message(response) -> str:
    return ET.fromstring(response.content).findtext(f"{RESPONSE}message") or ""  # noqa: S314


def _pulled(tablet) -> dict[str, dict]:
    changes, _cursor = tablet.pull_all()
    return {c["id"]: c for c in changes if c["model"] in ("accident", "victim", "assistance")}


def test_an_accident_arrives_as_if_a_tablet_had_pushed_it(client: Client, make_tablet) -> None:
    tablet = make_tablet("surveyor-halo")
    instance = uuid.uuid4()
    child_id, referral_id, adult_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    answers = accident_answers(
        {**CHILD, "victim_id": child_id, "assistance_id": referral_id},
        {**ADULT, "victim_id": adult_id},
    )

    response = submit(
        client,
        instance_xml("uxo_accident", answers, instance_id=instance),
        auth=basic(tablet.user.username),
    )
    pulled = _pulled(tablet)

    assert response.status_code == 201
    assert response["X-OpenRosa-Version"] == "1.0"
    reference = Accident.objects.get(pk=instance).reference
    assert _message(response) == (
        f"Received: 1 accident, 2 victims, 1 assistance record. Accident reference: {reference}."
    )
    twin = make_tablet("surveyor-halo-2")
    twin_ids = {
        "accident": str(uuid.uuid4()),
        "child": str(uuid.uuid4()),
        "adult": str(uuid.uuid4()),
    }
    results = twin.push_ok(
        [
            accident(
                twin_ids["accident"],
                **{k: v for k, v in answers.items() if k not in ("victim", "location")},
                latitude="19.45",
                longitude="103.2",
                location_accuracy_m="4.5",
            ),
            victim(
                twin_ids["accident"],
                twin_ids["child"],
                victim_type="direct",
                outcome="injured",
                sex="male",
                age_years=12,
                age_estimated=False,
                civilian_status="civilian",
                role="handler",
                injuries=["hand_fingers", "burns"],
                consent="guardian",
                full_name="Somchai K.",
                guardian_name="Bounmy K.",
            ),
            victim(
                twin_ids["accident"],
                twin_ids["adult"],
                victim_type="direct",
                outcome="killed",
                sex="female",
                age_years=41,
                age_estimated=True,
                consent="none",
                injuries=[],
                full_name="",
                guardian_name="",
            ),
            assistance(
                twin_ids["child"],
                str(uuid.uuid4()),
                pillar="physical_rehabilitation",
                service_type="prosthesis",
                provider_organisation="COPE",
                status="referred",
            ),
        ]
    )
    assert {r["status"] for r in results} == {"applied"}
    by_tablet = _pulled(tablet)

    def same(odk_id: str, tablet_id: str, *ignore: str) -> None:
        skip = {"reference", "created_at", "updated_at", "accident", "victim", *ignore}
        odk = {k: v for k, v in pulled[odk_id]["data"].items() if k not in skip}
        pushed = {k: v for k, v in by_tablet[tablet_id]["data"].items() if k not in skip}
        assert odk == pushed

    same(str(instance), twin_ids["accident"])
    same(str(child_id), twin_ids["child"])
    same(str(adult_id), twin_ids["adult"])
    assert pulled[str(child_id)]["data"]["accident"] == str(instance)
    assert pulled[str(referral_id)]["data"]["victim"] == str(child_id)
    assert pulled[str(referral_id)]["data"]["status"] == "referred"
    assert RecordVersion.objects.filter(record_id=str(instance), source="odk").count() == 1


def _as_sent(accident_id: uuid.UUID) -> dict:
    """The accident's stored fields, so that a staff edit changes only what it names."""
    stored = Accident.objects.get(pk=accident_id)
    return {
        "village": stored.village,
        "description": stored.description,
        "ordnance_type": stored.ordnance_type_id,
        "latitude": str(stored.latitude),
        "longitude": str(stored.longitude),
        "recorded_at": None,
    }


def test_a_resend_answers_the_same_and_changes_nothing(client: Client, make_user) -> None:
    make_user("surveyor-halo")
    xml = instance_xml("uxo_accident", accident_answers(CHILD), instance_id=uuid.uuid4())
    first = submit(client, xml, auth=basic("surveyor-halo"))
    versions = RecordVersion.objects.count()

    again = submit(client, xml, auth=basic("surveyor-halo"))

    assert again.status_code == 201
    assert again.content == first.content
    assert RecordVersion.objects.count() == versions
    assert SyncBatch.objects.count() == 1
    assert Submission.objects.count() == 1


def test_the_same_instance_id_with_other_content_is_409_and_changes_nothing(
    client: Client, make_user
) -> None:
    make_user("surveyor-halo")
    instance = uuid.uuid4()
    submit(
        client,
        instance_xml("uxo_accident", accident_answers(CHILD), instance_id=instance),
        auth=basic("surveyor-halo"),
    )

    other = submit(
        client,
        instance_xml(
            "uxo_accident", accident_answers(CHILD, village="Ban Other"), instance_id=instance
        ),
        auth=basic("surveyor-halo"),
    )

    assert other.status_code == 409
    assert "already sent with this instance ID" in _message(other)
    assert Accident.objects.get(pk=instance).village == "Ban Nameuang"


def test_an_edit_merges_with_a_change_made_on_the_server_meanwhile(
    client: Client, make_user, make_tablet
) -> None:
    make_user("surveyor-halo")
    original, edit = uuid.uuid4(), uuid.uuid4()
    child_id, adult_id = uuid.uuid4(), uuid.uuid4()
    victims = ({**CHILD, "victim_id": child_id}, {**ADULT, "victim_id": adult_id})
    submit(
        client,
        instance_xml("uxo_accident", accident_answers(*victims), instance_id=original),
        auth=basic("surveyor-halo"),
    )
    staff = make_tablet("nra-officer", role=Role.NRA_STAFF, organisation="NRA")
    staff.push_ok(
        [
            accident(
                str(original), base_version=1, **{**_as_sent(original), "description": "Checked."}
            )
        ]
    )

    response = submit(
        client,
        instance_xml(
            "uxo_accident",
            accident_answers(*victims, village="Ban Nameuang Tai"),
            instance_id=edit,
            deprecated_id=original,
        ),
        auth=basic("surveyor-halo"),
    )

    stored = Accident.objects.get(pk=original)
    assert response.status_code == 201
    assert not Accident.objects.filter(pk=edit).exists()
    assert (stored.village, stored.description, stored.version) == (
        "Ban Nameuang Tai",
        "Checked.",
        3,
    )
    assert Submission.objects.get(instance_id=edit).record_id == str(original)


def test_an_edit_of_a_field_changed_on_the_server_is_a_conflict_for_review(
    client: Client, make_user, make_tablet
) -> None:
    make_user("surveyor-halo")
    original, edit = uuid.uuid4(), uuid.uuid4()
    child = {**CHILD, "victim_id": uuid.uuid4()}
    submit(
        client,
        instance_xml("uxo_accident", accident_answers(child), instance_id=original),
        auth=basic("surveyor-halo"),
    )
    staff = make_tablet("nra-officer", role=Role.NRA_STAFF, organisation="NRA")
    staff.push_ok(
        [accident(str(original), base_version=1, **{**_as_sent(original), "village": "Ban Na"})]
    )

    response = submit(
        client,
        instance_xml(
            "uxo_accident",
            accident_answers(child, village="Ban Nong"),
            instance_id=edit,
            deprecated_id=original,
        ),
        auth=basic("surveyor-halo"),
    )

    assert response.status_code == 201
    assert "NRA staff will review the accident" in _message(response)
    assert "changed on the server meanwhile (village)" in _message(response)
    assert Accident.objects.get(pk=original).village == "Ban Na"


def test_a_victim_removed_in_an_edit_is_deleted(client: Client, make_user) -> None:
    make_user("surveyor-halo")
    original, edit = uuid.uuid4(), uuid.uuid4()
    child: dict = {**CHILD, "victim_id": uuid.uuid4(), "assistance_id": uuid.uuid4()}
    adult: dict = {**ADULT, "victim_id": uuid.uuid4()}
    submit(
        client,
        instance_xml("uxo_accident", accident_answers(child, adult), instance_id=original),
        auth=basic("surveyor-halo"),
    )

    submit(
        client,
        instance_xml(
            "uxo_accident", accident_answers(child), instance_id=edit, deprecated_id=original
        ),
        auth=basic("surveyor-halo"),
    )

    assert Victim.objects.get(pk=adult["victim_id"]).deleted_at is not None
    assert Victim.objects.get(pk=child["victim_id"]).deleted_at is None
    assert Assistance.objects.get(pk=child["assistance_id"]).deleted_at is None


def test_photos_sent_in_two_posts_reach_the_record(client: Client, make_user) -> None:
    make_user("surveyor-halo")
    instance = uuid.uuid4()
    site, ordnance = photo_bytes(1), photo_bytes(2)
    answers = accident_answers(
        ADULT, accident_photos=[{"accident_photo": "site.jpg"}, {"accident_photo": "bomblet.jpg"}]
    )
    xml = instance_xml("uxo_accident", answers, instance_id=instance)

    first = submit(client, xml, auth=basic("surveyor-halo"), files={"site.jpg": site})
    second = submit(client, xml, auth=basic("surveyor-halo"), files={"bomblet.jpg": ordnance})

    assert "Files not received yet: bomblet.jpg." in _message(first)
    assert "Files not received yet" not in _message(second)
    stored = Accident.objects.get(pk=instance)
    assert [p["sha256"] for p in stored.photos] == [sha256_of(site), sha256_of(ordnance)]
    assert [p["name"] for p in stored.photos] == ["site.jpg", "bomblet.jpg"]
    assert Attachment.objects.get(pk=sha256_of(site)).content_type == "image/jpeg"
    assert stored.version == 2


def test_a_file_of_another_type_is_named_in_the_answer_and_not_kept(
    client: Client, make_user
) -> None:
    make_user("surveyor-halo")
    answers = accident_answers(ADULT, accident_photos=[{"accident_photo": "notes.txt"}])

    response = submit(
        client,
        instance_xml("uxo_accident", answers, instance_id=uuid.uuid4()),
        auth=basic("surveyor-halo"),
        files={"notes.txt": b"plain text"},
    )

    assert response.status_code == 201
    assert "Files not accepted (only JPEG, PNG, WebP and PDF): notes.txt." in _message(response)
    assert not Attachment.objects.exists()


def test_an_invalid_record_is_kept_for_review_and_named_in_the_answer(
    client: Client, make_user
) -> None:
    make_user("surveyor-halo")
    instance = uuid.uuid4()

    response = submit(
        client,
        instance_xml(
            "uxo_accident", accident_answers(ADULT, district="0101"), instance_id=instance
        ),
        auth=basic("surveyor-halo"),
    )

    assert response.status_code == 201
    assert "NRA staff will review the accident" in _message(response)
    assert "not valid (district)" in _message(response)
    kept = InboxRecord.objects.get(record_id=str(instance))
    assert (kept.status, kept.payload["data"]["district"]) == ("rejected", "0101")


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"not xml at all", "not well-formed XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<data id="uxo_accident"><village>&b;</village></data>',
            "may not hold a DTD or entities",
        ),
        (b'<data id="uxo_accident"><meta><instanceID>42</instanceID></meta></data>', "instanceID"),
        (
            b"<data><meta><instanceID>uuid:"
            + b"0b5a9c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b"
            + b"</instanceID></meta></data>",
            "names no form",
        ),
    ],
)
def test_what_is_not_an_instance_is_400_and_stores_nothing(
    client: Client, make_user, body: bytes, why: str
) -> None:
    make_user("surveyor-halo")

    response = submit(client, body, auth=basic("surveyor-halo"))

    assert response.status_code == 400
    assert why in _message(response)
    assert not Submission.objects.exists()
    assert not SyncBatch.objects.exists()


def test_an_unknown_form_is_400_and_a_form_the_role_may_not_send_is_403(
    client: Client, make_user
) -> None:
    make_user("cope", role=Role.PARTNER, organisation="COPE")
    accident_xml = instance_xml("uxo_accident", accident_answers(ADULT), instance_id=uuid.uuid4())

    forbidden = submit(client, accident_xml, auth=basic("cope"))
    unknown = submit(
        client,
        accident_xml.replace(b'id="uxo_accident"', b'id="household_survey"'),
        auth=basic("cope"),
    )
    missing = client.post("/openrosa/submission", {"other": "x"}, **basic("cope"))

    assert forbidden.status_code == 403
    assert _message(forbidden) == "Your account may not send the form 'uxo_accident'."
    assert unknown.status_code == 400
    assert "no form 'household_survey'" in _message(unknown)
    assert missing.status_code == 400
    assert not Accident.objects.exists()


def test_nothing_personal_reaches_the_logs(client: Client, make_user, caplog) -> None:
    make_user("surveyor-halo")
    caplog.set_level(logging.DEBUG)

    submit(
        client,
        instance_xml("uxo_accident", accident_answers(CHILD), instance_id=uuid.uuid4()),
        auth=basic("surveyor-halo"),
    )

    assert "Somchai" not in caplog.text
    assert "Bounmy" not in caplog.text


def test_a_consent_document_pdf_is_kept_as_a_personal_attachment(client: Client, make_user) -> None:
    make_user("surveyor-halo")
    child: dict = {**CHILD, "victim_id": uuid.uuid4(), "consent_document": "consent.pdf"}
    document = pdf_bytes()

    submit(
        client,
        instance_xml("uxo_accident", accident_answers(child), instance_id=uuid.uuid4()),
        auth=basic("surveyor-halo"),
        files={"consent.pdf": document},
    )

    stored = Victim.objects.get(pk=child["victim_id"])
    assert stored.consent_document == [
        {"sha256": sha256_of(document), "name": "consent.pdf", "content_type": "application/pdf"}
    ]


def _accident_with_referral(client: Client) -> tuple[str, str]:
    child: dict = {**CHILD, "victim_id": uuid.uuid4(), "assistance_id": uuid.uuid4()}
    submit(
        client,
        instance_xml("uxo_accident", accident_answers(child), instance_id=uuid.uuid4()),
        auth=basic("surveyor-halo"),
    )
    return str(child["victim_id"]), str(child["assistance_id"])


def test_a_new_assistance_record_takes_the_instance_id(client: Client, make_user) -> None:
    make_user("surveyor-halo")
    victim_id, _referral = _accident_with_referral(client)
    instance = uuid.uuid4()
    answers = {
        "victim": victim_id,
        "pillar": "psychosocial",
        "service_type": "counselling",
        "provider_organisation": "HI",
        "status": "in_progress",
        "started_on": "2026-11-25",
        "quantity": "3",
        "unit": "sessions",
        "cost_lak": "150000",
        "notes": "Weekly at the district hospital.",
    }

    response = submit(
        client,
        instance_xml("uxo_assistance", answers, instance_id=instance),
        auth=basic("surveyor-halo"),
    )

    stored = Assistance.objects.get(pk=instance)
    assert response.status_code == 201
    assert _message(response) == "Received: 1 assistance record."
    assert (str(stored.victim_id), stored.status, str(stored.cost_lak), stored.unit) == (
        victim_id,
        "in_progress",
        "150000.00",
        "sessions",
    )


def test_a_partner_completes_a_referral_chosen_from_the_list(client: Client, make_user) -> None:
    make_user("surveyor-halo")
    make_user("cope", role=Role.PARTNER, organisation="COPE")
    victim_id, referral_id = _accident_with_referral(client)
    answers = {
        "victim": victim_id,
        "assistance_id": referral_id,
        "base_version": "1",
        "status": "completed",
        "started_on": "2026-11-26",
        "completed_on": "2026-12-01",
    }

    response = submit(
        client,
        instance_xml("uxo_assistance", answers, instance_id=uuid.uuid4()),
        auth=basic("cope"),
    )

    stored = Assistance.objects.get(pk=referral_id)
    assert response.status_code == 201
    assert (stored.status, stored.version, stored.pillar, stored.provider_organisation_id) == (
        "completed",
        2,
        "physical_rehabilitation",
        "COPE",
    )


def test_an_update_on_an_old_version_of_a_changed_status_is_a_conflict(
    client: Client, make_user, make_tablet
) -> None:
    make_user("surveyor-halo")
    make_user("cope", role=Role.PARTNER, organisation="COPE")
    victim_id, referral_id = _accident_with_referral(client)
    staff = make_tablet("nra-officer", role=Role.NRA_STAFF, organisation="NRA")
    staff.push_ok([assistance(victim_id, referral_id, base_version=1, status="cancelled")])
    answers = {
        "victim": victim_id,
        "assistance_id": referral_id,
        "base_version": "1",
        "status": "in_progress",
    }

    response = submit(
        client,
        instance_xml("uxo_assistance", answers, instance_id=uuid.uuid4()),
        auth=basic("cope"),
    )

    assert "NRA staff will review an assistance record" in _message(response)
    assert "(status)" in _message(response)
    assert Assistance.objects.get(pk=referral_id).status == "cancelled"


def test_a_partner_writing_for_a_victim_out_of_its_view_is_refused_and_kept(
    client: Client, make_user
) -> None:
    make_user("surveyor-halo")
    make_user("hi", role=Role.PARTNER, organisation="HI")
    victim_id, _referral = _accident_with_referral(client)  # referred to COPE, not HI
    instance = uuid.uuid4()
    answers = {
        "victim": victim_id,
        "pillar": "psychosocial",
        "provider_organisation": "HI",
        "status": "needed",
    }

    response = submit(
        client,
        instance_xml("uxo_assistance", answers, instance_id=instance),
        auth=basic("hi"),
    )

    assert response.status_code == 201
    assert "NRA staff will review an assistance record" in _message(response)
    assert not Assistance.objects.filter(pk=instance).exists()
    assert InboxRecord.objects.get(record_id=str(instance)).status == "rejected"


def test_collect_sending_no_language_is_answered_in_lao(client: Client, make_user) -> None:
    make_user("surveyor-halo")
    auth = {k: v for k, v in basic("surveyor-halo").items() if k != "HTTP_ACCEPT_LANGUAGE"}
    instance = uuid.uuid4()

    response = submit(
        client,
        instance_xml("uxo_accident", accident_answers(ADULT), instance_id=instance),
        auth=auth,
    )

    reference = Accident.objects.get(pk=instance).reference
    assert _message(response) == (
        f"ໄດ້ຮັບ: ອຸບັດຕິເຫດ 1 ຄັ້ງ, ຜູ້ເຄາະຮ້າຍ 1 ຄົນ. ເລກອ້າງອີງອຸບັດຕິເຫດ: {reference}."
    )


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'<?xml version="1.0" encoding="no-such"?><a/>', "encoding is not supported"),
        (
            b'<uxo_accident id="uxo_accident">' + b"<g>" * 500 + b"</g>" * 500 + b"</uxo_accident>",
            "deeper than 32 levels",
        ),
    ],
)
def test_hostile_xml_is_400(client: Client, make_user, body: bytes, why: str) -> None:
    make_user("surveyor-halo")

    response = submit(client, body, auth=basic("surveyor-halo"))

    assert response.status_code == 400
    assert why in _message(response)


def test_an_update_naming_no_record_id_is_400(client: Client, make_user) -> None:
    make_user("surveyor-halo")
    victim_id, _referral = _accident_with_referral(client)
    answers = {"victim": victim_id, "assistance_id": "x" * 100, "status": "completed"}

    response = submit(
        client,
        instance_xml("uxo_assistance", answers, instance_id=uuid.uuid4()),
        auth=basic("surveyor-halo"),
    )

    assert response.status_code == 400
    assert "not the id of an assistance record" in _message(response)


def test_an_edit_of_another_accounts_submission_is_409_and_changes_nothing(
    client: Client, make_user
) -> None:
    make_user("surveyor-halo")
    make_user("surveyor-halo-2")
    original = uuid.uuid4()
    submit(
        client,
        instance_xml("uxo_accident", accident_answers(ADULT), instance_id=original),
        auth=basic("surveyor-halo"),
    )

    response = submit(
        client,
        instance_xml(
            "uxo_accident",
            accident_answers(ADULT, village="Ban Taken"),
            instance_id=uuid.uuid4(),
            deprecated_id=original,
        ),
        auth=basic("surveyor-halo-2"),
    )

    assert response.status_code == 409
    assert "another account or another form" in _message(response)
    assert Accident.objects.get(pk=original).village == "Ban Nameuang"
