"""A bad link for upload tests: a loopback TCP proxy that cuts some connections mid-body."""

from __future__ import annotations

import socket
import threading
from contextlib import suppress

from tests.helpers.servers import free_port


class CuttingProxy:
    """Forwards to `target_port`; each of the first `cuts` connections is cut (both ways) once the
    client has sent `after` bytes on it, as a phone link drops in the middle of a PATCH (clients
    keep connections alive: a connection carries several requests)."""

    def __init__(self, target_port: int, cuts: int = 4, after: int = 300_000) -> None:
        self.target_port = target_port
        self.max_cuts = cuts
        self.after = after
        self.port = free_port()
        self.connections = 0
        self.cuts = 0
        self._lock = threading.Lock()
        self._server: socket.socket | None = None

    def __enter__(self) -> CuttingProxy:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            with suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                doomed = self.connections <= self.max_cuts
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            limit = self.after if doomed else None
            threading.Thread(target=self._pipe, args=(client, upstream, limit), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, None), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, limit: int | None) -> None:
        sent = 0
        try:
            while data := source.recv(65536):
                if limit is not None and sent + len(data) > limit:
                    sink.sendall(data[: limit - sent])
                    with self._lock:
                        self.cuts += 1
                    break
                sink.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with suppress(OSError):
                    sock.close()
