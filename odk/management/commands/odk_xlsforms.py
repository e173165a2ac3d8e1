"""Write the ODK forms as XLSForm workbooks for NRA staff (the server serves them as XForms)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from odk.forms.workbook import xlsform_files_write


class Command(BaseCommand):
    help = (
        "Write uxo_accident.xlsx and uxo_assistance.xlsx, the XLSForms Collect's forms are "
        "converted from, current with the reference data, into DIRECTORY (default var/odk)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("directory", nargs="?", default="var/odk", type=Path)

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        for path in xlsform_files_write(directory=directory):
            self.stdout.write(str(path))
