"""Files to the server over tus 1.0.0, resumably: each file in the outbox is created once (its
upload URL kept in the store), sent in chunks with their checksum, and after a lost request, a
lost response, a cut chunk or a restart the tablet asks the server how much it has (`HEAD`) and
carries on from there. A chunk is never resent blindly: only the server knows what arrived."""

from __future__ import annotations

from tablet_client.store import LocalStore, PendingFile
from tablet_client.sync.contract import (
    TRANSIENT,
    AuthRefused,
    ClientBug,
    SyncInterrupted,
    reply_code,
    reply_detail,
)
from tablet_client.sync.retry import Requester
from tablet_client.sync.stats import SyncStats
from tablet_client.sync.tus import (
    ATTACHMENTS,
    CHECKSUM_MISMATCH,
    UPLOAD_GONE,
    create_headers,
    head_headers,
    patch_headers,
    sha256_hex,
    upload_location,
    upload_offset,
)
from tablet_client.transport import LinkDown, Reply

DEFAULT_CHUNK = 256 * 1024
REFUSED_FOR_GOOD = frozenset({413, 415})  # too large, not a type the server takes


class FileRefused(Exception):
    """The server will not take this file as it is: it leaves the outbox's queue (`failed`)."""


class Uploader:
    """Drains the file outbox in order; `chunk_size` bytes per `PATCH`."""

    def __init__(
        self,
        *,
        store: LocalStore,
        requester: Requester,
        stats: SyncStats,
        chunk_size: int = DEFAULT_CHUNK,
    ) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1 byte.")
        self.store = store
        self.requester = requester
        self.stats = stats
        self.chunk_size = chunk_size

    def upload(self) -> None:
        """Send every file waiting; SyncInterrupted when the link gives out (all is kept)."""
        for pending in self.store.files_pending():
            try:
                self._upload(pending)
            except FileRefused as refused:
                self.store.file_fail(pending.sha256, str(refused))
                self.stats.files_refused += 1

    # -- one file ----------------------------------------------------------------------------------
    def _upload(self, pending: PendingFile) -> None:
        data = self._bytes(pending)
        url = pending.upload_url
        offset: int | None = None
        # An upload begun in an earlier session or before a restart: bytes went out already.
        interrupted = sent = url is not None
        failures = 0  # since the last progress, bounded by the requester's max_attempts
        refused_whole = 0
        while True:
            if url is None:
                url, offset = self._create(pending)
                if offset >= pending.size:  # the server had the file already
                    self._done(pending, deduplicated=not sent)
                    return
            if offset is None:
                offset = self._offset(url)
                if offset is None:  # the server forgot the upload (expired, removed)
                    url = None
                    self._forget(pending)
                    self.stats.file_restarts += 1
                    continue
                if interrupted:
                    self.stats.file_resumes += 1
                    interrupted = False
            if offset >= pending.size:
                self._done(pending, deduplicated=not sent)
                return
            chunk = data[offset : offset + self.chunk_size]
            self.stats.chunk_bytes_sent += len(chunk)
            sent = True
            try:
                reply = self.requester.send_once(
                    "PATCH", url, body=chunk, headers=patch_headers(offset=offset, chunk=chunk)
                )
            except LinkDown:  # lost on the way, or the answer lost: the server knows which
                failures = self._failed(failures, pending)
                offset, interrupted = None, True
                continue
            if reply.status in (200, 204):
                reported = upload_offset(reply)
                offset = offset + len(chunk) if reported is None else reported
                failures = 0
            elif reply.status == 409:  # not where the server is: ask it
                failures = self._failed(failures, pending)
                offset = None
            elif reply.status in UPLOAD_GONE:
                url, offset = None, None
                self._forget(pending)
                self.stats.file_restarts += 1
            elif reply.status == CHECKSUM_MISMATCH:
                offset = self._offset(url)
                if offset is not None:  # a damaged chunk, dropped by the server: send it again
                    failures = self._failed(failures, pending)
                    continue
                # The whole file's sha256 did not match: the server discarded the upload.
                url = None
                self._forget(pending)
                refused_whole += 1
                self._bytes(pending)  # damaged here: refused for good
                if refused_whole > 1:
                    raise FileRefused("460: the server's sha256 of the whole file differs, twice")
            elif reply.status in REFUSED_FOR_GOOD:
                raise FileRefused(_why(reply))
            elif reply.status in TRANSIENT:
                failures = self._failed(failures, pending, reply)
                offset = None
            else:
                _unexpected(reply, "upload")

    def _bytes(self, pending: PendingFile) -> bytes:
        """The file's bytes, checked against the name they go by (a damaged file is refused)."""
        data = self.store.file_data(pending.sha256)
        if data is None or sha256_hex(data) != pending.sha256:
            raise FileRefused("damaged on the tablet: its bytes no longer match their sha256")
        return data

    def _create(self, pending: PendingFile) -> tuple[str, int]:
        """`POST` a new upload, keep its URL before anything is sent, and learn its offset from
        the answer or a `HEAD` (the full length at once when the server has the file already:
        nothing needs sending)."""
        reply = self.requester.call(
            "POST",
            ATTACHMENTS,
            headers=create_headers(
                sha256=pending.sha256,
                name=pending.name,
                content_type=pending.content_type,
                size=pending.size,
            ),
        )
        if reply.status in REFUSED_FOR_GOOD:
            raise FileRefused(_why(reply))
        if reply.status != 201 or upload_location(reply) is None:
            _unexpected(reply, "upload creation")
        url = str(upload_location(reply))
        self.store.file_set_upload(pending.sha256, url)
        offset = upload_offset(reply)  # tus servers may say it at once; else ask
        if offset is None:
            offset = self._offset(url)
        if offset is None:
            raise ClientBug(f"the upload just created at {url} is unknown to the server")
        return url, offset

    def _offset(self, url: str) -> int | None:
        """How many bytes the server holds (`HEAD`); None when it no longer knows the upload."""
        reply = self.requester.call("HEAD", url, headers=head_headers())
        if reply.status in UPLOAD_GONE:
            return None
        offset = upload_offset(reply)
        if reply.status not in (200, 204) or offset is None:
            _unexpected(reply, "upload offset")
        return offset

    def _forget(self, pending: PendingFile) -> None:
        """The upload is gone on the server: the tablet forgets it too (a new one is made)."""
        self.store.file_set_upload(pending.sha256, None)

    def _failed(self, failures: int, pending: PendingFile, reply: Reply | None = None) -> int:
        """One more failure without progress: wait, or end the session after too many."""
        failures += 1
        if failures >= self.requester.max_attempts:
            raise SyncInterrupted(f"file {pending.sha256[:12]}: no progress after {failures} tries")
        self.requester.back_off(failures, reply)
        return failures

    def _done(self, pending: PendingFile, *, deduplicated: bool) -> None:
        self.store.file_uploaded(pending.sha256)
        if deduplicated:
            self.stats.file_dedupes += 1
        else:
            self.stats.files_uploaded += 1
            self.stats.file_bytes += pending.size


def _why(reply: Reply) -> str:
    detail = reply_detail(reply) or reply_code(reply)
    return f"{reply.status}: {detail}" if detail else str(reply.status)


def _unexpected(reply: Reply, what: str) -> None:
    if reply.status == 401:
        raise AuthRefused(reply_code(reply), reply_detail(reply))
    raise ClientBug(f"{what} answered {reply.status}: {reply.body}")
