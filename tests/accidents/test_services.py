"""The accidents app's reference seeds, and reference rows with a foreign key."""

from __future__ import annotations

import pytest

from accidents.models import District, Province
from accidents.services import accident_reference_seed, provinces_seed
from fieldsync.models import Change, SyncCommit
from fieldsync.services.reference import reference_rows_upsert
from tests.helpers.factories import DistrictFactory, ProvinceFactory

pytestmark = pytest.mark.django_db


def test_a_seed_called_alone_logs_its_own_rows():
    # when the provinces are seeded on their own
    result = provinces_seed()

    # then the 18 provinces are created and logged in one commit
    assert (result.created, result.updated) == (18, 0)
    assert Change.objects.filter(model="province").count() == 18
    assert SyncCommit.objects.count() == 1


def test_accident_reference_seed_loads_its_three_tables_in_one_commit():
    result = accident_reference_seed()
    assert {name: rows.created for name, rows in result.items()} == {
        "province": 18,
        "district": 148,
        "ordnance_type": 24,
    }
    assert SyncCommit.objects.count() == 1


def test_a_district_moved_to_another_province_by_instance():
    # given a district and another province
    district = DistrictFactory.create()
    other = ProvinceFactory.create()

    # when its row names the other province (as an instance)
    result = reference_rows_upsert(
        model=District, rows=[{"code": district.code, "province": other}]
    )

    # then it moved, at version 2
    assert (result.created, result.updated) == (0, 1)
    assert District.objects.values_list("province_id", "version").get(code=district.code) == (
        other.code,
        2,
    )
    assert Province.objects.count() == 2
