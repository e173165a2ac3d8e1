"""fieldsync.lookups: `__any_of` selects what `__in` selects, on every kind of column the sync
engine filters by (text, big integer keys, UUID keys, foreign keys, across a join)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from accidents.models import Accident
from fieldsync.models import Change
from tests.helpers.sync import Tablet, accident, victim
from victims.models import Victim

pytestmark = pytest.mark.django_db


def _changes(n: int) -> list[Change]:
    return Change.objects.bulk_create(
        Change(model="victim", record_id=f"r{i}", audience="HALO", seq=i + 1, version=1)
        for i in range(n)
    )


def test_text_and_integer_columns_select_what_in_selects():
    rows = _changes(5)
    ids = ["r1", "r3", "missing"]
    by_any = set(Change.objects.filter(record_id__any_of=ids).values_list("pk", flat=True))
    by_in = set(Change.objects.filter(record_id__in=ids).values_list("pk", flat=True))
    assert by_any == by_in == {rows[1].pk, rows[3].pk}
    keys = {rows[0].pk, rows[4].pk}
    assert set(Change.objects.filter(pk__any_of=keys).values_list("pk", flat=True)) == keys
    assert Change.objects.exclude(pk__any_of=keys).count() == 3


def test_an_empty_list_selects_nothing_and_excludes_nothing():
    _changes(3)
    assert list(Change.objects.filter(record_id__any_of=[])) == []
    assert Change.objects.exclude(record_id__any_of=[]).count() == 3


def test_uuid_keys_foreign_keys_and_joins_take_uuids_or_their_text(tablet: Tablet):
    first, second = accident(), accident()
    casualty = victim(first["id"])
    tablet.push_ok([first, second, casualty])
    as_text = [first["id"], str(uuid.uuid4())]
    as_uuid = [uuid.UUID(first["id"])]
    assert [str(a.pk) for a in Accident.objects.filter(pk__any_of=as_text)] == [first["id"]]
    assert [str(v.pk) for v in Victim.objects.filter(accident_id__any_of=as_uuid)] == [
        casualty["id"]
    ]
    joined = Victim.objects.filter(accident__reporting_organisation_id__any_of=["HALO", "MAG"])
    assert [str(v.pk) for v in joined] == [casualty["id"]]


def test_postgresql_gets_one_array_parameter_not_one_per_value():
    query = Change.objects.filter(record_id__any_of=[f"r{i}" for i in range(1000)]).query
    sql, params = query.sql_with_params()
    if connection.vendor == "postgresql":
        assert "= ANY(%s::varchar(64)[])" in sql and len(params) == 1
    else:
        assert len(params) == 1000
