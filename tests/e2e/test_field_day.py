"""End to end: a live server on loopback, five tablets syncing over a link that loses a fifth of
the requests or responses (and cuts file chunks mid-way), NRA staff at work on the server
meanwhile; the photos and documents the surveyors take offline reach the server whole.

`field_day` runs the simulation and hands its report to the test while the server's database
still holds the day's records; the figures are then checked against a recount, refreshed
in-process and, in CI, by a real Celery worker on Redis.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

import pytest
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

from fieldsync.attachments.storage import attachment_storage, file_name
from fieldsync.models import Attachment, AttachmentRef
from figures.models import DirtySlice
from simulation.field_day import FieldDay, FieldDayReport
from tests.helpers.figures import assert_figures_equal_the_records

pytestmark = pytest.mark.django_db(transaction=True)
RunFieldDay = Callable[..., FieldDayReport]


@pytest.fixture
def run_field_day(live_server: LiveServer) -> RunFieldDay:
    """Runs a simulated field day against the live server; options as `FieldDay`'s."""
    call_command("seed_reference_data", verbosity=0)

    def run(**options: object) -> FieldDayReport:
        options = {"tablets": 5, "days": 2, "drop_rate": 0.2, "seed": "e2e", **options}
        return FieldDay(base_url=live_server.url, **options).run()

    return run


@pytest.fixture
def field_day(run_field_day: RunFieldDay) -> FieldDayReport:
    """Five tablets, two days, 20% of requests or responses lost."""
    return run_field_day()


def _assert_converged_and_nothing_lost(report: FieldDayReport) -> None:
    assert report.lost == []
    assert {name: problems for name, problems in report.divergent.items() if problems} == {}
    assert report.sent_records == report.on_server + report.in_quarantine
    assert report.final_rounds < 40  # it settled
    # The run did exercise what it claims to: a bad link, and every kind of outcome.
    assert report.lost_requests > 0 and report.lost_responses > 0
    assert report.outcomes["applied"] > 0
    assert report.staff["verified"] > 0
    # Every file taken or named reached the server whole; none waits, none was refused.
    assert report.files_taken > 0
    assert report.files_whole == report.files_checked > 0
    assert (report.files_waiting, report.files_refused) == (0, 0)


def test_five_tablets_over_a_bad_link_converge_to_the_server_and_lose_nothing(
    field_day: FieldDayReport,
) -> None:
    _assert_converged_and_nothing_lost(field_day)
    assert len(field_day.tablets) == 5
    assert {plan.organisation for plan in field_day.tablets} == {"HALO", "MAG", "COPE", "UXO-LAO"}
    # The HALO team's camera put one photo on both HALO tablets: the second upload found it.
    assert field_day.file_dedupes > 0
    assert field_day.files_uploaded + field_day.file_dedupes == field_day.files_taken
    assert Attachment.objects.count() == field_day.files_uploaded


@pytest.mark.postgres
def test_tablets_syncing_at_the_same_time_converge_and_lose_nothing(
    run_field_day: RunFieldDay,
) -> None:
    report = run_field_day(concurrent=True, seed="e2e-concurrent")

    _assert_converged_and_nothing_lost(report)


@pytest.mark.slow
def test_a_longer_run_with_more_tablets_converges_and_loses_nothing(
    run_field_day: RunFieldDay,
) -> None:
    report = run_field_day(tablets=7, days=5, accidents_per_day=3, seed="e2e-long")

    _assert_converged_and_nothing_lost(report)
    assert report.records_sent > 300


def test_photos_taken_offline_reach_the_server_whole_through_an_interrupted_link(
    run_field_day: RunFieldDay,
) -> None:
    # Given two tablets photographing sites offline over a link losing 40% of its messages
    report = run_field_day(tablets=2, days=2, drop_rate=0.4, seed="e2e-photos")

    # Then uploads were broken off (lost chunks, lost answers, chunks cut mid-way) and resumed
    _assert_converged_and_nothing_lost(report)
    assert report.cut_chunks > 0
    assert report.file_resumes > 0
    assert report.chunk_bytes_sent > report.file_bytes_uploaded  # some bytes went out twice
    # ... and every file a record names on the server is there, byte for byte
    named = set(AttachmentRef.objects.values_list("sha256", flat=True))
    assert named and set(Attachment.objects.values_list("sha256", flat=True)) >= named
    for sha256 in sorted(named):
        with attachment_storage().open(file_name(sha256)) as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == sha256


def test_after_a_field_day_every_figure_equals_a_recount(field_day: FieldDayReport) -> None:
    # Without a broker the figures are refreshed in-process as each change commits.
    assert field_day.outcomes["applied"] > 0
    assert not DirtySlice.objects.exists()
    assert_figures_equal_the_records()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.usefixtures("worker")
def test_with_a_real_celery_worker_the_figures_equal_a_recount_after_a_field_day(
    run_field_day: RunFieldDay,
) -> None:
    report = run_field_day()

    _assert_converged_and_nothing_lost(report)
    deadline = time.monotonic() + 90  # the worker's refreshes are debounced by a few seconds
    while DirtySlice.objects.exists():
        assert time.monotonic() < deadline, "the worker did not catch up"
        time.sleep(0.5)
    assert_figures_equal_the_records()
