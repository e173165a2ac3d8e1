"""The import files' list refuses filters on a file's content and report: a filter answers
yes or no about what it holds, and a loop of them would read a guardian's name byte by byte."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from exchange.imports import import_file_check, import_file_store
from exchange.models import ImportFile, ImportStatus
from fieldsync.models import User

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/exchange/importfile/"
VICTIMS = (
    b"legacy_id,victim_type,accident_legacy_id,outcome,sex,consent,full_name,guardian_name\n"
    b"V-1,direct,A-404,injured,male,none,Somchai K.,Bounmy K.\n"
)


@pytest.fixture
def pending(officer: User) -> ImportFile:
    """A checked file, not imported (its accident is missing), holding a guardian's name."""
    import_file = import_file_store(
        content=VICTIMS, file_name="victims.csv", kind=None, user=officer
    )
    import_file_check(import_file=import_file)
    assert import_file.status == ImportStatus.INVALID
    return import_file


@pytest.mark.parametrize(
    ("lookup", "needle", "miss"),
    [
        # PostgreSQL compares bytea as its hex text: the needle is the name in hex.
        ("content__contains", b"Bounmy".hex(), b"Zzzzzz".hex()),
        ("content__startswith", "legacy_id", "zzz"),
        ("report__icontains", "A-404", "A-405"),
        ("report__errors__0__legacy_id", "V-1", "V-2"),
    ],
)
def test_staff_cannot_filter_import_files_on_their_content_or_report(
    pending: ImportFile, staff_browser: Client, lookup: str, needle: str, miss: str
) -> None:
    # given staff without the personal-data permission, who may list import files
    listing = staff_browser.get(CHANGELIST)

    # when they filter the list on the file's content or report, with a needle and without one
    hit = staff_browser.get(CHANGELIST, {lookup: needle})
    no_hit = staff_browser.get(CHANGELIST, {lookup: miss})

    # then both are refused alike: the answer tells nothing of what the file holds
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    assert (hit.status_code, no_hit.status_code) == (400, 400)
    assert hit.content == no_hit.content
    assert b"Bounmy" not in hit.content


def test_the_list_still_filters_on_status_and_searches_names(
    pending: ImportFile, staff_browser: Client
) -> None:
    # given a file with rejected rows

    # when staff filter on its status and search its name
    invalid = staff_browser.get(CHANGELIST, {"status__exact": "invalid"})
    valid = staff_browser.get(CHANGELIST, {"status__exact": "valid"})
    named = staff_browser.get(CHANGELIST, {"q": "victims"})

    # then those filters work as before
    assert [r.status_code for r in (invalid, valid, named)] == [200, 200, 200]
    assert [r.context["cl"].result_count for r in (invalid, valid, named)] == [1, 0, 1]


def test_even_staff_who_see_personal_data_cannot_filter_on_a_file_s_content(
    pending: ImportFile, make_staff: Callable[..., User]
) -> None:
    # given NRA staff allowed to see personal data
    browser = Client()
    browser.force_login(make_staff("khamla", personal_data=True))

    # when they filter on its bytes
    response = browser.get(CHANGELIST, {"content__contains": b"Bounmy".hex()})

    # then it is refused too: bytes are no filter for anyone
    assert response.status_code == 400
