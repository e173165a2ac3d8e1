"""ODK Collect end to end over real HTTP against a live server: a Collect-like client
(tests/helpers/collect.py) downloads the generated forms, JavaRosa (the engine inside Collect) or
ODK Web Forms' xforms-engine fills them, and the client sends them as Collect does. The records
then reach tablets through the v1 pull exactly as if a tablet had pushed them."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from fieldsync.models import Role, SyncBatch, User
from odk.forms.build import form_definitions
from odk.models import Submission
from odk.services import collect_device_enrol
from tests.helpers.admin import pulled
from tests.helpers.attachments import noisy_jpeg
from tests.helpers.collect import CollectClient, DownloadedForm
from tests.helpers.sync import PASSWORD, Tablet, accident, assistance, victim
from tests.odk.clients.harness import Filled, JavaRosa, WebForms
from tests.odk.clients.instances import instance_uuid, read_instance

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.java]

ACCIDENT_ANSWERS: dict[str, Any] = {
    "occurred_on": "2026-11-18",
    "province": "LA-XI",
    "district": "0901",
    "village": "Ban Nameuang",
    "location": "19.45 103.2 1100.0 4.5",
    "classification": "civilian",
    "device_category": "cluster_submunition",
    "ordnance_type": "BLU-26",
    "activity": "farming",
    "description": "Hoe struck a bomblet while clearing the rice field.",
    "accident_photos": [{"accident_photo": "site.jpg"}],
    "victim": [
        {
            "outcome": "injured",
            "sex": "male",
            "age_years": 12,
            "age_estimated": "no",
            "role": "handler",
            "injuries": ["hand_fingers", "burns"],
            "consent": "guardian",
            "full_name": "Somchai K.",
            "guardian_name": "Bounmy K.",
            "referral": "yes",
            "pillar": "physical_rehabilitation",
            "service_type": "prosthesis",
            "provider_organisation": "COPE",
        },
        {
            "outcome": "killed",
            "sex": "female",
            "age_years": 41,
            "age_estimated": "yes",
            "consent": "none",
            "referral": "no",
        },
    ],
}

# The same accident as a tablet would push it (tests.helpers.sync builders).
PUSHED_ACCIDENT = {
    "occurred_on": "2026-11-18",
    "date_precision": "day",
    "time_of_day": "unknown",
    "province": "LA-XI",
    "district": "0901",
    "village": "Ban Nameuang",
    "latitude": 19.45,
    "longitude": 103.2,
    "location_accuracy_m": 4.5,
    "classification": "civilian",
    "device_category": "cluster_submunition",
    "ordnance_type": "BLU-26",
    "activity": "farming",
    "ordnance_moved_before": "unknown",
    "prior_risk_education": "unknown",
    "description": "Hoe struck a bomblet while clearing the rice field.",
}
PUSHED_CHILD = {
    "outcome": "injured",
    "sex": "male",
    "age_years": 12,
    "age_estimated": False,
    "civilian_status": "civilian",
    "role": "handler",
    "injuries": ["hand_fingers", "burns"],
    "consent": "guardian",
    "full_name": "Somchai K.",
    "guardian_name": "Bounmy K.",
}
PUSHED_ADULT = {
    "outcome": "killed",
    "sex": "female",
    "age_years": 41,
    "age_estimated": True,
    "civilian_status": "civilian",
    "role": "unknown",
    "injuries": [],
    "consent": "none",
    "full_name": "",
    "guardian_name": "",
}
REFERRAL = {
    "pillar": "physical_rehabilitation",
    "service_type": "prosthesis",
    "provider_organisation": "COPE",
    "status": "referred",
}
FOLLOW_UP = {
    "pillar": "medical_care",
    "service_type": "surgery",
    "provider_organisation": "COPE",
    "status": "completed",
    "started_on": "2026-11-19",
    "completed_on": "2026-11-21",
    "notes": "Wound closed; to be seen again in a month.",
}
RECEIVED = (
    "Received: 1 accident, 2 victims, 1 assistance record. Accident reference: LA-XI-2026-0001."
)
LAO_SCRIPT = re.compile("[\u0e80-\u0eff]")


@dataclass
class Phone:
    """A surveyor's phone: Collect configured with a server URL, a folder for its files."""

    client: CollectClient
    folder: Path
    photos: Path
    downloads: int = 0

    def download(self) -> dict[str, DownloadedForm]:
        self.downloads += 1
        return self.client.download_all(self.folder / f"forms-{self.downloads}")


