"""The reference client sends its pushes gzip-encoded when the server announces it takes them,
with the same bytes on every resend (so a replay is the same batch)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable

import pytest

from accidents.models import Accident
from fieldsync.models import SyncBatch
from tablet_client import TabletClient, Transport
from tests.helpers.sync import accident
from tests.helpers.tablet_client import ScriptedLink

pytestmark = pytest.mark.django_db


def test_pushes_are_gzip_and_the_same_bytes_on_a_resend(
    make_client: Callable[..., TabletClient],
) -> None:
    links: list[ScriptedLink] = []

    def wrap(inner: Transport) -> Transport:
        links.append(ScriptedLink(inner))
        return links[0]

    tablet = make_client(link=wrap)
    link = links[0]
    assert tablet.info()["compression"]["request"] == ["gzip"]
    link.then("response")  # the first answer is lost: the same push goes again
    accident_id = tablet.create("accident", accident()["data"])

    tablet.push()

    sent = [
        (body, headers)
        for (method, path, body), headers in zip(link.calls, link.headers, strict=True)
        if path.endswith("/sync/push/")
    ]
    (first, first_headers), (second, _) = sent
    assert first == second and first is not None and first[:2] == b"\x1f\x8b"
    assert first_headers["Content-Encoding"] == "gzip"
    batch_id = json.loads(gzip.decompress(first))["batch_id"]
    assert SyncBatch.objects.filter(batch_id=batch_id).count() == 1
    assert Accident.objects.filter(pk=accident_id).count() == 1
    assert tablet.stats.outcomes == {"applied": 1}
