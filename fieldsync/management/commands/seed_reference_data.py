"""Load the reference data every app ships (organisations, provinces, districts, ordnance and
service types for Laos)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from fieldsync.services.reference import reference_data_seed


class Command(BaseCommand):
    help = (
        "Create the missing reference rows (organisations, provinces, districts, ordnance types, "
        "service types). Running it again changes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--update",
            action="store_true",
            help="Also set rows that differ from the shipped data back to it "
            "(undoes edits NRA staff made in admin).",
        )

    def handle(self, *args: Any, update: bool, **options: Any) -> None:
        results = reference_data_seed(update_existing=update)
        for wire_name, rows in results.items():
            self.stdout.write(f"{wire_name}: {rows.created} created, {rows.updated} updated")
        if not any(results.values()):
            self.stdout.write(self.style.SUCCESS("Reference data already up to date."))
        else:
            self.stdout.write(self.style.SUCCESS("Reference data loaded."))
