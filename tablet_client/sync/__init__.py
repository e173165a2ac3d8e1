"""The reference tablet client's sync engine: what a tablet app does, per the sync contract v1.

Work is recorded offline into the local store. `push()` sends the outbox: batches are frozen
(immutable, their bytes stored before the first send) and sent in order, each resent with the
same batch id and body until the server acknowledges it, and every result is applied as the
contract's table says. `pull()` brings the server's changes page by page, saving the cursor in
the same local transaction as the page. Files (photos, documents) are kept by sha256, named in
records, and uploaded after the push over tus, resuming from the server's offset after any
break. See docs/field-simulation.md.

`TabletClient` (`client`) is the facade; its parts are `enrolment`, `offline`, `files`, `outbox`,
`push`, `results`, `uploads`, `pull` and `retry`, with the contract's endpoints and errors in
`contract` and the tus protocol in `tus`.
"""

from tablet_client.sync.client import TabletClient
from tablet_client.sync.contract import AuthRefused, ClientBug, SyncInterrupted
from tablet_client.sync.stats import SyncStats

__all__ = ["AuthRefused", "ClientBug", "SyncInterrupted", "SyncStats", "TabletClient"]
