"""The one hook through which record changes reach other work (aggregation...).

Services call `records_changed` inside the transaction that changed the records, with each
record's wire data before and after. Subscribers record the work they owe in the same
transaction (so it is never lost, whatever happens to a broker) and schedule the work itself
with `transaction.on_commit`, never inside the open transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

WireData = dict[str, Any]
# wire model -> record id -> (data before, data after); None before a create, after a delete
ChangedRecords = Mapping[str, Mapping[str, tuple[WireData | None, WireData | None]]]
_subscribers: list[Callable[[ChangedRecords], None]] = []


def subscribe(callback: Callable[[ChangedRecords], None]) -> Callable[[ChangedRecords], None]:
    if callback not in _subscribers:
        _subscribers.append(callback)
    return callback


def records_changed(changed: ChangedRecords) -> None:
    """Tell subscribers, inside the current transaction, which records changed and how."""
    changed = {model: records for model, records in changed.items() if records}
    if not changed:
        return
    for callback in list(_subscribers):
        callback(changed)
