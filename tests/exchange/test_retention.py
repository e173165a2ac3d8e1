"""An uploaded file's content (victims' personal data) is kept only while it waits to be
imported: dropped once it is imported, discarded or left unimported beyond the retention period;
what the file was (name, size, sha256, report, who, when, outcome) is kept."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accidents.models import Accident
from config.celery import app as celery_app
from exchange import tasks
from exchange.imports import import_file_apply, import_file_check, import_file_store
from exchange.models import ImportFile, ImportStatus
from fieldsync.models import User
from tests.helpers.exchange import SAMPLES, csv_bytes

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/exchange/importfile/"
ACCIDENTS = (SAMPLES / "accidents.csv").read_bytes()


def checked(user: User, content: bytes = ACCIDENTS, name: str = "accidents.csv") -> ImportFile:
    import_file = import_file_store(content=content, file_name=name, kind=None, user=user)
    import_file_check(import_file=import_file)
    return import_file


def uploaded_days_ago(import_file: ImportFile, days: float) -> None:
    created_at = timezone.now() - datetime.timedelta(days=days)
    ImportFile.objects.filter(pk=import_file.pk).update(created_at=created_at)


@pytest.fixture
def staff_browser_for() -> Callable[[User], Client]:
    """A browser logged into the admin as the user given."""

    def browser(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return browser


def test_an_imported_file_keeps_what_it_was_and_drops_its_content(officer: User) -> None:
    # given a checked file of accidents
    import_file = checked(officer)
    sha256, size = import_file.sha256, import_file.size

    # when it is imported
    imported = import_file_apply(import_file=import_file, user=officer)

    # then its content is gone, when is recorded, and everything else about it stays
    stored = ImportFile.objects.get(pk=import_file.pk)
    assert (stored.status, bytes(stored.content)) == (ImportStatus.APPLIED, b"")
    assert stored.content_dropped_at == imported.applied_at
    assert stored.content_dropped_at is not None
    assert (stored.file_name, stored.sha256, stored.size) == ("accidents.csv", sha256, size)
    assert (stored.applied_by, stored.uploaded_by) == (officer, officer)
    assert stored.report["counts"]["accident"]["new"] == 4
    assert stored.report["outcomes"] == {"applied": 4}


def test_staff_discard_a_file_its_content_goes_and_its_report_stays(
    officer: User, make_staff: Callable[..., User], staff_browser_for: Callable[[User], Client]
) -> None:
    # given a checked file, not imported, and NRA staff
    import_file = checked(officer)
    noy = make_staff("noy")
    client = staff_browser_for(noy)
    before = client.get(f"{CHANGELIST}{import_file.pk}/change/")

    # when they discard it, then try to import it
    discarded = client.post(f"{CHANGELIST}{import_file.pk}/discard/", follow=True)
    confirmed = client.post(f"{CHANGELIST}{import_file.pk}/confirm/", follow=True)

    # then nothing is imported, the content is gone, and the page says so
    stored = ImportFile.objects.get(pk=import_file.pk)
    assert before.context["can_discard"] is True
    assert (stored.status, bytes(stored.content), stored.discarded_by) == (
        ImportStatus.DISCARDED,
        b"",
        noy,
    )
    assert stored.content_dropped_at is not None
    assert (stored.size, stored.report["counts"]["accident"]["new"]) == (import_file.size, 4)
    assert [str(m) for m in discarded.context["messages"]] == [
        "The file was discarded; its content is gone."
    ]
    assert discarded.context["can_discard"] is False
    assert discarded.context["can_confirm"] is False
    assert b'id="content-dropped"' in discarded.content
    assert [str(m) for m in confirmed.context["messages"]] == [
        "This file was discarded: upload it again to import it."
    ]
    assert Accident.objects.count() == 0
    assert ImportFile.objects.get(pk=import_file.pk).status == ImportStatus.DISCARDED


def test_an_imported_file_cannot_be_discarded_or_deleted(
    officer: User, make_staff: Callable[..., User], staff_browser_for: Callable[[User], Client]
) -> None:
    # given an imported file
    import_file = checked(officer)
    import_file_apply(import_file=import_file, user=officer)
    client = staff_browser_for(make_staff("noy"))

    # when staff try to discard it, and to delete it
    discarded = client.post(f"{CHANGELIST}{import_file.pk}/discard/", follow=True)
    deleted = client.post(f"{CHANGELIST}{import_file.pk}/delete/", {"post": "yes"})

    # then it stays imported, with its importer
    stored = ImportFile.objects.get(pk=import_file.pk)
    assert [str(m) for m in discarded.context["messages"]] == [
        "This file is imported or discarded already."
    ]
    assert deleted.status_code == 403
    assert (stored.status, stored.discarded_by, stored.applied_by) == (
        ImportStatus.APPLIED,
        None,
        officer,
    )


def test_the_daily_task_expires_files_left_unimported_beyond_the_retention(
    officer: User,
) -> None:
    # given files uploaded 15 days ago (checked, with rejected rows, failed to queue), one 13
    # days ago, and one imported 15 days ago
    old = checked(officer)
    rejected = checked(officer, csv_bytes("legacy_id,occurred_on", "A-1,someday"))
    queued = checked(officer)
    ImportFile.objects.filter(pk=queued.pk).update(status=ImportStatus.QUEUED)
    young = checked(officer)
    imported = checked(officer)
    imported = import_file_apply(import_file=imported, user=officer)
    for import_file in (old, rejected, queued, imported):
        uploaded_days_ago(import_file, 15)
    uploaded_days_ago(young, 13)

    # when the task runs, twice
    first = tasks.import_files_expire_task.delay().get()
    second = tasks.import_files_expire_task.delay().get()

    # then the old unimported files lost their content and say so; the others are as they were
    assert settings.FIELDSYNC["IMPORT_FILE_RETENTION_DAYS"] == 14
    assert (first, second) == (3, 0)
    states = {
        f.pk: (f.status, bytes(f.content) == b"", f.content_dropped_at is not None)
        for f in ImportFile.objects.all()
    }
    assert states == {
        old.pk: (ImportStatus.EXPIRED, True, True),
        rejected.pk: (ImportStatus.EXPIRED, True, True),
        queued.pk: (ImportStatus.EXPIRED, True, True),
        young.pk: (ImportStatus.VALID, False, False),
        imported.pk: (ImportStatus.APPLIED, True, True),
    }
    assert ImportFile.objects.get(pk=imported.pk).content_dropped_at == imported.applied_at
    assert bytes(ImportFile.objects.get(pk=young.pk).content) == ACCIDENTS
    assert ImportFile.objects.get(pk=old.pk).report["counts"]["accident"]["new"] == 4


def test_an_expired_file_is_never_imported(officer: User) -> None:
    # given a checked file that expired
    import_file = checked(officer)
    uploaded_days_ago(import_file, 15)
    tasks.import_files_expire_task.delay().get()

    # when its import is asked for (a task queued before it expired)
    result = tasks.import_file_apply_task.delay(import_file.pk, officer.pk).get()

    # then nothing is imported
    assert result == ImportStatus.EXPIRED
    assert Accident.objects.count() == 0


def test_beat_expires_import_files_daily() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert schedule["import-files-expire"]["task"] == tasks.import_files_expire_task.name
    assert tasks.import_files_expire_task.name in celery_app.tasks
