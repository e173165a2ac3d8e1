"""WatermelonDB field apps (the real @nozbe/watermelondb, its own synchronize()) against a live
server: first sync, offline work on two devices, merges and conflicts, deletes, records that
leave a device's view, and a partner's device. Every scenario ends with each device's database
equal to what the v1 pull gives the same user."""

from __future__ import annotations

import json

import pytest

from accidents.models import Accident
from accidents.services import accident_status_set
from fieldsync.models import Conflict, ConflictKind, ConflictStatus, Role
from tests.fieldsync.watermelon import rows
from tests.helpers.attachments import photo_bytes, reference
from tests.helpers.sync import Tablet, accident, assistance, victim
from tests.helpers.watermelon import MakeApp, WatermelonApp
from tests.helpers.watermelon_compare import assert_converged, assert_matches_server
from victims.models import Victim

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.node]


def synced_accident(app: WatermelonApp, *others: WatermelonApp, **columns: object) -> str:
    """An accident created on `app`, synced, and pulled by the other devices."""
    accident_id = app.create("accidents", rows.accident(**columns))
    app.sync_ok()
    for other in others:
        other.sync_ok()
    return accident_id


def test_first_sync_brings_reference_data_and_the_organisations_records(
    make_watermelon_app: MakeApp, make_tablet
) -> None:
    v1: Tablet = make_tablet("surveyor-halo-v1")
    ours, theirs = accident(), accident()
    casualty = victim(ours["id"])
    v1.push_ok([ours, casualty, assistance(casualty["id"])])
    make_tablet("surveyor-mag", organisation="MAG").push_ok([theirs])
    app = make_watermelon_app()

    result = app.sync_ok()

    (pull,) = result.pulls
    assert pull["params"] == {"last_pulled_at": "null", "schema_version": "2", "migration": "null"}
    assert type(pull["timestamp"]) is int and pull["timestamp"] > 0
    assert all(counts["created"] == 0 for counts in pull["counts"].values()), pull["counts"]
    assert result.pushes == []
    assert result.pulled_ids("accidents") == [ours["id"]]
    assert pull["counts"]["provinces"]["updated"] == 18
    assert pull["counts"]["districts"]["updated"] == 148
    assert app.dump()["lastPulledAt"] == pull["timestamp"]
    assert app.row("accidents", ours["id"])["reference"].startswith("LA-XI-2026-")
    assert_matches_server(app)


def test_an_accident_left_with_its_defaults_is_accepted(make_watermelon_app: MakeApp) -> None:
    app = make_watermelon_app()
    columns = rows.accident()
    assert "reporting_organisation" not in columns and "reported_on" not in columns
    a = app.create("accidents", columns)  # the app leaves them unset: the server fills them

    result = app.sync_ok()

    assert result.rejected == {}
    assert Accident.objects.get(pk=a).reporting_organisation_id == "HALO"
    app.sync_ok()
    assert app.row("accidents", a)["reporting_organisation"] == "HALO"
    assert_matches_server(app)


def test_offline_work_on_two_devices_of_one_organisation_reaches_both(
    make_watermelon_app: MakeApp,
) -> None:
    first, second = make_watermelon_app(), make_watermelon_app("surveyor-halo-2")
    first.sync_ok(), second.sync_ok()
    # Offline: the first records an accident with its casualty and a referral and corrects the
    # village before sending; the second records another accident.
    a = first.create("accidents", rows.accident())
    casualty = first.create("victims", rows.victim(a))
    referral = first.create(
        "assistance", rows.assistance(casualty, quantity="1", unit="pair", cost_lak="1500000")
    )
    family = first.create(
        "victims",
        rows.victim(
            None,
            victim_type="indirect",
            related_victim_id=casualty,
            relationship="parent",
            outcome=None,
            injuries="[]",
            age_years=41,
            age_estimated=True,
            full_name="Bounmy K.",
            guardian_name=None,
            consent="self",
        ),
    )
    first.update("accidents", a, village="Ban Phonsavan")
    b = second.create("accidents", rows.accident(activity="digging"))

    pushed = first.sync_ok()
    second.sync_ok()
    first.sync_ok()

    assert [row["id"] for row in pushed.pushed("accidents", "created")] == [a]
    assert pushed.pushed("accidents", "updated") == []  # never sent, so still a creation
    assert Accident.objects.get(pk=a).village == "Ban Phonsavan"
    assert {str(pk) for pk in Accident.objects.values_list("pk", flat=True)} == {a, b}
    second.update("victims", casualty, outcome="killed")
    second.sync_ok()
    first.sync_ok()
    assert first.row("victims", casualty)["outcome"] == "killed"
    assert first.row("accidents", a)["killed"] == 1
    assert second.row("assistance", referral)["cost_lak"] == "1500000.00"
    assert second.row("victims", family)["related_victim_id"] == casualty
    assert second.row("victims", family)["age_group"] == "adult"
    assert_converged(first, second)


