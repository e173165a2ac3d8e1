"""The report of an import: what a file holds, its rejected rows, and what applying it did."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from exchange.columns import csv_safe

REJECTED_ROWS_HEADER = ("sheet", "row", "legacy_id", "column", "messages")


@dataclass
class RowError:
    sheet: str
    row: int
    legacy_id: str
    column: str  # "" for the row as a whole
    messages: list[str]


@dataclass
class ImportReport:
    """What a file holds and what importing it does (or did): stored as JSON with the file."""

    file_name: str
    sha256: str
    sheets: list[dict[str, Any]] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    # wire model -> rows, new, changed, unchanged, rejected
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    already_imported: bool = False
    # after applying: the engine's outcome -> records
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors and self.rows > 0

    @property
    def rows(self) -> int:
        return sum(counts["rows"] for counts in self.counts.values())

    @property
    def rejected_rows(self) -> int:
        return sum(counts["rejected"] for counts in self.counts.values())

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportReport:
        data = dict(data)
        data["errors"] = [RowError(**error) for error in data.get("errors", [])]
        return cls(**data)


def rejected_rows_write(*, report: ImportReport, file: IO[str]) -> None:
    """Every rejected row of `report` and why, as CSV (the file's errors first, on rows of their
    own). A cell a spreadsheet would run as a formula (a legacy id `=HYPERLINK(...)`) is written
    behind an apostrophe, as exports write it."""
    writer = csv.writer(file)
    writer.writerow(REJECTED_ROWS_HEADER)
    for message in report.file_errors:
        writer.writerow(["", "", "", "", csv_safe(message)])
    for error in report.errors:
        cells = [error.sheet, error.row, error.legacy_id, error.column, " ".join(error.messages)]
        writer.writerow([csv_safe(cell) for cell in cells])


class ImportRejected(Exception):
    """The engine refused records the dry run accepted: the import was rolled back."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} rows refused when applied")
        self.errors = errors
