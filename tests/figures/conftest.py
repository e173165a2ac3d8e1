"""Fixtures of the figures tests: NRA staff and their server device that pushes through the
engine (tablets, accounts, the broker and the worker come from tests.helpers)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any
from unittest.mock import patch

import pytest

from fieldsync.models import RecordVersion, Role, User
from fieldsync.services.devices import server_device
from fieldsync.services.push import batch_push
from figures import slices
from tests.helpers.factories import OrdnanceTypeFactory
from tests.helpers.figures import Push
from tests.helpers.sync import Tablet, accident, assistance, victim


@pytest.fixture
def nra_user(seeded: None, make_user: Callable[..., User]) -> User:
    return make_user("nra-stats", role=Role.NRA_STAFF, organisation="NRA")


@pytest.fixture
def nra(make_tablet: Callable[..., Tablet]) -> Tablet:
    """NRA staff's reader: exact figures and reports."""
    return make_tablet("nra-reader", role=Role.NRA_STAFF, organisation="NRA")


@pytest.fixture
def partner(make_tablet: Callable[..., Tablet]) -> Tablet:
    """A partner system: figures and reports under disclosure control."""
    return make_tablet("cope-system", role=Role.PARTNER, organisation="COPE")


@pytest.fixture
def push(nra_user: User, django_capture_on_commit_callbacks: Any) -> Push:
    """Push records as NRA staff through `batch_push`; `refresh=False` leaves the work owed."""
    device = server_device(user=nra_user, name="statistics-tests")

    def run(records: list[dict[str, Any]], *, refresh: bool = True) -> list[dict[str, Any]]:
        batch_id = uuid.uuid4()
        envelope = {
            "batch_id": str(batch_id),
            "device_id": str(device.device_id),
            "schema_version": 1,
            "records": records,
        }
        # Off: the commit asks for no refresh, in a test transaction or not.
        scheduling = (
            nullcontext() if refresh else patch.object(slices, "statistics_refresh_request")
        )
        with scheduling, django_capture_on_commit_callbacks(execute=refresh):
            result = batch_push(
                device=device,
                batch_id=batch_id,
                envelope=envelope,
                source=RecordVersion.Source.SYSTEM,
            )
        assert result.http_status == 200, result.body
        return result.body["results"]

    return run


@pytest.fixture
def report_records(push: Push) -> dict[str, str]:
    """The records the report tests read; returns the ids of the victims they name.

    2026: a cluster submunition accident (a disabled boy, a killed girl, an injured man, one of
    unknown outcome, sex and age), a grenade accident (a disabled military woman, a killed
    deminer), three mine accidents (antipersonnel: a disabled man; antivehicle: a killed man;
    no ordnance type: an injured girl). 2025: a cluster submunition accident (a killed boy, an
    injured woman). 2019: a large bomb (an injured man). Assistance in 2026 for the boy, the
    woman, the antipersonnel mine's man and the killed girl's sister; in 2025 for the woman.
    """
    OrdnanceTypeFactory(
        code="TM-46", name="TM-46 mine", device_category="landmine", mine_type="antivehicle"
    )
    cluster = accident(device_category="cluster_submunition", ordnance_type="BLU-26")
    grenade = accident(device_category="grenade", ordnance_type="F1", activity="handling")
    mines = [
        accident(occurred_on=day, device_category="landmine", ordnance_type=kind)
        for day, kind in (("2026-03-10", "PMN"), ("2026-04-10", "TM-46"), ("2026-05-10", None))
    ]
    earlier = accident(occurred_on="2025-06-01", device_category="cluster_submunition")
    bomb = accident(occurred_on="2019-05-05", device_category="large_bomb", ordnance_type="MK-82")
    people = {  # name: (accident, outcome, sex, age, civilian status, injuries)
        "boy": (cluster, "injured", "male", 11, "civilian", ["amputation_leg_left"]),
        "girl": (cluster, "killed", "female", 16, "civilian", []),
        "man": (cluster, "injured", "male", 45, "civilian", ["hand_fingers"]),
        "unknown": (cluster, "unknown", "unknown", None, "civilian", []),
        "soldier": (grenade, "injured", "female", 30, "military", ["vision_right", "burns"]),
        "deminer": (grenade, "killed", "male", 25, "deminer", []),
        "farmer": (mines[0], "injured", "male", 40, "civilian", ["amputation_leg_right"]),
        "driver": (mines[1], "killed", "male", 50, "civilian", []),
        "child": (mines[2], "injured", "female", 8, "civilian", []),
        "boy-2025": (earlier, "killed", "male", 14, "civilian", []),
        "woman-2025": (earlier, "injured", "female", 40, "civilian", ["chest"]),
        "man-2019": (bomb, "injured", "male", 30, "civilian", ["hand_fingers"]),
    }
    records = [cluster, grenade, *mines, earlier, bomb]
    ids: dict[str, str] = {}
    for name, (parent, outcome, sex, age, status, injuries) in people.items():
        record = victim(
            parent["id"], outcome=outcome, sex=sex, age_years=age, civilian_status=status,
            injuries=injuries, full_name="Somchai Keomany", phone="020 5555 1234",
        )  # fmt: skip
        ids[name] = record["id"]
        records.append(record)
    sister = victim(
        None, accident=None, victim_type="indirect", related_victim=ids["girl"],
        relationship="sibling", outcome="", sex="female", age_years=40,
    )  # fmt: skip
    ids["sister"] = sister["id"]
    records += [
        sister,
        assistance(ids["boy"], started_on="2026-05-01"),
        assistance(ids["boy"], pillar="medical_care", service_type="surgery",
                   provider_organisation="MOH", status="completed", started_on="2026-04-01",
                   completed_on="2026-04-09"),
        assistance(ids["soldier"], status="in_progress", started_on="2026-06-01"),
        assistance(ids["farmer"], pillar="psychosocial", service_type="counselling",
                   provider_organisation="QLA", status="cancelled", started_on="2026-02-01"),
        assistance(ids["sister"], pillar="economic_inclusion", service_type="vocational_training",
                   provider_organisation="WE", status="needed", started_on="2026-07-01"),
        assistance(ids["woman-2025"], pillar="medical_care", service_type="surgery",
                   provider_organisation="MOH", status="completed", started_on="2025-07-01",
                   completed_on="2025-07-10"),
    ]  # fmt: skip
    push(records)
    return ids
