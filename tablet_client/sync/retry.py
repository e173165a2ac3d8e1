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
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """One request, tried again (same bytes) after a lost message or a `429`/`503`."""
        token = self._token(authenticated)
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1 and counts_as_resend:
                self.stats.resends += 1
            try:
                reply = self.transport.send(
                    method, path, body=body, params=params, token=token, headers=headers
                )
            except LinkDown:
                self.stats.link_failures += 1
                self.back_off(attempt)
                continue
            if reply.status in TRANSIENT:
                self.stats.backoffs += 1
                self.back_off(attempt, reply)
                continue
            return reply
        raise SyncInterrupted(f"{method} {path}: no answer after {self.max_attempts} attempts")

    def send_once(
        self, method: str, path: str, *, body: bytes | None, headers: Mapping[str, str]
    ) -> Reply:
        """One try, no retry: a lost message raises `LinkDown` (counted) for the caller to ask
        the server where things stand (a tus chunk is never resent blindly)."""
        token = self._token(True)
        try:
            return self.transport.send(method, path, body=body, token=token, headers=headers)
        except LinkDown:
            self.stats.link_failures += 1
            raise

    def back_off(self, attempt: int, reply: Reply | None = None) -> None:
        """Wait before try `attempt + 1`: what `Retry-After` asks, or a jittered back-off."""
        retry_after = _retry_after(reply) if reply is not None else None
        self._wait(retry_after or self._backoff(attempt))

    def _token(self, authenticated: bool) -> str | None:
        token = self.store.setting("token") if authenticated else None
        if authenticated and token is None:
            raise AuthRefused("not_enrolled", "Enrol the tablet first.")
        return None if token is None else str(token)

    def _backoff(self, attempt: int) -> float:
        return float(min(self.max_wait, self.backoff * 2 ** (attempt - 1) * self.rng.uniform(1, 2)))

    def _wait(self, seconds: float) -> None:
        seconds = max(0.0, min(seconds, self.max_wait))
        self.stats.waited += seconds
        self.sleep(seconds)


def _retry_after(reply: Reply) -> float | None:
    """`Retry-After` in seconds (a number or an HTTP date), or None when absent or unreadable."""
    value = reply.header("retry-after")
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
