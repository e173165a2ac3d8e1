"""The authorization matrix: every endpoint x every role x read/write, each cell asserted.

Roles: anonymous, a surveyor of HALO (org A, which reported accident A), a surveyor of MAG
(org B), a partner system of COPE (provides assistance S_cope to HALO's casualty V), NRA staff
without and with the personal-data permission.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.partner_api import World
from victims.choices import PERSONAL_FIELDS
from victims.models import Assistance

pytestmark = pytest.mark.django_db
ROLES = ("anonymous", "surveyor_a", "surveyor_b", "partner", "nra", "nra_personal")
AUTHENTICATED = ROLES[1:]
REFERENCE = {
    "provinces/": ("LA-XI", 18),
    "districts/": ("0901", 148),
    "ordnance-types/": ("BLU-26", None),
    "organisations/": ("COPE", None),
    "service-types/": ("prosthesis", None),
}


def _ids(world: World, *names: str) -> list[str]:
    records = {
        "A": world.accident_a,
        "M": world.accident_m,
        "V": world.victim_v,
        "F": world.family_f,
        "W": world.victim_w,
        "S_cope": world.assistance_cope,
        "S_halo": world.assistance_halo,
    }
    return sorted(records[name]["id"] for name in names)


# role -> the records it lists (None: refused with this status instead)
LISTS: dict[str, dict[str, Any]] = {
    "accidents/": {
        "anonymous": 401,
        "surveyor_a": ["A"],
        "surveyor_b": ["M"],
        "partner": [],
        "nra": ["A", "M"],
        "nra_personal": ["A", "M"],
    },
    "victims/": {
        "anonymous": 401,
        "surveyor_a": ["V", "F"],
        "surveyor_b": ["W"],
        "partner": ["V"],
        "nra": ["V", "F", "W"],
        "nra_personal": ["V", "F", "W"],
    },
    "assistance/": {
        "anonymous": 401,
        "surveyor_a": ["S_cope", "S_halo"],
        "surveyor_b": [],
        "partner": ["S_cope"],
        "nra": ["S_cope", "S_halo"],
        "nra_personal": ["S_cope", "S_halo"],
    },
}
# (path template, record) -> role -> status of GET
DETAILS: dict[tuple[str, str], dict[str, int]] = {
    ("accidents/{}/", "A"): {
        "anonymous": 401,
        "surveyor_a": 200,
        "surveyor_b": 404,
        "partner": 404,
        "nra": 200,
        "nra_personal": 200,
    },
    ("victims/{}/", "V"): {
        "anonymous": 401,
        "surveyor_a": 200,
        "surveyor_b": 404,
        "partner": 200,
        "nra": 200,
        "nra_personal": 200,
    },
    ("victims/{}/", "W"): {
        "anonymous": 401,
        "surveyor_a": 404,
        "surveyor_b": 200,
        "partner": 404,
        "nra": 200,
        "nra_personal": 200,
    },
    ("assistance/{}/", "S_cope"): {
        "anonymous": 401,
        "surveyor_a": 200,
        "surveyor_b": 404,
        "partner": 200,
        "nra": 200,
        "nra_personal": 200,
    },
    ("assistance/{}/", "S_halo"): {
        "anonymous": 401,
        "surveyor_a": 200,
        "surveyor_b": 404,
        "partner": 404,
        "nra": 200,
        "nra_personal": 200,
    },
}
# who receives the victims' personal fields (data dictionary, Privacy)
SEES_PERSONAL = {"surveyor_a", "nra_personal"}


@pytest.mark.parametrize("path", sorted(LISTS))
def test_list_read_matrix(world: World, path: str) -> None:
    for role in ROLES:
        expected = LISTS[path][role]
        response = world.api[role].get(path, {"page_size": 1000})
        if isinstance(expected, int):
            assert response.status_code == expected, role
            assert response.json()["code"] == "not_authenticated", role
            continue
        assert response.status_code == 200, (role, response.content)
        ids = sorted(row["id"] for row in response.json()["results"])
        assert ids == _ids(world, *expected), role


@pytest.mark.parametrize(("path", "name"), sorted(DETAILS))
def test_detail_read_matrix(world: World, path: str, name: str) -> None:
    (record_id,) = _ids(world, name)
    for role in ROLES:
        response = world.api[role].get(path.format(record_id))
        assert response.status_code == DETAILS[(path, name)][role], role
        if response.status_code == 200:
            assert response.json()["id"] == record_id, role
        else:
            assert set(response.json()) == {"code", "detail"}, role


@pytest.mark.parametrize("path", sorted(REFERENCE))
def test_reference_read_matrix(world: World, path: str) -> None:
    code, count = REFERENCE[path]
    for role in ROLES:
        listed = world.api[role].get(path, {"page_size": 1000})
        detail = world.api[role].get(f"{path}{code}/")
        if role == "anonymous":
            assert (listed.status_code, detail.status_code) == (401, 401)
            continue
        assert (listed.status_code, detail.status_code) == (200, 200), role
        codes = [row["code"] for row in listed.json()["results"]]
        assert code in codes, role
        if count is not None:
            assert len(codes) == count, role
        assert detail.json()["code"] == code, role


@pytest.mark.parametrize("path", ["victims/", "victims/{V}/"])
def test_personal_fields_only_for_the_owning_surveyors_and_permitted_nra_staff(
    world: World, path: str
) -> None:
    v = world.victim_v
    for role in AUTHENTICATED:
        response = world.api[role].get(path.format(V=v["id"]))
        body = response.json()
        rows = body.get("results", [body])
        if role == "surveyor_b":  # MAG does not see V at all
            assert response.status_code in (200, 404)
            assert v["id"] not in [r.get("id") for r in rows]
            continue
        (row,) = [r for r in rows if r["id"] == v["id"]]
        personal = {field: row[field] for field in PERSONAL_FIELDS}
        if role in SEES_PERSONAL:
            assert personal == {
                "full_name": "Somchai K.",
                "date_of_birth": None,
                "phone": "+856 20 5555 1234",
                "guardian_name": "Bounmy K.",
                "photos": [],
                "consent_document": [],
            }, role
        else:
            assert personal == dict.fromkeys(PERSONAL_FIELDS), role
        assert row["sex"] == "male", role  # the rest of the record is there


def test_personal_fields_are_neither_filters_nor_sort_keys(world: World) -> None:
    nra = world.api["nra"]
    everyone = nra.ids("victims/")

    assert nra.ids("victims/", {"full_name": "Nobody"}) == everyone
    assert nra.ids("victims/", {"ordering": "full_name"}) == nra.ids("victims/")


# -- writes ------------------------------------------------------------------------------------
READ_ONLY_WRITES = [
    ("post", "accidents/"),
    ("patch", "accidents/{A}/"),
    ("put", "accidents/{A}/"),
    ("delete", "accidents/{A}/"),
    ("post", "victims/"),
    ("patch", "victims/{V}/"),
    ("delete", "victims/{V}/"),
    ("post", "provinces/"),
    ("patch", "provinces/LA-XI/"),
    ("delete", "districts/0901/"),
    ("post", "ordnance-types/"),
    ("post", "organisations/"),
    ("delete", "service-types/prosthesis/"),
]


@pytest.mark.parametrize(("method", "path"), READ_ONLY_WRITES)
def test_nobody_writes_accidents_victims_or_reference_data(
    world: World, method: str, path: str
) -> None:
    url = path.format(A=world.accident_a["id"], V=world.victim_v["id"])
    for role in ROLES:
        response = world.api[role].send(method, url, {"village": "x"}, {"If-Match": '"1"'})
        assert response.status_code == (401 if role == "anonymous" else 405), role
    assert world.api["nra"].get(f"accidents/{world.accident_a['id']}/").json()["village"] == (
        "Ban Nameuang"
    )


CREATE = {
    # role -> (provider sent, expected status, expected code)
    "anonymous": ("COPE", 401, "not_authenticated"),
    "surveyor_a": ("HALO", 201, None),
    "surveyor_b": ("MAG", 422, "unknown_victim"),
    "partner": ("COPE", 201, None),
    "nra": ("COPE", 201, None),
    "nra_personal": ("HI", 201, None),
}
# write rules: a surveyor records referrals to any provider for its own victims; a partner only
# the assistance it provides; a victim one cannot see is unknown (nothing of it revealed)
CREATE_FOR_ANOTHER = {
    "surveyor_a": ("COPE", 201),
    "surveyor_b": ("HALO", 422),
    "partner": ("HALO", 403),
}


def test_create_assistance_matrix(world: World) -> None:
    for role in ROLES:
        provider, status, code = CREATE[role]
        body = {
            "victim": world.victim_v["id"],
            "pillar": "psychosocial",
            "provider_organisation": provider,
            "status": "needed",
        }
        response = world.api[role].send("post", "assistance/", body)
        assert response.status_code == status, (role, response.content)
        if code:
            assert response.json()["code"] == code, role
        else:
            assert response.json()["provider_organisation"] == provider, role
    for role, (provider, status) in CREATE_FOR_ANOTHER.items():
        body = {
            "victim": world.victim_v["id"],
            "pillar": "psychosocial",
            "provider_organisation": provider,
            "status": "needed",
        }
        response = world.api[role].send("post", "assistance/", body)
        assert response.status_code == status, role
    # the five accepted creates, nothing else
    assert Assistance.objects.filter(pillar="psychosocial").count() == 5


# role -> status when changing S_cope (COPE provides it; HALO owns its victim, so its surveyors
# may change it too; MAG sees nothing)
CHANGE_COPE_ASSISTANCE = {
    "anonymous": 401,
    "surveyor_a": 200,
    "surveyor_b": 404,
    "partner": 200,
    "nra": 200,
    "nra_personal": 200,
}
CHANGE_HALO_ASSISTANCE = {
    "anonymous": 401,
    "surveyor_a": 200,
    "surveyor_b": 404,
    "partner": 404,
    "nra": 200,
    "nra_personal": 200,
}


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
@pytest.mark.parametrize(
    ("name", "matrix"),
    [("S_cope", CHANGE_COPE_ASSISTANCE), ("S_halo", CHANGE_HALO_ASSISTANCE)],
)
def test_change_assistance_matrix(
    world: World, method: str, name: str, matrix: dict[str, int]
) -> None:
    record = world.assistance_cope if name == "S_cope" else world.assistance_halo
    url = f"assistance/{record['id']}/"
    for role in ROLES:
        current = Assistance.objects.get(pk=record["id"])
        if current.is_deleted:  # an earlier role deleted it: put it back for the next cell
            Assistance.objects.filter(pk=current.pk).update(is_deleted=False)
        body = None if method == "delete" else {**record["data"], "notes": f"by {role}"}
        response = world.api[role].send(method, url, body, {"If-Match": f'"{current.version}"'})
        assert response.status_code == matrix[role], (role, response.content)
        after = Assistance.objects.get(pk=record["id"])
        if matrix[role] == 200:
            assert after.version == current.version + 1, role
            assert response["ETag"] == f'"{after.version}"', role
        else:
            assert after.version == current.version, role  # nothing written
