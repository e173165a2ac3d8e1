"""Import accidents, victims and assistance from a CSV or XLSX file (docs/import-export.md)."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from exchange.columns import KINDS
from exchange.imports import (
    ImportReport,
    import_file_apply,
    import_file_check,
    import_file_store,
    rejected_rows_write,
    system_user,
)
from exchange.models import ImportStatus
from fieldsync.models import Role, User

ERRORS_PRINTED = 50


class Command(BaseCommand):
    help = (
        "Check a CSV or XLSX file of accidents, victims or assistance and print its report; "
        "with --confirm, import the whole file (all or nothing). Importing a file again changes "
        "nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="The .csv or .xlsx file.")
        parser.add_argument(
            "--confirm", action="store_true", help="Import it (without: only check and report)."
        )
        parser.add_argument(
            "--as",
            dest="username",
            help="The NRA staff account the import is recorded under (default: records-import).",
        )
        parser.add_argument(
            "--records",
            choices=sorted(KINDS),
            help="What a CSV file holds (default: from the file name, e.g. victims.csv).",
        )
        parser.add_argument(
            "--rejected-rows", metavar="CSV", help="Write every rejected row to this CSV file."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = self._user(options["username"])
        records = options["records"]
        import_file = import_file_store(
            content=path.read_bytes(),
            file_name=path.name,
            kind=KINDS[records] if records else None,
            user=user,
        )
        show = options["verbosity"] > 0
        if options["confirm"]:
            import_file = import_file_apply(
                import_file=import_file, user=user, progress=self._progress(show)
            )
        else:
            import_file_check(import_file=import_file, progress=self._progress(show))
        report = ImportReport.from_json(import_file.report)
        self._print(report)
        if options["rejected_rows"]:
            self._write_rejected(report, Path(options["rejected_rows"]))
        if import_file.status == ImportStatus.APPLIED:
            outcomes = ", ".join(f"{n} {status}" for status, n in report.outcomes.items())
            self.stdout.write(
                self.style.SUCCESS(f"Imported ({outcomes}): import file #{import_file.pk}.")
            )
        elif import_file.status == ImportStatus.VALID:
            self.stdout.write(
                self.style.SUCCESS(
                    f"No rejected rows: run again with --confirm to import (import file "
                    f"#{import_file.pk} also waits in the admin)."
                )
            )
        else:
            raise CommandError("Nothing was imported: fix the rejected rows and try again.")

    def _user(self, username: str | None) -> User:
        if username is None:
            return system_user()
        user = User.objects.filter(username=username).first()
        if user is None or user.role != Role.NRA_STAFF:
            raise CommandError(f"--as: {username!r} is not an NRA staff account.")
        return user

    def _progress(self, show: bool) -> Any:
        def progress(items: Sequence[Any], description: str) -> Iterable[Any]:
            if not show:
                return items
            unit = "batch" if description == "importing" else "row"
            # The raw stream: OutputWrapper would end each of tqdm's redraws with a new line.
            out = getattr(self.stderr, "_out", sys.stderr)
            return tqdm(items, desc=description, total=len(items), unit=unit, file=out)

        return progress

    def _print(self, report: ImportReport) -> None:
        for sheet in report.sheets:
            self.stdout.write(f"{sheet['sheet']}: {sheet['rows']} rows of {sheet['model']}")
        for message in report.file_errors:
            self.stdout.write(self.style.ERROR(message))
        for model, counts in report.counts.items():
            summary = ", ".join(f"{n} {state}" for state, n in counts.items() if state != "rows")
            self.stdout.write(f"{model}: {summary}")
        if report.already_imported:
            self.stdout.write("This file was imported before: importing it again changes nothing.")
        for error in report.errors[:ERRORS_PRINTED]:
            column = f" {error.column}:" if error.column else ""
            self.stdout.write(
                self.style.ERROR(
                    f"{error.sheet} row {error.row} ({error.legacy_id or 'no legacy_id'}):"
                    f"{column} {' '.join(error.messages)}"
                )
            )
        if len(report.errors) > ERRORS_PRINTED:
            self.stdout.write(
                f"... and {len(report.errors) - ERRORS_PRINTED} more (--rejected-rows FILE "
                "writes them all)."
            )

    def _write_rejected(self, report: ImportReport, path: Path) -> None:
        with path.open("w", newline="", encoding="utf-8") as file:
            rejected_rows_write(report=report, file=file)
