"""Primary and secondary suppression of one year's figures (contract: Figures, Disclosure control).

Primary: every count from 1 to 4 is hidden as "<5". Secondary: the figures of one filter (a
*family*: the summary and every breakdown for one area, year and basis) must not let anyone
work out a hidden cell from the visible ones. The family's published identities are
- a breakdown's rows add up to the summary, field by field (a breakdown by province or
  district lists the areas' own totals);
- within every row, casualties = killed + injured + unknown;
- the sex and age rows: the men row's casualties are its men and its adults (and so on).
A hidden cell is *determined* when these identities, with the visible cells' values, fix it:
its unit vector lies in the row space of the identities restricted to the hidden cells (a
null-space test, numpy's SVD). It is also *pinned* when one identity leaves its hidden cells a
sum they can only make one way, knowing that "<5" is 1-4 and "x" is 5 or more (two "<5" rows
that must add up to 2 are both 1). Each determined or pinned cell gets a complement: the
visible cell of one of its identities that costs least to hide (a breakdown row before a total,
a smaller count first), marked "x"; then the family is tested again.

An area's totals appear in three families (its own summary, and a row of the breakdowns by
area above it): their marks are shared, so the families are processed until none changes.

Like tau-argus' modular method this protects each table with its own identities; it does not
protect against combining different filters' breakdowns by the same dimension (to be written
into docs/statistics.md when the statistics API uses it; issue 17).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from figures.disclosure.cube import FIELDS, VICTIM_DIMENSIONS, Cell, Cube, families_of

SMALL = 5
PRIMARY = "<5"
SECONDARY = "x"
_OUTCOMES = ("killed", "injured", "unknown")
_VICTIM_FIELDS = FIELDS[1:]  # every field but accidents
# The sex and age rows' fields that equal their casualties.
_SEX_AGE_EQUAL = {
    "men": ("men", "adults"),
    "women": ("women", "adults"),
    "boys": ("boys", "children"),
    "girls": ("girls", "children"),
}
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Identity:
    """`total` = the sum of `parts` (an equality when there is one part)."""

    total: Cell
    parts: tuple[Cell, ...]


@dataclass
class Suppression:
    """The marks of one year's hidden cells: "<5" or "x"; every other cell is exact."""

    marks: dict[Cell, str] = field(default_factory=dict)

    def shown(self, cell: Cell, value: int) -> int | str:
        return self.marks.get(cell, value)


def suppress(cube: Cube) -> Suppression:
    """Mark the cube's cells (the module's docstring says how)."""
    values = cube.values
    marks = {cell: PRIMARY for cell, value in values.items() if 0 < value < SMALL}
    families = _families(cube)
    pending = set(families)
    while pending:
        for area in sorted(pending):
            pending.discard(area)
            for cell in _protect(families[area], values, marks):
                pending.update(families_of(cell, cube.province_of))
            break
    return Suppression(marks=marks)


def _protect(
    identities: list[Identity], values: dict[Cell, int], marks: dict[Cell, str]
) -> list[Cell]:
    """Add complements until no hidden cell of the family is determined or pinned; the new ones."""
    added: list[Cell] = []
    while True:
        exposed = _pinned(identities, values, marks)
        if exposed:
            complement = _complement([exposed[1]], values, marks)
        else:
            found = _determined(identities, marks)
            if found is None:
                return added
            _, around, group = found
            complement = _complement(around, values, marks) or _complement(group, values, marks)
        if complement is None:
            return added  # every cell around is hidden: cannot happen with positive cells
        marks[complement] = SECONDARY
        added.append(complement)


# -- the family's identities ----------------------------------------------------------------------
def _families(cube: Cube) -> dict[str, list[Identity]]:
    """Every family's identities over its nonzero cells (a zero cell is a visible 0)."""
    values = cube.values
    rows: dict[str, set[tuple[str, str, object]]] = defaultdict(set)
    for cell in values:
        for area in families_of(cell, cube.province_of):
            rows[area].add(cell[:3])
    families: dict[str, list[Identity]] = {}
    for area, family_rows in rows.items():
        identities: list[Identity] = []
        by_dimension: dict[str, list[tuple[str, str, object]]] = defaultdict(list)
        for row in sorted(family_rows, key=repr):
            identities.extend(_row_identities(row, values))
            if row[0] == area and row[1] != "total":
                by_dimension[row[1]].append(row)
            elif row[0] != area:  # another area's total: a row of a breakdown by area
                level = "province" if row[0].startswith("LA-") else "district"
                by_dimension[level].append(row)
        for dimension, rows_of_dimension in by_dimension.items():
            names = _VICTIM_FIELDS if dimension in VICTIM_DIMENSIONS else FIELDS
            for name in names:
                total = (area, "total", None, name)
                parts = tuple((*row, name) for row in rows_of_dimension if values.get((*row, name)))
                if values.get(total):
                    identities.append(Identity(total, parts))
        families[area] = identities
    return families


