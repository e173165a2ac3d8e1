"""A slow link on loopback: a TCP proxy that delivers each direction at `rate` bytes a second,
`latency` seconds late, as a 2G connection in a Lao village does (50 kB/s, 300 ms)."""

from __future__ import annotations

import queue
import socket
import threading
import time
from contextlib import suppress
from types import TracebackType

CHUNK = 4096


class SlowLink:
    """`with SlowLink(target_port) as link:` then talk to `link.url`."""

    def __init__(self, target_port: int, *, rate: float = 50_000, latency: float = 0.3) -> None:
        self.target_port = target_port
        self.rate = rate
        self.latency = latency
        self.bytes_up = 0
        self.bytes_down = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> SlowLink:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.close()
        with self._lock:
            for sock in self._sockets:
                with suppress(OSError):
                    sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink, up in ((client, upstream, True), (upstream, client, False)):
                line: queue.Queue[tuple[float, bytes]] = queue.Queue()
                threading.Thread(target=self._read, args=(source, line, up), daemon=True).start()
                threading.Thread(target=self._deliver, args=(line, sink), daemon=True).start()

    def _read(
        self, source: socket.socket, line: queue.Queue[tuple[float, bytes]], up: bool
    ) -> None:
        with suppress(OSError):
            while data := source.recv(CHUNK):
                with self._lock:
                    if up:
                        self.bytes_up += len(data)
                    else:
                        self.bytes_down += len(data)
                line.put((time.monotonic() + self.latency, data))
        line.put((time.monotonic() + self.latency, b""))

    def _deliver(self, line: queue.Queue[tuple[float, bytes]], sink: socket.socket) -> None:
        """Each chunk no earlier than `latency` after it was read, at most `rate` bytes/s."""
        free_at = 0.0
        with suppress(OSError):
            while True:
                due, data = line.get()
                start = max(due, free_at)
                if (wait := start - time.monotonic()) > 0:
                    time.sleep(wait)
                if not data:
                    sink.shutdown(socket.SHUT_WR)
                    return
                sink.sendall(data)
                free_at = start + len(data) / self.rate
