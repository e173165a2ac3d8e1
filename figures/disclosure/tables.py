"""Disclosure control of a report's table, for everyone but NRA staff (contract: Figures,
Disclosure control; docs/statistics.md).

A report's table is protected like one more family of figures, with two differences:
- its identities are the report's own (a row's total is the sum of its columns, a scope's
  total row the sum of its outcome rows, all devices the sum of the categories...), declared
  by each report (`TableGuard.sum`);
- many of its cells are also figures the statistics API shows (`TableGuard.twin`): a report
  cell for one year equal to one API cell takes that cell's mark, so the report and the API
  never disagree; a cell over several years (a period, all years to date) is the sum of the
  API's cells of each year, an identity whose parts are fixed. An API cell may also be the sum
  of report cells (`TableGuard.api_sum`: the API's injured are the SDG's disabled and not).
No complement is taken from a cell the API shows (hiding it in the report would hide nothing):
only the report's own cells are hidden to protect the API's hidden cells and its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from figures.disclosure.assistance import published_assistance
from figures.disclosure.cube import Cell
from figures.disclosure.published import Published, published_years
from figures.disclosure.suppression import Identity, Table, primary, settle

FIGURES = "figures"  # the statistics API's summary and breakdowns (figures.disclosure.cube)
ASSISTANCE = "assistance"  # its assistance figures (figures.disclosure.assistance)
# A figure of the API: which figures, the year, and the cell there.
ApiCell = tuple[str, int, Cell]


def report_cell(row: int, column: int) -> Cell:
    return ("report", str(row), column, "")


def api_cell(api: ApiCell) -> Cell:
    kind, year, cell = api
    return (f"{kind}:{year}", cell[0], (cell[1], cell[2]), cell[3])


@dataclass
class TableGuard:
    """A report's rows (counts as ints) with what a reader knows of them."""

    rows: list[list[Any]]
    verified_only: bool
    identities: list[Identity] = field(default_factory=list)
    twins: dict[Cell, list[ApiCell]] = field(default_factory=dict)
    # Declared identities or twins the numbers do not bear out (left out; a test says none).
    mismatches: list[Identity] = field(default_factory=list)

    def sum(self, total: tuple[int, int], parts: Iterable[tuple[int, int]]) -> None:
        """The report cell `total` (row, column) is the sum of the cells `parts`."""
        self.identities.append(
            Identity(report_cell(*total), tuple(report_cell(*part) for part in parts))
        )

    def twin(self, cell: tuple[int, int], kind: str, years: Iterable[int], api: Cell) -> None:
        """The report cell is the sum over `years` of the API's cell `api` (one year: equal)."""
        self.twins[report_cell(*cell)] = [(kind, year, api) for year in years]

    def api_sum(self, kind: str, year: int, api: Cell, parts: Iterable[tuple[int, int]]) -> None:
        """The API's cell is the sum of these report cells."""
        self.identities.append(
            Identity(api_cell((kind, year, api)), tuple(report_cell(*part) for part in parts))
        )

    def protect(self) -> None:
        """Rewrite the rows: every hidden count as "<5" or "x"."""
        values: dict[Cell, int] = {}
        for r, row in enumerate(self.rows):
            for c, value in enumerate(row):
                if isinstance(value, int) and not isinstance(value, bool):
                    values[report_cell(r, c)] = value
        marks = primary(values)
        fixed: set[Cell] = set()
        declared = list(self.identities)
        for cell, twins in self.twins.items():
            declared.append(Identity(cell, tuple(api_cell(twin) for twin in twins)))
        api_cells = {
            cell: _api(cell)
            for identity in declared
            for cell in (identity.total, *identity.parts)
            if cell[0] != "report"
        }
        figures = self._read({(kind, year) for kind, year, _ in api_cells.values()})
        for cell, (kind, year, api) in api_cells.items():
            values[cell] = figures[(kind, year)].values.get(api, 0)
            mark = figures[(kind, year)].marks.get(api)
            if mark:
                marks[cell] = mark
            fixed.add(cell)  # shown or hidden by the API already
        identities = []
        for identity in declared:
            if values.get(identity.total, 0) != sum(values.get(p, 0) for p in identity.parts):
                self.mismatches.append(identity)
                continue
            identities.append(identity)
            api_parts = identity.parts
            if identity.total[0] == "report" and all(p[0] != "report" for p in api_parts):
                hidden = [p for p in api_parts if p in marks]
                if len(api_parts) == 1 and hidden:  # a twin of one API cell reads as it does
                    marks[identity.total] = marks[hidden[0]]
                elif not hidden:  # the API's visible cells give it already: shown
                    marks.pop(identity.total, None)
                    fixed.add(identity.total)
        totals = {identity.total for identity in self.identities}
        table = Table(
            values=values,
            marks=marks,
            fixed=frozenset(fixed),
            weight=lambda cell: 10 if cell in totals else 1,  # a total costs more to hide
        )
        settle({"report": identities}, table, lambda cell: ("report",))
        for cell, mark in table.marks.items():
            if cell[0] == "report":
                self.rows[int(cell[1])][cell[2]] = mark

    def _read(self, wanted: set[tuple[str, int]]) -> dict[tuple[str, int], Published]:
        """The API's published figures of these (kind, year): the figures' years at once."""
        years = sorted(year for kind, year in wanted if kind == FIGURES)
        found = {
            (FIGURES, year): figures
            for year, figures in published_years(years, verified_only=self.verified_only).items()
        }
        for kind, year in wanted - set(found):
            found[(kind, year)] = published_assistance(year, verified_only=self.verified_only)
        return found


def _api(cell: Cell) -> ApiCell:
    """The API cell a namespaced cell of the table stands for (`api_cell`'s inverse)."""
    kind, year = cell[0].split(":")
    return (kind, int(year), (cell[1], *cell[2], cell[3]))
