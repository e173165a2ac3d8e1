"""The partner API tests' world: records pushed by tablets of every role."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fieldsync.models import Role
from tests.helpers.partner_api import Api, World
from tests.helpers.sync import Tablet, accident, assistance, victim


@pytest.fixture
def world(make_tablet: Callable[..., Tablet]) -> World:
    tablets = {
        "surveyor_a": make_tablet("surveyor-halo", Role.SURVEYOR, "HALO"),
        "surveyor_b": make_tablet("surveyor-mag", Role.SURVEYOR, "MAG"),
        "partner": make_tablet("cope-system", Role.PARTNER, "COPE"),
        "nra": make_tablet("nra-viewer", Role.NRA_STAFF, "NRA"),
        "nra_personal": make_tablet("nra-officer", Role.NRA_STAFF, "NRA", personal_data=True),
    }
    a = accident()
    v = victim(a["id"], phone="+856 20 5555 1234")
    f = {
        "model": "victim",
        "id": "5f0c2a4e-0000-4000-8000-00000000000f",
        "op": "upsert",
        "base_version": None,
        "data": {
            "victim_type": "indirect",
            "related_victim": v["id"],
            "relationship": "parent",
            "sex": "female",
            "age_years": 41,
            "consent": "self",
            "full_name": "Bounmy K.",
        },
    }
    s_cope = assistance(v["id"], provider_organisation="COPE")
    s_halo = assistance(
        v["id"], provider_organisation="HALO", pillar="medical_care", service_type=None
    )
    tablets["surveyor_a"].push_ok([a, v, f, s_cope, s_halo])
    m = accident(
        province="LA-HO",
        district="0701",
        ordnance_type="MK-82",
        device_category="large_bomb",
        activity="digging",
        latitude=None,
        longitude=None,
    )
    w = victim(m["id"], sex="female", age_years=30, outcome="killed")
    tablets["surveyor_b"].push_ok([m, w])
    api = {role: Api(tablet) for role, tablet in tablets.items()}
    api["anonymous"] = Api(None)
    return World(api, tablets, a, v, f, s_cope, s_halo, m, w)
