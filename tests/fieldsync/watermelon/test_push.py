"""The WatermelonDB push (contract watermelondb.md): one batch of the engine, merged field by
field from `_changed` on the base the server remembers, conflicts kept for review and sent
back, rejected rows listed, held rows not, retries that change nothing, envelope errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from accidents.models import Accident
from fieldsync.changelog import latest_seq
from fieldsync.models import (
    Conflict,
    ConflictStatus,
    InboxRecord,
    InboxStatus,
    RecordVersion,
    SyncBatch,
)
from tests.fieldsync.watermelon.melon import Melon, changes, edited, row, updated_ids, updated_row
from tests.helpers.sync import Tablet, accident, victim

pytestmark = pytest.mark.django_db


@pytest.fixture
def melon(make_tablet: Callable[..., Tablet]) -> Melon:
    return Melon(make_tablet())


@pytest.fixture
def other(make_tablet: Callable[..., Tablet]) -> Melon:
    """A second device of the same organisation."""
    return Melon(make_tablet("surveyor-halo-2"))


def _synced(melon: Melon, record: dict[str, Any]) -> dict[str, Any]:
    """The record created on `melon`, pushed, and pulled back as the device then holds it."""
    melon.sync(changes(accidents={"created": [row(record)]}))
    pulled = melon.pull()
    return updated_row(pulled, "accidents", record["id"])


def _edited_elsewhere(melon: Melon, other: Melon, **columns: Any) -> tuple[str, dict[str, Any]]:
    """An accident created and synced on `melon`, then edited (`columns`) on `other`: its id,
    and the row `melon` still holds (made before that edit)."""
    a = accident()
    mine = _synced(melon, a)
    theirs = updated_row(other.pull(), "accidents", a["id"])
    other.sync(changes(accidents={"updated": [edited(theirs, **columns)]}))
    return a["id"], mine


def test_created_rows_are_new_records_echoed_in_updated(melon: Melon) -> None:
    a = accident()
    v = victim(a["id"], injuries=["burns", "hearing"])
    created = row(a, reporting_organisation=None, reported_on=None, date_precision=None)
    _, answer = melon.sync(changes(accidents={"created": [created]}, victims={"created": [row(v)]}))
    assert answer == {}
    stored = Accident.objects.get(pk=a["id"])
    assert stored.village == "Ban Nameuang" and stored.reporting_organisation_id == "HALO"
    assert stored.reported_on is not None  # left null on the device: the server's default
    assert sorted(stored.victims.get().injuries) == ["burns", "hearing"]
    pulled = melon.pull()
    assert updated_ids(pulled, "accidents") == [a["id"]] and not pulled["accidents"]["created"]
    assert updated_row(pulled, "victims", v["id"])["server_version"] == 1


def test_an_edit_of_a_record_this_device_created_applies(melon: Melon) -> None:
    a = accident()
    held = _synced(melon, a)
    melon.sync(
        changes(accidents={"updated": [edited(held, village="Ban Xang", ordnance_type=None)]})
    )
    stored = Accident.objects.get(pk=a["id"])
    assert (stored.village, stored.version, stored.ordnance_type_id) == ("Ban Xang", 2, None)
    assert not Conflict.objects.exists()
    melon.sync(changes(accidents={"updated": [edited(held, village=None)]}))  # emptied
    assert Accident.objects.get(pk=a["id"]).village == ""


def test_each_version_knows_the_commit_that_stored_it(tablet: Tablet) -> None:
    a = accident()
    tablet.push_ok([a])
    first = latest_seq()
    tablet.push_ok([accident(a["id"], base_version=1, village="Ban Xang")])
    stamps = dict(RecordVersion.objects.values_list("version", "commit_seq"))
    assert stamps == {1: first, 2: latest_seq()} and first < latest_seq()


def test_edits_of_different_fields_on_two_devices_merge(melon: Melon, other: Melon) -> None:
    accident_id, mine = _edited_elsewhere(melon, other, village="Ban Xang")
    melon.sync(changes(accidents={"updated": [edited(mine, description="Two children hurt.")]}))
    stored = Accident.objects.get(pk=accident_id)
    assert (stored.village, stored.description) == ("Ban Xang", "Two children hurt.")
    assert not Conflict.objects.exists()


def test_the_same_field_edited_on_two_devices_is_a_conflict_sent_back(
    melon: Melon, other: Melon
) -> None:
    accident_id, mine = _edited_elsewhere(melon, other, village="Ban Xang")
    _, answer = melon.sync(
        changes(accidents={"updated": [edited(mine, village="Ban Phonsavan", description="x")]})
    )
    assert answer == {}  # a conflict is not a rejection: the push succeeds
    stored = Accident.objects.get(pk=accident_id)
    assert (stored.village, stored.description) == ("Ban Xang", "x")  # the rest applies
    conflict = Conflict.objects.get(status=ConflictStatus.OPEN)
    assert conflict.fields["village"]["tablet"] == "Ban Phonsavan"
    assert conflict.fields["village"]["server"] == "Ban Xang"
    # The next pull brings the server's value back to the device that lost.
    back = updated_row(melon.pull(), "accidents", accident_id)
    assert back["village"] == "Ban Xang" and back["server_version"] == stored.version


def test_a_conflict_that_applies_nothing_is_still_sent_back(melon: Melon, other: Melon) -> None:
    accident_id, mine = _edited_elsewhere(melon, other, village="Ban Xang")
    melon.sync(changes(accidents={"updated": [edited(mine, village="Ban Phonsavan")]}))
    assert Accident.objects.get(pk=accident_id).version == 2  # nothing of the device's applied
    assert updated_row(melon.pull(), "accidents", accident_id)["village"] == "Ban Xang"


def test_a_delete_of_a_record_edited_meanwhile_keeps_it_and_sends_it_back(
    melon: Melon, other: Melon
) -> None:
    accident_id, _ = _edited_elsewhere(melon, other, village="Ban Xang")
    melon.sync(changes(accidents={"deleted": [accident_id]}))
    stored = Accident.objects.get(pk=accident_id)
    assert not stored.is_deleted
    assert Conflict.objects.get().kind == "delete"
    assert updated_row(melon.pull(), "accidents", accident_id)["village"] == "Ban Xang"


def test_a_delete_on_the_current_base_deletes_and_never_comes_back(
    melon: Melon, other: Melon
) -> None:
    a = accident()
    held = _synced(melon, a)
    melon.sync(changes(accidents={"deleted": [a["id"]]}))
    assert Accident.objects.get(pk=a["id"]).is_deleted
    _, answer = melon.sync(changes(accidents={"updated": [edited(held, village="Late edit")]}))
    assert answer == {}
    assert Accident.objects.get(pk=a["id"]).is_deleted  # a tombstone stays one
    assert melon.pull()["accidents"]["deleted"] == [a["id"]]


def test_invalid_forbidden_and_unknown_rows_are_listed_and_kept(melon: Melon) -> None:
    good, bad_code, other_org = accident(), accident(province="LA-ZZ"), accident()
    v = victim(good["id"], age_years=200)
    body = changes(
        accidents={
            "created": [
                row(good),
                row(bad_code),
                row(other_org, reporting_organisation="MAG"),
                row(accident(), id="not-a-uuid"),
                row(accident(), colour="red"),  # a column the server does not know
            ]
        },
        victims={"created": [row(v)]},
    )
    _, answer = melon.sync(body)
    rejected = answer["experimentalRejectedIds"]
    assert sorted(rejected["accidents"]) == sorted(
        [bad_code["id"], other_org["id"], "not-a-uuid", body["accidents"]["created"][4]["id"]]
    )
    assert rejected["victims"] == [v["id"]]
    assert [str(pk) for pk in Accident.objects.values_list("pk", flat=True)] == [good["id"]]
    kept = InboxRecord.objects.filter(status=InboxStatus.REJECTED)
    assert kept.count() == 5  # kept for NRA review, as sent
    forbidden = kept.get(record_id=other_org["id"])
    assert forbidden.result["code"] == "forbidden"
    assert kept.get(record_id=v["id"]).result["errors"]["age_years"]
    assert "colour" in kept.get(record_id=body["accidents"]["created"][4]["id"]).result["errors"]


def test_a_row_whose_parent_has_not_arrived_is_held_not_rejected(
    melon: Melon, other: Melon
) -> None:
    a = accident()
    v = victim(a["id"])
    _, answer = melon.sync(changes(victims={"created": [row(v)]}))
    assert answer == {}
    assert InboxRecord.objects.get(record_id=v["id"]).status == InboxStatus.HELD
    other.sync(changes(accidents={"created": [row(a)]}))
    assert updated_ids(melon.pull(), "victims") == [v["id"]]


def test_the_same_push_again_changes_and_duplicates_nothing(melon: Melon, other: Melon) -> None:
    accident_id, mine = _edited_elsewhere(melon, other, village="Ban Xang")
    melon.pull()
    body = changes(accidents={"updated": [edited(mine, village="Ban Phonsavan")]})
    melon.push(body)
    counts = (RecordVersion.objects.count(), Conflict.objects.count())
    assert melon.push(body) == {}
    assert (RecordVersion.objects.count(), Conflict.objects.count()) == counts
    assert Accident.objects.get(pk=accident_id).village == "Ban Xang"


def test_a_retry_after_a_lost_answer_does_not_let_the_device_win(
    melon: Melon, other: Melon
) -> None:
    """The answer of a push that found a conflict was lost: the device pulls again (which moves
    its base past the other device's edit) and pushes the same row. The server value stays and
    the conflict is not recorded twice."""
    accident_id, mine = _edited_elsewhere(melon, other, village="Ban Xang")
    lost = changes(accidents={"updated": [edited(mine, village="Ban Phonsavan")]})
    melon.sync(lost)  # processed; the device never heard back
    assert Conflict.objects.count() == 1
    melon.sync(lost)  # synchronize() again: a pull, then the same row
    assert Accident.objects.get(pk=accident_id).village == "Ban Xang"
    assert Conflict.objects.count() == 1
    assert updated_row(melon.pull(), "accidents", accident_id)["village"] == "Ban Xang"


def test_a_retried_create_is_not_duplicated(melon: Melon) -> None:
    a = accident()
    body = changes(accidents={"created": [row(a)]})
    melon.sync(body)
    melon.sync(body)  # the first answer was lost: the row is still "created" on the device
    assert Accident.objects.filter(pk=a["id"]).count() == 1
    assert RecordVersion.objects.filter(record_id=a["id"]).count() == 1


def test_an_edit_of_a_record_the_server_lost_is_stored_whole(melon: Melon) -> None:
    a = accident()
    melon.pull()
    raw = edited(row(a), village="Ban Xang") | {"server_version": 3}
    _, answer = melon.sync(changes(accidents={"updated": [raw]}))
    assert answer == {}
    assert Accident.objects.get(pk=a["id"]).village == "Ban Xang"


def test_reference_tables_take_no_rows_and_unknown_empty_tables_are_ignored(
    melon: Melon,
) -> None:
    body = changes() | {
        "provinces": {"created": [], "updated": [{"id": "LA-XI", "name_en": "X"}], "deleted": []},
        "drafts": {"created": [], "updated": [], "deleted": []},  # an app's local table
    }
    _, answer = melon.sync(body)
    assert answer == {"experimentalRejectedIds": {"provinces": ["LA-XI"]}}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "invalid_json"),
        ([], "invalid_changes"),
        ({"accidents": []}, "invalid_changes"),
        ({"accidents": {"created": {}}}, "invalid_changes"),
        ({"accidents": {"created": [{"village": "no id"}]}}, "invalid_changes"),
        ({"accidents": {"deleted": [3]}}, "invalid_changes"),
        ({"fields": {"created": [{"id": "x"}]}}, "unknown_table"),
    ],
)
def test_envelope_errors_are_400_and_apply_nothing(melon: Melon, body: Any, code: str) -> None:
    melon.pull()
    response = melon.push_raw(body if isinstance(body, bytes) else json.dumps(body))
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["detail"]
    assert not SyncBatch.objects.exists()


def test_too_many_rows_are_413_with_the_limits(melon: Melon, settings: Any) -> None:
    settings.FIELDSYNC = {**settings.FIELDSYNC, "MAX_BATCH_RECORDS": 2}
    rows = [row(accident()) for _ in range(3)]
    response = melon.push_raw(changes(accidents={"created": rows}))
    assert response.status_code == 413
    assert response.json()["code"] == "batch_too_large"
    assert response.json()["max_batch_records"] == 2
    assert not SyncBatch.objects.exists()


def test_a_rejected_row_sent_again_unchanged_leaves_one_review_item(
    melon: Melon, other: Melon
) -> None:
    bad = accident(province="LA-ZZ")
    body = changes(accidents={"created": [row(bad)]})
    for _ in range(3):  # WatermelonDB sends a rejected row again on every sync
        other.sync(changes(accidents={"created": [row(accident())]}))  # the server moves on
        _, answer = melon.sync(body)
        assert answer == {"experimentalRejectedIds": {"accidents": [bad["id"]]}}
    kept = InboxRecord.objects.filter(record_id=bad["id"])
    assert kept.count() == 3  # each judged again (its cause may be gone by now)...
    assert kept.filter(status=InboxStatus.REJECTED).count() == 1  # ...one awaits review
    assert kept.filter(status=InboxStatus.SUPERSEDED).count() == 2
    fixed = changes(accidents={"created": [row(bad, province="LA-XI")]})
    assert melon.sync(fixed)[1] == {}
    assert Accident.objects.filter(pk=bad["id"]).exists()
    assert not kept.filter(status=InboxStatus.REJECTED).exists()  # fixed: no longer work


def test_a_second_edit_of_a_field_after_a_merged_push_is_no_conflict(
    melon: Melon, other: Melon
) -> None:
    """The device's own merged push is part of what its next edit was made on, though its
    last pull request came before it."""
    accident_id, mine = _edited_elsewhere(melon, other, description="Seen by MAG.")
    melon.sync(changes(accidents={"updated": [edited(mine, village="Ban Xang")]}))  # merged
    melon.sync(changes(accidents={"updated": [edited(mine, village="Ban Phonsavan")]}))
    stored = Accident.objects.get(pk=accident_id)
    assert (stored.village, stored.description) == ("Ban Phonsavan", "Seen by MAG.")
    assert not Conflict.objects.exists()


def test_a_value_in_review_set_again_after_seeing_the_server_value_applies(
    melon: Melon, other: Melon
) -> None:
    accident_id, mine = _edited_elsewhere(melon, other, village="Ban Xang")
    melon.sync(changes(accidents={"updated": [edited(mine, village="Ban Phonsavan")]}))
    assert Conflict.objects.filter(status=ConflictStatus.OPEN).count() == 1
    back = updated_row(melon.pull(), "accidents", accident_id)  # the server's value comes back
    assert back["village"] == "Ban Xang"
    melon.sync(changes(accidents={"updated": [edited(back, village="Ban Phonsavan")]}))
    assert Accident.objects.get(pk=accident_id).village == "Ban Phonsavan"  # a new, informed edit


def test_a_delete_made_again_after_seeing_the_record_deletes_it(melon: Melon, other: Melon) -> None:
    accident_id, _ = _edited_elsewhere(melon, other, village="Ban Xang")
    melon.sync(changes(accidents={"deleted": [accident_id]}))
    assert not Accident.objects.get(pk=accident_id).is_deleted  # a conflict: it comes back
    assert updated_ids(melon.pull(), "accidents") == [accident_id]
    melon.sync(changes(accidents={"deleted": [accident_id]}))  # deleted again, knowingly
    assert Accident.objects.get(pk=accident_id).is_deleted


def test_ids_a_pull_would_not_send_back_as_they_are_are_rejected(melon: Melon) -> None:
    upper, bare = accident(), accident()
    body = changes(
        accidents={
            "created": [
                row(upper, id=upper["id"].upper()),
                row(bare, id=bare["id"].replace("-", "")),
            ]
        }
    )
    _, answer = melon.sync(body)
    assert sorted(answer["experimentalRejectedIds"]["accidents"]) == sorted(
        [upper["id"].upper(), bare["id"].replace("-", "")]
    )
    assert not Accident.objects.exists()
    errors = InboxRecord.objects.get(record_id=upper["id"]).result["errors"]
    assert "lower case" in errors["id"][0]


def test_deleting_reference_rows_is_refused(melon: Melon) -> None:
    body = changes() | {"provinces": {"created": [], "updated": [], "deleted": ["LA-XI"]}}
    _, answer = melon.sync(body)
    assert answer == {"experimentalRejectedIds": {"provinces": ["LA-XI"]}}
