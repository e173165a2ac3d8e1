"""The OpenAPI document: valid, complete, public, and its viewers served without a CDN."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from tests.helpers.partner_api import OPERATIONS, World

pytestmark = pytest.mark.django_db

PARTNER_MODULES = ("accidents/api/", "victims/api/views", "fieldsync/api/", "victims/api/serial")


@pytest.fixture
def document() -> dict:
    response = Client().get("/api/v1/schema/")  # public: no token
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_manage_spectacular_validate_passes_without_warnings_from_the_api(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("spectacular", "--validate", "--file", str(tmp_path / "schema.yaml"))

    output = capsys.readouterr()
    warnings = [line for line in (output.out + output.err).splitlines() if "Warning" in line]
    assert [w for w in warnings if any(module in w for module in PARTNER_MODULES)] == []
    assert yaml.safe_load((tmp_path / "schema.yaml").read_text())["openapi"].startswith("3.")


def test_every_endpoint_is_described_with_its_responses(document: dict) -> None:
    paths = document["paths"]
    for path, methods in OPERATIONS.items():
        assert path in paths, path
        for method, statuses in methods.items():
            documented = {int(code) for code in paths[path][method]["responses"]}
            assert statuses <= documented, (path, method, statuses - documented)


def test_the_sync_endpoints_have_their_real_bodies(document: dict) -> None:
    schemas = document["components"]["schemas"]
    push = document["paths"]["/api/v1/sync/push/"]["post"]
    envelope = push["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    pull = document["paths"]["/api/v1/sync/pull/"]["get"]

    assert set(schemas[envelope.rsplit("/", 1)[1]]["properties"]) == {
        "batch_id",
        "device_id",
        "schema_version",
        "records",
    }
    assert set(schemas["PushResult"]["properties"]) >= {"status", "version", "conflict_fields"}
    assert schemas["PushResultStatusEnum"]["enum"] == [
        "applied",
        "unchanged",
        "merged",
        "conflict",
        "held",
        "rejected",
    ]
    assert {p["name"] for p in pull["parameters"]} == {"cursor", "limit"}
    assert set(schemas["PullPage"]["properties"]) == {"changes", "cursor", "has_more"}


def test_authenticated_operations_declare_the_token_scheme(document: dict) -> None:
    scheme = document["components"]["securitySchemes"]["deviceToken"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    public = {
        ("/api/v1/health/", "get"),
        ("/api/v1/auth/device/", "post"),
        ("/api/v1/schema/", "get"),
    }
    for path, methods in OPERATIONS.items():
        for method in methods:
            security = document["paths"][path][method].get("security", [])
            if (path, method) in public:
                assert {"deviceToken": []} not in security, path
            else:
                assert security == [{"deviceToken": []}], (path, method)


def test_victims_personal_fields_are_documented_as_nullable(document: dict) -> None:
    victim = document["components"]["schemas"]["Victim"]["properties"]

    for field in ("full_name", "date_of_birth", "phone", "guardian_name"):
        assert victim[field].get("nullable") is True, field
    assert "nullable" not in victim["sex"]


ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_viewers_load_only_the_projects_own_static_files(page: str) -> None:
    response = Client().get(page)

    assert response.status_code == 200
    html = response.content.decode()
    assert "http://" not in html and "https://" not in html  # no CDN, no web fonts
    assets = ASSET.findall(html)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/drf_spectacular_sidecar/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    assert "/api/v1/schema/" in html


def test_swagger_ui_does_not_call_the_online_validator() -> None:
    html = Client().get("/api/v1/docs/").content.decode()

    assert '"validatorUrl": null' in html


@pytest.mark.parametrize(
    ("path", "component"),
    [
        ("accidents/{A}/", "Accident"),
        ("victims/{V}/", "Victim"),
        ("assistance/{S}/", "Assistance"),
        ("provinces/LA-XI/", "Province"),
        ("districts/0901/", "District"),
        ("ordnance-types/BLU-26/", "OrdnanceType"),
        ("organisations/COPE/", "Organisation"),
        ("service-types/prosthesis/", "ServiceType"),
    ],
)
def test_the_documented_bodies_have_exactly_the_fields_the_api_sends(
    world: World, document: dict, path: str, component: str
) -> None:
    url = path.format(
        A=world.accident_a["id"], V=world.victim_v["id"], S=world.assistance_cope["id"]
    )
    body = world.api["nra_personal"].get(url).json()

    assert set(body) == set(document["components"]["schemas"][component]["properties"])
