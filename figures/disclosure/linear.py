"""Which hidden cells a set of published identities fixes (figures.disclosure.suppression).

Each identity `total = sum(parts)` is one linear equation in the hidden cells (the visible ones
are known numbers). A hidden cell is fixed when its unit vector lies in the row space of the
equations' matrix over the hidden cells: its projection on that space (numpy's SVD) has
length 1. Before the SVD, an equation with a hidden cell found in no other equation is set
aside with that cell (the cell absorbs whatever the equation says, so it tells nothing about
the others); such a cell is fixed when every other hidden cell of its equation is. Cumulative
sums over many years, whose yearly cells appear once each, leave the matrix that way.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from figures.disclosure.cube import Cell
    from figures.disclosure.suppression import Identity

_TOLERANCE = 1e-9


def fixed_cells(
    group: list[Identity], hidden: frozenset[Cell] | set[Cell]
) -> list[tuple[Cell, list[Identity]]]:
    """The hidden cells the group's identities fix, each with the identities that work it out
    (a complement taken from them breaks that derivation)."""
    kept = _kept(group, hidden)
    if not kept:
        return []
    columns = sorted({c for i in kept for c in _cells(i) if c in hidden}, key=repr)
    column = {cell: n for n, cell in enumerate(columns)}
    matrix = np.zeros((len(kept), len(columns)))
    for n, identity in enumerate(kept):
        if identity.total in column:
            matrix[n, column[identity.total]] = 1.0
        for part in identity.parts:
            if part in column:
                matrix[n, column[part]] -= 1.0
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int((singular > _TOLERANCE * max(1.0, float(singular.max(initial=0.0)))).sum())
    free = 1.0 - (vt[:rank] ** 2).sum(axis=0)
    cells = [cell for cell in columns if free[column[cell]] <= 1e-7]
    if not cells:
        return []
    derivations = _derivations(matrix, kept, [column[c] for c in cells])
    return list(zip(cells, derivations, strict=True))


def _cells(identity: Identity) -> tuple[Cell, ...]:
    return (identity.total, *identity.parts)


def _kept(group: list[Identity], hidden: frozenset[Cell] | set[Cell]) -> list[Identity]:
    """The equations left once those with two or more hidden cells of their own are set aside
    (again and again: setting one aside can leave another with cells of its own)."""
    occurrences = Counter(c for i in group for c in _cells(i) if c in hidden)
    kept = list(group)
    progress = True
    while progress:
        progress = False
        remaining = []
        for identity in kept:
            here = [c for c in _cells(identity) if c in hidden]
            if sum(1 for c in here if occurrences[c] == 1) >= 2:
                occurrences.subtract(here)
                progress = True
            else:
                remaining.append(identity)
        kept = remaining
    return kept


def _derivations(
    matrix: np.ndarray, group: list[Identity], columns: list[int]
) -> list[list[Identity]]:
    """For each fixed cell (its column), the identities with a nonzero weight in the
    combination of identities that gives the cell alone (least squares on the transposed
    system)."""
    targets = np.zeros((matrix.shape[1], len(columns)))
    for n, column in enumerate(columns):
        targets[column, n] = 1.0
    weights = np.linalg.lstsq(matrix.T, targets, rcond=None)[0]
    return [
        [group[i] for i in np.flatnonzero(np.abs(weights[:, n]) > 1e-9)]
        for n in range(len(columns))
    ]
