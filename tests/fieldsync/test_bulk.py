"""fieldsync.bulk: COPY-based inserts and upserts behave as Django's bulk_create would."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from fieldsync.bulk import bulk_insert, bulk_insert_rows, bulk_upsert_rows
from fieldsync.models import Change, Conflict, RecordVersion
from fieldsync.models.inbox import ConflictKind

pytestmark = pytest.mark.django_db


def _change(record_id: str, audience: str, seq: int, version: int = 1) -> dict[str, Any]:
    return {
        "model": "victim",
        "record_id": record_id,
        "audience": audience,
        "seq": seq,
        "version": version,
        "deleted": False,
        "visible": True,
    }


def test_inserted_rows_carry_every_value_and_the_auto_timestamps():
    # given conflicts with JSON, nulls and an auto_now_add timestamp not yet set
    rows = [
        Conflict(
            model="victim",
            record_id=f"id-{n}",
            kind=ConflictKind.FIELDS,
            base_version=None if n else 1,
            server_version=2,
            fields={"sex": {"base": "male", "server": "female", "tablet": "ລາວ"}},
        )
        for n in range(3)
    ]
    before = datetime.datetime.now(datetime.UTC)

    # when they are inserted in bulk
    bulk_insert(Conflict, rows)

    # then each is stored as given, timestamped on insert, and marked saved
    stored = list(Conflict.objects.order_by("record_id"))
    assert [(c.record_id, c.base_version, c.fields["sex"]["tablet"]) for c in stored] == [
        ("id-0", 1, "ລາວ"),
        ("id-1", None, "ລາວ"),
        ("id-2", None, "ລາວ"),
    ]
    assert all(c.created_at >= before for c in stored)
    assert not any(r._state.adding for r in rows)


def test_a_duplicate_key_raises_djangos_integrity_error_and_stores_nothing():
    # given a stored change row
    bulk_insert_rows(Change, [_change("a", "HALO", 1)])

    # when rows repeating its unique key are inserted
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert_rows(Change, [_change("b", "HALO", 2), _change("a", "HALO", 3)])

    # then the caller sees Django's IntegrityError (the push retries on it) and nothing was added
    assert list(Change.objects.values_list("record_id", "seq")) == [("a", 1)]


def test_an_upsert_updates_rows_with_the_same_key_and_inserts_the_others():
    # given two stored change rows
    bulk_insert_rows(Change, [_change("a", "HALO", 1), _change("a", "*all", 2)])

    # when an upsert sends one of them again (newer) and a new one, twice in one transaction
    with transaction.atomic():
        bulk_upsert_rows(
            Change,
            [_change("a", "HALO", 5, version=2), _change("b", "HALO", 6)],
            unique_fields=["model", "record_id", "audience"],
            update_fields=["seq", "version"],
        )
        bulk_upsert_rows(
            Change,
            [_change("c", "HALO", 7)],
            unique_fields=["model", "record_id", "audience"],
            update_fields=["seq", "version"],
        )

    # then the existing row is updated, the other kept, the new ones inserted
    assert sorted(Change.objects.values_list("record_id", "audience", "seq", "version")) == [
        ("a", "*all", 2, 1),
        ("a", "HALO", 5, 2),
        ("b", "HALO", 6, 1),
        ("c", "HALO", 7, 1),
    ]


def test_rows_without_instances_take_the_fields_defaults_and_timestamps():
    # given RecordVersion rows naming only some fields, one with JSON holding Lao text
    before = datetime.datetime.now(datetime.UTC)
    rows = [
        {"model": "victim", "record_id": "v-1", "version": 1, "op": "create", "source": "sync",
         "data": {"full_name": "ລາວ"}},
        {"model": "victim", "record_id": "v-1", "version": 2, "op": "update", "source": "sync",
         "data": {}, "changes": {"sex": ["male", "female"]}, "base_version": 1},
    ]  # fmt: skip

    # when they are inserted
    bulk_insert_rows(RecordVersion, rows)

    # then the values given are stored, the others take the model's defaults and the time now
    stored = list(RecordVersion.objects.order_by("version"))
    assert [(v.version, v.data, v.changes, v.base_version, v.device_id) for v in stored] == [
        (1, {"full_name": "ລາວ"}, {}, None, None),
        (2, {}, {"sex": ["male", "female"]}, 1, None),
    ]
    assert all(v.created_at >= before for v in stored)