@pytest.fixture
def surveyor(make_tablet: Callable[..., Tablet]) -> Tablet:
    """The surveyor's tablet (its pulls show what reached the server)."""
    return make_tablet("surveyor-halo")


@pytest.fixture
def open_phone(live_server: Any, tmp_path: Path, photo: bytes) -> Iterator[Callable[..., Phone]]:
    clients: list[CollectClient] = []
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "site.jpg").write_bytes(photo)

    def open_(
        username: str | None = None, *, path: str = "/openrosa/", language: str | None = "en"
    ) -> Phone:
        password = PASSWORD if username else None
        client = CollectClient(f"{live_server.url}{path}", username, password, language=language)
        clients.append(client)
        return Phone(client, tmp_path / f"phone-{len(clients)}", photos)

    yield open_
    for client in clients:
        client.close()


@pytest.fixture
def phone(open_phone: Callable[..., Phone], surveyor: Tablet) -> Phone:
    return open_phone(surveyor.user.username)


def _path(url: str) -> str:
    return urlsplit(url).path


def _submit(phone: Phone, filled: Filled) -> Any:
    return phone.client.submit(filled.xml, filled.attachments, filename=filled.xml_filename)


def _fill_accident(phone: Phone, javarosa: JavaRosa, **options: Any) -> tuple[Filled, Any]:
    form = phone.download()["uxo_accident"]
    filled = javarosa.fill(
        form.xml_path, form.media_dir, ACCIDENT_ANSWERS, files_dir=phone.photos, **options
    )
    return filled, _submit(phone, filled)


def _ids(filled: Filled) -> dict[str, Any]:
    """The accident id and the victims' and referrals' ids that the instance carries."""
    _, _, values = read_instance(filled.xml, "victim", "accident_photos", "victim_photos")
    return {
        "accident": instance_uuid(values["meta"]["instanceID"]),
        "victims": [v["victim_id"] for v in values["victim"]],
        "referrals": [v["assistance_id"] for v in values["victim"]],
    }


def _without(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in names}


def test_a_surveyor_downloads_both_forms_after_the_basic_challenge(phone: Phone) -> None:
    # given Collect configured with the server URL, a username and a password
    # when it fetches the form list and downloads every form and media file
    forms = phone.download()

    # then it asked without credentials, was challenged once, and sent Basic from then on
    exchanges = [
        (e.method, _path(e.url), e.status, e.sent_credentials) for e in phone.client.exchanges
    ]
    assert exchanges == [
        ("GET", "/openrosa/formList", 401, False),
        ("GET", "/openrosa/formList", 200, True),
        ("GET", "/openrosa/forms/uxo_accident/form.xml", 200, True),
        ("GET", "/openrosa/forms/uxo_assistance/form.xml", 200, True),
        ("GET", "/openrosa/forms/uxo_assistance/manifest", 200, True),
        ("GET", "/openrosa/forms/uxo_assistance/media/victims.csv", 200, True),
        ("GET", "/openrosa/forms/uxo_assistance/media/assistance.csv", 200, True),
    ]
    assert {e.openrosa_version for e in phone.client.exchanges} == {"1.0"}
    # and it holds both forms at the generator's versions, media only for the assistance form
    served = form_definitions()
    assert {form_id: form.entry.version for form_id, form in forms.items()} == {
        "uxo_accident": served["uxo_accident"].version,
        "uxo_assistance": served["uxo_assistance"].version,
    }
    assert forms["uxo_accident"].entry.manifest_url is None
    assert [m.filename for m in forms["uxo_assistance"].media] == ["victims.csv", "assistance.csv"]
    assert forms["uxo_assistance"].media_md5 == {
        m.filename: m.hash for m in forms["uxo_assistance"].media
    }
    assert forms["uxo_assistance"].media_bytes("victims.csv") == b"name,label,accident\n"


