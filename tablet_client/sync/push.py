"""Sending the outbox: batches in order, each resent with the same batch id and bytes until the
server answers it (gzip-encoded when the server announces it takes that)."""

from __future__ import annotations

import gzip
from collections.abc import Callable

from tablet_client.store import LocalStore, OutboxBatch
from tablet_client.sync.contract import PUSH, AuthRefused, ClientBug, reply_code, reply_detail
from tablet_client.sync.outbox import Outbox
from tablet_client.sync.results import PushResults
from tablet_client.sync.retry import Requester


class Pusher:
    """Drains the outbox, freezing the new changes once every earlier batch is answered."""

    def __init__(
        self,
        *,
        store: LocalStore,
        requester: Requester,
        outbox: Outbox,
        results: PushResults,
        encodings: Callable[[], list[str]] = list,
    ) -> None:
        self.store = store
        self.requester = requester
        self.outbox = outbox
        self.results = results
        self.encodings = encodings  # what the server takes (sync/info "compression.request")

    def push(self) -> None:
        """Send what is waiting: first the batches already frozen, then the new changes."""
        self._drain()
        self.outbox.freeze()
        self._drain()

    def _drain(self) -> None:
        while (batch := self.store.batch_next()) is not None:
            self._send(batch)

    def _send(self, batch: OutboxBatch) -> None:
        """Send one batch until the server answers it; the same batch id and bytes every time."""
        body, headers = batch.body, None
        if "gzip" in self.encodings():  # a fifth of the bytes or less over a 2G link
            body, headers = gzip.compress(batch.body, mtime=0), {"Content-Encoding": "gzip"}
        reply = self.requester.call("POST", PUSH, body=body, counts_as_resend=True, headers=headers)
        if reply.status == 200:
            self.results.acknowledge(batch, reply.body)
        elif reply.status == 413:
            self.outbox.split(batch, reply.body)
        elif reply.status == 409 and reply_code(reply) == "batch_id_reused":
            raise ClientBug(f"batch {batch.batch_id} was refused as reused: batches are immutable")
        elif reply.status == 401:
            raise AuthRefused(reply_code(reply), reply_detail(reply))
        else:
            raise ClientBug(f"push answered {reply.status}: {reply.body}")
