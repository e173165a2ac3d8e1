"""Demo data: written through the sync engine, following the published yearly figures."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from accidents.models import Accident
from fieldsync.models import RecordVersion, SyncBatch
from figures.selectors import FigureQuery, figures_summary
from simulation.demo import published_figures, year_figures

pytestmark = pytest.mark.django_db


def generate(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_demo_data", *args, stdout=out)
    return out.getvalue()


def test_demo_years_add_up_to_the_published_figures(
    seeded: None, django_capture_on_commit_callbacks
):
    # when two years of demo data are generated (the figures refresh on each commit)
    with django_capture_on_commit_callbacks(execute=True):
        output = generate("--years", "2019-2020", "--seed", "7")

    # then each year's casualties follow the reference table, and the figures the table does
    # not give (the accidents) are flagged as estimated
    assert "2019 (estimated: accidents): 25 casualties (9 killed, 16 injured, 0 unknown)" in output
    for year, killed, injured, unknown, children in ((2019, 9, 16, 0, 10), (2020, 6, 24, 3, 12)):
        figures = figures_summary(query=FigureQuery(year=year))
        assert (figures["killed"], figures["injured"], figures["unknown"]) == (
            killed,
            injured,
            unknown,
        )
        assert figures["children"] == children
        assert figures["accidents"] >= 1
    # and every record came through the engine as the system
    assert set(RecordVersion.objects.values_list("source", flat=True)) == {"system"}
    assert not Accident.objects.exclude(occurred_on__year__in=(2019, 2020)).exists()


def test_running_it_again_changes_nothing(seeded: None) -> None:
    generate("--years", "2025", "--seed", "3")
    versions, batches = RecordVersion.objects.count(), SyncBatch.objects.count()

    output = generate("--years", "2025", "--seed", "3")

    assert (RecordVersion.objects.count(), SyncBatch.objects.count()) == (versions, batches)
    assert "2025 (estimated: children): 12 casualties" in output


def test_a_missing_year_is_the_mean_of_its_neighbours_and_years_are_checked(seeded: None) -> None:
    (figures,) = year_figures(2008, 2008)
    published = year_figures(2024, 2024)[0]

    assert figures.interpolated
    assert (figures.killed, figures.injured) == (33, 76)  # 2007: 31/69, 2009: 35/82
    assert figures.flags == "interpolated; estimated: accidents, children"
    assert published.flags == ""  # accidents and children published (Jan-Oct)
    assert sorted(published_figures())[0] == 2006
    with pytest.raises(CommandError, match="cover 2006-2026"):
        generate("--years", "1999-2001")
    with pytest.raises(CommandError, match="--years"):
        generate("--years", "recent")