def test_the_listed_hash_is_the_md5_of_the_form_served(phone: Phone) -> None:
    # given the forms downloaded
    forms = phone.download()

    # when Collect compares the next form list's hashes with the md5 of the files it holds
    # then every form is up to date (no "update available" for a form just downloaded)
    assert {form_id: form.md5 for form_id, form in forms.items()} == {
        form_id: form.entry.hash for form_id, form in forms.items()
    }
    assert all(form.up_to_date for form in forms.values())


def test_a_javarosa_accident_reaches_tablets_exactly_as_pushed_records(
    phone: Phone,
    surveyor: Tablet,
    make_tablet: Callable[..., Tablet],
    javarosa: JavaRosa,
    photo: bytes,
) -> None:
    # given the same accident pushed by a colleague's tablet
    colleague = make_tablet("surveyor-halo-2")
    pushed_accident = accident(**PUSHED_ACCIDENT)
    pushed = [
        pushed_accident,
        victim(pushed_accident["id"], **PUSHED_CHILD),
        victim(pushed_accident["id"], **PUSHED_ADULT),
    ]
    pushed.append(assistance(pushed[1]["id"], **REFERRAL))
    assert [r["status"] for r in colleague.push_ok(pushed)] == ["applied"] * 4

    # when JavaRosa fills uxo_accident with two victims (the child referred) and a photo,
    # and Collect sends it
    filled, answer = _fill_accident(phone, javarosa)

    # then Collect asked first where and how much to send, and the server stored it
    sent = [(e.method, _path(e.url), e.status) for e in phone.client.exchanges[-2:]]
    assert sent == [("HEAD", "/openrosa/submission", 204), ("POST", "/openrosa/submission", 201)]
    assert answer.accept_content_length == settings.FIELDSYNC["ODK_SUBMISSION_MAX_BYTES"]
    assert (answer.status, answer.nature) == (201, "submit_success")
    assert answer.message == RECEIVED.replace("0001", "0002")
    # and the tablet pulls an accident named by the instanceID, the victims and the referral
    # by their calculated ids
    ids = _ids(filled)
    changes, _ = surveyor.pull_all()
    accidents = pulled(changes, "accident")
    victims = pulled(changes, "victim")
    referrals = pulled(changes, "assistance")
    assert set(accidents) == {ids["accident"], pushed_accident["id"]}
    assert set(victims) == {*ids["victims"], pushed[1]["id"], pushed[2]["id"]}
    assert set(referrals) == {ids["referrals"][0], pushed[3]["id"]}
    # and each record holds what the tablet's holds (ids, reference and the photo aside)
    odk = accidents[ids["accident"]]["data"]
    tablet = accidents[pushed_accident["id"]]["data"]
    assert _without(odk, "reference", "photos") == _without(tablet, "reference", "photos")
    assert odk["photos"] == [
        {
            "sha256": hashlib.sha256(photo).hexdigest(),
            "name": "site.jpg",
            "content_type": "image/jpeg",
        }
    ]
    for odk_id, pushed_record in zip(ids["victims"], pushed[1:3], strict=True):
        assert victims[odk_id]["data"]["accident"] == ids["accident"]
        assert _without(victims[odk_id]["data"], "accident") == _without(
            victims[pushed_record["id"]]["data"], "accident"
        )
    referral = referrals[ids["referrals"][0]]["data"]
    assert referral["victim"] == ids["victims"][0]
    assert _without(referral, "victim") == _without(referrals[pushed[3]["id"]]["data"], "victim")
    assert {
        c["version"] for c in changes if c["model"] in ("accident", "victim", "assistance")
    } == {1}


def test_a_resend_answers_201_and_changes_nothing(
    phone: Phone, surveyor: Tablet, javarosa: JavaRosa
) -> None:
    # given an accident sent once, whose answer Collect never received
    filled, first = _fill_accident(phone, javarosa)
    _, cursor = surveyor.pull_all()
    batches = SyncBatch.objects.count()

    # when Collect sends the same instance again
    again = _submit(phone, filled)

    # then it answers as before, and nothing is stored twice nor changed
    assert (again.status, again.message) == (201, first.message) == (201, RECEIVED)
    assert Submission.objects.count() == 1
    assert SyncBatch.objects.count() == batches
    assert surveyor.pull_all(cursor)[0] == []


