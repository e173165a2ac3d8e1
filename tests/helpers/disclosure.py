"""Checks of published figures under disclosure control, as a reader would attack them: a cell
of 1-4 shown, or a hidden cell worked out from a sum and the cells shown beside it."""

from __future__ import annotations

from typing import Any


def assert_shown_safely(value: Any) -> None:
    """A published cell: "<5", "x", null, 0 or a count of 5 or more, never 1-4."""
    assert value in ("<5", "x", None) or (isinstance(value, int) and (value == 0 or value >= 5))


def assert_not_recoverable(total: Any, parts: list[Any]) -> None:
    """`total` = the sum of `parts`, as published: no hidden cell can be worked out (the total
    or one part hidden alone, or hidden parts at their least or most possible)."""
    cells = [total, *parts]
    hidden = [cell for cell in cells if isinstance(cell, str)]
    if len(hidden) == 1:
        raise AssertionError(f"{total} = sum of {parts} gives the one hidden cell away")
    if not isinstance(total, int) or not hidden:
        return
    left = total - sum(part for part in parts if isinstance(part, int))
    least = sum(1 if part == "<5" else 5 for part in hidden)
    most = 4 * len(hidden) if all(part == "<5" for part in hidden) else None
    assert left not in (least, most), f"{parts} can only add up to {total} one way"
