"""The reference tablet client against the real server: one test per rule of the contract."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest

from accidents.models import Accident
from accidents.services import accident_status_set
from fieldsync.api.errors import RETRY_AFTER_SECONDS
from fieldsync.models import Conflict, InboxRecord, SyncBatch, SyncCommit, User
from tablet_client import (
    ClientBug,
    LocalRecord,
    LocalStore,
    Reply,
    SyncInterrupted,
    TabletClient,
    Transport,
    store_differences,
)
from tests.helpers.sync import accident, assistance, victim
from tests.helpers.tablet_client import ScriptedLink, Sleeps
from victims.models import Victim

pytestmark = pytest.mark.django_db
MakeClient = Callable[..., TabletClient]


def _scripted(make_client: MakeClient, **options: object) -> tuple[TabletClient, ScriptedLink]:
    """An enrolled tablet whose link fails on cue (`link.then(...)`)."""
    links: list[ScriptedLink] = []

    def wrap(inner: Transport) -> Transport:
        links.append(ScriptedLink(inner))
        return links[0]

    tablet = make_client(link=wrap, **options)
    return tablet, links[0]


def _accident(**fields: object) -> dict:
    return accident(**fields)["data"]


def _fresh_pull(make_client: MakeClient, username: str) -> LocalStore:
    checker = make_client(username)
    checker.pull()
    return checker.store


def _push_bodies(link: ScriptedLink) -> list[dict]:
    return [json.loads(body) for body in link.pushes() if body is not None]


def test_records_made_offline_reach_the_server_and_the_store_converges(
    make_client: MakeClient,
) -> None:
    tablet = make_client()
    accident_id = tablet.create("accident", _accident())
    victim_id = tablet.create("victim", victim(accident_id)["data"])

    tablet.sync()

    assert Accident.objects.get(pk=accident_id).version == 1
    assert Victim.objects.get(pk=victim_id).accident_id is not None
    assert tablet.stats.outcomes == {"applied": 2}
    stored = tablet.store.record("accident", accident_id)
    assert (stored.version, stored.synced, stored.data["injured"]) == (1, True, 1)
    assert stored.data["reference"].startswith("LA-XI-")
    assert tablet.pending_count() == 0
    assert store_differences(tablet.store, _fresh_pull(make_client, "surveyor-halo")) == []


def test_a_lost_response_is_followed_by_the_same_batch_id_and_bytes(
    make_client: MakeClient,
) -> None:
    tablet, link = _scripted(make_client)
    link.then("response")
    accident_id = tablet.create("accident", _accident())

    tablet.push()

    first, second = link.pushes()
    assert first == second
    assert SyncBatch.objects.filter(batch_id=json.loads(first)["batch_id"]).count() == 1
    assert Accident.objects.filter(pk=accident_id).count() == 1
    assert tablet.stats.outcomes == {"applied": 1}
    assert (tablet.stats.resends, tablet.stats.link_failures) == (1, 1)


def test_a_lost_request_is_sent_again_and_applied_once(make_client: MakeClient) -> None:
    tablet, link = _scripted(make_client)
    link.then("request")
    tablet.create("accident", _accident())

    tablet.push()

    assert SyncBatch.objects.count() == 1
    assert InboxRecord.objects.count() == 1
    assert len(link.pushes()) == 2


def test_a_batch_too_large_is_split_under_new_batch_ids_and_the_old_id_is_never_sent_again(
    make_client: MakeClient, settings: pytest.FixtureRequest
) -> None:
    tablet, link = _scripted(make_client)
    ids = [tablet.create("accident", _accident()) for _ in range(5)]
    settings.FIELDSYNC = {**settings.FIELDSYNC, "MAX_BATCH_RECORDS": 2}  # lowered since `info`

    tablet.push()

    bodies = _push_bodies(link)
    assert [len(b["records"]) for b in bodies] == [5, 2, 3, 1, 2]
    assert len({b["batch_id"] for b in bodies}) == 5
    original = bodies[0]["batch_id"]
    assert not SyncBatch.objects.filter(batch_id=original).exists()
    assert SyncBatch.objects.count() == 3
    assert sorted(Accident.objects.values_list("pk", flat=True).iterator()) == sorted(
        uuid.UUID(i) for i in ids
    )
    assert [b.state for b in tablet.store.batches()] == [
        "split",
        "acked",
        "split",
        "acked",
        "acked",
    ]
    assert tablet.stats.splits == 2


def test_maintenance_503_is_waited_out_honouring_retry_after(
    make_client: MakeClient, settings: pytest.FixtureRequest
) -> None:
    def end_maintenance(seconds: float) -> None:
        sleeps.append(seconds)
        settings.FIELDSYNC = {**settings.FIELDSYNC, "MAINTENANCE": False}

    sleeps = Sleeps()
    tablet = make_client(sleep=end_maintenance, max_wait=60.0)
    accident_id = tablet.create("accident", _accident())
    settings.FIELDSYNC = {**settings.FIELDSYNC, "MAINTENANCE": True}

    tablet.push()

    assert sleeps == [RETRY_AFTER_SECONDS]
    assert Accident.objects.filter(pk=accident_id).exists()
    assert tablet.stats.backoffs == 1


def test_429_is_waited_out_honouring_retry_after_bounded_by_max_wait(
    make_client: MakeClient,
) -> None:
    sleeps = Sleeps()
    tablet, link = _scripted(make_client, sleep=sleeps, max_wait=10)
    throttled = Reply(429, {"code": "throttled", "detail": "slow down"}, {"Retry-After": "7"})
    much_later = Reply(429, {"code": "throttled", "detail": "slow down"}, {"Retry-After": "3600"})
    link.then(throttled, much_later)
    tablet.create("accident", _accident())

    tablet.push()

    assert sleeps == [7.0, 10.0]
    assert SyncBatch.objects.count() == 1


def test_a_server_that_stays_in_maintenance_interrupts_the_sync_and_keeps_the_outbox(
    make_client: MakeClient, settings: pytest.FixtureRequest
) -> None:
    sleeps = Sleeps()
    tablet = make_client(sleep=sleeps, max_attempts=4, max_wait=5.0)
    tablet.create("accident", _accident())
    settings.FIELDSYNC = {**settings.FIELDSYNC, "MAINTENANCE": True}

    with pytest.raises(SyncInterrupted):
        tablet.sync()

    assert sleeps == [5.0, 5.0, 5.0, 5.0]
    assert len(tablet.store.batches("pending")) == 1
    assert SyncBatch.objects.count() == 0
    settings.FIELDSYNC = {**settings.FIELDSYNC, "MAINTENANCE": False}
    tablet.sync()
    assert tablet.pending_count() == 0
    assert SyncBatch.objects.count() == 1


def test_a_batch_id_refused_as_reused_is_a_client_bug(make_client: MakeClient) -> None:
    tablet, link = _scripted(make_client)
    tablet.max_attempts = 1
    link.then("response")
    tablet.create("accident", _accident())
    with pytest.raises(SyncInterrupted):
        tablet.push()
    # A broken client changes a batch after sending it: the server refuses the reused id.
    batch = tablet.store.batches("pending")[0]
    body = json.loads(batch.body)
    body["records"][0]["data"]["village"] = "Ban Other"
    tablet.store.db.execute(
        "UPDATE outbox SET body = ? WHERE batch_id = ?", (json.dumps(body), batch.batch_id)
    )

    with pytest.raises(ClientBug, match="reused"):
        tablet.push()


def test_resync_required_pulls_from_scratch_and_keeps_the_outbox(
    make_client: MakeClient,
) -> None:
    tablet = make_client()
    kept = tablet.create("accident", _accident())
    tablet.sync()
    # A record this tablet has that the restored server no longer knows of.
    tablet.store.record_put(
        LocalRecord(
            model="accident", id="0" * 8 + "-0000-4000-8000-" + "0" * 12, data={}, version=1
        )
    )
    waiting = tablet.create("accident", _accident(village="Ban Phonsavan"))
    tablet.max_attempts = 1
    tablet.transport = ScriptedLink(tablet.transport, {1: "request"})
    with pytest.raises(SyncInterrupted):
        tablet.push()
    tablet.max_attempts = 8
    last = SyncCommit.objects.order_by("-seq_high").first()
    SyncCommit.objects.filter(pk=last.pk).update(nonce="restored")  # a restore from backup

    tablet.pull()

    assert tablet.stats.resyncs == 1
    assert tablet.store.record("accident", kept).synced
    assert [r.id for r in tablet.store.records() if r.model == "accident"] == sorted(
        [kept, waiting]
    )
    assert len(tablet.store.batches("pending")) == 1
    tablet.sync()
    assert Accident.objects.filter(pk=waiting).exists()
    assert store_differences(tablet.store, _fresh_pull(make_client, "surveyor-halo")) == []


def test_a_conflict_replaces_the_local_copy_with_the_servers_and_tells_the_surveyor(
    make_client: MakeClient,
) -> None:
    first, second = make_client("halo-1"), make_client("halo-2")
    accident_id = first.create("accident", _accident(village="Ban Nameuang"))
    first.sync()
    second.sync()
    first.edit("accident", accident_id, {"village": "Ban Nam Euang"})
    first.sync()
    second.edit("accident", accident_id, {"village": "Ban Na Meuang", "activity": "digging"})

    second.sync()

    assert second.stats.outcomes["conflict"] == 1
    local = second.get("accident", accident_id)
    assert (local["village"], local["activity"]) == ("Ban Nam Euang", "digging")
    assert second.store.record("accident", accident_id).version == 3
    [notice] = second.notices()
    assert (notice.status, notice.conflict_fields, notice.sent) == (
        "conflict",
        ["village"],
        {"village": "Ban Na Meuang", "activity": "digging"},
    )
    conflict = Conflict.objects.get(record_id=accident_id)
    assert conflict.fields["village"]["tablet"] == "Ban Na Meuang"
    assert store_differences(second.store, _fresh_pull(make_client, "halo-2")) == []


def test_a_merge_replaces_the_local_copy_with_the_merged_record(make_client: MakeClient) -> None:
    first, second = make_client("halo-1"), make_client("halo-2")
    accident_id = first.create("accident", _accident())
    first.sync()
    second.sync()
    first.edit("accident", accident_id, {"village": "Ban Nam Euang"})
    first.sync()
    second.edit("accident", accident_id, {"description": "Hoe struck a BLU-26 while weeding."})

    second.push()

    assert second.stats.outcomes["merged"] == 1
    local = second.get("accident", accident_id)
    assert (local["village"], local["description"]) == (
        "Ban Nam Euang",
        "Hoe struck a BLU-26 while weeding.",
    )
    assert second.notices() == []


def test_an_edit_of_a_verified_accident_is_a_conflict_and_the_local_copy_follows_the_server(
    make_client: MakeClient, make_user: Callable[..., User]
) -> None:
    tablet = make_client()
    accident_id = tablet.create("accident", _accident(village="Ban Nameuang"))
    tablet.sync()
    accident_status_set(
        accident_id=accident_id, status="verified", by=make_user("nra", "nra_staff", "NRA")
    )
    tablet.edit("accident", accident_id, {"village": "Ban Elsewhere"})

    tablet.sync()

    assert tablet.get("accident", accident_id)["village"] == "Ban Nameuang"
    assert tablet.get("accident", accident_id)["status"] == "verified"
    assert [n.conflict_fields for n in tablet.notices()] == [["village"]]


def test_a_rejected_record_is_kept_for_the_surveyor_and_its_children_held_until_it_is_fixed(
    make_client: MakeClient,
) -> None:
    tablet = make_client()
    accident_id = tablet.create("accident", _accident(district="0101"))  # not in Xiengkhouang
    victim_id = tablet.create("victim", victim(accident_id)["data"])

    tablet.sync()

    assert tablet.stats.outcomes == {"rejected": 1, "held": 1}
    [rejection] = tablet.rejections()
    assert (rejection.id, rejection.code, list(rejection.errors)) == (
        accident_id,
        "invalid",
        ["district"],
    )
    assert tablet.get("accident", accident_id)["district"] == "0101"  # as the surveyor typed it
    assert tablet.store.record("victim", victim_id).state == "held"
    assert tablet.pending_count() == 0  # nothing to resend until the surveyor acts
    assert not Accident.objects.filter(pk=accident_id).exists()

    tablet.fix("accident", accident_id, {"district": "0901"})
    tablet.sync()

    assert tablet.rejections() == []
    assert Victim.objects.filter(pk=victim_id).exists()  # released by the server
    assert tablet.store.record("victim", victim_id).synced
    assert store_differences(tablet.store, _fresh_pull(make_client, "surveyor-halo")) == []


def test_an_edit_of_a_record_never_acknowledged_is_sent_with_a_null_base_version(
    make_client: MakeClient,
) -> None:
    tablet, link = _scripted(make_client)
    accident_id = tablet.create("accident", _accident(district="0101"))
    victim_id = tablet.create("victim", victim(accident_id)["data"])
    tablet.push()  # the accident is rejected, its victim held
    tablet.edit("victim", victim_id, {"outcome": "killed"})

    tablet.push()

    sent = _push_bodies(link)[-1]["records"]
    assert [(r["id"], r["base_version"], r["data"]["outcome"]) for r in sent] == [
        (victim_id, None, "killed")
    ]
    assert tablet.store.record("victim", victim_id).state == "held"
    # Releasing both held copies is tests/tablet_client/test_server_bugs.py (fails on the server).


def test_a_delete_carries_its_base_version_and_removes_the_record(
    make_client: MakeClient,
) -> None:
    tablet, link = _scripted(make_client)
    accident_id = tablet.create("accident", _accident())
    victim_id = tablet.create("victim", victim(accident_id)["data"])
    tablet.sync()
    tablet.delete("victim", victim_id)

    tablet.sync()

    assert _push_bodies(link)[-1]["records"] == [
        {"model": "victim", "id": victim_id, "op": "delete", "base_version": 1}
    ]
    assert Victim.objects.get(pk=victim_id).is_deleted
    assert tablet.store.record("victim", victim_id) is None
    assert tablet.get("accident", accident_id)["injured"] == 0


def test_a_delete_of_a_record_changed_on_the_server_is_a_conflict_and_the_record_stays(
    make_client: MakeClient,
) -> None:
    first, second = make_client("halo-1"), make_client("halo-2")
    accident_id = first.create("accident", _accident())
    first.sync()
    second.sync()
    first.edit("accident", accident_id, {"village": "Ban Nam Euang"})
    first.sync()
    second.delete("accident", accident_id)

    second.sync()

    assert second.get("accident", accident_id)["village"] == "Ban Nam Euang"
    assert [(n.status, n.deleted) for n in second.notices()] == [("conflict", False)]
    assert not Accident.objects.get(pk=accident_id).is_deleted


def test_a_record_deleted_on_the_server_leaves_the_tablet_and_local_edits_go_to_review(
    make_client: MakeClient,
) -> None:
    first, second = make_client("halo-1"), make_client("halo-2")
    accident_id = first.create("accident", _accident())
    first.sync()
    second.sync()
    first.delete("accident", accident_id)
    first.sync()
    second.edit("accident", accident_id, {"village": "Ban Nam Euang"})

    second.sync()

    assert second.get("accident", accident_id) is None
    assert [(n.status, n.deleted) for n in second.notices()] == [("conflict", True)]
    assert Conflict.objects.get(record_id=accident_id, device__user__username="halo-2")


def test_records_out_of_a_partners_view_are_removed_from_its_tablet(
    make_client: MakeClient,
) -> None:
    surveyor = make_client("halo-1")
    partner = make_client("cope-1", role="partner", organisation="COPE")
    accident_id = surveyor.create("accident", _accident())
    victim_id = surveyor.create("victim", victim(accident_id)["data"])
    assistance_id = surveyor.create("assistance", assistance(victim_id)["data"])
    surveyor.sync()
    partner.sync()
    assert partner.get("assistance", assistance_id)["provider_organisation"] == "COPE"
    assert partner.get("victim", victim_id)["full_name"] is None  # not theirs to see

    officer = make_client("nra-1", role="nra_staff", organisation="NRA")  # who may move it
    officer.sync()
    officer.edit("assistance", assistance_id, {"provider_organisation": "HI"})
    officer.sync()
    partner.sync()

    assert partner.get("assistance", assistance_id) is None
    assert partner.get("victim", victim_id) is None
    assert store_differences(partner.store, _fresh_pull(make_client, "cope-1")) == []
