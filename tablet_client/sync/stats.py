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
    # files (tus uploads)
    files_uploaded: int = 0  # files this tablet brought to the server whole
    file_bytes: int = 0  # ... their sizes
    chunk_bytes_sent: int = 0  # every chunk byte put on the link, lost ones included
    file_resumes: int = 0  # an upload carried on from the offset the server reported
    file_restarts: int = 0  # a new upload after the server forgot one (404, 410)
    file_dedupes: int = 0  # the server had the file already: nothing sent
    files_refused: int = 0  # the server will not take the file as it is (460, 413, 415)
