"""Files taken on the tablet: a photo or a scanned document is kept by its sha256 and named in a
record's field (an ordinary offline edit, pushed with the records); the file itself waits in the
file outbox until it is uploaded (`uploads`)."""

from __future__ import annotations

from typing import Any

from tablet_client.store import LocalStore
from tablet_client.sync.contract import AuthRefused, ClientBug, reply_code, reply_detail
from tablet_client.sync.offline import OfflineWork
from tablet_client.sync.retry import Requester
from tablet_client.sync.tus import ATTACHMENT_TYPES, ATTACHMENTS, MAX_ATTACHMENTS, sha256_hex


class LocalFiles:
    """Attaching files to records, reading them back, and fetching those taken elsewhere."""

    def __init__(self, *, store: LocalStore, offline: OfflineWork, requester: Requester) -> None:
        self.store = store
        self.offline = offline
        self.requester = requester

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

    def download(self, sha256: str) -> bytes | None:
        """A file a pulled record names, from the tablet or else the server (`GET
        /attachments/<sha256>/`), kept here once checked; None when the server has not
        received it or this user may not see it (both `404`)."""
        sha256 = sha256.lower()
        held = self.store.file_data(sha256)
        if held is not None:
            return held
        reply = self.requester.call("GET", f"{ATTACHMENTS}{sha256}/")
        if reply.status == 404:
            return None
        if reply.status == 401:
            raise AuthRefused(reply_code(reply), reply_detail(reply))
        if reply.status != 200:
            raise ClientBug(f"download answered {reply.status}: {reply.body}")
        if sha256_hex(reply.content) != sha256:
            raise ClientBug(f"the server's bytes for {sha256[:12]} do not match their sha256")
        content_type = (reply.header("content-type") or "").split(";")[0].strip()
        with self.store.atomic():
            self.store.file_put(sha256, sha256[:16], content_type, reply.content)
            self.store.file_uploaded(sha256)  # the server has it: nothing to send
        return reply.content
