"""Reconciliation of pushed records against the server's copy (sync contract, Push).

The `Reconciler` decides every record of a batch in memory, against rows it fetched (and
locked) in bulk, then writes everything with a fixed number of bulk statements. Records held
back for a missing parent are picked up again here as soon as that parent is applied, whoever
sent it.

Its collaborators, one job each: `parsing` checks each record's envelope, `store` loads and
locks the stored rows (and parents) and keeps the edits, `validation` checks a full record
against its parents and the sender's scope, `decide` gives each record its outcome, and
`writer` writes the outcomes in bulk.
"""

from fieldsync.services.reconcile.items import InboxRow, Item, Key, Record, Rejected
from fieldsync.services.reconcile.parsing import OPS, parse_item
from fieldsync.services.reconcile.reconciler import Reconciler
from fieldsync.services.reconcile.writer import PLAIN_OUTCOMES

__all__ = [
    "OPS",
    "PLAIN_OUTCOMES",
    "InboxRow",
    "Item",
    "Key",
    "Reconciler",
    "Record",
    "Rejected",
    "parse_item",
]
