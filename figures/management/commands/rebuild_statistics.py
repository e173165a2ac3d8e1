"""Recompute every figure from the records (what the nightly beat task does), with progress."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from figures.slices import statistics_rebuild


class Command(BaseCommand):
    help = "Recompute every aggregate (figure table) from the records, all slices at once."

    def handle(self, *args: Any, verbosity: int, **options: Any) -> None:
        def progress(steps: Iterable[str]) -> Iterable[str]:
            return tqdm(
                steps,
                desc="figure tables",
                unit="table",
                disable=verbosity < 1,
                file=sys.stderr,  # a bar redraws one line: not through OutputWrapper
            )

        started = time.monotonic()
        count = statistics_rebuild(progress=progress)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Statistics rebuilt: {count} slices in {elapsed:.1f} s.")
        )
