"""Pairs of possible duplicates stored before groups migrate into groups: decided pairs stay
decided (never reopened), open pairs linked by a report become one open group."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accidents.models import DuplicateGroup
from tests.helpers.sync import accident

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accidents", "0007_received_indexes"), ("victims", "0006_received_indexes")]


def migrate(targets: list[tuple[str, str]] | None = None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


@pytest.fixture
def pairs_before_groups(tablet) -> Iterator[list[str]]:
    """Five reports, then the schema taken back to pairs: a~b and b~c open, d~e distinct."""
    reports = [
        accident(occurred_on=f"2026-0{month}-10", district=district)
        for month, district in ((3, "0901"), (3, "0901"), (3, "0901"), (5, "0902"), (5, "0902"))
    ]
    tablet.push_ok(reports)
    ids = sorted(r["id"] for r in reports[:3]) + sorted(r["id"] for r in reports[3:])
    executor = migrate(BEFORE)
    state = executor.loader.project_state(BEFORE)
    Candidate = state.apps.get_model("accidents", "DuplicateCandidate")
    for first, second, status in ((0, 1, "open"), (1, 2, "open"), (3, 4, "distinct")):
        Candidate.objects.create(
            first_id=ids[first], second_id=ids[second], score="0.850", status=status
        )
    yield ids
    migrate()


def test_pairs_become_groups_and_decided_ones_stay_decided(pairs_before_groups):
    ids = pairs_before_groups
    migrate()
    open_group = DuplicateGroup.objects.get(status="open")
    members = open_group.members.values_list("accident_id", "is_open")
    assert {(str(a), is_open) for a, is_open in members} == {(i, True) for i in ids[:3]}
    distinct = DuplicateGroup.objects.get(status="distinct")
    assert {str(a) for a in distinct.members.values_list("accident_id", flat=True)} == set(ids[3:])
    assert not distinct.members.filter(is_open=True).exists()
    assert DuplicateGroup.objects.count() == 2
