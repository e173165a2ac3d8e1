"""Files taken on the tablet: a photo or a scanned document is kept by its sha256 and named in a
record's field (an ordinary offline edit, pushed with the records); the file itself waits in the
file outbox until it is uploaded (`uploads`)."""

from __future__ import annotations

from typing import Any

from tablet_client.store import LocalStore
from tablet_client.sync.offline import OfflineWork
from tablet_client.sync.tus import ATTACHMENT_TYPES, MAX_ATTACHMENTS, sha256_hex


class LocalFiles:
    """Attaching files to records, and reading them back."""

    def __init__(self, *, store: LocalStore, offline: OfflineWork) -> None:
        self.store = store
        self.offline = offline

    def attach(
        self,
        model: str,
        record_id: str,
        field: str,
        data: bytes,
        *,
        name: str,
        content_type: str,
    ) -> dict[str, str]:
        """Keep `data` on the tablet, name it in the record's `field` (a list of references),
        and queue it for upload; returns the reference. The same bytes are kept once, however
        many records name them, and uploaded once."""
        if content_type not in ATTACHMENT_TYPES:
            raise ValueError(f"{content_type!r} is not one of {', '.join(ATTACHMENT_TYPES)}.")
        if not data:
            raise ValueError("An empty file cannot be attached.")
        if not name or len(name) > 255:
            raise ValueError("A file name has 1 to 255 characters.")
        current = self.offline.get(model, record_id)
        if current is None:
            raise KeyError(f"{model} {record_id} is not on this tablet.")
        reference = {"sha256": sha256_hex(data), "name": name, "content_type": content_type}
        listed: list[dict[str, Any]] = list(current.get(field) or [])
        with self.store.atomic():
            self.store.file_put(reference["sha256"], name, content_type, data)
            self.store.file_enqueue(reference["sha256"])
            if all(item.get("sha256") != reference["sha256"] for item in listed):
                if len(listed) >= MAX_ATTACHMENTS:
                    raise ValueError(f"{field} names {MAX_ATTACHMENTS} files already.")
                self.offline.edit(model, record_id, {field: [*listed, reference]})
        return reference

    def data(self, sha256: str) -> bytes | None:
        """A file's bytes, if this tablet holds them."""
        return self.store.file_data(sha256)
