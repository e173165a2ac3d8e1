"""Writing assistance through the partner API: the one write path, ETag/If-Match, idempotency."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from fieldsync.api import writes
from fieldsync.api.errors import APIError
from fieldsync.models import InboxRecord, RecordVersion, SyncBatch
from fieldsync.services.push import PushResult
from tests.helpers.partner_api import Api, World
from victims.models import Assistance, Victim

pytestmark = pytest.mark.django_db


def _new(world: World, **fields: Any) -> dict[str, Any]:
    return {
        "victim": world.victim_v["id"],
        "pillar": "physical_rehabilitation",
        "service_type": "wheelchair",
        "provider_organisation": "COPE",
        "status": "in_progress",
        "started_on": "2026-11-01",
        **fields,
    }


def _api_batches(api: Api) -> int:
    return SyncBatch.objects.filter(
        device__user=api.user, device__name="server: partner-api"
    ).count()


# -- create --------------------------------------------------------------------------------------
def test_a_create_goes_through_the_write_path_with_history_and_audit(world: World) -> None:
    cope = world.api["partner"]

    response = cope.send("post", "assistance/", _new(world, cost_lak=1500000))

    assert response.status_code == 201, response.content
    body = response.json()
    assert response["ETag"] == '"1"'
    assert response["Location"] == f"http://testserver/api/v1/assistance/{body['id']}/"
    assert body == {
        "id": body["id"],
        "victim": world.victim_v["id"],
        "pillar": "physical_rehabilitation",
        "service_type": "wheelchair",
        "provider_organisation": "COPE",
        "status": "in_progress",
        "started_on": "2026-11-01",
        "completed_on": None,
        "quantity": None,
        "unit": "",
        "cost_lak": "1500000.00",
        "notes": "",
        "documents": [],
        "version": 1,
        "deleted": False,
        "updated_at": body["updated_at"],
        "attachments_missing": [],
    }
    (version,) = RecordVersion.objects.filter(record_id=body["id"])
    assert (version.source, version.op, version.version, version.user) == (
        "api",
        "create",
        1,
        cope.user,
    )
    assert version.device.name == "server: partner-api"
    assert version.inbox_record.payload["data"]["cost_lak"] == 1500000  # kept as sent
    # ... and the change reaches COPE's tablets like any other
    changes, _ = world.tablets["partner"].pull_all()
    assert body["id"] in [c["id"] for c in changes if c["model"] == "assistance"]


def test_server_managed_fields_in_a_body_are_ignored_and_unknown_ones_refused(
    world: World,
) -> None:
    cope = world.api["partner"]
    stale = {"id": str(uuid.uuid4()), "version": 7, "deleted": True, "updated_at": "x"}

    accepted = cope.send("post", "assistance/", _new(world, **stale))
    refused = cope.send("post", "assistance/", _new(world, colour="red"))

    assert accepted.status_code == 201
    assert accepted.json()["id"] != stale["id"]
    assert (accepted.json()["version"], accepted.json()["deleted"]) == (1, False)
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "invalid",
        "detail": "Invalid input.",
        "errors": {"colour": ["Unknown field."]},
    }


def test_an_invalid_create_is_refused_with_field_errors_and_nothing_stored(world: World) -> None:
    cope = world.api["partner"]
    body = _new(world, status="completed", service_type="counselling", cost_lak=-1)

    response = cope.send("post", "assistance/", body, {"Idempotency-Key": "order-17"})

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "cost_lak": ["Ensure this value is greater than or equal to 0."],
        "service_type": [
            "Service type counselling belongs to pillar psychosocial, not physical_rehabilitation."
        ],
        "completed_on": ["This field is required when the status is completed."],
    }
    assert _api_batches(cope) == 0
    # the key was not used up: the corrected request goes through with it
    fixed = cope.send("post", "assistance/", _new(world), {"Idempotency-Key": "order-17"})
    assert fixed.status_code == 201


def test_a_create_for_a_victim_the_server_does_not_have_is_422_and_stores_nothing(
    world: World,
) -> None:
    cope = world.api["partner"]

    response = cope.send("post", "assistance/", _new(world, victim=str(uuid.uuid4())))

    assert response.status_code == 422
    assert response.json()["code"] == "unknown_victim"
    assert response.json()["errors"] == {"victim": ["Unknown victim."]}
    assert _api_batches(cope) == 0
    assert InboxRecord.objects.filter(status="held").count() == 0


def test_a_create_for_a_deleted_victim_is_refused_by_the_write_path(world: World) -> None:
    Victim.objects.filter(pk=world.victim_v["id"]).update(is_deleted=True)
    cope = world.api["partner"]

    response = cope.send("post", "assistance/", _new(world))

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "victim": [f"The victim {world.victim_v['id']} was deleted."]
    }
    assert InboxRecord.objects.get(batch__device__user=cope.user).status == "rejected"


# -- Idempotency-Key -----------------------------------------------------------------------------
def test_a_retried_create_with_its_idempotency_key_returns_the_first_outcome(
    world: World,
) -> None:
    cope = world.api["partner"]
    headers = {"Idempotency-Key": "cope-db-assistance-8812"}

    first = cope.send("post", "assistance/", _new(world), headers)
    retry = cope.send("post", "assistance/", _new(world), headers)

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json()["id"] == first.json()["id"]
    assert Assistance.objects.filter(service_type="wheelchair").count() == 1
    assert RecordVersion.objects.filter(record_id=first.json()["id"]).count() == 1
    assert _api_batches(cope) == 1


def test_an_idempotency_key_reused_for_another_body_is_refused(world: World) -> None:
    cope = world.api["partner"]
    headers = {"Idempotency-Key": "cope-db-assistance-8813"}
    cope.send("post", "assistance/", _new(world), headers)

    response = cope.send("post", "assistance/", _new(world, notes="other"), headers)

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Assistance.objects.filter(service_type="wheelchair").count() == 1


def test_idempotency_keys_belong_to_their_user(world: World) -> None:
    headers = {"Idempotency-Key": "same-key"}
    by_cope = world.api["partner"].send("post", "assistance/", _new(world), headers)
    by_nra = world.api["nra"].send("post", "assistance/", _new(world), headers)

    assert (by_cope.status_code, by_nra.status_code) == (201, 201)
    assert by_cope.json()["id"] != by_nra.json()["id"]


@pytest.mark.parametrize("key", ["", "with space", "é", "x" * 256])
def test_a_malformed_idempotency_key_is_a_400(world: World, key: str) -> None:
    response = world.api["partner"].send(
        "post", "assistance/", _new(world), {"Idempotency-Key": key}
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["Idempotency-Key"]


# -- If-Match ------------------------------------------------------------------------------------
def _url(world: World) -> str:
    return f"assistance/{world.assistance_cope['id']}/"


def test_a_patch_with_the_current_etag_applies_and_returns_the_next_one(world: World) -> None:
    cope = world.api["partner"]
    etag = cope.get(_url(world))["ETag"]

    response = cope.send("patch", _url(world), {"status": "in_progress"}, {"If-Match": etag})

    assert etag == '"1"'
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    assert (response.json()["status"], response.json()["version"]) == ("in_progress", 2)
    assert response.json()["service_type"] == "prosthesis"  # left as it was
    latest = RecordVersion.objects.get(record_id=world.assistance_cope["id"], version=2)
    assert (latest.source, latest.changes) == ("api", {"status": ["referred", "in_progress"]})
    assert latest.inbox_record.payload["base_version"] == 1


def test_a_stale_etag_is_412_and_writes_nothing(world: World) -> None:
    cope = world.api["partner"]
    world.api["nra"].send("patch", _url(world), {"notes": "seen by NRA"}, {"If-Match": '"1"'})

    response = cope.send("patch", _url(world), {"status": "cancelled"}, {"If-Match": '"1"'})

    assert response.status_code == 412
    assert response["ETag"] == '"2"'
    assert response.json()["code"] == "precondition_failed"
    assert response.json()["version"] == 2
    record = Assistance.objects.get(pk=world.assistance_cope["id"])
    assert (record.version, record.status, record.notes) == (2, "referred", "seen by NRA")
    assert _api_batches(cope) == 0


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_a_change_without_if_match_is_428(world: World, method: str) -> None:
    body = None if method == "delete" else world.assistance_cope["data"]

    response = world.api["partner"].send(method, _url(world), body)

    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"
    assert Assistance.objects.get(pk=world.assistance_cope["id"]).version == 1


@pytest.mark.parametrize("value", ["*", 'W/"1"', '"1", "2"', "one", '"0"', '"1'])
def test_an_if_match_that_names_no_single_version_is_a_400(world: World, value: str) -> None:
    response = world.api["partner"].send("patch", _url(world), {"notes": "x"}, {"If-Match": value})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["If-Match"]


def test_a_bare_version_number_is_accepted_as_if_match(world: World) -> None:
    response = world.api["partner"].send("patch", _url(world), {"notes": "x"}, {"If-Match": "1"})

    assert response.status_code == 200


def test_put_replaces_the_record_fields_left_out_take_their_defaults(world: World) -> None:
    cope = world.api["partner"]
    cope.send("patch", _url(world), {"notes": "call first", "unit": "pair"}, {"If-Match": '"1"'})
    body = {k: v for k, v in world.assistance_cope["data"].items() if k != "service_type"}

    response = cope.send("put", _url(world), body, {"If-Match": '"2"'})

    assert response.status_code == 200, response.content
    assert {k: response.json()[k] for k in ("service_type", "notes", "unit", "version")} == {
        "service_type": None,
        "notes": "",
        "unit": "",
        "version": 3,
    }


def test_put_without_a_required_field_is_a_400(world: World) -> None:
    body = {k: v for k, v in world.assistance_cope["data"].items() if k != "status"}

    response = world.api["partner"].send("put", _url(world), body, {"If-Match": '"1"'})

    assert response.status_code == 400
    assert response.json()["errors"] == {"status": ["This field is required."]}


def test_a_provider_cannot_hand_its_assistance_to_another_organisation(world: World) -> None:
    response = world.api["partner"].send(
        "patch", _url(world), {"provider_organisation": "HI"}, {"If-Match": '"1"'}
    )

    assert response.status_code == 403
    assert response.json()["errors"] == {
        "provider_organisation": [
            "Only NRA staff may move assistance records to another organisation."
        ]
    }
    # NRA staff may
    moved = world.api["nra"].send(
        "patch", _url(world), {"provider_organisation": "HI"}, {"If-Match": '"1"'}
    )
    assert moved.status_code == 200
    assert world.api["partner"].get(_url(world)).status_code == 404  # out of COPE's view now


# -- delete --------------------------------------------------------------------------------------
def test_a_delete_leaves_a_tombstone_that_harvesters_and_tablets_see(world: World) -> None:
    cope = world.api["partner"]
    _, cursor = world.tablets["partner"].pull_all()

    response = cope.send("delete", _url(world), None, {"If-Match": '"1"'})

    assert response.status_code == 200
    assert (response.json()["deleted"], response.json()["version"]) == (True, 2)
    assert response["ETag"] == '"2"'
    assert cope.get(_url(world)).status_code == 410
    assert cope.send("delete", _url(world), None, {"If-Match": '"2"'}).status_code == 410
    assert world.assistance_cope["id"] not in cope.ids("assistance/")
    assert world.assistance_cope["id"] in cope.ids("assistance/", {"include_deleted": "true"})
    changes, _ = world.tablets["partner"].pull_all(cursor)
    assert {"model": "assistance", "id": world.assistance_cope["id"], "op": "delete",
            "version": 2} in changes  # fmt: skip
    assert RecordVersion.objects.get(record_id=world.assistance_cope["id"], version=2).op == (
        "delete"
    )


def test_a_retried_delete_with_its_idempotency_key_replays(world: World) -> None:
    cope = world.api["partner"]
    headers = {"If-Match": '"1"', "Idempotency-Key": "delete-17"}

    first = cope.send("delete", _url(world), None, headers)
    retry = cope.send("delete", _url(world), None, headers)

    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json()["version"] == 2
    assert Assistance.objects.get(pk=world.assistance_cope["id"]).version == 2


# -- outcomes of the write path -----------------------------------------------------------------
def _result(**outcome: Any) -> PushResult:
    return PushResult(200, {"batch_id": "b", "results": [{"model": "assistance", **outcome}]})


@pytest.mark.parametrize(
    ("outcome", "status", "body"),
    [
        (
            {"status": "conflict", "version": 4, "conflict_fields": ["status"], "data": {"a": 1}},
            409,
            {"code": "conflict", "version": 4, "conflict_fields": ["status"], "data": {"a": 1}},
        ),
        (
            {"status": "held", "waiting_for": {"model": "victim", "id": "v1"}},
            422,
            {"code": "unknown_victim", "waiting_for": {"model": "victim", "id": "v1"}},
        ),
        (
            {"status": "rejected", "code": "forbidden", "errors": {"non_field_errors": ["x"]}},
            403,
            {"code": "forbidden", "errors": {"non_field_errors": ["x"]}},
        ),
        (
            {"status": "rejected", "code": "id_conflict", "errors": {"non_field_errors": ["y"]}},
            409,
            {"code": "id_conflict", "errors": {"non_field_errors": ["y"]}},
        ),
        (
            {"status": "rejected", "code": "invalid", "errors": {"pillar": ["z"]}},
            400,
            {"code": "invalid", "errors": {"pillar": ["z"]}},
        ),
    ],
)
def test_each_outcome_of_the_write_path_maps_to_its_status(
    outcome: dict, status: int, body: dict
) -> None:
    with pytest.raises(APIError) as raised:
        writes._written(writes.registry["assistance"], _result(**outcome), create=True)

    error = raised.value
    assert error.status_code == status
    assert {"code": error.code, **error.extra} == body


def test_a_reused_batch_maps_to_idempotency_key_reused() -> None:
    reused = PushResult(409, {"code": "batch_id_reused", "detail": "..."})

    with pytest.raises(APIError) as raised:
        writes._written(writes.registry["assistance"], reused, create=True)

    assert (raised.value.status_code, raised.value.code) == (422, "idempotency_key_reused")


# -- concurrency ---------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writers_with_the_same_etag_one_wins_the_other_gets_412(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both send version 1; the row lock makes the second compare after the first committed."""
    push = writes.batch_push

    def slow_push(**kwargs: Any) -> PushResult:
        time.sleep(0.3)  # the first writer holds the lock here: the second must wait for it
        return push(**kwargs)

    monkeypatch.setattr(writes, "batch_push", slow_push)
    results: list[int] = []
    barrier = threading.Barrier(2)
    token_a, token_b = world.tablets["partner"].token, world.tablets["nra"].token

    def write(token: str, notes: str) -> None:
        client = Client()
        barrier.wait()
        response = client.patch(
            f"/api/v1/{_url(world)}",
            f'{{"notes": "{notes}"}}',
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
            HTTP_IF_MATCH='"1"',
        )
        results.append(response.status_code)
        connection.close()

    threads = [
        threading.Thread(target=write, args=(token_a, "by COPE")),
        threading.Thread(target=write, args=(token_b, "by NRA")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [200, 412]
    record = Assistance.objects.get(pk=world.assistance_cope["id"])
    assert record.version == 2
    assert RecordVersion.objects.filter(record_id=str(record.pk)).count() == 2