def test_edits_of_different_fields_on_two_devices_merge(make_watermelon_app: MakeApp) -> None:
    first, second = make_watermelon_app(), make_watermelon_app("surveyor-halo-2")
    a = synced_accident(first, second)
    first.update("accidents", a, village="Ban Phonsavan")
    second.update("accidents", a, description="Found while ploughing.")

    first.sync_ok()
    merged = second.sync_ok()
    first.sync_ok()

    assert merged.pushed("accidents", "updated")[0]["_changed"] == "description"
    stored = Accident.objects.get(pk=a)
    assert (stored.village, stored.description) == ("Ban Phonsavan", "Found while ploughing.")
    assert stored.version == 3
    assert not Conflict.objects.filter(record_id=a).exists()
    assert_converged(first, second)


def test_an_edit_of_the_same_field_is_a_conflict_the_server_value_stays(
    make_watermelon_app: MakeApp,
) -> None:
    first, second = make_watermelon_app(), make_watermelon_app("surveyor-halo-2")
    a = synced_accident(first, second)
    first.update("accidents", a, village="Ban Phonsavan")
    second.update("accidents", a, village="Ban Nongbua", description="Two children hurt.")

    first.sync_ok()
    losing = second.sync_ok()

    assert losing.rejected == {}  # the push still succeeds
    stored = Accident.objects.get(pk=a)
    assert (stored.village, stored.description) == ("Ban Phonsavan", "Two children hurt.")
    conflict = Conflict.objects.get(record_id=a)
    assert conflict.status == ConflictStatus.OPEN
    assert conflict.fields["village"]["server"] == "Ban Phonsavan"
    assert conflict.fields["village"]["tablet"] == "Ban Nongbua"
    assert list(conflict.fields) == ["village"]
    back = second.sync_ok()  # the record comes back with the server value
    assert a in back.pulled_ids("accidents")
    assert second.row("accidents", a)["village"] == "Ban Phonsavan"
    assert_converged(first, second)


def test_an_edit_of_a_verified_accident_is_kept_for_review(
    make_watermelon_app: MakeApp, make_user
) -> None:
    app = make_watermelon_app()
    a = synced_accident(app)
    app.update("accidents", a, village="Ban Nongbua")
    staff = make_user("nra-reviewer", role=Role.NRA_STAFF, organisation="NRA")
    accident_status_set(accident_id=a, status="verified", by=staff)

    locked = app.sync_ok()

    assert locked.rejected == {}
    stored = Accident.objects.get(pk=a)
    assert (stored.village, stored.status) == ("Ban Nameuang", "verified")
    conflict = Conflict.objects.get(record_id=a)
    assert (conflict.kind, conflict.status) == (ConflictKind.LOCKED, ConflictStatus.OPEN)
    back = app.sync_ok()
    assert a in back.pulled_ids("accidents")
    assert (app.row("accidents", a)["village"], app.row("accidents", a)["status"]) == (
        "Ban Nameuang",
        "verified",
    )
    assert_converged(app)


def test_a_delete_of_a_record_edited_meanwhile_brings_it_back(make_watermelon_app: MakeApp) -> None:
    first, second = make_watermelon_app(), make_watermelon_app("surveyor-halo-2")
    a = synced_accident(first, second)
    first.delete("accidents", a)
    second.update("accidents", a, village="Ban Phonsavan")
    second.sync_ok()

    deleting = first.sync_ok()

    assert deleting.pushed("accidents", "deleted") == [a]
    assert deleting.rejected == {}
    stored = Accident.objects.get(pk=a)
    assert (stored.is_deleted, stored.village) == (False, "Ban Phonsavan")
    assert Conflict.objects.get(record_id=a).status == ConflictStatus.OPEN
    assert a not in first.rows("accidents")  # WatermelonDB forgets a pushed delete
    back = first.sync_ok()
    assert a in back.pulled_ids("accidents")
    assert first.row("accidents", a)["village"] == "Ban Phonsavan"
    assert_converged(first, second)


def test_a_delete_reaches_the_other_device(make_watermelon_app: MakeApp) -> None:
    first, second = make_watermelon_app(), make_watermelon_app("surveyor-halo-2")
    a = synced_accident(first, second)
    first.delete("accidents", a)
    first.sync_ok()

    gone = second.sync_ok()

    assert gone.pulled_ids("accidents", "deleted") == [a]
    assert Accident.objects.get(pk=a).is_deleted
    assert a not in second.rows("accidents")
    assert_converged(first, second)


