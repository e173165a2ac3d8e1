"""Primary and secondary suppression of one year's figures (contract: Figures, Disclosure control).

Primary: every count from 1 to 4 is hidden as "<5". Secondary: the figures of one filter (a
*family*: the summary and every breakdown for one area, year and basis) must not let anyone
work out a hidden cell from the visible ones. The family's published identities are
- a breakdown's rows add up to the summary, field by field (a breakdown by province or
  district lists the areas' own totals);
- within every row, casualties = killed + injured + unknown;
- the sex and age rows: the men row's casualties are its men and its adults (and so on).
A hidden cell is *determined* when these identities, with the visible cells' values, fix it
(`linear.fixed_cells`: a row-space test). It is also *pinned* when one identity leaves its
hidden cells a sum they can only make one way, knowing that "<5" is 1-4 and "x" is 5 or more
(two "<5" rows that must add up to 2 are both 1). Each determined or pinned cell gets a
complement, marked "x": the visible cell, among the identities that work it out, that costs
least to hide (a breakdown row before an area's total, Laos' totals last; with the cells equal
to it, which would have to follow; a smaller count first); then the family is tested again.

An area's totals appear in three families (its own summary, and a row of the breakdowns by
area above it): their marks are shared, so the families are processed until none changes. The
same engine protects the assistance figures (`assistance`) and the reports (`tables`).

Like tau-argus' modular method this protects each table with its own identities; it does not
protect against combining different filters' breakdowns by the same dimension
(docs/statistics.md, "Disclosure control").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from figures.disclosure.cube import FIELDS, VICTIM_DIMENSIONS, Cell, Cube, families_of
from figures.disclosure.linear import fixed_cells

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


@dataclass(frozen=True, eq=False)  # compared and hashed as the object: one per family
class Identity:
    """`total` = the sum of `parts` (an equality when there is one part)."""

    total: Cell
    parts: tuple[Cell, ...]


@dataclass
class Suppression:
    """The marks of one year's hidden cells: "<5" or "x"; every other cell is exact."""

    marks: dict[Cell, str] = field(default_factory=dict)


@dataclass
class Table:
    """The cells being protected: their values (zeros may be absent), the marks so far, the
    cells no complement may be taken from (shown or hidden elsewhere already), what hiding a
    cell costs, and what could not be protected (cells, identities) because every cell around
    is fixed: what is shown elsewhere already gives it away."""

    values: dict[Cell, int]
    marks: dict[Cell, str]
    fixed: frozenset[Cell] = frozenset()
    weight: Callable[[Cell], int] = field(default=lambda cell: _weight(cell))
    exposed: set[Cell] = field(default_factory=set)
    given_up: set[Identity] = field(default_factory=set)


def suppress(cube: Cube) -> Suppression:
    """Mark the cube's cells (the module's docstring says how)."""
    table = Table(values=cube.values, marks=primary(cube.values))
    settle(_families(cube), table, lambda cell: families_of(cell, cube.province_of))
    return Suppression(marks=table.marks)


def primary(values: dict[Cell, int]) -> dict[Cell, str]:
    """Every count from 1 to 4, marked "<5"."""
    return {cell: PRIMARY for cell, value in values.items() if 0 < value < SMALL}


def settle(
    families: dict[str, list[Identity]],
    table: Table,
    families_of_cell: Callable[[Cell], Iterable[str]],
) -> None:
    """Protect every family (its identities), again each time another family hides a cell it
    shows, until none changes."""
    pending = set(families)
    # per family, kept between its passes: the groups of hidden cells found safe, equal cells
    safe: dict[str, set[frozenset[Cell]]] = defaultdict(set)
    equal: dict[str, dict[Cell, set[Cell]]] = {}
    while pending:
        family = min(pending)
        pending.discard(family)
        if family not in equal:
            equal[family] = _equal_cells(families[family])
        for cell in _protect(families[family], table, safe[family], equal[family]):
            pending.update(f for f in families_of_cell(cell) if f in families)


def _protect(
    identities: list[Identity],
    table: Table,
    safe: set[frozenset[Cell]],
    equal: dict[Cell, set[Cell]],
) -> list[Cell]:
    """Add complements until no hidden cell of the family is determined or pinned; the new ones.

    Each pass takes every pinned identity, else every determined cell of every group, and
    hides a complement for each (`_hide`); what no complement can protect is set aside. `safe`:
    the groups of hidden cells found safe (tested again only when they change); `equal`: the
    cells equal to each cell."""
    added: list[Cell] = []
    while True:
        pinned = _pinned(identities, table)
        if pinned:
            new, failed = _hide([([i], []) for i in pinned], table, equal)
            table.given_up.update(pinned[n] for n in failed)
        else:
            found = _determined(identities, table, safe)
            if not found:
                return added
            new, failed = _hide([(around, group) for _, around, group in found], table, equal)
            table.exposed.update(found[n][0] for n in failed)
        added.extend(new)


