"""Several batches in one transaction (file imports): all or nothing, and idempotent."""

from __future__ import annotations

import uuid

import pytest

from accidents.models import Accident
from fieldsync.models import Change, Role, SyncBatch
from fieldsync.services.devices import server_device
from fieldsync.services.push import BatchIdReused, batches_push_atomically
from tests.helpers.sync import accident, victim
from victims.models import Victim

pytestmark = pytest.mark.django_db


def _envelope(device, records: list[dict], batch_id: str | None = None) -> dict:
    return {
        "batch_id": batch_id or str(uuid.uuid4()),
        "device_id": str(device.device_id),
        "schema_version": 1,
        "records": records,
    }


@pytest.fixture
def importer(seeded, make_user):
    return server_device(
        user=make_user("importer", role=Role.NRA_STAFF, organisation="NRA"), name="import"
    )


def test_batches_are_applied_together_and_a_repeat_changes_nothing(importer) -> None:
    a = accident(reporting_organisation="HALO")
    v = victim(a["id"])
    envelopes = [_envelope(importer, [v]), _envelope(importer, [a])]  # the victim comes first

    first = batches_push_atomically(device=importer, envelopes=envelopes, source="import")
    changes = Change.objects.count()
    again = batches_push_atomically(device=importer, envelopes=envelopes, source="import")

    assert [r["status"] for r in first[0]["results"]] == ["held"]
    assert Victim.objects.get(pk=v["id"]).accident_id == uuid.UUID(a["id"])
    assert again == first
    assert Change.objects.count() == changes
    assert SyncBatch.objects.count() == 2


def test_nothing_is_kept_when_one_batch_fails(importer) -> None:
    reused = str(uuid.uuid4())
    batches_push_atomically(
        device=importer, envelopes=[_envelope(importer, [], reused)], source="import"
    )
    good = _envelope(importer, [accident(reporting_organisation="HALO")])

    with pytest.raises(BatchIdReused):
        batches_push_atomically(
            device=importer,
            source="import",
            envelopes=[good, _envelope(importer, [accident()], reused)],
        )

    assert not Accident.objects.exists()
    assert SyncBatch.objects.count() == 1
