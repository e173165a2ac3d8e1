"""Fill the database with demo accidents, victims and assistance that follow Laos' figures."""

from __future__ import annotations

import re
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accidents.models import District
from simulation.demo import demo_data_generate, published_figures


class Command(BaseCommand):
    help = (
        "Push demo records through the sync engine whose yearly casualty totals follow the "
        "published figures (accidents/data/casualties_by_year.csv). Running it again with the "
        "same seed changes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        known = sorted(published_figures())
        parser.add_argument(
            "--years",
            default=f"{known[0]}-{known[-1]}",
            help=f"A year or a range, e.g. 2015-2020 (default: {known[0]}-{known[-1]}).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Another seed, other records.")

    def handle(self, *args: Any, years: str, seed: int, **options: Any) -> None:
        match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", years.strip())
        if match is None:
            raise CommandError("--years takes a year or a range such as 2006-2026.")
        first, last = int(match[1]), int(match[2] or match[1])
        if first > last:
            raise CommandError("--years: the first year comes after the last.")
        if not District.objects.exists():
            raise CommandError("No reference data: run `manage.py seed_reference_data` first.")
        started = time.monotonic()
        try:
            for outcome in demo_data_generate(first_year=first, last_year=last, seed=seed):
                figures = outcome.figures
                results = ", ".join(f"{n} {s}" for s, n in sorted(outcome.outcomes.items()))
                source = f" ({figures.flags})" if figures.flags else ""
                self.stdout.write(
                    f"{figures.year}{source}: {figures.casualties} casualties "
                    f"({figures.killed} killed, {figures.injured} injured, "
                    f"{figures.unknown} unknown) to {figures.last_day}; "
                    f"{outcome.batches} batches: {results}"
                )
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data in place ({elapsed:.1f} s)."))
