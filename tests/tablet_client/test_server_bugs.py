"""Server bugs the reference client ran into, reproduced at the contract level (now fixed)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fieldsync.models import InboxRecord
from tests.helpers.sync import Tablet, accident, victim
from victims.models import Victim

pytestmark = pytest.mark.django_db


def test_a_held_record_sent_twice_is_released_when_its_accident_arrives(
    make_tablet: Callable[..., Tablet],
) -> None:
    # Given a victim held for its missing accident, then edited on the tablet and sent again
    # (a create with base_version null, held again: two held copies from one device)
    tablet = make_tablet()
    missing = accident()
    first = victim(missing["id"], outcome="injured")
    [held] = tablet.push_ok([first])
    [held_again] = tablet.push_ok([victim(missing["id"], record_id=first["id"], outcome="killed")])
    assert (held["status"], held_again["status"]) == ("held", "held")

    # When the accident arrives
    response = tablet.push([missing])

    # Then both copies are reconciled in order: the victim exists with the later outcome
    assert response.status_code == 200, response.content
    assert response.json()["results"][0]["status"] == "applied"
    assert Victim.objects.get(pk=first["id"]).outcome == "killed"
    assert not InboxRecord.objects.filter(record_id=first["id"], status="held").exists()
