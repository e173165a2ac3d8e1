"""A bad link for upload tests: a loopback TCP proxy that cuts some connections mid-body."""

from __future__ import annotations

import socket
import threading
from contextlib import suppress

from tests.helpers.servers import TcpProxy


class CuttingProxy(TcpProxy):
    """Forwards to `target_port`; each of the first `cuts` connections is cut (both ways) once the
    client has sent `after` bytes on it, as a phone link drops in the middle of a PATCH (clients
    keep connections alive: a connection carries several requests)."""

    def __init__(self, target_port: int, cuts: int = 4, after: int = 300_000) -> None:
        super().__init__(target_port)
        self.max_cuts = cuts
        self.after = after
        self.connections = 0
        self.cuts = 0

    def __enter__(self) -> CuttingProxy:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._connections += [client, upstream]
                self.connections += 1
                limit = self.after if self.connections <= self.max_cuts else None
            threading.Thread(
                target=self._pipe_cut, args=(client, upstream, limit), daemon=True
            ).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def _pipe_cut(self, source: socket.socket, sink: socket.socket, limit: int | None) -> None:
        """Forward the client's bytes; past `limit`, forward the part that fits and cut."""
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