def test_the_same_instance_id_with_other_content_is_a_409(
    phone: Phone, surveyor: Tablet, javarosa: JavaRosa
) -> None:
    # given an accident sent
    filled, _ = _fill_accident(phone, javarosa)
    _, cursor = surveyor.pull_all()

    # when another content arrives under its instanceID
    changed = filled.xml.replace("Ban Nameuang", "Ban Other")
    answer = phone.client.submit(changed, filled.attachments)

    # then it is refused with an OpenRosa message, and nothing changed
    assert answer.status == 409
    assert answer.message == (
        "A different form was already sent with this instance ID; nothing was changed. "
        "Ask NRA staff to check it."
    )
    assert surveyor.pull_all(cursor)[0] == []


def test_photos_over_the_size_limit_arrive_in_two_posts(
    phone: Phone, surveyor: Tablet, javarosa: JavaRosa, settings: Any
) -> None:
    # given an accident with photos of the site and of the ordnance
    site, ordnance = noisy_jpeg(320, 240, seed=2), noisy_jpeg(320, 240, seed=3)
    (phone.photos / "site.jpg").write_bytes(site)
    (phone.photos / "ordnance.jpg").write_bytes(ordnance)
    form = phone.download()["uxo_accident"]
    photos = [{"accident_photo": "site.jpg"}, {"accident_photo": "ordnance.jpg"}]
    filled = javarosa.fill(
        form.xml_path,
        form.media_dir,
        {**ACCIDENT_ANSWERS, "accident_photos": photos},
        files_dir=phone.photos,
    )
    # and a server that takes the instance with one photo per request, not two
    limit = len(filled.xml.encode()) + max(len(site), len(ordnance)) + 4096
    settings.FIELDSYNC = {**settings.FIELDSYNC, "ODK_SUBMISSION_MAX_BYTES": limit}

    # when Collect sends it
    answer = _submit(phone, filled)

    # then it split the files over two POSTs, each with the instance, both accepted
    assert answer.posts == 2
    assert [(e.method, e.status) for e in phone.client.exchanges[-3:]] == [
        ("HEAD", 204),
        ("POST", 201),
        ("POST", 201),
    ]
    assert answer.accept_content_length == limit
    # and the accident holds both photos, from one submission
    stored = pulled(surveyor.pull_all()[0], "accident")[_ids(filled)["accident"]]["data"]
    assert [photo["sha256"] for photo in stored["photos"]] == [
        hashlib.sha256(site).hexdigest(),
        hashlib.sha256(ordnance).hexdigest(),
    ]
    assert Submission.objects.count() == 1


def test_an_edit_with_deprecated_id_merges_with_a_change_made_meanwhile(
    phone: Phone, surveyor: Tablet, javarosa: JavaRosa
) -> None:
    # given an accident sent from Collect, then its description corrected from a tablet
    filled, _ = _fill_accident(phone, javarosa)
    ids = _ids(filled)
    corrected = accident(ids["accident"], base_version=1, **PUSHED_ACCIDENT)
    corrected["data"]["description"] = "Bomblet hit with a hoe; the farmer's son was handling it."
    assert surveyor.push_ok([corrected])[0]["status"] == "applied"
    _, cursor = surveyor.pull_all()

    # when the surveyor edits the sent form in Collect (another village, the adult's age)
    form = phone.download()["uxo_accident"]
    edited = javarosa.fill(
        form.xml_path,
        form.media_dir,
        {"village": "Ban Phonsavan", "victim": [{}, {"age_years": 42}]},
        previous=filled.xml,
        files_dir=phone.photos,
    )
    answer = _submit(phone, edited)

    # then the edit names the sent instance as deprecated, under a new instanceID
    _, _, meta = read_instance(edited.xml, "victim", "accident_photos", "victim_photos")
    assert meta["meta"]["deprecatedID"] == f"uuid:{ids['accident']}"
    assert instance_uuid(meta["meta"]["instanceID"]) != ids["accident"]
    assert answer.status == 201
    # and the same records change: both the tablet's description and the edit's village stay
    changes, _ = surveyor.pull_all(cursor)
    assert sorted((c["model"], c["id"], c["version"]) for c in changes) == sorted(
        [("accident", ids["accident"], 3), ("victim", ids["victims"][1], 2)]
    )
    merged = pulled(changes, "accident")[ids["accident"]]["data"]
    assert (merged["village"], merged["description"]) == (
        "Ban Phonsavan",
        corrected["data"]["description"],
    )
    assert pulled(changes, "victim")[ids["victims"][1]]["data"]["age_years"] == 42
    assert Submission.objects.count() == 2


