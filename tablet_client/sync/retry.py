"""Requests to the server over a link that loses messages: the same bytes are sent again, with
a jittered back-off, or after what `Retry-After` asks, until an answer or the attempts run out."""

from __future__ import annotations

import datetime
import email.utils
import random
from collections.abc import Callable, Mapping

from tablet_client.store import LocalStore
from tablet_client.sync.contract import TRANSIENT, AuthRefused, SyncInterrupted
from tablet_client.sync.stats import SyncStats
from tablet_client.transport import LinkDown, Reply, Transport


class Requester:
    """Sends one request with the tablet's token; `max_attempts` bounds its tries in a session,
    `max_wait` each back-off (`sleep` is injectable: tests and the simulation do not wait)."""

    def __init__(
        self,
        *,
        store: LocalStore,
        transport: Transport,
        stats: SyncStats,
        sleep: Callable[[float], None],
        max_attempts: int,
        max_wait: float,
        backoff: float,
        rng: random.Random,
    ) -> None:
        self.store = store
        self.transport = transport
        self.stats = stats
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.max_wait = max_wait
        self.backoff = backoff
        self.rng = rng

    def call(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        params: Mapping[str, str] | None = None,
        authenticated: bool = True,
        counts_as_resend: bool = False,
    ) -> Reply:
        """One request, tried again (same bytes) after a lost message or a `429`/`503`."""
        token = self.store.setting("token") if authenticated else None
        if authenticated and token is None:
            raise AuthRefused("not_enrolled", "Enrol the tablet first.")
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1 and counts_as_resend:
                self.stats.resends += 1
            try:
                reply = self.transport.send(method, path, body=body, params=params, token=token)
            except LinkDown:
                self.stats.link_failures += 1
                self._wait(self._backoff(attempt))
                continue
            if reply.status in TRANSIENT:
                self.stats.backoffs += 1
                self._wait(_retry_after(reply) or self._backoff(attempt))
                continue
            return reply
        raise SyncInterrupted(f"{method} {path}: no answer after {self.max_attempts} attempts")

    def _backoff(self, attempt: int) -> float:
        return float(min(self.max_wait, self.backoff * 2 ** (attempt - 1) * self.rng.uniform(1, 2)))

    def _wait(self, seconds: float) -> None:
        seconds = max(0.0, min(seconds, self.max_wait))
        self.stats.waited += seconds
        self.sleep(seconds)


def _retry_after(reply: Reply) -> float | None:
    """`Retry-After` in seconds (a number or an HTTP date), or None when absent or unreadable."""
    value = next((v for k, v in reply.headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.datetime.now(tz=datetime.UTC)).total_seconds())
