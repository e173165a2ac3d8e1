"""`TabletClient`: what a tablet app calls. A thin facade over the sync engine's parts, each with
one job: `Enrolment` (identity, login, the server's capabilities), `OfflineWork` (changes made
without a network), `LocalFiles` (photos and documents named in records), `Outbox` (changes
frozen into immutable batches), `Pusher` and `PushResults` (sending the batches, applying the
answers), `Uploader` (the files, over tus, resumably), `Puller` (the server's changes) and
`Requester` (every request, retried with back-off)."""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

from tablet_client.store import LocalStore, Notice, PendingFile, Rejection
from tablet_client.sync.contract import SyncInterrupted
from tablet_client.sync.enrolment import Enrolment
from tablet_client.sync.files import LocalFiles
from tablet_client.sync.offline import OfflineWork
from tablet_client.sync.outbox import Outbox
from tablet_client.sync.pull import Puller
from tablet_client.sync.push import Pusher
from tablet_client.sync.results import PushResults
from tablet_client.sync.retry import Requester
from tablet_client.sync.stats import SyncStats
from tablet_client.sync.uploads import DEFAULT_CHUNK, Uploader
from tablet_client.transport import Transport


class TabletClient:
    """One tablet: its local store, its link to the server, and the sync rules of the contract.

    `sleep` and `clock` are injectable (tests and the simulation do not wait for real);
    `max_attempts` bounds the tries of one request in one session, `max_wait` each back-off;
    `chunk_size` is the bytes of a file sent per request.
    """

    def __init__(
        self,
        *,
        store: LocalStore,
        transport: Transport,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime.datetime] | None = None,
        max_attempts: int = 8,
        max_wait: float = 30.0,
        backoff: float = 0.5,
        pull_limit: int = 500,
        batch_records: int | None = None,
        seed: int | str | None = None,
        chunk_size: int = DEFAULT_CHUNK,
    ) -> None:
        self.store = store
        self.stats = SyncStats()
        self._requester = Requester(
            store=store,
            transport=transport,
            stats=self.stats,
            sleep=sleep,
            max_attempts=max_attempts,
            max_wait=max_wait,
            backoff=backoff,
            rng=random.Random(seed),  # noqa: S311  (back-off jitter, not secrets)
        )
        self._enrolment = Enrolment(store=store, requester=self._requester)
        self._offline = OfflineWork(
            store=store, clock=clock or (lambda: datetime.datetime.now(tz=datetime.UTC))
        )
        self._files = LocalFiles(store=store, offline=self._offline, requester=self._requester)
        self._uploader = Uploader(
            store=store, requester=self._requester, stats=self.stats, chunk_size=chunk_size
        )
        self._outbox = Outbox(
            store=store, enrolment=self._enrolment, stats=self.stats, batch_records=batch_records
        )
        self._pusher = Pusher(
            store=store,
            requester=self._requester,
            outbox=self._outbox,
            results=PushResults(store=store, outbox=self._outbox, stats=self.stats),
            encodings=self._push_encodings,
        )
        self._puller = Puller(
            store=store,
            requester=self._requester,
            enrolment=self._enrolment,
            outbox=self._outbox,
            stats=self.stats,
            pull_limit=pull_limit,
        )

    # -- identity ----------------------------------------------------------------------------------
    @property
    def device_id(self) -> str:
        return self._enrolment.device_id

    @property
    def user(self) -> dict[str, Any]:
        return self._enrolment.user

    def enrol(self, *, username: str, password: str, device_name: str = "") -> dict[str, Any]:
        """Log the tablet in (`POST /auth/device/`); keeps the token and the user's role."""
        return self._enrolment.enrol(username=username, password=password, device_name=device_name)

    def _push_encodings(self) -> list[str]:
        compression = self._enrolment.info().get("compression") or {}
        return list(compression.get("request") or [])

    def info(self, *, refresh: bool = False) -> dict[str, Any]:
        """The server's capabilities (limits, wire models in parent-first order), cached."""
        return self._enrolment.info(refresh=refresh)

    # -- offline work ------------------------------------------------------------------------------
    def create(self, model: str, data: Mapping[str, Any], *, record_id: str | None = None) -> str:
        """Record a new record here (no network); returns its id, a UUID made on the tablet."""
        return self._offline.create(model, data, record_id=record_id)

    def edit(self, model: str, record_id: str, changes: Mapping[str, Any]) -> None:
        """Change some fields here; a rejected record edited is a fixed record (sent again)."""
        self._offline.edit(model, record_id, changes)

    def delete(self, model: str, record_id: str) -> None:
        """Delete here; the server is told (with `base_version`) unless it never saw the record."""
        self._offline.delete(model, record_id)

    def fix(self, model: str, record_id: str, changes: Mapping[str, Any]) -> None:
        """The surveyor corrects a rejected record: it is sent again, in a new batch."""
        self._offline.fix(model, record_id, changes)

    def discard(self, model: str, record_id: str) -> None:
        """The surveyor gives up a rejected change: back to the server's copy (if any)."""
        self._offline.discard(model, record_id)

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
        """A photo taken or a document scanned, offline: the bytes are kept here by sha256, the
        record's `field` names them (a local edit, pushed as usual) and the file waits to be
        uploaded. Returns the reference `{"sha256", "name", "content_type"}`."""
        return self._files.attach(
            model, record_id, field, data, name=name, content_type=content_type
        )

    def file(self, sha256: str) -> bytes | None:
        """A file's bytes, if this tablet holds them."""
        return self._files.data(sha256)

    def download(self, sha256: str) -> bytes | None:
        """A file a record names, fetched from the server if this tablet does not hold it
        (None: not received there yet, or not for this user's eyes)."""
        return self._files.download(sha256)

    def files_waiting(self) -> list[PendingFile]:
        """The files still to upload, in order."""
        return self.store.files_pending()

    def file_problems(self) -> list[PendingFile]:
        """The files the server will not take as they are (`problem` says why), for the user."""
        return self.store.files_pending("failed")

    def get(self, model: str, record_id: str) -> dict[str, Any] | None:
        return self._offline.get(model, record_id)

    def rejections(self) -> list[Rejection]:
        return self.store.rejections()

    def notices(self) -> list[Notice]:
        return self.store.notices()

    # -- sync --------------------------------------------------------------------------------------
    def sync(self) -> None:
        """A sync session: push the records, upload the files, then pull. Raises
        SyncInterrupted on a dead link (what was not sent waits for the next session)."""
        try:
            self.push()
            self.upload()
            self.pull()
        except SyncInterrupted:
            self.stats.interrupted += 1
            raise

    def push(self) -> None:
        """Send what is waiting: first the batches already frozen, then the new changes."""
        self._pusher.push()

    def upload(self) -> None:
        """Send the files waiting, over tus: resumed from the server's offset after any break."""
        self._uploader.upload()

    def pull(self) -> None:
        """Bring the server's changes; the cursor is saved with each page, in one transaction."""
        self._puller.pull()

    def pending_count(self) -> int:
        """Records and batches still to be acknowledged, and files still to upload (0 when
        everything reached the server; files the server refused are not counted)."""
        return self._outbox.pending_count() + len(self.store.files_pending())

    # -- settings kept by the parts, readable and changeable here (tests change them) --------------
    @property
    def transport(self) -> Transport:
        return self._requester.transport

    @transport.setter
    def transport(self, transport: Transport) -> None:
        self._requester.transport = transport

    @property
    def sleep(self) -> Callable[[float], None]:
        return self._requester.sleep

    @sleep.setter
    def sleep(self, sleep: Callable[[float], None]) -> None:
        self._requester.sleep = sleep

    @property
    def max_attempts(self) -> int:
        return self._requester.max_attempts

    @max_attempts.setter
    def max_attempts(self, max_attempts: int) -> None:
        self._requester.max_attempts = max_attempts

    @property
    def max_wait(self) -> float:
        return self._requester.max_wait

    @max_wait.setter
    def max_wait(self, max_wait: float) -> None:
        self._requester.max_wait = max_wait

    @property
    def backoff(self) -> float:
        return self._requester.backoff

    @backoff.setter
    def backoff(self, backoff: float) -> None:
        self._requester.backoff = backoff

    @property
    def rng(self) -> random.Random:
        return self._requester.rng

    @property
    def clock(self) -> Callable[[], datetime.datetime]:
        return self._offline.clock

    @clock.setter
    def clock(self, clock: Callable[[], datetime.datetime]) -> None:
        self._offline.clock = clock

    @property
    def pull_limit(self) -> int:
        return self._puller.pull_limit

    @pull_limit.setter
    def pull_limit(self, pull_limit: int) -> None:
        self._puller.pull_limit = pull_limit

    @property
    def batch_records(self) -> int | None:
        return self._outbox.batch_records

    @batch_records.setter
    def batch_records(self, batch_records: int | None) -> None:
        self._outbox.batch_records = batch_records

    @property
    def chunk_size(self) -> int:
        return self._uploader.chunk_size

    @chunk_size.setter
    def chunk_size(self, chunk_size: int) -> None:
        self._uploader.chunk_size = chunk_size