def _row_identities(row: tuple[str, str, object], values: dict[Cell, int]) -> Iterable[Identity]:
    casualties = (*row, "casualties")
    if not values.get(casualties):
        return
    parts = tuple((*row, name) for name in _OUTCOMES if values.get((*row, name)))
    yield Identity(casualties, parts)
    if row[1] == "sex_age" and row[2] in _SEX_AGE_EQUAL:
        for name in _SEX_AGE_EQUAL[str(row[2])]:
            yield Identity(casualties, ((*row, name),))


# -- what the visible cells reveal --------------------------------------------------------------
def _determined(
    identities: list[Identity], marks: dict[Cell, str]
) -> tuple[Cell, list[Identity], list[Identity]] | None:
    """A hidden cell the identities fix, with the identities it is in and its group's; None if
    none is fixed.

    Tested per connected group of hidden cells (cells sharing an identity), smallest first."""
    involved = [i for i in identities if i.total in marks or any(p in marks for p in i.parts)]
    for group in _groups(involved, marks):
        hidden = sorted({c for i in group for c in (i.total, *i.parts) if c in marks}, key=repr)
        column = {cell: n for n, cell in enumerate(hidden)}
        matrix = np.zeros((len(group), len(hidden)))
        for n, identity in enumerate(group):
            if identity.total in column:
                matrix[n, column[identity.total]] = 1.0
            for part in identity.parts:
                if part in column:
                    matrix[n, column[part]] -= 1.0
        _, singular, vt = np.linalg.svd(matrix, full_matrices=True)
        rank = int((singular > _TOLERANCE * max(1.0, float(singular.max(initial=0.0)))).sum())
        free = np.abs(vt[rank:]).sum(axis=0)
        for cell, n in column.items():
            if free[n] <= _TOLERANCE:
                around = [i for i in group if cell == i.total or cell in i.parts]
                return cell, around, group
    return None


def _groups(identities: list[Identity], marks: dict[Cell, str]) -> list[list[Identity]]:
    """The identities split by the hidden cells they share (union-find), smallest group first."""
    parent: dict[Cell, Cell] = {}

    def root(cell: Cell) -> Cell:
        while parent.setdefault(cell, cell) != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for identity in identities:
        hidden = [c for c in (identity.total, *identity.parts) if c in marks]
        for other in hidden[1:]:
            parent[root(other)] = root(hidden[0])
    groups: dict[Cell, list[Identity]] = defaultdict(list)
    for identity in identities:
        first = next(c for c in (identity.total, *identity.parts) if c in marks)
        groups[root(first)].append(identity)
    return sorted(groups.values(), key=lambda g: (len(g), repr(g[0].total)))


def _pinned(
    identities: list[Identity], values: dict[Cell, int], marks: dict[Cell, str]
) -> tuple[Cell, Identity] | None:
    """A hidden part whose identity (visible total) leaves its hidden parts one way to add up."""
    for identity in identities:
        if identity.total in marks:
            continue
        hidden = [p for p in identity.parts if p in marks]
        if not hidden:
            continue
        left = values[identity.total] - sum(values[p] for p in identity.parts if p not in marks)
        smallest = sum(1 if marks[p] == PRIMARY else SMALL for p in hidden)
        if left == smallest or (
            all(marks[p] == PRIMARY for p in hidden) and left == 4 * len(hidden)
        ):
            return hidden[0], identity
    return None


def _complement(
    identities: list[Identity], values: dict[Cell, int], marks: dict[Cell, str]
) -> Cell | None:
    """The visible cell of these identities that costs least to hide."""
    candidates = {
        c
        for identity in identities
        for c in (*identity.parts, identity.total)
        if c not in marks and values.get(c)
    }
    return min(candidates, key=lambda c: (_weight(c), values[c], repr(c)), default=None)


def _weight(cell: Cell) -> int:
    """What hiding a visible cell costs: a breakdown's row little, an area's totals more, Laos'
    most; casualties and accidents above the other fields."""
    if cell[1] != "total":
        return 1
    level = 100 if cell[0] == "" else 10
    return level * (10 if cell[3] in ("accidents", "casualties") else 3)