def test_a_follow_up_assistance_for_a_victim_chosen_from_victims_csv(
    phone: Phone, surveyor: Tablet, javarosa: JavaRosa
) -> None:
    # given an accident sent, and the forms downloaded again (victims.csv changed)
    filled, _ = _fill_accident(phone, javarosa)
    ids = _ids(filled)
    form = phone.download()["uxo_assistance"]

    # when JavaRosa fills uxo_assistance for the child, chosen in the list of victims.csv
    follow_up = javarosa.fill(
        form.xml_path, form.media_dir, {"victim": ids["victims"][0], **FOLLOW_UP}
    )
    answer = _submit(phone, follow_up)

    # then the choices were the surveyor's victims, labelled without a name
    assert follow_up.choices["victim"] == {
        ids["victims"][1]: "LA-XI-2026-0001 · Female · 41 years · Ban Nameuang",
        ids["victims"][0]: "LA-XI-2026-0001 · Male · 12 years · Ban Nameuang",
    }
    # and a new assistance record for that victim is named by the instanceID
    assert (answer.status, answer.message) == (201, "Received: 1 assistance record.")
    record_id = instance_uuid(read_instance(follow_up.xml)[2]["meta"]["instanceID"])
    changes, _ = surveyor.pull_all()
    record = pulled(changes, "assistance")[record_id]
    assert record["version"] == 1
    assert record["data"] == {
        "victim": ids["victims"][0],
        "pillar": "medical_care",
        "service_type": "surgery",
        "provider_organisation": "COPE",
        "status": "completed",
        "started_on": "2026-11-19",
        "completed_on": "2026-11-21",
        "quantity": None,
        "unit": "",
        "cost_lak": None,
        "notes": "Wound closed; to be seen again in a month.",
        "documents": [],
    }


def test_a_partner_gets_only_uxo_assistance_and_no_personal_field(
    phone: Phone,
    javarosa: JavaRosa,
    make_user: Callable[..., Any],
    open_phone: Callable[..., Phone],
) -> None:
    # given an accident whose child victim (named) is referred to COPE
    filled, _ = _fill_accident(phone, javarosa)
    ids = _ids(filled)
    make_user("partner-cope", role=Role.PARTNER, organisation="COPE")

    # when COPE's Collect downloads its forms
    partner = open_phone("partner-cope")
    forms = partner.download()

    # then it lists uxo_assistance only, and victims.csv holds the referred child, no name
    assert list(forms) == ["uxo_assistance"]
    victims_csv = forms["uxo_assistance"].media_bytes("victims.csv").decode()
    assert victims_csv.splitlines() == [
        "name,label,accident",
        f"{ids['victims'][0]},LA-XI-2026-0001 · Male · 12 years · Ban Nameuang,{ids['accident']}",
    ]
    everything = b"".join(p.read_bytes() for p in partner.folder.rglob("*") if p.is_file())
    for personal in ("Somchai", "Bounmy"):
        assert personal.encode() not in everything
    # and an accident form sent from the partner's phone is refused, nothing stored
    refused = partner.client.submit(filled.xml.replace(ids["accident"], ids["referrals"][1]), {})
    assert (refused.status, refused.message) == (
        403,
        "Your account may not send the form 'uxo_accident'.",
    )
    assert Submission.objects.count() == 1


