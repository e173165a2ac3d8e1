"""WatermelonDB field apps when things go wrong: responses lost on the way back, a rejected row,
a row held for its parent, a schema upgrade (a migration sync), and a server restored from a
backup (a resync). Every scenario ends with the devices equal to the server's v1 view."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.db import connections

from accidents.models import Accident
from fieldsync.models import Conflict, InboxRecord, InboxStatus, RecordVersion
from tests.fieldsync.watermelon import rows
from tests.helpers.attachments import photo_bytes, reference
from tests.helpers.sync import Tablet
from tests.helpers.watermelon import MakeApp
from tests.helpers.watermelon_compare import (
    assert_converged,
    assert_matches_server,
    pushed_ids,
)
from tests.reliability.test_backup_restore import _pg
from victims.models import Victim

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.node]


def versions(record_id: str) -> int:
    return RecordVersion.objects.filter(record_id=record_id).count()


def test_a_lost_push_response_is_sent_again_and_changes_nothing_twice(
    make_watermelon_app: MakeApp,
) -> None:
    app, other = make_watermelon_app(), make_watermelon_app("surveyor-halo-2")
    a = app.create("accidents", rows.accident())
    d = app.create("accidents", rows.accident(activity="fishing"))
    app.sync_ok(), other.sync_ok()
    other.update("accidents", a, village="Ban Phonsavan")
    other.sync_ok()
    app.update("accidents", a, village="Ban Nongbua")  # a conflict
    b = app.create("accidents", rows.accident(activity="digging"))
    app.delete("accidents", d)

    lost = app.sync(lose_push_response=True)

    assert not lost.ok and lost.reply["phase"] == "ready to push"
    assert Accident.objects.get(pk=b).version == 1
    assert Accident.objects.get(pk=a).village == "Ban Phonsavan"
    assert Conflict.objects.filter(record_id=a).count() == 1
    assert Accident.objects.get(pk=d).is_deleted
    before = (versions(a), versions(b), versions(d))
    assert app.row("accidents", b)["_status"] == "created"  # unsynced on the device
    retried = app.sync_ok()
    assert [row["id"] for row in retried.pushed("accidents", "created")] == [b]
    assert [row["id"] for row in retried.pushed("accidents", "updated")] == [a]
    # The app sends the unanswered push again before it pulls (docs/watermelondb.md): the
    # same delete, which finds the record deleted already.
    assert retried.pulled_ids("accidents", "deleted") == []
    assert retried.pushed("accidents", "deleted") == [d]
    assert (versions(a), versions(b), versions(d)) == before
    assert Conflict.objects.filter(record_id=a).count() == 1
    assert Accident.objects.get(pk=a).village == "Ban Phonsavan"  # the retry does not win
    assert Accident.objects.filter(pk=b).count() == 1
    app.sync_ok()
    assert app.row("accidents", a)["village"] == "Ban Phonsavan"
    assert_matches_server(app)


@pytest.mark.parametrize("with_a_creation", [False, True], ids=["edit", "edit-and-creation"])
def test_a_retry_after_a_lost_answer_does_not_undo_a_later_edit(
    make_watermelon_app: MakeApp, with_a_creation: bool
) -> None:
    app, other = make_watermelon_app(), make_watermelon_app("surveyor-halo-2")
    a = app.create("accidents", rows.accident())
    app.sync_ok(), other.sync_ok()
    app.update("accidents", a, village="Ban Nongbua")
    sent = [a]
    if with_a_creation:  # the same push also creates a record
        sent.append(app.create("accidents", rows.accident(activity="digging")))
    assert not app.sync(lose_push_response=True).ok  # stored; the device does not know
    other.sync_ok()
    for record_id in sent:
        other.update("accidents", record_id, village="Ban Phonsavan")  # after the stored edit
    other.sync_ok()
    before = [versions(record_id) for record_id in sent]

    retried = app.sync_ok()

    assert sorted(pushed_ids(retried)) == sorted(sent)
    assert [versions(record_id) for record_id in sent] == before  # repeats what is stored
    for record_id in sent:
        assert Accident.objects.get(pk=record_id).village == "Ban Phonsavan"
    assert not Conflict.objects.filter(record_id__in=sent).exists()
    assert_converged(app, other)
    assert app.row("accidents", a)["village"] == "Ban Phonsavan"


def test_a_record_edited_after_its_creation_was_lost_is_updated(
    make_watermelon_app: MakeApp,
) -> None:
    app = make_watermelon_app()
    app.sync_ok()
    b = app.create("accidents", rows.accident())
    assert not app.sync(lose_push_response=True).ok
    app.update("accidents", b, village="Ban Phonsavan")  # still a creation on the device

    retried = app.sync_ok()

    assert [row["id"] for row in retried.pushed("accidents", "created")] == [b]
    stored = Accident.objects.get(pk=b)
    assert (stored.village, stored.version) == ("Ban Phonsavan", 2)
    assert not Conflict.objects.filter(record_id=b).exists()
    assert_converged(app)


def test_an_edit_whose_push_never_arrived_still_conflicts_with_the_server_edit(
    make_watermelon_app: MakeApp,
) -> None:
    app, other = make_watermelon_app(), make_watermelon_app("surveyor-halo-2")
    a = app.create("accidents", rows.accident())
    app.sync_ok(), other.sync_ok()
    other.update("accidents", a, village="Ban Phonsavan")
    other.sync_ok()
    app.update("accidents", a, village="Ban Nongbua")
    # The pull brings the other edit (WatermelonDB keeps its own value), then the network goes.
    dropped = app.sync(lose_push_request=True)
    assert not dropped.ok and a in dropped.pulled_ids("accidents")
    assert app.row("accidents", a)["village"] == "Ban Nongbua"

    app.sync_ok()  # the edit was made before the device saw the other one: still a conflict

    assert Accident.objects.get(pk=a).village == "Ban Phonsavan"
    conflict = Conflict.objects.get(record_id=a)
    assert conflict.fields["village"]["tablet"] == "Ban Nongbua"
    assert_converged(app, other)


def test_a_lost_pull_response_is_pulled_again(make_watermelon_app: MakeApp) -> None:
    app, other = make_watermelon_app(), make_watermelon_app("surveyor-halo-2")
    a = app.create("accidents", rows.accident())
    app.sync_ok(), other.sync_ok()
    other.update("accidents", a, village="Ban Phonsavan")
    other.sync_ok()
    app.update("accidents", a, description="Found while ploughing.")
    pulled_at = app.dump()["lastPulledAt"]

    lost = app.sync(lose_pull_response=True)

    assert not lost.ok and lost.pushes == []  # nothing was pushed after the failed pull
    assert app.dump()["lastPulledAt"] == pulled_at
    assert app.row("accidents", a)["village"] == "Ban Nameuang"
    assert Accident.objects.get(pk=a).description == ""
    again = app.sync_ok()
    assert again.pulls[0]["params"]["last_pulled_at"] == str(pulled_at)
    assert a in again.pulled_ids("accidents")
    stored = Accident.objects.get(pk=a)
    assert (stored.village, stored.description) == ("Ban Phonsavan", "Found while ploughing.")
    assert_converged(app)


def test_a_rejected_row_stays_unsynced_until_it_is_fixed(make_watermelon_app: MakeApp) -> None:
    app = make_watermelon_app()
    good = app.create("accidents", rows.accident())
    bad = app.create("accidents", rows.accident(ordnance_type="NO-SUCH-CODE"))
    odd = app.create("accidents", rows.accident(), record_id="accident-1")  # not a UUID

    result = app.sync_ok()

    assert sorted(result.rejected["accidents"]) == sorted([bad, odd])
    assert app.row("accidents", odd)["_status"] == "created"
    assert app.row("accidents", bad)["_status"] == "created"
    assert app.row("accidents", good)["_status"] == "synced"
    assert not Accident.objects.filter(pk=bad).exists()
    inbox = InboxRecord.objects.get(record_id=bad)
    assert inbox.status == InboxStatus.REJECTED
    assert_converged(app, unsynced={bad, odd})
    app.update("accidents", bad, ordnance_type="BLU-24")
    fixed = app.sync_ok()
    assert fixed.rejected == {"accidents": [odd]}
    assert Accident.objects.get(pk=bad).ordnance_type_id == "BLU-24"
    assert_converged(app, unsynced={odd})


def test_a_rejected_row_the_surveyor_deletes_leaves_the_device(
    make_watermelon_app: MakeApp,
) -> None:
    app = make_watermelon_app()
    odd = app.create("accidents", rows.accident(), record_id="accident-1")  # not a UUID
    bad = app.create("accidents", rows.accident(ordnance_type="NO-SUCH-CODE"))
    assert sorted(app.sync_ok().rejected["accidents"]) == sorted([bad, odd])
    app.delete("accidents", odd)  # the surveyor gives up on both
    app.delete("accidents", bad)

    discarded = app.sync_ok()

    assert sorted(discarded.pushed("accidents", "deleted")) == sorted([bad, odd])
    assert discarded.rejected == {}  # nothing to delete: or the device keeps them for ever
    assert app.rows("accidents") == {}
    assert_converged(app)


def test_a_victim_whose_accident_comes_later_is_held_then_applied(
    make_watermelon_app: MakeApp,
) -> None:
    first, second = make_watermelon_app(), make_watermelon_app("surveyor-halo-2")
    first.sync_ok(), second.sync_ok()
    a = first.create("accidents", rows.accident())  # not sent yet
    casualty = second.create("victims", rows.victim(a))

    held = second.sync_ok()

    assert held.rejected == {}
    assert InboxRecord.objects.get(record_id=casualty).status == InboxStatus.HELD
    assert not Victim.objects.filter(pk=casualty).exists()
    first.sync_ok()
    assert str(Victim.objects.get(pk=casualty).accident_id) == a
    assert InboxRecord.objects.get(record_id=casualty).status != InboxStatus.HELD
    first.sync_ok(), second.sync_ok()
    assert first.row("victims", casualty)["full_name"] == "Somchai K."
    assert_converged(first, second)


def test_a_schema_upgrade_pulls_the_new_columns_in_a_migration_sync(
    make_watermelon_app: MakeApp, make_tablet
) -> None:
    app = make_watermelon_app(schema_version=1)
    a = app.create("accidents", rows.accident())
    app.sync_ok(), app.sync_ok()
    assert "photos" not in app.row("accidents", a)
    photo = reference(photo_bytes(), "site.jpg")
    v1: Tablet = make_tablet("surveyor-halo-v1")
    version = Accident.objects.get(pk=a).version
    v1.push_ok(
        [
            {
                "model": "accident",
                "id": a,
                "op": "upsert",
                "base_version": version,
                "data": {"photos": [photo]},
            }
        ]
    )
    app.sync_ok()  # the new version arrives without the column the app does not know yet

    app.upgrade(2)
    assert app.row("accidents", a)["photos"] is None
    migrated = app.sync_ok()

    assert json.loads(migrated.pulls[0]["params"]["migration"]) == {
        "from": 1,
        "tables": [],
        "columns": [
            {"table": "accidents", "columns": ["photos"]},
            {"table": "victims", "columns": ["photos", "consent_document"]},
            {"table": "assistance", "columns": ["documents"]},
        ],
    }
    assert migrated.pulled_ids("accidents") == [a]
    assert json.loads(app.row("accidents", a)["photos"]) == [photo]
    assert app.dump()["lastPulledSchemaVersion"] == 2
    assert_matches_server(app)


@pytest.mark.postgres
def test_a_resync_after_a_restore_loses_nothing(
    make_watermelon_app: MakeApp, tmp_path: Path
) -> None:
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    app = make_watermelon_app()
    a = app.create("accidents", rows.accident())
    d = app.create("accidents", rows.accident(activity="fishing"))
    app.sync_ok(), app.sync_ok()
    dump = tmp_path / "fieldsync.dump"
    name = connections["default"].settings_dict["NAME"]
    _pg("pg_dump", "-Fc", "-f", str(dump), name)  # the nightly backup
    b = app.create("accidents", rows.accident(activity="digging"))
    app.sync_ok(), app.sync_ok()  # acknowledged after the backup: the restore loses it
    c = app.create("accidents", rows.accident(activity="herding"))  # not sent yet
    app.update("accidents", a, village="Ban Phonsavan")  # nor this edit
    app.delete("accidents", d)  # nor this delete

    connections.close_all()
    _pg("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
        "-d", name, str(dump))  # fmt: skip

    stale = app.sync()
    assert (stale.status, stale.code) == (409, "resync_required")
    recovered = app.resync()

    assert recovered["ok"], recovered
    assert recovered["restored"] == {"created": 2, "edited": 1, "deleted": 1}
    live = Accident.objects.filter(is_deleted=False).values_list("pk", flat=True)
    assert {str(pk) for pk in live} == {a, b, c}
    assert Accident.objects.get(pk=a).village == "Ban Phonsavan"
    assert Accident.objects.get(pk=d).is_deleted
    assert_converged(app)
