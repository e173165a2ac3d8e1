"""No value is lost whatever order a create and two edits from two devices arrive in.

Every field a message changed (against the version it was made on) must end up in the record,
in an open conflict awaiting review, or be superseded by a later version that the history shows
changing exactly that value; a message refused as a whole stays in the quarantine.
"""

from __future__ import annotations

import itertools

import pytest

from accidents.models import Accident
from fieldsync.models import Conflict, InboxRecord, RecordVersion
from fieldsync.registry import registry
from tests.helpers.sync import accident

pytestmark = pytest.mark.django_db


def _accounted_for(record_id: str, message: dict, changed: dict) -> None:
    inbox = next(i for i in InboxRecord.objects.filter(record_id=record_id) if i.payload == message)
    if inbox.status in ("rejected", "held"):
        return  # kept whole for review
    wire = registry["accident"].to_wire(Accident.objects.get(pk=record_id))
    conflicts = Conflict.objects.filter(record_id=record_id, status="open")
    produced = RecordVersion.objects.filter(inbox_record=inbox).first()
    for name, value in changed.items():
        if wire[name] == value:
            continue
        if any(c.fields.get(name, {}).get("tablet") == value for c in conflicts):
            continue
        assert produced is not None, (name, value, inbox.status)
        later = RecordVersion.objects.filter(record_id=record_id, version__gt=produced.version)
        assert any(v.changes.get(name, [None])[0] == value for v in later), (name, value)


@pytest.mark.parametrize("order", list(itertools.permutations(["create", "edit_a", "edit_b"])))
def test_every_arrival_order_keeps_every_value(make_tablet, order: tuple[str, ...]) -> None:
    device_a, device_b = make_tablet("a"), make_tablet("b")
    create = accident()
    # Tablets send whole records; each edit changed two fields of version 1.
    edit_a = accident(create["id"], base_version=1, village="Ban A", activity="digging")
    edit_b = accident(create["id"], base_version=1, village="Ban B", time_of_day="morning")
    messages = {
        "create": (device_a, create),
        "edit_a": (device_a, edit_a),
        "edit_b": (device_b, edit_b),
    }

    for name in order:
        tablet, record = messages[name]
        assert tablet.push([record]).status_code == 200

    _accounted_for(create["id"], create, create["data"])
    _accounted_for(create["id"], edit_a, {"village": "Ban A", "activity": "digging"})
    _accounted_for(create["id"], edit_b, {"village": "Ban B", "time_of_day": "morning"})
    stored = Accident.objects.get(pk=create["id"])
    versions = RecordVersion.objects.filter(record_id=create["id"]).order_by("version")
    assert [v.version for v in versions] == list(range(1, stored.version + 1))
    if order[0] == "create":
        # Both edits start from version 1: the second village clashes, the rest merges.
        assert (stored.activity, stored.time_of_day) == ("digging", "morning")
        assert Conflict.objects.get().fields["village"]["tablet"] == (
            "Ban B" if order[1] == "edit_a" else "Ban A"
        )
