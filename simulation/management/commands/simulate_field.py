"""Simulate days of field work: tablets syncing over a bad link while NRA staff work."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.servers.basehttp import (
    ThreadedWSGIServer,
    WSGIRequestHandler,
    get_internal_wsgi_application,
)

from fieldsync.models import Organisation
from simulation.field_day import FieldDay


class QuietHandler(WSGIRequestHandler):
    """The in-process server's requests are the simulation's business, not the terminal's."""

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def in_process_server() -> Iterator[str]:
    """This project's WSGI app on a free loopback port, in threads; yields its base URL."""
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.daemon_threads = True
    server.set_app(get_internal_wsgi_application())
    thread = threading.Thread(target=server.serve_forever, name="simulate_field server")
    thread.daemon = True
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def _quiet_logs(quiet: bool) -> Iterator[None]:
    """Per-request log lines (the client's, the in-process server's, its tasks') drown the
    progress: below WARNING they are shown only with --verbosity 2."""
    if quiet:
        logging.disable(logging.INFO)
    try:
        yield
    finally:
        if quiet:
            logging.disable(logging.NOTSET)


class Command(BaseCommand):
    help = (
        "Simulate field work: N tablets of several organisations record accidents, victims and "
        "assistance offline and sync over a link that loses requests and responses, while NRA "
        "staff verify, correct and delete records; then check that every tablet equals the "
        "server's view for it and that nothing was lost. Exit status 1 if a check fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tablets", type=int, default=5, help="number of tablets (5)")
        parser.add_argument("--days", type=int, default=3, help="days of field work (3)")
        parser.add_argument(
            "--accidents-per-day", type=int, default=2, help="accidents per tablet per day (2)"
        )
        parser.add_argument(
            "--drop-rate",
            type=float,
            default=0.2,
            help="share of requests or responses the link loses (0.2)",
        )
        parser.add_argument("--seed", default="1", help="replays the same run (1)")
        parser.add_argument(
            "--concurrent",
            action="store_true",
            help="tablets sync at the same time (threads); best with PostgreSQL",
        )
        parser.add_argument(
            "--server",
            default="",
            help="base URL of a running server using this same database (e.g. "
            "http://127.0.0.1:8000); default: serve in-process on a free loopback port",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not Organisation.objects.filter(code="HALO").exists():
            raise CommandError("No reference data: run `manage.py seed_reference_data` first.")
        if not 0.0 <= options["drop_rate"] < 1.0:
            raise CommandError("--drop-rate must be at least 0 and below 1.")
        server = options["server"].rstrip("/")
        with _quiet_logs(options["verbosity"] < 2):
            if server:
                self._run(server, options)
            else:
                with in_process_server() as url:
                    self._run(url, options)

    def _run(self, url: str, options: dict[str, Any]) -> None:
        where = "in-process" if not options["server"] else "running server"
        self.stdout.write(
            f"Field simulation: {options['tablets']} tablets, {options['days']} days, "
            f"{options['drop_rate']:.0%} of requests or responses lost, seed {options['seed']}"
        )
        self.stdout.write(f"  server: {url} ({where})")
        try:
            day = FieldDay(
                base_url=url,
                tablets=options["tablets"],
                days=options["days"],
                accidents_per_day=options["accidents_per_day"],
                drop_rate=options["drop_rate"],
                seed=options["seed"],
                progress=lambda line: self.stdout.write(f"  {line}"),
                concurrent=options["concurrent"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        report = day.run()
        for line in report.summary():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("The consistency check failed (see above).", returncode=1)
