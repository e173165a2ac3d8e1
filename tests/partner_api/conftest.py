"""Partner API fixtures: a client per role, and a small world of records pushed by tablets."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from fieldsync.models import Role, User
from tests.sync.conftest import (
    PASSWORD,
    Tablet,
    accident,
    assistance,
    make_tablet,
    make_user,
    seeded,
    victim,
)

__all__ = ["PASSWORD", "make_tablet", "make_user", "seeded"]

ROLES = ("surveyor_a", "surveyor_b", "partner", "nra", "nra_personal")


class Api:
    """A partner system (or anyone with a token, or no token) calling /api/v1/ with JSON."""

    def __init__(self, tablet: Tablet | None) -> None:
        self.tablet = tablet
        self.client = tablet.client if tablet else Client()

    @property
    def user(self) -> User | None:
        return self.tablet.user if self.tablet else None

    def headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(self.tablet.headers) if self.tablet else {}
        for name, value in (extra or {}).items():
            headers["HTTP_" + name.upper().replace("-", "_")] = value
        return headers

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(_url(path), params or {}, **self.headers(headers))

    def send(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        call = getattr(self.client, method.lower())
        data = json.dumps(body) if body is not None else ""
        return call(_url(path), data, content_type="application/json", **self.headers(headers))

    def ids(self, path: str, params: dict[str, Any] | None = None) -> list[str]:
        """Every id (or code) of a list, all pages followed."""
        response = self.get(path, {"page_size": 1000, **(params or {})})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["next"] is None
        return [row.get("id", row.get("code")) for row in body["results"]]


def _url(path: str) -> str:
    return path if path.startswith("/") else f"/api/v1/{path}"


@dataclass
class World:
    """Records pushed by tablets, and a client per role.

    HALO reported accident A with casualty V (personal data) and V's family member F; COPE
    provides S_cope to V, HALO itself S_halo. MAG reported accident M with casualty W.
    """

    api: dict[str, Api]
    tablets: dict[str, Tablet]
    accident_a: dict
    victim_v: dict
    family_f: dict
    assistance_cope: dict
    assistance_halo: dict
    accident_m: dict
    victim_w: dict


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