def test_a_partner_updates_the_referral_chosen_from_assistance_csv(
    phone: Phone,
    surveyor: Tablet,
    javarosa: JavaRosa,
    make_user: Callable[..., Any],
    open_phone: Callable[..., Phone],
) -> None:
    # given a child referred to COPE from Collect, and COPE's phone with the forms
    filled, _ = _fill_accident(phone, javarosa)
    ids = _ids(filled)
    _, cursor = surveyor.pull_all()
    make_user("partner-cope", role=Role.PARTNER, organisation="COPE")
    partner = open_phone("partner-cope")
    form = partner.download()["uxo_assistance"]

    # when COPE chooses the child, then the referral among that child's records, and starts it
    update = javarosa.fill(
        form.xml_path,
        form.media_dir,
        {
            "victim": ids["victims"][0],
            "assistance_id": ids["referrals"][0],
            "status": "in_progress",
            "started_on": "2026-11-25",
        },
    )
    answer = _submit(partner, update)

    # then the form offered only that child's referral and took its version from the CSV
    assert list(update.choices["assistance_id"]) == [ids["referrals"][0]]
    assert read_instance(update.xml)[2]["base_version"] == "1"
    # and the referral itself moved on, nothing else of it changed
    assert (answer.status, answer.message) == (201, "Received: 1 assistance record.")
    changes, _ = surveyor.pull_all(cursor)
    assert [(c["model"], c["id"], c["version"]) for c in changes] == [
        ("assistance", ids["referrals"][0], 2)
    ]
    assert changes[0]["data"] == {
        "victim": ids["victims"][0],
        **REFERRAL,
        "status": "in_progress",
        "started_on": "2026-11-25",
        "completed_on": None,
        "quantity": None,
        "unit": "",
        "cost_lak": None,
        "notes": "",
        "documents": [],
    }


def test_a_token_url_needs_no_password(
    open_phone: Callable[..., Phone], surveyor: Tablet, javarosa: JavaRosa
) -> None:
    # given Collect configured with a Collect device's token URL (the QR code), no username
    staff = User.objects.create_user(username="nra-enroller", password=PASSWORD)
    enrolment = collect_device_enrol(user=surveyor.user, name="Khamla's phone", by=staff)
    phone = open_phone(path=f"/openrosa/key/{enrolment.token}/")

    # when it downloads the forms and sends an accident
    filled, answer = _fill_accident(phone, javarosa)

    # then no request was challenged, none carried a password, and the accident arrived
    assert {(e.status, e.sent_credentials) for e in phone.client.exchanges} <= {
        (200, False),
        (201, False),
        (204, False),
    }
    assert answer.status == 201
    assert surveyor.pull_all()[0] and _ids(filled)["accident"] in pulled(
        surveyor.pull_all()[0], "accident"
    )


def test_a_surveyor_fills_the_accident_in_lao(
    open_phone: Callable[..., Phone], surveyor: Tablet, javarosa: JavaRosa
) -> None:
    # given Collect as it is, sending no Accept-Language (the server's default is Lao)
    phone = open_phone(surveyor.user.username, language=None)

    # when JavaRosa shows the accident form in Lao (lo) and Collect sends it
    filled, answer = _fill_accident(phone, javarosa, language="Lao (lo)")

    # then the form offered Lao and the province, district and choices read in Lao script
    assert filled.languages == ["English (en)", "Lao (lo)"]
    assert filled.language == "Lao (lo)"
    assert (filled.labels["province"], filled.labels["district"]) == ("ແຂວງ", "ເມືອງ")
    assert filled.choices["province"]["LA-XI"] == "ຊຽງຂວາງ"
    assert filled.choices["sex"] == {"male": "ຊາຍ", "female": "ຍິງ", "unknown": "ບໍ່ຮູ້"}
    # and the data stored is the same as in English
    assert answer.status == 201
    ids = _ids(filled)
    stored = pulled(surveyor.pull_all()[0], "accident")[ids["accident"]]["data"]
    assert stored["village"] == "Ban Nameuang"
    # and victims.csv, built in the server's default language, names the victims' sex in Lao
    follow_up = phone.download()["uxo_assistance"]
    shown = javarosa.fill(
        follow_up.xml_path,
        follow_up.media_dir,
        {"victim": ids["victims"][0], **FOLLOW_UP},
        language="Lao (lo)",
    )
    assert {key: label.split(" · ")[1] for key, label in shown.choices["victim"].items()} == {
        ids["victims"][0]: "ຊາຍ",
        ids["victims"][1]: "ຍິງ",
    }
    assert shown.labels["victim"] == "ຜູ້ເຄາະຮ້າຍ"


