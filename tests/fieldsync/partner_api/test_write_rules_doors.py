"""The doors cannot disagree: the same write, by each role, through push, the partner API and a
file import, is allowed or refused alike (sync contract, "Who may write what")."""

from __future__ import annotations

import itertools
import uuid
from pathlib import Path

import pytest

from exchange.imports import import_plan, import_plan_apply
from fieldsync.models import Role, User
from tests.helpers.partner_api import World
from victims.models import Assistance

pytestmark = pytest.mark.django_db
WRITERS = ("surveyor_a", "surveyor_b", "partner", "nra")
SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"


def _body(victim_id: str, provider: str) -> dict:
    return {
        "victim": victim_id,
        "pillar": "psychosocial",
        "provider_organisation": provider,
        "status": "needed",
    }


def test_push_and_the_partner_api_agree_on_every_assistance_create(world: World) -> None:
    """Every role x victim (V: HALO's, which COPE assists; W: MAG's) x provider."""
    victims = {"V": world.victim_v["id"], "W": world.victim_w["id"]}
    for role, (name, victim_id), provider in itertools.product(
        WRITERS, victims.items(), ("HALO", "MAG", "COPE")
    ):
        body = _body(victim_id, provider)
        before = Assistance.objects.count()
        sees = world.api[role].get(f"victims/{victim_id}/").status_code == 200
        rest = world.api[role].send("post", "assistance/", body)
        record = {
            "model": "assistance",
            "id": str(uuid.uuid4()),
            "op": "upsert",
            "base_version": None,
            "data": body,
        }
        (pushed,) = world.tablets[role].push_ok([record])
        cell = (role, name, provider, rest.status_code, pushed)
        if rest.status_code == 201:
            assert pushed["status"] == "applied", cell
            assert Assistance.objects.count() == before + 2, cell
        else:
            assert rest.status_code in (403, 422), cell
            assert (pushed["status"], pushed["code"]) == ("rejected", "forbidden"), cell
            assert Assistance.objects.count() == before, cell
        assert (rest.status_code == 201) == _allowed(role, name, provider, sees), cell


def _allowed(role: str, victim: str, provider: str, sees: bool) -> bool:
    """The contract's rules for this small world, written out."""
    if role == "nra":
        return True
    if role == "surveyor_a":  # HALO's surveyors: any provider (a referral), for HALO's victims
        return victim == "V"
    if role == "surveyor_b":
        return victim == "W"
    # COPE: its own assistance, to a victim it already sees (V; W once MAG referred W to COPE)
    return provider == "COPE" and sees


def test_push_and_the_partner_api_agree_on_changing_each_assistance(world: World) -> None:
    """Every role x record x (a note, moving it to another provider: NRA staff alone)."""
    records = {"S_cope": world.assistance_cope, "S_halo": world.assistance_halo}
    for role, (name, record), change in itertools.product(
        WRITERS, records.items(), ({"notes": "checked"}, {"provider_organisation": "HI"})
    ):
        stored = Assistance.objects.get(pk=record["id"])
        version = stored.version
        rest = world.api[role].send(
            "patch", f"assistance/{record['id']}/", change, {"If-Match": f'"{version}"'}
        )
        cell = (role, name, change, rest.status_code)
        moves = "provider_organisation" in change
        allowed = role == "nra" or (
            not moves and (role == "surveyor_a" or (role == "partner" and name == "S_cope"))
        )
        assert (rest.status_code == 200) == allowed, cell
        if rest.status_code == 200:
            # the same change again through push, from the version the API wrote
            pushed = world.tablets[role].push_ok(
                [_edit(record["id"], version + 1, {**change, "notes": f"again: {cell}"})]
            )[0]
            assert pushed["status"] == "applied", cell
            Assistance.objects.filter(pk=record["id"]).update(
                provider_organisation_id=stored.provider_organisation_id
            )
        else:
            assert rest.status_code in (403, 404), cell
            (pushed,) = world.tablets[role].push_ok([_edit(record["id"], version, change)])
            assert (pushed["status"], pushed["code"]) == ("rejected", "forbidden"), cell
            assert Assistance.objects.get(pk=record["id"]).version == version, cell


def _edit(record_id: str, base_version: int, data: dict) -> dict:
    return {
        "model": "assistance",
        "id": record_id,
        "op": "upsert",
        "base_version": base_version,
        "data": data,
    }


@pytest.mark.parametrize(
    ("role", "organisation"),
    [(Role.SURVEYOR, "HALO"), (Role.PARTNER, "COPE"), (Role.NRA_STAFF, "NRA")],
)
def test_the_import_door(world: World, make_user, role: str, organisation: str) -> None:
    """Only NRA staff import (the rules let them write any record, of any organisation)."""
    user: User = make_user(f"importer-{role}", role=role, organisation=organisation)
    content = (SAMPLES / "accidents.csv").read_bytes()

    plan = import_plan(content=content, file_name="accidents.csv", kind=None, user=user)

    if role != Role.NRA_STAFF:
        assert plan.report.file_errors == ["Only NRA staff accounts may import records."]
        assert plan.rows == []
        return
    assert not plan.report.file_errors
    outcomes = import_plan_apply(plan=plan, user=user)
    assert set(outcomes) == {"applied"}
