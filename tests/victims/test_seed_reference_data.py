"""`manage.py seed_reference_data`: loads Laos' reference data; running it again changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Sum

from accidents.models import District, OrdnanceType, Province
from fieldsync.models import Change, Organisation, SyncCommit
from fieldsync.models.changelog import Audience
from victims.models import ServiceType

pytestmark = pytest.mark.django_db

TABLES = (Organisation, Province, District, OrdnanceType, ServiceType)
FIRST_RUN = (
    "organisation: 14 created, 0 updated\n"
    "province: 18 created, 0 updated\n"
    "district: 148 created, 0 updated\n"
    "ordnance_type: 24 created, 0 updated\n"
    "service_type: 15 created, 0 updated\n"
    "Reference data loaded.\n"
)
NOTHING_TO_DO = (
    "organisation: 0 created, 0 updated\n"
    "province: 0 created, 0 updated\n"
    "district: 0 created, 0 updated\n"
    "ordnance_type: 0 created, 0 updated\n"
    "service_type: 0 created, 0 updated\n"
    "Reference data already up to date.\n"
)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_reference_data", *args, stdout=out, no_color=True)
    return out.getvalue()


def state() -> dict[str, object]:
    """What a second run must not change: row counts, versions, timestamps, the change log."""
    return {
        "rows": [model.objects.count() for model in TABLES],
        "versions": [model.objects.aggregate(total=Sum("version"))["total"] for model in TABLES],
        "updated_at": [model.objects.aggregate(last=Max("updated_at"))["last"] for model in TABLES],
        "changes": list(Change.objects.order_by("model", "record_id").values_list()),
        "commits": SyncCommit.objects.count(),
    }


def test_first_run_loads_every_table_and_logs_every_row():
    # given an empty database
    # when the command runs
    output = seed()

    # then it reports and creates the full starter set, every row at version 1
    assert output == FIRST_RUN
    assert [model.objects.count() for model in TABLES] == [14, 18, 148, 24, 15]
    assert [model.objects.filter(version=1).count() for model in TABLES] == [14, 18, 148, 24, 15]
    # and each row is in the change log once, for every device, in one commit
    assert Change.objects.count() == 14 + 18 + 148 + 24 + 15
    assert dict(
        Change.objects.values_list("model").annotate(n=Max("version")).values_list("model", "n")
    ) == {"organisation": 1, "province": 1, "district": 1, "ordnance_type": 1, "service_type": 1}
    assert set(Change.objects.values_list("audience", flat=True)) == {Audience.PUBLIC}
    assert SyncCommit.objects.count() == 1


def test_second_run_changes_nothing():
    # given the reference data loaded once
    seed()
    before = state()

    # when the command runs again
    output = seed()

    # then nothing is created, updated, bumped or logged
    assert output == NOTHING_TO_DO
    assert state() == before


def test_facts_are_those_of_the_shipped_data():
    # when the command runs
    seed()

    # then provinces carry both codes and both names; districts lie in their LSB province
    xieng = Province.objects.get(code="LA-XI")
    assert (xieng.lsb_code, xieng.name_en, xieng.name_lo) == ("09", "Xiengkhouang", "ຊຽງຂວາງ")
    assert Province.objects.filter(name_lo="").count() == 0
    assert list(District.objects.filter(province_id="LA-XI").values_list("code", flat=True)) == [
        "0901",
        "0902",
        "0903",
        "0904",
        "0905",
        "0906",
        "0907",
    ]
    districts = District.objects.select_related("province")
    assert [d.code for d in districts if d.code[:2] != d.province.lsb_code] == []
    assert District.objects.filter(name_lo="").count() == 0
    assert District.objects.get(code="0901").name_lo == "ແປກ"
    # and organisations, ordnance and service types are the data dictionary's
    assert dict(Organisation.objects.values_list("code", "kind")) == {
        "NRA": "government",
        "UXO-LAO": "government",
        "MOLSW": "government",
        "MOH": "government",
        "NRC": "government",
        "HALO": "international",
        "MAG": "international",
        "NPA": "international",
        "HI": "international",
        "COPE": "ngo",
        "WE": "international",
        "QLA": "ngo",
        "CRS": "international",
        "UNDP": "international",
    }
    assert Organisation.objects.get(code="HI").name == "Humanity & Inclusion"
    assert OrdnanceType.objects.get(code="BLU-26").name == "BLU-26 submunition"
    assert dict(
        OrdnanceType.objects.values_list("device_category")
        .annotate(n=Count("code"))
        .values_list("device_category", "n")
    ) == {
        "cluster_submunition": 7,
        "large_bomb": 5,
        "landmine": 3,
        "grenade": 2,
        "rocket": 1,
        "artillery_mortar": 5,
        "fuze": 1,
    }
    assert list(
        ServiceType.objects.filter(pillar="physical_rehabilitation").values_list("code", "name")
    ) == [
        ("orthosis", "Orthosis"),
        ("physiotherapy", "Physiotherapy"),
        ("prosthesis", "Prosthesis"),
        ("wheelchair", "Wheelchair"),
    ]


def test_a_row_edited_in_admin_is_kept_unless_update_is_asked():
    # given the data loaded, then a province renamed and a district's Lao name edited by staff
    seed()
    Province.objects.filter(code="LA-XI").update(name_en="Xieng Khouang", version=2)
    District.objects.filter(code="0901").update(name_lo="ເມືອງແປກ", version=2)
    changes_before = Change.objects.count()

    # when the command runs without --update
    output = seed()

    # then both edits stay
    assert output == NOTHING_TO_DO
    assert Province.objects.values_list("name_en", "version").get(code="LA-XI") == (
        "Xieng Khouang",
        2,
    )

    # when it runs with --update
    output = seed("--update")

    # then the province and the district are set back to the shipped names at a new version,
    # and logged again
    assert "province: 0 created, 1 updated\n" in output
    assert "district: 0 created, 1 updated\n" in output
    assert Province.objects.values_list("name_en", "version").get(code="LA-XI") == (
        "Xiengkhouang",
        3,
    )
    assert District.objects.values_list("name_lo", "version").get(code="0901") == ("ແປກ", 3)
    assert Change.objects.count() == changes_before
    assert Change.objects.get(model="province", record_id="LA-XI").version == 3
