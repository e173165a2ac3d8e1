"""A database filled on the old layout migrates to the new one and loses nothing.

Before issue 15 the slices and the dirty queue were the accidents app's (`accidents_dirtyslice`,
`accidents_statisticsslice`) and import files the victims app's (`victims_importfile`). Given a
database with records pushed by tablets, demo years, figures, pending import files and a
permission granted on them, all at that migration state, when it migrates to the new layout,
then every record, version, inbox row, change, figure, slice and import file is still there, the
permission follows the model, the queue keeps working, and the figures equal a recount.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps.registry import Apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accidents.models import Accident, AccidentFigure
from exchange.models import ImportFile
from fieldsync.models import Change, Conflict, InboxRecord, RecordVersion, Role, SyncBatch, User
from figures.models import DirtySlice, StatisticsSlice
from figures.slices import statistics_refresh
from simulation.demo import demo_data_generate
from tests.helpers.figures import assert_figures_equal_the_records
from tests.helpers.sync import Tablet, accident, assistance, victim
from victims.models import Assistance, AssistanceFigure, CasualtyFigure, Victim

pytestmark = pytest.mark.django_db(transaction=True)

# The migration state of main before the layout changed.
OLD_LAYOUT = [
    ("accidents", "0004_review_duplicates"),
    ("victims", "0003_importfile"),
    ("figures", None),
    ("exchange", None),
]
# Right after the move (later migrations, such as the figure columns of issue 17, add to it).
NEW_LAYOUT = [
    ("accidents", "0005_slices_moved_to_figures"),
    ("victims", "0004_importfile_moved_to_exchange"),
    ("figures", "0001_initial"),
    ("exchange", "0001_initial"),
]
RECORD_TABLES: tuple[type[Any], ...] = (
    Accident,
    Victim,
    Assistance,
    RecordVersion,
    SyncBatch,
    InboxRecord,
    Conflict,
    Change,
    AccidentFigure,
    CasualtyFigure,
    AssistanceFigure,
)


def migrate(targets: list[tuple[str, str | None]] | None = None) -> Apps:
    """Migrate the test database to `targets` (the latest state when None); the models then."""
    executor = MigrationExecutor(connection)
    plan_targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(plan_targets)
    executor.loader.build_graph()
    nodes = [(app, name) for app, name in plan_targets if name is not None]
    return executor.loader.project_state(nodes).apps


def historical(models: Apps, label: str) -> Any:
    """A model as a migration state had it (the label is not a model of today's code)."""
    return models.get_model(label)


def tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def snapshot(models: Apps) -> dict[str, Any]:
    """Every row of the tables that move and a count and checksum of those that stay."""

    def rows(app: str, name: str, *fields: str) -> list[tuple[Any, ...]]:
        model = models.get_model(app, name)
        return [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in model.objects.order_by("pk").values_list("pk", *fields)
        ]

    stayed = {}
    for model in RECORD_TABLES:
        historical = models.get_model(model._meta.app_label, model._meta.model_name)
        stayed[model._meta.label] = sorted(
            repr(row) for row in historical.objects.order_by().values_list()
        )
    return {"stayed": stayed, "moved": rows}


@pytest.fixture
def filled_on_the_old_layout(
    make_tablet: Callable[..., Tablet],
    make_user: Callable[..., User],
) -> Iterator[dict[str, Any]]:
    """Records from tablets and demo years written by today's code, then the database taken
    back to the old layout, where import files, slices and a permission are added as the old
    code stored them."""
    halo, mag = make_tablet("surveyor-halo"), make_tablet("surveyor-mag", organisation="MAG")
    pushed = {}
    for tablet in (halo, mag):
        new = accident(district="0902" if tablet is mag else "0901")
        person = victim(new["id"], full_name="Noy", age_years=9)
        results = tablet.push_ok([new, person, assistance(person["id"])])
        assert {r["status"] for r in results} == {"applied"}
        pushed[tablet] = new["id"]
    edited = halo.push_ok([accident(pushed[halo], base_version=1, village="Ban Phonsavan")])
    assert edited[0]["status"] == "applied"
    list(demo_data_generate(first_year=2025, last_year=2025, seed=15))
    statistics_refresh()
    officer = make_user("data-officer", role=Role.NRA_STAFF, organisation="NRA")

    old = migrate(OLD_LAYOUT)
    assert {"accidents_dirtyslice", "accidents_statisticsslice", "victims_importfile"} <= tables()
    assert not {"figures_dirtyslice", "figures_statisticsslice", "exchange_importfile"} & tables()
    content = b"legacy_id,occurred_on\nA-1,2019-03-02\n"
    historical(old, "victims.ImportFile").objects.create(
        file_name="accidents.csv",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        report={"rows": 1},
        uploaded_by_id=officer.pk,
    )
    historical(old, "accidents.DirtySlice").objects.create(year=2026, province="LA-XI")
    old_permission = historical(old, "auth.Permission").objects.get(
        content_type__app_label="victims", codename="add_importfile"
    )
    historical(old, "fieldsync.User").objects.get(pk=officer.pk).user_permissions.add(
        old_permission
    )
    before = snapshot(old)
    moved = {
        "import files": before["moved"]("victims", "ImportFile", "sha256", "content", "status"),
        "dirty slices": before["moved"]("accidents", "DirtySlice", "year", "province"),
        "slices": before["moved"]("accidents", "StatisticsSlice", "year", "province"),
    }
    yield {"before": before, "moved": moved, "officer": officer, "permission": old_permission}
    migrate()  # whatever happened, the next test finds the latest layout


def test_a_database_filled_on_the_old_layout_migrates_with_every_row(
    filled_on_the_old_layout: dict[str, Any],
) -> None:
    old = filled_on_the_old_layout
    assert len(old["moved"]["slices"]) >= 2 and len(old["moved"]["import files"]) == 1

    new = migrate(NEW_LAYOUT)

    assert {"figures_dirtyslice", "figures_statisticsslice", "exchange_importfile"} <= tables()
    assert not {"accidents_dirtyslice", "accidents_statisticsslice", "victims_importfile"} & (
        tables()
    )
    after = snapshot(new)
    assert after["stayed"] == old["before"]["stayed"]
    assert (
        after["moved"]("exchange", "ImportFile", "sha256", "content", "status")
        == (old["moved"]["import files"])
    )
    assert (
        after["moved"]("figures", "DirtySlice", "year", "province") == old["moved"]["dirty slices"]
    )
    assert (
        after["moved"]("figures", "StatisticsSlice", "year", "province") == old["moved"]["slices"]
    )
    # The content type moved with the model: the permission granted on the old layout holds.
    content_type = ContentType.objects.get(app_label="exchange", model="importfile")
    assert not ContentType.objects.filter(app_label="victims", model="importfile").exists()
    assert Permission.objects.get(codename="add_importfile").pk == old["permission"].pk
    assert content_type.pk == old["permission"].content_type_id
    assert User.objects.get(pk=old["officer"].pk).has_perm("exchange.add_importfile")


def test_after_the_move_the_queue_takes_new_work_and_the_figures_equal_a_recount(
    filled_on_the_old_layout: dict[str, Any],
    make_tablet: Callable[..., Tablet],
) -> None:
    migrate()
    queued = DirtySlice.objects.count()
    assert queued >= 1

    # a new accident marks its slice in the renamed table (its id sequence came along), and the
    # refresh after the commit takes that and the slice queued on the old layout
    tablet = make_tablet("surveyor-halo")
    results = tablet.push_ok(
        [accident(occurred_on="2026-10-01", province="LA-HO", district="0701")]
    )
    assert results[0]["status"] == "applied"
    assert DirtySlice.objects.count() == 0
    assert StatisticsSlice.objects.filter(year=2026, province="LA-HO").exists()
    assert AccidentFigure.objects.filter(year=2026, province="LA-HO").exists()

    assert_figures_equal_the_records()
    assert ImportFile.objects.get().file_name == "accidents.csv"
