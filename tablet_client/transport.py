"""How the reference client reaches the server: JSON over HTTP, and a link that loses messages.

A tablet in the field cannot tell a request that never arrived from a response that never came
back; both surface here as `LinkDown`, and the sync engine treats them alike: send again.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx


class LinkDown(Exception):
    """The request or its response was lost on the way (timeout, reset, no network)."""


@dataclass(frozen=True)
class Reply:
    """A response as the client needs it: status, parsed JSON body (None if not JSON), headers."""

    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)


class Transport(Protocol):
    def send(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        params: Mapping[str, str] | None = None,
        token: str | None = None,
    ) -> Reply: ...


class HttpTransport:
    """The server over HTTP (httpx). `transport` swaps the network for e.g. a WSGI app in tests."""

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.client = httpx.Client(base_url=base_url, transport=transport, timeout=timeout)

    def send(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        params: Mapping[str, str] | None = None,
        token: str | None = None,
    ) -> Reply:
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = f"Token {token}"
        try:
            response = self.client.request(
                method, path, content=body, params=dict(params or {}), headers=headers
            )
        except httpx.TransportError as error:
            raise LinkDown(f"{type(error).__name__}: {error}") from error
        try:
            parsed = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            parsed = None
        return Reply(status=response.status_code, body=parsed, headers=dict(response.headers))

    def close(self) -> None:
        self.client.close()


@dataclass
class LinkStats:
    requests: int = 0
    lost_requests: int = 0
    lost_responses: int = 0


class FlakyTransport:
    """A bad field link: drops `drop_rate` of the exchanges, seeded so a run can be replayed.

    A dropped exchange loses either the request (the server never sees it) or the response (the
    server did the work, the tablet never hears of it), in the proportion `response_share`.
    """

    def __init__(
        self,
        inner: Transport,
        *,
        drop_rate: float,
        seed: int | str = 0,
        response_share: float = 0.5,
    ) -> None:
        if not 0.0 <= drop_rate < 1.0:
            raise ValueError("drop_rate must be at least 0 and below 1.")
        self.inner = inner
        self.drop_rate = drop_rate
        self.response_share = response_share
        self.rng = random.Random(str(seed))  # noqa: S311  (simulated faults, not secrets)
        self.stats = LinkStats()

    def send(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        params: Mapping[str, str] | None = None,
        token: str | None = None,
    ) -> Reply:
        self.stats.requests += 1
        draw = self.rng.random()
        if draw < self.drop_rate * (1.0 - self.response_share):
            self.stats.lost_requests += 1
            raise LinkDown("request lost")
        reply = self.inner.send(method, path, body=body, params=params, token=token)
        if draw < self.drop_rate:
            self.stats.lost_responses += 1
            raise LinkDown("response lost")
        return reply