def test_an_edit_of_a_record_deleted_meanwhile_never_reaches_the_server(
    make_watermelon_app: MakeApp,
) -> None:
    """WatermelonDB pulls before it pushes, and a pulled delete destroys the local record even
    with unsynced edits: the edit is lost on the device before any push, so the server cannot
    keep it for review (a v1 tablet's edit would be a `deleted` conflict). A limit of
    WatermelonDB's synchronize() for the docs, not a choice of the server."""
    first, second = make_watermelon_app(), make_watermelon_app("surveyor-halo-2")
    a = synced_accident(first, second)
    second.delete("accidents", a)
    second.sync_ok()
    first.update("accidents", a, village="Ban Phonsavan")

    result = first.sync_ok()

    assert result.pulled_ids("accidents", "deleted") == [a]
    assert result.pushes == []
    assert a not in first.rows("accidents")
    assert not Conflict.objects.filter(record_id=a).exists()
    assert_converged(first, second)


def test_records_moved_to_another_organisation_leave_the_device(
    make_watermelon_app: MakeApp, make_tablet
) -> None:
    app = make_watermelon_app()
    a = app.create("accidents", rows.accident())
    casualty = app.create("victims", rows.victim(a))
    referral = app.create("assistance", rows.assistance(casualty))
    app.sync_ok()
    app.sync_ok()
    staff: Tablet = make_tablet("nra-staff", role=Role.NRA_STAFF, organisation="NRA")
    version = Accident.objects.get(pk=a).version
    staff.push_ok(
        [
            {
                "model": "accident",
                "id": a,
                "op": "upsert",
                "base_version": version,
                "data": {"reporting_organisation": "MAG"},
            }
        ]
    )

    result = app.sync_ok()

    assert result.pulled_ids("accidents", "deleted") == [a]
    assert result.pulled_ids("victims", "deleted") == [casualty]
    assert result.pulled_ids("assistance", "deleted") == [referral]
    assert (app.rows("accidents"), app.rows("victims"), app.rows("assistance")) == ({}, {}, {})
    assert_matches_server(app)


def test_a_partner_sees_no_personal_fields_and_writes_assistance_only(
    make_watermelon_app: MakeApp,
) -> None:
    surveyor = make_watermelon_app()
    a = surveyor.create("accidents", rows.accident())
    casualty = surveyor.create("victims", rows.victim(a))
    referral = surveyor.create("assistance", rows.assistance(casualty))
    surveyor.sync_ok()
    partner = make_watermelon_app("cope", role=Role.PARTNER, organisation="COPE")
    partner.sync_ok()
    assert set(partner.rows("victims")) == {casualty}
    assert partner.row("victims", casualty)["full_name"] is None
    assert partner.rows("accidents") == {}

    partner.update("assistance", referral, status="in_progress", started_on="2026-11-25")
    partner.update("victims", casualty, outcome="killed")
    result = partner.sync_ok()

    assert result.rejected == {"victims": [casualty]}
    assert partner.row("victims", casualty)["_status"] == "updated"
    surveyor.sync_ok()
    assert surveyor.row("assistance", referral)["status"] == "in_progress"
    assert surveyor.row("victims", casualty)["outcome"] == "injured"
    assert surveyor.row("victims", casualty)["full_name"] == "Somchai K."
    assert json.loads(surveyor.row("victims", casualty)["injuries"]) == ["hand_fingers"]
    assert_converged(surveyor, partner, unsynced={casualty})


def test_an_edit_from_a_device_that_may_not_see_personal_fields_keeps_them(
    make_watermelon_app: MakeApp,
) -> None:
    surveyor = make_watermelon_app()
    a = surveyor.create("accidents", rows.accident())
    casualty = surveyor.create("victims", rows.victim(a))
    surveyor.sync_ok()
    staff = make_watermelon_app("nra-viewer", role=Role.NRA_STAFF, organisation="NRA")
    staff.sync_ok()
    assert staff.row("victims", casualty)["full_name"] is None  # no personal-data permission

    staff.update("victims", casualty, outcome="killed")
    pushed = staff.sync_ok()

    (row,) = pushed.pushed("victims", "updated")
    assert (row["_changed"], row["full_name"]) == ("outcome", None)
    stored = Victim.objects.get(pk=casualty)
    assert (stored.outcome, stored.full_name, stored.guardian_name) == (
        "killed",
        "Somchai K.",
        "Bounmy K.",
    )
    assert_converged(surveyor, staff)


def test_an_edit_from_an_app_without_the_newer_columns_keeps_them(
    make_watermelon_app: MakeApp, make_tablet
) -> None:
    app = make_watermelon_app(schema_version=1)
    a = app.create("accidents", rows.accident())
    app.sync_ok()
    photo = reference(photo_bytes(), "site.jpg")
    v1: Tablet = make_tablet("surveyor-halo-v1")
    v1.push_ok(
        [
            {
                "model": "accident",
                "id": a,
                "op": "upsert",
                "base_version": 1,
                "data": {"photos": [photo]},
            }
        ]
    )
    app.sync_ok()

    app.update("accidents", a, village="Ban Phonsavan")
    app.sync_ok()

    stored = Accident.objects.get(pk=a)
    assert (stored.village, stored.photos) == ("Ban Phonsavan", [photo])
    app.upgrade(2)  # the comparison needs every column
    assert_converged(app)
