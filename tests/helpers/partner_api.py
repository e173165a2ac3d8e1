"""The partner API seen from outside: a client per role (`Api`), the small world of records that
tablets push for the partner API tests (`World`), and every documented operation with the
statuses it may answer (`OPERATIONS`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.test import Client

from fieldsync.models import User
from tests.helpers.sync import Tablet

OPERATIONS = {
    "/api/v1/health/": {"get": {200, 503}},
    "/api/v1/auth/device/": {"post": {201, 400, 401, 413, 429}},
    "/api/v1/sync/info/": {"get": {200, 401}},
    "/api/v1/sync/push/": {"post": {200, 400, 401, 409, 413, 503}},
    "/api/v1/sync/pull/": {"get": {200, 400, 401, 409, 503}},
    "/api/v1/schema/": {"get": {200}},
    "/api/v1/accidents/": {"get": {200, 400, 401, 429}},
    "/api/v1/accidents/{id}/": {"get": {200, 401, 404, 410, 429}},
    "/api/v1/victims/": {"get": {200, 400, 401, 429}},
    "/api/v1/victims/{id}/": {"get": {200, 401, 404, 410, 429}},
    "/api/v1/assistance/": {
        "get": {200, 400, 401, 429},
        "post": {200, 201, 400, 401, 403, 409, 413, 422, 429},
    },
    "/api/v1/assistance/{id}/": {
        "get": {200, 401, 404, 410, 429},
        "put": {200, 400, 401, 403, 404, 409, 410, 412, 413, 422, 428, 429},
        "patch": {200, 400, 401, 403, 404, 409, 410, 412, 413, 422, 428, 429},
        "delete": {200, 400, 401, 403, 404, 409, 410, 412, 422, 428, 429},
    },
    **{
        f"/api/v1/{name}/": {"get": {200, 400, 401, 429}}
        for name in ("provinces", "districts", "ordnance-types", "organisations", "service-types")
    },
    **{
        f"/api/v1/{name}/{{id}}/": {"get": {200, 401, 404, 429}}
        for name in ("provinces", "districts", "ordnance-types", "organisations", "service-types")
    },
}
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
