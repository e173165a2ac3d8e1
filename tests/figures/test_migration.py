"""The figure columns of issue 17 (ordnance type, disabled, the assistance's device category and
need grouping) reach a database whose figures were counted before them: the migration marks
every slice dirty and gives the shipped mines their mine type; the next refresh recounts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accidents.selectors import ordnance_mine_types
from figures.models import DirtySlice
from figures.slices import statistics_refresh
from tests.helpers.figures import Push, assert_figures_equal_the_records
from tests.helpers.sync import accident, assistance, victim
from victims.models import CasualtyFigure

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("accidents", "0005_slices_moved_to_figures"),
    ("victims", "0004_importfile_moved_to_exchange"),
    ("figures", "0001_initial"),
]


def migrate(targets: list[tuple[str, str]] | None = None) -> None:
    """Migrate the test database to `targets` (the latest state when None)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytest.fixture
def counted_before_the_columns(push: Push) -> Iterator[None]:
    """Two slices of records, their figures counted, then the schema taken back before 0006."""
    first = accident()
    other = accident(occurred_on="2025-03-01", province="LA-SV", district="1301")
    boy = victim(first["id"], injuries=["amputation_arm_right"])
    push([first, other, boy, victim(other["id"]), assistance(boy["id"])])
    migrate(BEFORE)
    yield
    migrate()  # whatever happened, the next test finds the latest schema


def test_the_migration_marks_every_slice_and_the_refresh_recounts_them(
    counted_before_the_columns: None,
) -> None:
    # when the database migrates to the figure columns
    migrate()

    # then every slice with figures owes a recount, and the shipped mines have their type
    assert set(DirtySlice.objects.values_list("year", "province")) == {
        (2026, "LA-XI"),
        (2025, "LA-SV"),
    }
    assert ordnance_mine_types() == {
        "M14": "antipersonnel",
        "M16": "antipersonnel",
        "PMN": "antipersonnel",
    }
    # and the next refresh counts the new columns: the boy is disabled
    statistics_refresh()
    assert DirtySlice.objects.count() == 0
    assert list(CasualtyFigure.objects.filter(disabled=True).values_list("count", flat=True)) == [1]
    assert_figures_equal_the_records()