def test_every_question_and_the_answer_are_in_lao(
    open_phone: Callable[..., Phone], surveyor: Tablet, javarosa: JavaRosa
) -> None:
    # given Collect in Lao, sending no Accept-Language
    phone = open_phone(surveyor.user.username, language=None)

    # when JavaRosa walks the accident form in Lao and Collect sends it
    filled, answer = _fill_accident(phone, javarosa, language="Lao (lo)")

    # then no question was shown in English, and the server's answer is in Lao
    english = [name for name, label in filled.labels.items() if not LAO_SCRIPT.search(label or "")]
    assert english == []
    assert LAO_SCRIPT.search(answer.message or "")


@pytest.mark.node
def test_xforms_engine_fills_and_sends_both_forms(
    phone: Phone, surveyor: Tablet, webforms: WebForms, photo: bytes
) -> None:
    # given the forms downloaded
    forms = phone.download()
    accident_form = forms["uxo_accident"]

    # when ODK Web Forms' engine fills the accident and the client sends its payload
    filled = webforms.fill(
        accident_form.xml_path, accident_form.media_dir, ACCIDENT_ANSWERS, files_dir=phone.photos
    )
    answer = _submit(phone, filled)

    # then the server stored it as it does JavaRosa's instance
    assert (answer.status, answer.message) == (201, RECEIVED)
    assert filled.attachments == {"site.jpg": photo}
    ids = _ids(filled)
    changes, cursor = surveyor.pull_all()
    assert set(pulled(changes, "victim")) == set(ids["victims"])
    stored = pulled(changes, "accident")[ids["accident"]]["data"]
    assert (
        _without(
            stored,
            "reference",
            "photos",
            "reporting_organisation",
            "reported_on",
            "status",
            "merged_into",
            "killed",
            "injured",
        )
        == PUSHED_ACCIDENT
    )
    assert stored["photos"][0]["sha256"] == hashlib.sha256(photo).hexdigest()

    # when it fills a follow-up for the child from the new victims.csv
    assistance_form = phone.download()["uxo_assistance"]
    follow_up = webforms.fill(
        assistance_form.xml_path,
        assistance_form.media_dir,
        {"victim": ids["victims"][0], **FOLLOW_UP},
    )
    second = _submit(phone, follow_up)

    # then that record arrives too
    assert (second.status, second.message) == (201, "Received: 1 assistance record.")
    record_id = instance_uuid(read_instance(follow_up.xml)[2]["meta"]["instanceID"])
    assert (
        pulled(surveyor.pull_all(cursor)[0], "assistance")[record_id]["data"]["victim"]
        == (ids["victims"][0])
    )


@pytest.mark.node
def test_an_xforms_engine_edit_keeps_the_photo_the_original_sent(
    phone: Phone, surveyor: Tablet, webforms: WebForms, photo: bytes
) -> None:
    # given an accident with a photo filled and sent from ODK Web Forms' engine
    form = phone.download()["uxo_accident"]
    first = webforms.fill(form.xml_path, form.media_dir, ACCIDENT_ANSWERS, files_dir=phone.photos)
    assert _submit(phone, first).status == 201
    ids = _ids(first)
    _, cursor = surveyor.pull_all()

    # when it is edited there (the engine's edit mode) and sent again, the photo not resent
    edited = webforms.fill(
        form.xml_path, form.media_dir, {"village": "Ban Phonsavan"}, previous=first.xml
    )
    answer = _submit(phone, edited)

    # then the edit names the original as deprecated and sends the instance alone
    _, _, values = read_instance(edited.xml, "victim", "accident_photos", "victim_photos")
    assert values["meta"]["deprecatedID"] == f"uuid:{ids['accident']}"
    assert edited.attachments == {}
    # and the accident changed village and kept its photo
    assert (answer.status, answer.message) == (201, RECEIVED)
    stored = pulled(surveyor.pull_all(cursor)[0], "accident")[ids["accident"]]["data"]
    assert stored["village"] == "Ban Phonsavan"
    assert [p["sha256"] for p in stored["photos"]] == [hashlib.sha256(photo).hexdigest()]
