"""The yearly casualty figures the demo data follows (published figures for Laos).

From accidents/data/casualties_by_year.csv (a copy of the shared reference): a listed year's
totals are the demo's exactly; a partial year covers its stated period; a year the source lacks
takes the mean of its neighbours (interpolated); a figure the source does not give is estimated
by the generator (accidents: casualties / 1.6; children: a drawn share). `YearFigures.flags`
says which, wherever a year's figures are shown.
"""

from __future__ import annotations

import csv
import datetime
import re
from dataclasses import dataclass

from accidents.services import DATA_DIR

FIGURES_CSV = DATA_DIR / "casualties_by_year.csv"
MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}


@dataclass(frozen=True)
class YearFigures:
    """What one year's demo data must add up to."""

    year: int
    last_day: datetime.date  # the end of the period the source covers
    accidents: int
    killed: int
    injured: int
    unknown: int
    children: int | None  # None: not published, a share is drawn
    interpolated: bool

    @property
    def casualties(self) -> int:
        return self.killed + self.injured + self.unknown

    @property
    def estimated(self) -> tuple[str, ...]:
        """The figures the source does not give for the year, which the generator estimates."""
        missing = (("accidents", not self.accidents), ("children", self.children is None))
        return tuple(name for name, absent in missing if absent)

    @property
    def flags(self) -> str:
        """`interpolated`, `estimated: accidents, children`, both, or empty (all published)."""
        parts = ["interpolated"] if self.interpolated else []
        if self.estimated:
            parts.append(f"estimated: {', '.join(self.estimated)}")
        return "; ".join(parts)


def published_figures() -> dict[int, YearFigures]:
    """The reference figures per year (accidents/data/casualties_by_year.csv)."""
    figures = {}
    with FIGURES_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            year = int(row["year"])
            killed, injured = int(row["killed"]), int(row["injured"])
            # Killed and injured stay as published: a total above them is of unknown outcome
            # (2020), one below them gives way (2016: docs/statistics.md, "Demo data").
            casualties = max(int(row["casualties"]), killed + injured)
            figures[year] = YearFigures(
                year=year,
                last_day=_period_end(year, row["period"]),
                accidents=int(row["accidents"]) if row["accidents"] else 0,
                killed=killed,
                injured=injured,
                unknown=casualties - killed - injured,
                children=int(row["children"]) if row["children"] else None,
                interpolated=False,
            )
    return figures


def _period_end(year: int, period: str) -> datetime.date:
    """`full year`, `Jan-Nov`, `year to date (late Nov)`: the last day the figures cover."""
    months = re.findall(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\b", period.lower())
    if not months:
        return datetime.date(year, 12, 31)
    month = MONTHS[months[-1]]
    if "late" in period.lower():
        return datetime.date(year, month, 20)
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def year_figures(first: int, last: int) -> list[YearFigures]:
    """The figures of each year asked for; a year the source lacks is its neighbours' mean."""
    published = published_figures()
    known = sorted(published)
    if first < known[0] or last > known[-1]:
        raise ValueError(f"Published figures cover {known[0]}-{known[-1]} only.")
    years = []
    for year in range(first, last + 1):
        if year in published:
            years.append(published[year])
            continue
        before = published[max(y for y in known if y < year)]
        after = published[min(y for y in known if y > year)]
        years.append(
            YearFigures(
                year=year,
                last_day=datetime.date(year, 12, 31),
                accidents=0,
                killed=round((before.killed + after.killed) / 2),
                injured=round((before.injured + after.injured) / 2),
                unknown=0,
                children=None,
                interpolated=True,
            )
        )
    return years
