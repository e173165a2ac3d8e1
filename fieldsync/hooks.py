"""The one hook through which committed record changes reach other work (aggregation...).

Domain apps subscribe a callable; services call `records_changed_on_commit` inside their
transaction, and subscribers run only after it commits (never inside an open transaction).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

from django.db import transaction

ChangedRecords = Mapping[str, frozenset[str]]
_subscribers: list[Callable[[ChangedRecords], None]] = []


def subscribe(callback: Callable[[ChangedRecords], None]) -> Callable[[ChangedRecords], None]:
    if callback not in _subscribers:
        _subscribers.append(callback)
    return callback


def records_changed_on_commit(changed: Mapping[str, set[str]]) -> None:
    """Tell subscribers, after the current transaction commits, which records changed."""
    frozen = {model: frozenset(ids) for model, ids in changed.items() if ids}
    if not frozen:
        return
    for callback in list(_subscribers):
        transaction.on_commit(partial(callback, frozen), robust=True)