def _hide(
    exposed: list[tuple[list[Identity], list[Identity]]],
    table: Table,
    equal: dict[Cell, set[Cell]],
) -> tuple[list[Cell], list[int]]:
    """A complement for each exposed cell (the identities that give it away, and its group's
    for a fallback), hidden at once, unless a complement of the same pass is already in its
    identities (the next pass says whether it still needs one). The cells hidden, and the
    exposed cells (by position) that no visible cell around could protect."""
    hidden: list[Cell] = []
    failed: list[int] = []
    for n, (around, group) in enumerate(exposed):
        if hidden and any(c in hidden for i in around for c in (i.total, *i.parts)):
            continue  # a complement of this pass is in its derivation already
        complement = _complement(around, table, equal) or _complement(group, table, equal)
        if complement is None:
            if not hidden:  # else this pass's complements may have been enough: test again
                failed.append(n)
        else:
            table.marks[complement] = SECONDARY
            hidden.append(complement)
    return hidden, failed


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
    identities: list[Identity], table: Table, safe: set[frozenset[Cell]]
) -> list[tuple[Cell, list[Identity], list[Identity]]]:
    """The hidden cells the identities fix (but those known to be exposed), each with the
    identities that work it out and its group's identities.

    Tested per connected group of hidden cells (cells sharing an identity); a group found safe
    is remembered by its hidden cells (its identities are those they are in)."""
    marks = table.marks
    involved = [i for i in identities if i.total in marks or any(p in marks for p in i.parts)]
    found: list[tuple[Cell, list[Identity], list[Identity]]] = []
    for group in _groups(involved, marks):
        members = frozenset(c for i in group for c in (i.total, *i.parts) if c in marks)
        if members in safe:
            continue
        fixed = [(c, around) for c, around in fixed_cells(group, members) if c not in table.exposed]
        if fixed:
            found += [(cell, around, group) for cell, around in fixed]
        else:
            safe.add(members)
    return found


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


def _pinned(identities: list[Identity], table: Table) -> list[Identity]:
    """The identities (visible total) that leave their hidden parts one way to add up."""
    values, marks = table.values, table.marks
    pinned = []
    for identity in identities:
        if identity.total in marks or identity in table.given_up:
            continue
        hidden = [p for p in identity.parts if p in marks]
        if not hidden:
            continue
        left = values.get(identity.total, 0) - sum(
            values.get(p, 0) for p in identity.parts if p not in marks
        )
        smallest = sum(1 if marks[p] == PRIMARY else SMALL for p in hidden)
        if left == smallest or (
            all(marks[p] == PRIMARY for p in hidden) and left == 4 * len(hidden)
        ):
            pinned.append(identity)
    return pinned


def _complement(
    identities: list[Identity], table: Table, equal: dict[Cell, set[Cell]]
) -> Cell | None:
    """The visible cell of these identities, not fixed, that costs least to hide: its own cost
    and that of the visible cells equal to it, which would have to follow it."""
    values, marks = table.values, table.marks
    candidates = {
        c
        for identity in identities
        for c in (*identity.parts, identity.total)
        if c not in marks and c not in table.fixed and values.get(c)
    }

    def cost(cell: Cell) -> tuple[int, int, str]:
        dragged = sum(table.weight(c) for c in equal.get(cell, {cell}) if c not in marks)
        return (dragged, values[cell], repr(cell))

    return min(candidates, key=cost, default=None)


def _equal_cells(identities: list[Identity]) -> dict[Cell, set[Cell]]:
    """The cells each cell equals through identities of one part (a breakdown with one nonzero
    row, a row whose casualties are all killed): hiding one means hiding them all."""
    equal: dict[Cell, set[Cell]] = {}
    for identity in identities:
        if len(identity.parts) == 1:
            merged = equal.get(identity.total, {identity.total}) | equal.get(
                identity.parts[0], {identity.parts[0]}
            )
            for cell in merged:
                equal[cell] = merged
    return equal


def _weight(cell: Cell) -> int:
    """What hiding a visible cell costs: a breakdown's row little, an area's totals more, Laos'
    most; casualties and accidents above the other fields."""
    if cell[1] != "total":
        return 1
    level = 100 if cell[0] == "" else 10
    return level * (10 if cell[3] in ("accidents", "casualties") else 3)
