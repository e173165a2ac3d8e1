"""`SyncAdapter.scope` (a query) agrees with `audience` (what pull uses) on random data."""

from __future__ import annotations

import random

import pytest

from fieldsync.registry import Viewer, registry
from tests.helpers.factories import (
    AccidentFactory,
    AssistanceFactory,
    OrganisationFactory,
    ServiceTypeFactory,
    VictimFactory,
)
from victims.choices import Outcome, Relationship, VictimType

pytestmark = pytest.mark.django_db
ORGANISATIONS = ("ORG-A", "ORG-B", "ORG-C", "ORG-D")


def _viewer(organisation: str | None, *, nra: bool = False) -> Viewer:
    return Viewer(
        user=None,
        role="nra_staff" if nra else "partner",
        organisation=organisation,
        is_nra=nra,
        sees_personal_data=False,
    )


def _random_world(rng: random.Random) -> None:
    """Accidents of A to C, direct and indirect victims (some without an accident of their
    own), assistance from any of A to D (D owns nothing), some of everything deleted."""
    organisations = [OrganisationFactory(code=code) for code in ORGANISATIONS]
    service = ServiceTypeFactory()
    accidents = [
        AccidentFactory(reporting_organisation=rng.choice(organisations[:3])) for _ in range(6)
    ]
    direct = [
        VictimFactory(accident=rng.choice(accidents), is_deleted=rng.random() < 0.2)
        for _ in range(8)
    ]
    indirect = [
        VictimFactory(
            victim_type=VictimType.INDIRECT,
            accident=rng.choice([None, None, rng.choice(accidents)]),
            related_victim=rng.choice(direct),
            relationship=Relationship.PARENT,
            outcome="",
        )
        for _ in range(6)
    ]
    for _ in range(14):
        AssistanceFactory(
            victim=rng.choice(direct + indirect),
            provider_organisation=rng.choice(organisations),
            service_type=service,
            is_deleted=rng.random() < 0.3,
        )
    assert {v.outcome for v in direct} == {Outcome.INJURED}


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("wire_name", ["accident", "victim", "assistance"])
def test_scope_selects_exactly_the_records_whose_audience_holds_the_organisation(
    seed: int, wire_name: str
) -> None:
    _random_world(random.Random(seed))
    adapter = registry[wire_name]
    records = list(adapter.queryset())
    audiences = adapter.audience(records)

    for organisation in ORGANISATIONS:
        scoped = adapter.scope(adapter.queryset(), _viewer(organisation))

        expected = {pk for pk, audience in audiences.items() if organisation in audience}
        rows = [str(pk) for pk in scoped.values_list("pk", flat=True)]
        assert set(rows) == expected, organisation
        assert len(rows) == len(expected), organisation  # no row twice from the joins
    assert any(audiences.values())


@pytest.mark.parametrize("wire_name", ["accident", "victim", "assistance"])
def test_nra_staff_see_everything_and_a_viewer_without_an_organisation_nothing(
    wire_name: str,
) -> None:
    _random_world(random.Random(7))
    adapter = registry[wire_name]

    everything = adapter.scope(adapter.queryset(), _viewer("NRA", nra=True))
    nothing = adapter.scope(adapter.queryset(), _viewer(None))

    assert everything.count() == adapter.model._default_manager.count()
    assert nothing.count() == 0


@pytest.mark.parametrize("wire_name", ["province", "district", "organisation", "service_type"])
def test_reference_data_is_in_everyones_scope(wire_name: str) -> None:
    OrganisationFactory(code="ORG-A")
    ServiceTypeFactory()
    adapter = registry[wire_name]

    assert list(adapter.scope(adapter.queryset(), _viewer(None))) == list(adapter.queryset())
