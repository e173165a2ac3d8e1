"""reference_rows_upsert: bulk create/update of reference rows, recorded in the change log."""

from __future__ import annotations

import pytest

from fieldsync.changelog import ChangeSet
from fieldsync.models import Change, Organisation, SyncCommit
from fieldsync.models.changelog import Audience
from fieldsync.services.reference import reference_rows_upsert
from tests.helpers.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _rows(count: int, kind: str = "ngo") -> list[dict[str, str]]:
    return [{"code": f"ORG-{i}", "name": f"Organisation {i}", "kind": kind} for i in range(count)]


def _changes() -> list[tuple[str, str, str, int, bool, bool]]:
    return list(
        Change.objects.order_by("record_id").values_list(
            "model", "record_id", "audience", "version", "deleted", "visible"
        )
    )


def test_missing_rows_are_created_at_version_1_and_logged_for_every_device():
    # given no organisations
    # when two rows are upserted
    result = reference_rows_upsert(model=Organisation, rows=_rows(2))

    # then both exist at version 1, are returned as created, and each has one public change row
    assert [(o.code, o.name, o.kind, o.version) for o in Organisation.objects.all()] == [
        ("ORG-0", "Organisation 0", "ngo", 1),
        ("ORG-1", "Organisation 1", "ngo", 1),
    ]
    assert [o.code for o in result] == ["ORG-0", "ORG-1"]
    assert (result.created, result.updated) == (2, 0)
    assert _changes() == [
        ("organisation", "ORG-0", Audience.PUBLIC, 1, False, True),
        ("organisation", "ORG-1", Audience.PUBLIC, 1, False, True),
    ]
    assert SyncCommit.objects.count() == 1


def test_identical_rows_are_left_untouched():
    # given two rows already upserted
    reference_rows_upsert(model=Organisation, rows=_rows(2))
    before = list(Organisation.objects.values_list("code", "version", "updated_at"))
    seqs = list(Change.objects.order_by("record_id").values_list("seq", flat=True))

    # when the same rows are upserted again
    result = reference_rows_upsert(model=Organisation, rows=_rows(2))

    # then nothing is written: same versions and timestamps, no new change, no new commit
    assert list(result) == []
    assert (result.created, result.updated) == (0, 0)
    assert list(Organisation.objects.values_list("code", "version", "updated_at")) == before
    assert list(Change.objects.order_by("record_id").values_list("seq", flat=True)) == seqs
    assert SyncCommit.objects.count() == 1


def test_a_differing_row_is_updated_with_its_version_bumped_and_logged_again():
    # given two organisations at version 1
    reference_rows_upsert(model=Organisation, rows=_rows(2))
    old_seq = Change.objects.get(record_id="ORG-1").seq
    untouched = Change.objects.get(record_id="ORG-0").seq

    # when one comes back with another name
    rows = _rows(2)
    rows[1]["name"] = "Renamed"
    result = reference_rows_upsert(model=Organisation, rows=rows)

    # then only that one changes, to version 2, and its change row moves to a later seq
    assert [(o.code, o.version) for o in result] == [("ORG-1", 2)]
    assert (result.created, result.updated) == (0, 1)
    assert list(Organisation.objects.values_list("code", "name", "version")) == [
        ("ORG-0", "Organisation 0", 1),
        ("ORG-1", "Renamed", 2),
    ]
    assert _changes() == [
        ("organisation", "ORG-0", Audience.PUBLIC, 1, False, True),
        ("organisation", "ORG-1", Audience.PUBLIC, 2, False, True),
    ]
    assert Change.objects.get(record_id="ORG-1").seq > old_seq
    assert Change.objects.get(record_id="ORG-0").seq == untouched


def test_fields_a_row_leaves_out_are_kept():
    # given an organisation with a Lao name entered by staff
    OrganisationFactory.create(code="ORG-0", name="Organisation 0", name_lo="ອົງການ", kind="ngo")

    # when a row without name_lo is upserted
    result = reference_rows_upsert(model=Organisation, rows=_rows(1))

    # then the Lao name stays and nothing changed
    assert list(result) == []
    assert Organisation.objects.get(code="ORG-0").name_lo == "ອົງການ"


def test_without_update_existing_a_differing_row_is_left_alone():
    # given an organisation edited since it was seeded
    OrganisationFactory.create(code="ORG-0", name="Edited by staff", kind="ngo")

    # when the rows are upserted without update_existing
    result = reference_rows_upsert(model=Organisation, rows=_rows(2), update_existing=False)

    # then only the missing row is created; the edited one keeps its name and version
    assert [o.code for o in result] == ["ORG-1"]
    assert list(Organisation.objects.values_list("code", "name", "version")) == [
        ("ORG-0", "Edited by staff", 1),
        ("ORG-1", "Organisation 1", 1),
    ]
    assert list(Change.objects.values_list("record_id", flat=True)) == ["ORG-1"]


def test_with_a_change_set_given_the_caller_flushes():
    # given a change set of the caller
    changes = ChangeSet()

    # when rows are upserted into it
    reference_rows_upsert(model=Organisation, rows=_rows(2), changes=changes)

    # then nothing is logged until the caller flushes
    assert Change.objects.count() == 0
    assert changes.flush() == 2
    assert Change.objects.count() == 2


@pytest.mark.parametrize("count", [3, 60])
def test_queries_do_not_grow_with_the_number_of_rows(count, django_assert_max_num_queries):
    # given half the rows exist and a quarter of those differ
    reference_rows_upsert(model=Organisation, rows=_rows(count // 2))
    rows = _rows(count, kind="international")

    # when all are upserted: same bound for 3 and 60 rows
    with django_assert_max_num_queries(12):
        result = reference_rows_upsert(model=Organisation, rows=rows)

    # then every row was created or updated
    assert len(result) == count
    assert Organisation.objects.filter(kind="international").count() == count


def test_a_code_given_twice_is_refused():
    # when a code appears twice, then nothing is written
    with pytest.raises(ValueError, match=r"code given more than once: \['ORG-0'\]"):
        reference_rows_upsert(model=Organisation, rows=[*_rows(1), *_rows(1)])
    assert Organisation.objects.count() == 0


def test_server_managed_fields_cannot_be_set():
    with pytest.raises(ValueError, match="version is managed by the server"):
        reference_rows_upsert(model=Organisation, rows=[{**_rows(1)[0], "version": 7}])
    assert Organisation.objects.count() == 0
