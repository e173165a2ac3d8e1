"""Sync pull over HTTP: first sync, incremental changes, compaction, scope, privacy, cursors."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fieldsync.changelog import ChangeSet
from fieldsync.cursors import Cursor
from fieldsync.models import Device, SyncCommit
from fieldsync.registry import registry
from fieldsync.services.devices import device_revoke
from tests.helpers.sync import Tablet, accident, assistance, delete, victim
from victims.models import Victim

pytestmark = pytest.mark.django_db
REFERENCE_MODELS = {"province", "district", "ordnance_type", "organisation", "service_type"}


def _ids(changes: list[dict], model: str | None = None) -> list[str]:
    return [c["id"] for c in changes if model is None or c["model"] == model]


def test_first_sync_sends_reference_data_first_then_every_visible_record_once(
    tablet: Tablet,
) -> None:
    records = [accident() for _ in range(25)]
    tablet.push_ok(records)

    changes, _ = tablet.pull_all(limit=7)

    models = [c["model"] for c in changes]
    first_record = models.index("accident")
    assert set(models[:first_record]) == REFERENCE_MODELS
    assert models.count("province") == 18
    assert models.count("district") == 148
    assert sorted(_ids(changes, "accident")) == sorted(r["id"] for r in records)
    assert len(_ids(changes)) == len(set(_ids(changes)))
    assert {c["op"] for c in changes} == {"upsert"}


def test_incremental_pull_returns_exactly_the_changes_since_the_cursor(tablet: Tablet) -> None:
    before = accident()
    tablet.push_ok([before])
    _, cursor = tablet.pull_all()
    after = accident()
    tablet.push_ok([after])

    changes, cursor = tablet.pull_all(cursor)

    assert [(c["model"], c["id"], c["op"], c["version"]) for c in changes] == [
        ("accident", after["id"], "upsert", 1)
    ]
    assert tablet.pull_all(cursor)[0] == []


def test_a_record_edited_three_times_appears_once_at_its_latest_version(tablet: Tablet) -> None:
    a = accident()
    tablet.push_ok([a])
    _, cursor = tablet.pull_all()
    for version, village in enumerate(["Ban 1", "Ban 2", "Ban 3"], start=1):
        tablet.push_ok([accident(a["id"], base_version=version, village=village)])

    changes, _ = tablet.pull_all(cursor)

    assert len(changes) == 1
    assert (changes[0]["version"], changes[0]["data"]["village"]) == (4, "Ban 3")


def test_deletions_are_sent_as_delete_and_not_in_a_first_sync(tablet: Tablet, make_tablet) -> None:
    a = accident()
    tablet.push_ok([a])
    _, cursor = tablet.pull_all()
    tablet.push_ok([delete("accident", a["id"], 1)])

    changes, _ = tablet.pull_all(cursor)
    fresh, _ = make_tablet("fresh").pull_all()

    assert changes == [{"model": "accident", "id": a["id"], "op": "delete", "version": 2}]
    assert a["id"] not in _ids(fresh)


def test_organisation_a_never_receives_organisation_b_records(make_tablet) -> None:
    halo, mag = make_tablet("halo"), make_tablet("mag", organisation="MAG")
    a = accident()
    v = victim(a["id"])
    halo.push_ok([a, v])

    changes, _ = mag.pull_all()

    assert a["id"] not in _ids(changes)
    assert v["id"] not in _ids(changes)
    assert not {c["model"] for c in changes} - REFERENCE_MODELS


def test_personal_fields_reach_only_the_owning_surveyors_and_permitted_nra_staff(
    make_tablet,
) -> None:
    halo = make_tablet("halo")
    a = accident()
    v = victim(a["id"])
    s = assistance(v["id"])  # provided by COPE
    halo.push_ok([a, v, s])
    readers = {
        "owner": halo,
        "cope_partner": make_tablet("cope", role="partner", organisation="COPE"),
        "nra_viewer": make_tablet("nra", role="nra_staff", organisation="NRA"),
        "nra_personal": make_tablet(
            "nra-p", role="nra_staff", organisation="NRA", personal_data=True
        ),
    }

    seen = {}
    for name, reader in readers.items():
        changes, _ = reader.pull_all()
        victims = [c for c in changes if c["model"] == "victim"]
        seen[name] = victims[0]["data"].get("full_name") if victims else "not visible"

    assert seen == {
        "owner": "Somchai K.",
        "cope_partner": None,
        "nra_viewer": None,
        "nra_personal": "Somchai K.",
    }


def test_provider_sees_the_assistance_and_victim_but_not_the_accident(make_tablet) -> None:
    halo, cope = make_tablet("halo"), make_tablet("cope", role="partner", organisation="COPE")
    a = accident()
    v = victim(a["id"])
    s = assistance(v["id"])
    halo.push_ok([a, v])
    _, cursor = cope.pull_all()
    halo.push_ok([s])

    changes, _ = cope.pull_all(cursor)

    assert sorted((c["model"], c["id"]) for c in changes) == sorted(
        [("assistance", s["id"]), ("victim", v["id"])]
    )


def test_a_record_leaving_the_view_is_sent_as_out_of_scope(make_tablet) -> None:
    halo, cope = make_tablet("halo"), make_tablet("cope", role="partner", organisation="COPE")
    a = accident()
    v = victim(a["id"])
    s = assistance(v["id"])
    halo.push_ok([a, v, s])
    _, cursor = cope.pull_all()

    nra = make_tablet("nra", role="nra_staff", organisation="NRA")  # who may move it
    nra.push_ok([assistance(v["id"], s["id"], base_version=1, provider_organisation="NRC")])
    changes, _ = cope.pull_all(cursor)

    assert sorted((c["model"], c["op"], c.get("reason")) for c in changes) == [
        ("assistance", "delete", "out_of_scope"),
        ("victim", "delete", "out_of_scope"),
    ]


def test_accident_counts_follow_its_victims(tablet: Tablet) -> None:
    a = accident()
    tablet.push_ok([a])
    _, cursor = tablet.pull_all()
    tablet.push_ok([victim(a["id"], outcome="killed"), victim(a["id"])])

    changes, _ = tablet.pull_all(cursor)

    pulled = next(c for c in changes if c["model"] == "accident")
    assert (pulled["version"], pulled["data"]["killed"], pulled["data"]["injured"]) == (1, 1, 1)


def test_revoked_device_is_refused_on_push_and_pull(tablet: Tablet, make_user) -> None:
    device = Device.objects.get()
    device_revoke(device=device, by=make_user("nra-admin", role="nra_staff", organisation="NRA"))

    push = tablet.push([accident()])
    pull = tablet.pull()

    assert (push.status_code, push.json()["code"]) == (401, "device_revoked")
    assert (pull.status_code, pull.json()["code"]) == (401, "device_revoked")


@pytest.mark.parametrize("cursor", ["garbage", "eyJ9:abc", "x" * 2000])
def test_malformed_cursor_is_400(tablet: Tablet, cursor: str) -> None:
    response = tablet.pull(cursor)

    assert (response.status_code, response.json()["code"]) == (400, "invalid_cursor")


def test_forged_cursor_is_400(tablet: Tablet) -> None:
    _, cursor = tablet.pull_all()
    payload, signature = cursor.split(":", 1)

    response = tablet.pull(f"{payload}:{'A' * len(signature)}")

    assert (response.status_code, response.json()["code"]) == (400, "invalid_cursor")


def test_cursor_from_another_server_needs_a_resync(tablet: Tablet) -> None:
    foreign = Cursor(epoch="0" * 32, seq=5, nonce="abc").encode()

    response = tablet.pull(foreign)

    assert (response.status_code, response.json()["code"]) == (409, "resync_required")


def test_cursor_from_before_a_restore_needs_a_resync(tablet: Tablet) -> None:
    tablet.push_ok([accident()])
    _, cursor = tablet.pull_all()
    # A restore from an older backup: the latest commits vanish, later ones reuse their numbers.
    last = SyncCommit.objects.order_by("-seq_high").first()
    SyncCommit.objects.filter(pk=last.pk).update(nonce="restored")

    response = tablet.pull(cursor)
    gone = SyncCommit.objects.all().delete()

    assert gone[0] > 0
    assert (response.status_code, response.json()["code"]) == (409, "resync_required")
    assert tablet.pull(cursor).json()["code"] == "resync_required"


def test_limit_must_be_from_1_to_1000(tablet: Tablet) -> None:
    for limit in ("0", "1001", "ten"):
        response = tablet.client.get("/api/v1/sync/pull/", {"limit": limit}, **tablet.headers)
        assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_pull_pages_cost_a_bounded_number_of_queries(tablet: Tablet) -> None:
    records: list[dict] = []
    for _ in range(100):
        a = accident()
        v = victim(a["id"])
        records += [a, v, assistance(v["id"])]
    tablet.push_ok(records)
    _, cursor = tablet.pull_all()
    tablet.push_ok(
        [
            {**r, "base_version": 1} | {"data": {**r["data"], "notes": "x"}}
            for r in records
            if r["model"] == "assistance"
        ]
    )

    with CaptureQueriesContext(connection) as small:
        tablet.pull(cursor, limit=10)
    with CaptureQueriesContext(connection) as large:
        tablet.pull(cursor, limit=100)

    assert len(large) == len(small)
    assert len(large) <= 15


def test_held_records_are_not_pulled_until_applied(tablet: Tablet) -> None:
    a = accident()
    v = victim(a["id"])
    tablet.push_ok([v])

    changes, _ = tablet.pull_all()

    assert v["id"] not in _ids(changes)
    assert not Victim.objects.exists()


def test_change_log_rows_for_reference_data_are_public(seeded: None) -> None:
    from fieldsync.models import Change

    assert set(Change.objects.values_list("audience", flat=True)) == {"*public"}
    assert registry["province"].reference
    assert ChangeSet().flush() == 0


@pytest.mark.postgres
def test_a_pull_of_10000_changes_costs_the_same_queries_on_every_page(tablet: Tablet) -> None:
    records: list[dict] = []
    while len(records) < 10_000:
        a = accident()
        v = victim(a["id"])
        records += [a, v, assistance(v["id"])]
    for start in range(0, 10_000, 1000):
        tablet.push_ok(records[start : start + 1000])
    _, cursor = tablet.pull_all(limit=1000)  # reference data and everything: a first sync
    edits = {
        "accident": ("village", "Ban Na"),
        "victim": ("age_years", 40),
        "assistance": ("notes", "seen"),
    }
    for record in records[:10_000]:
        name, value = edits[record["model"]]
        record["data"][name] = value
    for start in range(0, 10_000, 1000):
        tablet.push_ok([{**r, "base_version": 1} for r in records[start : start + 1000]])

    counts, pulled = [], 0
    while True:
        with CaptureQueriesContext(connection) as page_queries:
            body = tablet.pull(cursor, limit=1000).json()
        counts.append(len(page_queries))
        pulled += len(body["changes"])
        cursor = body["cursor"]
        if not body["has_more"]:
            break

    assert pulled == 10_000  # every record changed once since the cursor, each sent once
    assert len(counts) == 10  # ten full pages; the last knows there is no more
    assert max(counts) <= 15
    assert len(set(counts)) == 1  # every page costs the same, whatever its content
