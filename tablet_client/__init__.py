"""A reference offline tablet client, as a tablet app would be built against the sync contract.

Generic over wire models: it never imports a domain app and treats records as wire dicts. Used
by `manage.py simulate_field`, the end-to-end tests, and as the guide for the real tablet app
(docs/field-simulation.md).
"""

from tablet_client.check import StoreView, store_differences, store_view
from tablet_client.store import (
    LocalFile,
    LocalRecord,
    LocalStore,
    Notice,
    OutboxBatch,
    PendingFile,
    Rejection,
)
from tablet_client.sync import AuthRefused, ClientBug, SyncInterrupted, SyncStats, TabletClient
from tablet_client.transport import FlakyTransport, HttpTransport, LinkDown, Reply, Transport

__all__ = [
    "AuthRefused",
    "ClientBug",
    "FlakyTransport",
    "HttpTransport",
    "LinkDown",
    "LocalFile",
    "LocalRecord",
    "LocalStore",
    "Notice",
    "OutboxBatch",
    "PendingFile",
    "Rejection",
    "Reply",
    "StoreView",
    "SyncInterrupted",
    "SyncStats",
    "TabletClient",
    "Transport",
    "store_differences",
    "store_view",
]
