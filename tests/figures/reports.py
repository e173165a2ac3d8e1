"""Reading the report files back, as a spreadsheet or a script would (tests of figures.reports)."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any
from unittest.mock import patch

import openpyxl

from tests.helpers.sync import Tablet

# The time the figures are extracted in these tests: 08:30 in Vientiane, 1 December 2026.
EXTRACTED_AT = datetime.datetime(2026, 12, 1, 1, 30, tzinfo=datetime.UTC)
EXTRACTED = "2026-12-01T08:30:00+07:00"
REPORTED = (
    "Reported and verified accidents: every accident not rejected and not deleted, whether the "
    "NRA has verified it yet or not."
)


def download(tablet: Tablet, name: str, fmt: str, **params: str) -> Any:
    """The report as NRA staff download it, extracted at EXTRACTED_AT (`year` 2026 unless
    `params` name a year or a period)."""
    if not {"year", "period_from", "period_to"} & set(params):
        params["year"] = "2026"
    with patch("django.utils.timezone.now", return_value=EXTRACTED_AT):
        return tablet.client.get(
            f"/api/v1/statistics/reports/{name}.{fmt}", params, **tablet.headers
        )


def read_csv(content: bytes) -> tuple[list[list[str]], list[list[str]]]:
    """The about lines above the empty line, and the table below it."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    blank = rows.index([])
    return rows[:blank], rows[blank + 1 :]


def read_xlsx(content: bytes, sheet: str = "Figures") -> list[list[Any]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in workbook[sheet].iter_rows(values_only=True)]


def table(tablet: Tablet, name: str, **params: str) -> list[list[Any]]:
    """The XLSX table's rows (header left out): the counts as numbers."""
    return read_xlsx(download(tablet, name, "xlsx", **params).content)[1:]


def about(tablet: Tablet, name: str, **params: str) -> list[tuple[str, str]]:
    """The CSV's about lines, label and text."""
    lines, _ = read_csv(download(tablet, name, "csv", **params).content)
    return [(label, text) for label, text in lines]
