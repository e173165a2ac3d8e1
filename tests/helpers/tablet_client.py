"""The reference tablet client's links in tests: the real server in-process (Django's test client
behind httpx), a link that fails on cue, and a sleep that only remembers its waits."""

from __future__ import annotations

import gzip
from collections.abc import Mapping

import httpx
from django.test import Client

from tablet_client import LinkDown, Reply, Transport


def django_transport() -> httpx.MockTransport:
    """httpx requests answered by the Django app through its test client (same transaction)."""
    client = Client()

    def handle(request: httpx.Request) -> httpx.Response:
        headers = {
            f"HTTP_{name.upper().replace('-', '_')}": value
            for name, value in request.headers.items()
            if name.lower() not in ("content-type", "content-length", "host")
        }
        response = client.generic(
            request.method,
            request.url.raw_path.decode("ascii"),
            data=request.content,
            content_type=request.headers.get("content-type", ""),
            **headers,
        )
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return httpx.Response(response.status_code, headers=dict(response.items()), content=content)

    return httpx.MockTransport(handle)


class ScriptedLink:
    """A link that fails on cue: `script` maps a call number (1-based) to what goes wrong.

    "request" loses the request, "response" loses the response, "cut:N" delivers only the first
    N bytes of the body (without its checksum) and loses the rest, a Reply is answered instead
    of asking the server. Every call is recorded (method, path, body).
    """

    def __init__(self, inner: Transport, script: Mapping[int, str | Reply] | None = None) -> None:
        self.inner = inner
        self.script = dict(script or {})
        self.calls: list[tuple[str, str, bytes | None]] = []
        self.headers: list[dict[str, str]] = []  # each call's headers, as sent

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
        self.calls.append((method, path, body))
        self.headers.append(dict(headers or {}))
        fault = self.script.get(len(self.calls))
        if isinstance(fault, Reply):
            return fault
        if fault == "request":
            raise LinkDown("request lost")
        if fault is not None and fault.startswith("cut:"):  # "cut:N": only N bytes arrive
            arrived = (body or b"")[: int(fault.removeprefix("cut:"))]
            kept = {k: v for k, v in (headers or {}).items() if k.lower() != "upload-checksum"}
            self.inner.send(method, path, body=arrived, params=params, token=token, headers=kept)
            raise LinkDown("connection cut mid-body")
        reply = self.inner.send(
            method, path, body=body, params=params, token=token, headers=headers
        )
        if fault == "response":
            raise LinkDown("response lost")
        return reply

    def then(self, *faults: str | Reply | None) -> None:
        """What goes wrong with the next calls, in order (None: nothing)."""
        start = len(self.calls)
        self.script = {start + i: f for i, f in enumerate(faults, start=1) if f is not None}

    def pushes(self) -> list[bytes | None]:
        """The push bodies as sent, gzip-decoded (the client compresses when the server says
        it takes gzip)."""
        return [
            gzip.decompress(body) if body and body[:2] == b"\x1f\x8b" else body
            for method, path, body in self.calls
            if path.endswith("/sync/push/")
        ]


class Sleeps(list[float]):
    """A fake sleep: remembers each wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
