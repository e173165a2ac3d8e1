"""Sync push over HTTP: every outcome and rule of the contract's Push section."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import override_settings

from accidents.models import Accident
from fieldsync.models import Conflict, InboxRecord, RecordVersion, SyncBatch
from tests.helpers.sync import Tablet, accident, assistance, delete, victim
from victims.models import Assistance, Victim

pytestmark = pytest.mark.django_db


def test_new_records_are_applied_at_version_1_with_history_and_inbox(tablet: Tablet) -> None:
    a = accident()
    v = victim(a["id"])
    s = assistance(v["id"])

    results = tablet.push_ok([s, v, a])  # order inside a batch does not matter

    assert [(r["model"], r["id"], r["status"], r["version"]) for r in results] == [
        ("assistance", s["id"], "applied", 1),
        ("victim", v["id"], "applied", 1),
        ("accident", a["id"], "applied", 1),
    ]
    stored = Accident.objects.get(pk=a["id"])
    assert stored.reference == f"LA-XI-{stored.created_at.year}-0001"
    assert (stored.version, stored.status, stored.reporting_organisation_id) == (
        1,
        "reported",
        "HALO",
    )
    assert Victim.objects.get(pk=v["id"]).accident_id == uuid.UUID(a["id"])
    assert Assistance.objects.get(pk=s["id"]).provider_organisation_id == "COPE"
    versions = RecordVersion.objects.filter(record_id=a["id"])
    assert [(h.version, h.op, h.device_id) for h in versions] == [
        (1, "create", tablet.user.devices.get().pk)
    ]
    assert versions[0].data["reference"] == stored.reference
    assert versions[0].recorded_at.isoformat() == "2026-11-20T01:15:00+00:00"
    assert InboxRecord.objects.filter(status="applied").count() == 3


def test_replayed_batch_returns_the_stored_response_and_changes_nothing(tablet: Tablet) -> None:
    body = tablet.envelope([accident()])
    first = tablet.push_raw(json.dumps(body))
    counts = (Accident.objects.count(), RecordVersion.objects.count(), InboxRecord.objects.count())

    again = tablet.push_raw(json.dumps(body, indent=2))  # same content, other formatting

    assert again.status_code == 200
    assert again.json() == first.json()
    assert (
        Accident.objects.count(),
        RecordVersion.objects.count(),
        InboxRecord.objects.count(),
    ) == counts


def test_same_batch_id_with_other_content_is_refused(tablet: Tablet) -> None:
    batch_id = str(uuid.uuid4())
    tablet.push_ok([accident()], batch_id=batch_id)

    response = tablet.push([accident()], batch_id=batch_id)

    assert response.status_code == 409
    assert response.json()["code"] == "batch_id_reused"
    assert Accident.objects.count() == 1


def test_lost_response_then_the_whole_batch_resent_gives_one_row_per_record(
    tablet: Tablet,
) -> None:
    records = [accident() for _ in range(3)]
    batch_id = str(uuid.uuid4())
    tablet.push_ok(records, batch_id=batch_id)  # the tablet never saw this response

    results = tablet.push_ok(records, batch_id=batch_id)

    assert {r["status"] for r in results} == {"applied"}
    assert Accident.objects.count() == 3
    assert SyncBatch.objects.count() == 1


def test_a_batch_whose_reconcile_failed_keeps_its_records_and_is_reconciled_on_retry(
    tablet: Tablet, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fieldsync.services.reconcile import Reconciler

    sent = accident()
    body = tablet.envelope([sent])

    def worker_died(self: Reconciler, items: object) -> None:
        raise RuntimeError("the worker died")

    with monkeypatch.context() as patch:
        patch.setattr(Reconciler, "run", worker_died)
        failed = tablet.push_raw(json.dumps(body))
        assert (failed.status_code, failed.json()["code"]) == (500, "server_error")

    batch = SyncBatch.objects.get(batch_id=body["batch_id"])
    assert batch.status == SyncBatch.Status.RECEIVED  # the inbox was committed, as sent
    assert [(r.status, r.payload) for r in batch.records.all()] == [("pending", sent)]
    assert Accident.objects.count() == 0

    response = tablet.push_raw(json.dumps(body))

    assert response.json()["results"][0]["status"] == "applied"
    assert Accident.objects.count() == 1
    assert InboxRecord.objects.get().status == "applied"


def test_one_invalid_record_among_500_valid_ones_is_rejected_alone(tablet: Tablet) -> None:
    records = [accident() for _ in range(500)]
    bad = accident(district="0101")  # Chanthabuly is in Vientiane Capital, not Xiengkhouang
    records.insert(250, bad)

    results = tablet.push_ok(records)

    assert results[250] == {
        "model": "accident",
        "id": bad["id"],
        "status": "rejected",
        "code": "invalid",
        "errors": {"district": ["District 0101 is not in province LA-XI."]},
    }
    assert sum(r["status"] == "applied" for r in results) == 500
    assert Accident.objects.count() == 500
    kept = InboxRecord.objects.get(record_id=bad["id"])
    assert (kept.status, kept.payload) == ("rejected", bad)


def test_victim_before_its_accident_is_held_then_applied_when_another_device_sends_it(
    make_tablet,
) -> None:
    first, second = make_tablet("first"), make_tablet("second")
    a = accident()
    v = victim(a["id"])
    s = assistance(v["id"])

    held = first.push_ok([v, s])

    assert [r["status"] for r in held] == ["held", "held"]
    assert held[0]["waiting_for"] == {"model": "accident", "id": a["id"]}
    assert not Victim.objects.exists()

    second.push_ok([a])

    assert Victim.objects.filter(pk=v["id"], version=1).exists()
    assert Assistance.objects.filter(pk=s["id"], victim_id=v["id"]).exists()
    assert set(
        InboxRecord.objects.filter(record_id__in=[v["id"], s["id"]]).values_list(
            "status", flat=True
        )
    ) == {"applied"}
    history = RecordVersion.objects.get(record_id=v["id"])
    assert history.device.user.username == "first"  # the sender, not the device that released it


def test_held_record_deleted_by_its_device_never_comes_back(make_tablet) -> None:
    tablet = make_tablet()
    a = accident()
    v = victim(a["id"])
    tablet.push_ok([v])

    assert tablet.push_ok([delete("victim", v["id"], None)])[0]["status"] == "unchanged"
    tablet.push_ok([a])

    assert not Victim.objects.exists()
    assert (
        InboxRecord.objects.get(
            record_id=v["id"], batch__record_count=1, payload__op="upsert"
        ).status
        == "discarded"
    )


def _server_edit(tablet: Tablet, record: dict, version: int, **fields) -> None:
    edit = {
        "model": "accident",
        "id": record["id"],
        "op": "upsert",
        "base_version": version,
        "data": fields,
    }  # a partial upsert: only the fields this edit changed
    result = tablet.push_ok([edit])[0]
    assert result["status"] == "applied", result


def test_edit_of_version_1_while_server_is_at_3_without_overlap_is_merged(make_tablet) -> None:
    office, field = make_tablet("office"), make_tablet("field")
    a = accident()
    office.push_ok([a])
    _server_edit(office, a, 1, village="Ban Phonsavan")
    _server_edit(office, a, 2, description="Reported by the village chief")

    result = field.push_ok([accident(a["id"], base_version=1, activity="digging")])[0]

    assert (result["status"], result["version"]) == ("merged", 4)
    assert result["data"]["activity"] == "digging"
    assert result["data"]["village"] == "Ban Phonsavan"
    assert result["data"]["description"] == "Reported by the village chief"
    assert not Conflict.objects.exists()


def test_edit_of_version_1_while_server_is_at_3_with_overlap_is_a_conflict(make_tablet) -> None:
    office, field = make_tablet("office"), make_tablet("field")
    a = accident()
    office.push_ok([a])
    _server_edit(office, a, 1, village="Ban Phonsavan")
    _server_edit(office, a, 2, description="Two children were hurt")

    result = field.push_ok(
        [accident(a["id"], base_version=1, village="Ban Nam Ngum", activity="digging")]
    )[0]

    assert (result["status"], result["version"], result["conflict_fields"]) == (
        "conflict",
        4,
        ["village"],
    )
    stored = Accident.objects.get(pk=a["id"])
    assert (stored.village, stored.activity, stored.version) == ("Ban Phonsavan", "digging", 4)
    conflict = Conflict.objects.get()
    assert (conflict.kind, conflict.status, conflict.base_version, conflict.server_version) == (
        "fields",
        "open",
        1,
        4,
    )
    assert conflict.fields == {
        "village": {"base": "Ban Nameuang", "server": "Ban Phonsavan", "tablet": "Ban Nam Ngum"}
    }


def test_delete_racing_an_edit_is_a_conflict_and_the_record_stays(make_tablet) -> None:
    office, field = make_tablet("office"), make_tablet("field")
    a = accident()
    office.push_ok([a])
    _server_edit(office, a, 1, village="Ban Phonsavan")

    result = field.push_ok([delete("accident", a["id"], 1)])[0]

    assert (result["status"], result["version"]) == ("conflict", 2)
    assert not Accident.objects.get(pk=a["id"]).is_deleted
    assert Conflict.objects.get().kind == "delete"


def test_delete_then_late_upload_never_resurrects(make_tablet) -> None:
    office, field = make_tablet("office"), make_tablet("field")
    a = accident()
    office.push_ok([a])
    assert office.push_ok([delete("accident", a["id"], 1)])[0] == {
        "model": "accident",
        "id": a["id"],
        "status": "applied",
        "version": 2,
    }

    late = field.push_ok([accident(a["id"], base_version=1, village="Ban Na")])[0]

    assert (late["status"], late["deleted"], late["version"]) == ("conflict", True, 2)
    stored = Accident.objects.get(pk=a["id"])
    assert (stored.is_deleted, stored.village) == (True, "Ban Nameuang")
    assert Conflict.objects.get().fields["village"]["tablet"] == "Ban Na"
    assert office.push_ok([delete("accident", a["id"], 2)])[0]["status"] == "unchanged"
    assert office.push_ok([delete("accident", str(uuid.uuid4()), 1)])[0]["status"] == "unchanged"


@pytest.mark.parametrize("recorded_at", ["2000-06-01T10:00:00+07:00", "2031-06-01T09:00:00+07:00"])
def test_tablet_clock_is_information_only(tablet: Tablet, recorded_at: str) -> None:
    a = accident(recorded_at=recorded_at)

    result = tablet.push_ok([a])[0]
    edit = tablet.push_ok(
        [accident(a["id"], base_version=1, recorded_at=recorded_at, village="Ban Na")]
    )[0]

    assert (result["status"], edit["status"], edit["version"]) == ("applied", "applied", 2)
    assert {h.recorded_at.isoformat()[:4] for h in RecordVersion.objects.all()} == {recorded_at[:4]}


def test_verified_accident_is_locked_against_tablet_edits(tablet: Tablet) -> None:
    a = accident()
    tablet.push_ok([a])
    Accident.objects.filter(pk=a["id"]).update(status="verified")

    result = tablet.push_ok([accident(a["id"], base_version=1, village="Ban Na")])[0]

    assert (result["status"], result["conflict_fields"], result["version"]) == (
        "conflict",
        ["village"],
        1,
    )
    assert Accident.objects.get(pk=a["id"]).village == "Ban Nameuang"
    assert Conflict.objects.get().kind == "locked"


def test_record_id_twice_in_one_batch(tablet: Tablet) -> None:
    a = accident()

    results = tablet.push_ok([a, accident(a["id"], village="Other")])

    assert results[1]["status"] == "rejected"
    assert results[1]["code"] == "duplicate_in_batch"
    assert list(results[1]["errors"]) == ["non_field_errors"]
    assert Accident.objects.get().village == "Ban Nameuang"


def test_create_of_an_existing_id(make_tablet) -> None:
    owner, other = make_tablet("owner"), make_tablet("other")
    a = accident()
    owner.push_ok([a])

    same = other.push_ok([a])[0]
    foreign = other.push_ok([accident(a["id"], village="Ban Na")])[0]
    lost_ack = owner.push_ok([accident(a["id"], village="Ban Na")])[0]

    assert same["status"] == "unchanged"
    assert (foreign["status"], foreign["code"]) == ("rejected", "id_conflict")
    assert (lost_ack["status"], lost_ack["version"]) == ("applied", 2)


def test_edit_of_an_unknown_id_is_stored_as_new(tablet: Tablet) -> None:
    a = accident(base_version=4)

    result = tablet.push_ok([a])[0]

    assert (result["status"], result["version"]) == ("applied", 1)
    assert Accident.objects.filter(pk=a["id"]).exists()


def test_unknown_model_and_bad_record_envelopes_are_rejected_alone(tablet: Tablet) -> None:
    good = accident()
    results = tablet.push_ok(
        [
            {"model": "landmine", "id": str(uuid.uuid4()), "op": "upsert", "data": {}},
            {"model": "accident", "id": "not-a-uuid", "op": "upsert", "data": {}},
            {"model": "accident", "id": str(uuid.uuid4()), "op": "replace", "data": {}},
            "not an object",
            good,
        ]
    )

    assert [(r["status"], r.get("code")) for r in results] == [
        ("rejected", "unknown_model"),
        ("rejected", "invalid"),
        ("rejected", "invalid"),
        ("rejected", "invalid"),
        ("applied", None),
    ]
    assert results[1]["errors"]["id"] == ["Must be a valid UUID."]
    assert InboxRecord.objects.count() == 5


def test_server_managed_fields_are_ignored_and_unknown_fields_rejected(tablet: Tablet) -> None:
    ignored = accident(reference="LA-XX-1999-9999", status="verified", killed=9)
    unknown = accident(colour="red")

    results = tablet.push_ok([ignored, unknown])

    assert results[0]["status"] == "applied"
    assert Accident.objects.get(pk=ignored["id"]).status == "reported"
    assert results[1]["errors"] == {"colour": ["Unknown field."]}


@override_settings(
    FIELDSYNC={
        **__import__("django.conf").conf.settings.FIELDSYNC,
        "MAX_BATCH_RECORDS": 3,
        "MAX_BATCH_BYTES": 4000,
    }
)
def test_batches_over_the_limits_get_413_and_nothing_is_applied(tablet: Tablet) -> None:
    by_count = tablet.push([accident() for _ in range(4)])
    by_bytes = tablet.push([accident(description="x" * 3000) for _ in range(2)])

    for response in (by_count, by_bytes):
        assert response.status_code == 413
        assert response.json() == {
            "code": "batch_too_large",
            "detail": response.json()["detail"],
            "max_batch_records": 3,
            "max_batch_bytes": 4000,
        }
    assert not SyncBatch.objects.exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "invalid_json"),
        (b"\xff\xfe", "invalid_json"),
        (b'{"batch_id": NaN}', "invalid_json"),
        (b"[]", "invalid_envelope"),
        (
            json.dumps({"device_id": "x", "schema_version": 1, "records": []}).encode(),
            "invalid_envelope",
        ),
    ],
)
def test_envelope_errors_are_400_with_a_code(tablet: Tablet, body: bytes, code: str) -> None:
    response = tablet.push_raw(body)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response["Content-Type"] == "application/json"
    assert not SyncBatch.objects.exists()


def test_envelope_device_and_schema_checks(tablet: Tablet) -> None:
    wrong_device = {**tablet.envelope([accident()]), "device_id": str(uuid.uuid4())}
    wrong_schema = {**tablet.envelope([accident()]), "schema_version": 99}

    assert tablet.push_raw(json.dumps(wrong_device)).json()["code"] == "device_mismatch"
    assert tablet.push_raw(json.dumps(wrong_schema)).json()["code"] == "unsupported_schema_version"
    assert not SyncBatch.objects.exists()


def test_maintenance_answers_503_with_retry_after(tablet: Tablet, settings) -> None:
    settings.FIELDSYNC = {**settings.FIELDSYNC, "MAINTENANCE": True}

    response = tablet.push([accident()])

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["code"] == "maintenance"


def test_surveyor_cannot_change_another_organisations_record(make_tablet) -> None:
    halo, mag = make_tablet("halo"), make_tablet("mag", organisation="MAG")
    a = accident()
    halo.push_ok([a])

    result = mag.push_ok([accident(a["id"], base_version=1, village="Ban Na")])[0]
    foreign_victim = mag.push_ok([victim(a["id"])])[0]

    assert (result["status"], result["code"]) == ("rejected", "forbidden")
    assert (foreign_victim["status"], foreign_victim["code"]) == ("rejected", "forbidden")
    assert Accident.objects.get().village == "Ban Nameuang"
    assert not Victim.objects.exists()


def test_nul_characters_are_refused_but_kept(tablet: Tablet) -> None:
    bad = accident(village="Ban\x00Na")

    result = tablet.push_ok([bad, accident()])

    assert result[0]["status"] == "rejected"
    assert result[1]["status"] == "applied"
    assert InboxRecord.objects.get(record_id=bad["id"]).payload["data"]["village"] == "Ban\ufffdNa"


def test_api_errors_are_json_even_with_debug_pages(tablet: Tablet, settings) -> None:
    settings.DEBUG = True

    missing = tablet.client.get("/api/v1/nope/")

    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
    assert missing.json()["code"] == "not_found"


def test_staff_verification_is_a_version_that_tablets_pull_and_that_locks_the_record(
    tablet: Tablet, make_user
) -> None:
    from accidents.services import accident_status_set

    a = accident()
    tablet.push_ok([a])
    _, cursor = tablet.pull_all()
    officer = make_user("officer", role="nra_staff", organisation="NRA")

    accident_status_set(accident_id=a["id"], status="verified", by=officer)
    pulled, _ = tablet.pull_all(cursor)
    edit = tablet.push_ok([accident(a["id"], base_version=2, village="Ban Na")])[0]

    assert [(c["id"], c["version"], c["data"]["status"]) for c in pulled] == [
        (a["id"], 2, "verified")
    ]
    history = RecordVersion.objects.get(record_id=a["id"], version=2)
    assert (history.source, history.user, history.changes["status"]) == (
        "admin",
        officer,
        ["reported", "verified"],
    )
    assert (edit["status"], edit["conflict_fields"]) == ("conflict", ["village"])


def test_a_create_arriving_after_the_same_devices_edit_does_not_overwrite_it(
    tablet: Tablet,
) -> None:
    create = accident()
    edit = accident(create["id"], base_version=1, village="Ban A")
    tablet.push_ok([edit])  # batches arrived out of order: the edit is stored as new

    late = tablet.push_ok([create])[0]

    assert (late["status"], late["conflict_fields"]) == ("conflict", ["village"])
    assert Accident.objects.get(pk=create["id"]).village == "Ban A"
    assert Conflict.objects.get().fields["village"] == {
        "base": None,
        "server": "Ban A",
        "tablet": "Ban Nameuang",
    }
    assert RecordVersion.objects.get(record_id=create["id"]).base_version == 1


def test_an_edit_stored_as_new_is_no_base_for_another_devices_edit(make_tablet) -> None:
    first, second = make_tablet("first"), make_tablet("second")
    record = accident()
    first.push_ok([accident(record["id"], base_version=1, activity="digging")])

    result = second.push_ok([accident(record["id"], base_version=1, village="Ban B")])[0]

    assert (result["status"], sorted(result["conflict_fields"])) == (
        "conflict",
        ["activity", "village"],
    )
    stored = Accident.objects.get(pk=record["id"])
    assert (stored.activity, stored.village, stored.version) == ("digging", "Ban Nameuang", 1)


def test_batches_pushed_atomically_merge_on_the_versions_of_their_earlier_batches(
    tablet: Tablet,
) -> None:
    # Versions reach the database with the change log, at the end of the transaction: a later
    # batch of the same import still finds the earlier ones as its merge base.
    from fieldsync.services.push import batches_push_atomically

    created = accident()
    envelopes = [
        tablet.envelope([created]),
        tablet.envelope([accident(created["id"], base_version=1, village="Ban Na")]),
        tablet.envelope([accident(created["id"], base_version=1, activity="fishing")]),
    ]

    responses = batches_push_atomically(
        device=tablet.user.devices.get(), envelopes=envelopes, source="import"
    )

    assert [r["results"][0]["status"] for r in responses] == ["applied", "applied", "merged"]
    stored = Accident.objects.get()
    assert (stored.village, stored.activity, stored.version) == ("Ban Na", "fishing", 3)
    versions = RecordVersion.objects.filter(record_id=created["id"]).order_by("version")
    assert [v.version for v in versions] == [1, 2, 3]
    stamps = {v.commit_seq for v in versions}
    assert len(stamps) == 1 and None not in stamps  # one commit, stamped as inserted
