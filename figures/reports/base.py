"""What every report is made of: the request (period, basis, time of extraction), the table of
plain counts with the lines that say what it holds, and the helpers the tables share."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from figures.selectors import (
    BASIS_REPORTED_AND_VERIFIED,
    BASIS_VERIFIED_ONLY,
    SEX_AGE_LABELS,
    FigureQuery,
)

SEX_AGE_COLUMNS = tuple(SEX_AGE_LABELS.values())  # men, women, boys, girls, sex or age unknown
BASIS_TEXT = {
    BASIS_REPORTED_AND_VERIFIED: "Reported and verified accidents: every accident not rejected "
    "and not deleted, whether the NRA has verified it yet or not.",
    BASIS_VERIFIED_ONLY: "Verified accidents only: the accidents the NRA has verified.",
}
DATE = "%Y-%m-%d"


@dataclass(frozen=True)
class ReportRequest:
    """What a report is asked for: whole calendar years (the figures are kept per year), the
    basis (all reported accidents or verified only) and the time the figures are extracted."""

    first_year: int
    last_year: int
    verified_only: bool = False
    extracted_at: datetime.datetime = field(default_factory=timezone.now)
    # For everyone but NRA staff: small counts and what would give them away hidden.
    disclosure_control: bool = False

    @classmethod
    def for_year(cls, year: int, *, verified_only: bool = False) -> ReportRequest:
        return cls(first_year=year, last_year=year, verified_only=verified_only)

    @property
    def year(self) -> int:
        """The year of a yearly report (monitor, SDG): its period is one year."""
        if self.first_year != self.last_year:
            raise ValueError("This report covers one calendar year.")
        return self.last_year

    @property
    def years(self) -> int:
        return self.last_year - self.first_year + 1

    @property
    def label(self) -> str:
        """The period in a file name or a column: `2026`, `2025-2026`."""
        if self.first_year == self.last_year:
            return str(self.first_year)
        return f"{self.first_year}-{self.last_year}"

    @property
    def starts_on(self) -> datetime.date:
        return datetime.date(self.first_year, 1, 1)

    @property
    def ends_on(self) -> datetime.date:
        return datetime.date(self.last_year, 12, 31)

    @property
    def basis(self) -> str:
        return self.query().basis

    def query(self, **changes: Any) -> FigureQuery:
        """The figures of the period (national); `changes` replace any FigureQuery field."""
        years: dict[str, Any] = (
            {"year": self.first_year}
            if self.first_year == self.last_year
            else {"year_from": self.first_year, "year_to": self.last_year}
        )
        return FigureQuery(**{**years, "verified_only": self.verified_only, **changes})

    def shifted(self, years: int) -> ReportRequest:
        """The same request for a period `years` earlier (negative) or later."""
        return ReportRequest(
            first_year=self.first_year + years,
            last_year=self.last_year + years,
            verified_only=self.verified_only,
            extracted_at=self.extracted_at,
            disclosure_control=self.disclosure_control,
        )


@dataclass
class Report:
    """A table of counts (every count a plain int in `rows`, one cell each) and the lines that
    say what it holds (`about`: label and text, written above the CSV table and on the XLSX
    "About" sheet)."""

    name: str
    title: str
    header: Sequence[str]
    rows: list[list[Any]] = field(default_factory=list)
    about: list[tuple[str, str]] = field(default_factory=list)

    def note(self, text: str) -> None:
        self.about.append(("Note", text))


def report_start(*, name: str, title: str, header: Sequence[str], request: ReportRequest) -> Report:
    """An empty report whose first lines say what, on which basis, for when, extracted when."""
    extracted = timezone.localtime(request.extracted_at)
    return Report(
        name=name,
        title=title,
        header=header,
        about=[
            ("Report", title),
            ("Basis", BASIS_TEXT[request.basis]),
            ("Period", f"{request.starts_on:{DATE}} to {request.ends_on:{DATE}}"),
            ("Extracted", extracted.isoformat(timespec="seconds")),
        ],
    )


def sex_age_counts(cells: Iterable[dict[str, Any]]) -> list[int]:
    """Men, women, boys, girls, sex or age unknown, and all casualties of figure cells (sums of
    `figures.selectors.CASUALTY_FIELDS`)."""
    totals = dict.fromkeys(("men", "women", "boys", "girls", "casualties"), 0)
    for cell in cells:
        for name in totals:
            totals[name] += cell[name]
    known = totals["men"] + totals["women"] + totals["boys"] + totals["girls"]
    return [
        totals["men"],
        totals["women"],
        totals["boys"],
        totals["girls"],
        totals["casualties"] - known,
        totals["casualties"],
    ]
