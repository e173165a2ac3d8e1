"""How the reference client reaches the server: JSON over HTTP, and a link that loses messages.

A tablet in the field cannot tell a request that never arrived from a response that never came
back; both surface here as `LinkDown`, and the sync engine treats them alike: send again. A file
chunk may also be cut mid-way: the server keeps what arrived, and the tablet asks it how much.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx


class LinkDown(Exception):
    """The request or its response was lost on the way (timeout, reset, no network)."""


@dataclass(frozen=True)
class Reply:
    """A response as the client needs it: status, parsed JSON body (None if not JSON), headers,
    and the raw bytes of the body (a downloaded file)."""

    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""

    def header(self, name: str) -> str | None:
        """A response header by name, whatever its case."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


class Transport(Protocol):
    def send(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        params: Mapping[str, str] | None = None,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
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
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """`path` is the server's path, or an absolute URL it gave (a tus upload's Location);
        `headers` go on top of the JSON defaults (a file chunk has its own Content-Type)."""
        sent = {"Accept": "application/json"}
        if body is not None:
            sent["Content-Type"] = "application/json"
        if token is not None:
            sent["Authorization"] = f"Token {token}"
        sent.update(headers or {})
        try:
            response = self.client.request(
                method, path, content=body, params=dict(params or {}), headers=sent
            )
        except httpx.TransportError as error:
            raise LinkDown(f"{type(error).__name__}: {error}") from error
        try:
            parsed = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            parsed = None
        return Reply(
            status=response.status_code,
            body=parsed,
            headers=dict(response.headers),
            content=response.content,
        )

    def close(self) -> None:
        self.client.close()


@dataclass
class LinkStats:
    requests: int = 0
    lost_requests: int = 0
    lost_responses: int = 0
    cut_bodies: int = 0  # file chunks cut mid-way: the server got the first part


#: A request carrying a file chunk (tus PATCH): what the link may cut mid-way.
CHUNK_TYPE = "application/offset+octet-stream"


class FlakyTransport:
    """A bad field link: drops `drop_rate` of the exchanges, seeded so a run can be replayed.

    A dropped exchange loses either the request (the server never sees it) or the response (the
    server did the work, the tablet never hears of it), in the proportion `response_share`. Of
    the lost requests that carry a file chunk, `cut_share` are cut mid-way instead: the server
    receives the chunk's first part (without its checksum, which covered the whole chunk) and
    keeps it, as a tus server keeps the bytes that arrived; the tablet hears nothing.
    """

    def __init__(
        self,
        inner: Transport,
        *,
        drop_rate: float,
        seed: int | str = 0,
        response_share: float = 0.5,
        cut_share: float = 0.5,
    ) -> None:
        if not 0.0 <= drop_rate < 1.0:
            raise ValueError("drop_rate must be at least 0 and below 1.")
        self.inner = inner
        self.drop_rate = drop_rate
        self.response_share = response_share
        self.cut_share = cut_share
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
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        self.stats.requests += 1
        draw = self.rng.random()
        if draw < self.drop_rate * (1.0 - self.response_share):
            if _is_chunk(headers) and body and len(body) > 1 and self.rng.random() < self.cut_share:
                self._cut(method, path, body=body, params=params, token=token, headers=headers)
            self.stats.lost_requests += 1
            raise LinkDown("request lost")
        reply = self.inner.send(
            method, path, body=body, params=params, token=token, headers=headers
        )
        if draw < self.drop_rate:
            self.stats.lost_responses += 1
            raise LinkDown("response lost")
        return reply

    def _cut(
        self,
        method: str,
        path: str,
        *,
        body: bytes,
        params: Mapping[str, str] | None,
        token: str | None,
        headers: Mapping[str, str] | None,
    ) -> None:
        """The connection breaks after the first part of a chunk: the server gets that part."""
        arrived = body[: self.rng.randint(1, len(body) - 1)]
        kept = {k: v for k, v in (headers or {}).items() if k.lower() != "upload-checksum"}
        self.stats.cut_bodies += 1
        with suppress(LinkDown):  # the real link went down too: the server has what it has
            self.inner.send(method, path, body=arrived, params=params, token=token, headers=kept)


def _is_chunk(headers: Mapping[str, str] | None) -> bool:
    return any(k.lower() == "content-type" and v == CHUNK_TYPE for k, v in (headers or {}).items())
