"""What a tablet's sync engine counts, shared by its parts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class SyncStats:
    """What this client did, for progress lines and the simulation's summary."""

    batches_acked: int = 0
    records_sent: int = 0  # records in acknowledged batches
    resends: int = 0  # a batch sent again after a lost request or response, or a back-off
    splits: int = 0
    link_failures: int = 0
    backoffs: int = 0
    waited: float = 0.0
    outcomes: Counter[str] = field(default_factory=Counter)
    changes_pulled: int = 0
    resyncs: int = 0
    interrupted: int = 0
