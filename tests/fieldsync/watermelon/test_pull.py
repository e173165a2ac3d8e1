"""The WatermelonDB pull and schema (contract watermelondb.md): tables and columns, a first sync,
later changes, deletions and records leaving the view, privacy, migration syncs, resync."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fieldsync.changelog import latest_seq
from fieldsync.models import Organisation, Role, SyncCommit, User
from tests.fieldsync.watermelon.melon import Melon, updated_ids, updated_row
from tests.helpers.sync import Tablet, accident, delete, victim

pytestmark = pytest.mark.django_db


@pytest.fixture
def melon(make_tablet: Callable[..., Tablet]) -> Melon:
    return Melon(make_tablet())


def test_the_schema_lists_every_table_with_typed_columns(melon: Melon) -> None:
    response = melon.tablet.client.get("/api/v1/sync/watermelon/schema/", **melon.tablet.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 2
    tables = {t["name"]: {c["name"]: c for c in t["columns"]} for t in body["tables"]}
    assert set(tables) == {
        "provinces",
        "districts",
        "ordnance_types",
        "organisations",
        "service_types",
        "accidents",
        "victims",
        "assistance",
    }
    accidents, victims, assistance = tables["accidents"], tables["victims"], tables["assistance"]
    assert "id" not in accidents and "version" not in accidents and "created_at" not in accidents
    assert accidents["latitude"]["type"] == "number" and accidents["latitude"]["isOptional"]
    assert accidents["occurred_on"] == {
        "name": "occurred_on",
        "type": "string",
        "isOptional": False,
        "isIndexed": False,
        "added_in": 1,
    }
    assert accidents["reporting_organisation"]["isOptional"]  # the server fills it in
    assert accidents["photos"]["added_in"] == 2 and victims["consent_document"]["added_in"] == 2
    assert {"server_version", "reference", "status", "killed", "injured"} <= set(accidents)
    assert accidents["killed"]["type"] == "number"
    assert victims["accident_id"]["isIndexed"] and victims["related_victim_id"]["type"] == "string"
    assert victims["age_years"]["type"] == "number"
    assert victims["age_estimated"]["type"] == "boolean"
    assert victims["injuries"]["type"] == "string" and "age_group" in victims
    assert assistance["victim_id"]["isIndexed"] and assistance["cost_lak"]["type"] == "string"
    assert set(tables["provinces"]) == {"lsb_code", "name_en", "name_lo"}


def test_a_first_sync_sends_reference_data_and_records_in_updated(
    melon: Melon, tablet: Tablet
) -> None:
    a = accident()
    v = victim(a["id"], injuries=["hand_fingers", "burns"])
    gone = accident()
    tablet.push_ok([a, v, gone])
    tablet.push_ok([delete("accident", gone["id"], 1)])
    response = melon.pull_raw(last_pulled_at=None, schema_version=2, migration=None)
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body["timestamp"], int) and body["timestamp"] == latest_seq()
    changes = body["changes"]
    assert all(not t["created"] and not t["deleted"] for t in changes.values())
    assert len(changes["provinces"]["updated"]) == 18
    xieng = updated_row(changes, "provinces", "LA-XI")
    assert xieng["name_en"] == "Xiengkhouang" and "_status" not in xieng
    assert updated_ids(changes, "accidents") == [a["id"]]  # the deleted one is no news
    row = updated_row(changes, "accidents", a["id"])
    assert row["server_version"] == 1 and row["reference"].startswith("LA-XI-")
    assert row["status"] == "reported" and row["killed"] == 0 and row["injured"] == 1
    assert row["latitude"] == 19.45 and row["photos"] == "[]"
    assert "version" not in row and "created_at" not in row
    vrow = updated_row(changes, "victims", v["id"])
    assert vrow["accident_id"] == a["id"] and "accident" not in vrow
    assert json.loads(vrow["injuries"]) == ["hand_fingers", "burns"]
    assert vrow["full_name"] == "Somchai K."  # the reporting organisation's surveyor


def test_later_pulls_send_only_what_changed_and_deletions_as_ids(
    melon: Melon, tablet: Tablet
) -> None:
    a, b = accident(), accident()
    tablet.push_ok([a, b])
    melon.pull()
    assert all(not t["updated"] for t in melon.pull().values())  # nothing new
    tablet.push_ok([accident(a["id"], base_version=1, village="Ban Xang")])
    tablet.push_ok([delete("accident", b["id"], 1)])
    changes = melon.pull()
    assert updated_ids(changes, "accidents") == [a["id"]]
    assert updated_row(changes, "accidents", a["id"])["village"] == "Ban Xang"
    assert changes["accidents"]["deleted"] == [b["id"]]
    assert not changes["provinces"]["updated"]


def test_a_record_leaving_the_view_is_deleted_on_the_device(
    melon: Melon, tablet: Tablet, make_tablet: Callable[..., Tablet]
) -> None:
    a = accident()
    v = victim(a["id"])
    tablet.push_ok([a, v])
    melon.pull()
    staff = make_tablet("nra", role=Role.NRA_STAFF, organisation="NRA")
    staff.push_ok([accident(a["id"], base_version=1, reporting_organisation="MAG")])
    changes = melon.pull()
    assert changes["accidents"]["deleted"] == [a["id"]]
    assert changes["victims"]["deleted"] == [v["id"]]


def test_personal_fields_are_null_for_who_may_not_see_them(
    tablet: Tablet, make_tablet: Callable[..., Tablet]
) -> None:
    a = accident()
    v = victim(a["id"])
    tablet.push_ok([a, v])
    viewer = Melon(make_tablet("viewer", role=Role.NRA_STAFF, organisation="NRA"))
    row = updated_row(viewer.pull(), "victims", v["id"])
    assert row["full_name"] is None and row["guardian_name"] is None
    assert row["sex"] == "male"


def test_a_migration_sync_sends_the_migrated_tables_whole(melon: Melon, tablet: Tablet) -> None:
    a = accident()
    tablet.push_ok([a, victim(a["id"])])
    first = melon.pull(schema_version=1)
    assert "photos" not in updated_row(first, "accidents", a["id"])  # added in version 2
    migration = {
        "from": 1,
        "tables": [],
        "columns": [{"table": "accidents", "columns": ["photos"]}],
    }
    changes = melon.pull(schema_version=2, migration=json.dumps(migration))
    assert updated_ids(changes, "accidents") == [a["id"]]  # unchanged, sent whole
    assert updated_row(changes, "accidents", a["id"])["photos"] == "[]"
    assert not changes["victims"]["updated"]


def test_a_timestamp_the_server_did_not_hand_to_this_device_needs_a_resync(
    melon: Melon, make_tablet: Callable[..., Tablet]
) -> None:
    melon.pull()
    stamp = melon.last_pulled_at
    assert stamp is not None
    other = Melon(make_tablet("other-halo"))
    response = other.pull_raw(last_pulled_at=stamp)
    assert (response.status_code, response.json()["code"]) == (409, "resync_required")
    assert melon.pull_raw(last_pulled_at=stamp + 1000).status_code == 409
    assert melon.pull_raw(last_pulled_at=stamp).status_code == 200


def test_a_restore_that_hands_the_same_numbers_out_again_needs_a_resync(
    melon: Melon, tablet: Tablet
) -> None:
    tablet.push_ok([accident()])
    melon.pull()
    stamp = melon.last_pulled_at
    assert stamp is not None
    # A restored database hands the same sequence numbers out again, in other commits.
    SyncCommit.objects.filter(seq_high=stamp).update(nonce="restored")
    response = melon.pull_raw(last_pulled_at=stamp)
    assert (response.status_code, response.json()["code"]) == (409, "resync_required")
    assert melon.pull_raw(last_pulled_at=None).status_code == 200  # the app starts over


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"last_pulled_at": "soon"}, "invalid"),
        ({"last_pulled_at": "-3"}, "invalid"),
        ({"schema_version": "two"}, "invalid"),
        ({"migration": "{"}, "invalid_migration"),
        ({"migration": json.dumps({"from": "1"})}, "invalid_migration"),
        ({"migration": json.dumps({"from": 1, "columns": [{"table": 3}]})}, "invalid_migration"),
    ],
)
def test_malformed_pull_parameters_are_400(melon: Melon, params: dict, code: str) -> None:
    response = melon.pull_raw(**params)
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["detail"]


def test_an_empty_server_still_answers_a_positive_timestamp(
    make_user: Callable[..., User], client: Client
) -> None:
    Organisation.objects.create(code="HALO", name="HALO")  # no reference data loaded at all
    melon = Melon(Tablet(client, make_user("lonely")))
    assert not SyncCommit.objects.exists()
    body = melon.pull_raw(last_pulled_at=None)
    assert body.status_code == 200 and body.json()["timestamp"] > 0


def test_maintenance_answers_503(melon: Melon, settings: Any) -> None:
    settings.FIELDSYNC = {**settings.FIELDSYNC, "MAINTENANCE": True}
    response = melon.pull_raw(last_pulled_at=None)
    assert response.status_code == 503 and response.json()["code"] == "maintenance"
    assert response.headers["Retry-After"]
