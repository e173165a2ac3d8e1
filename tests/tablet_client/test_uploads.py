"""The reference client's files against the real server: a photo taken offline is named in its
record, pushed, then uploaded over tus, resuming from the server's offset after every break."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from django.utils import timezone

from accidents.models import Accident
from fieldsync.attachments.storage import attachment_storage, file_name
from fieldsync.models import Attachment, Upload
from simulation.files import document_pdf, photo_jpeg
from tablet_client import (
    FlakyTransport,
    HttpTransport,
    LinkDown,
    LocalStore,
    Reply,
    SyncInterrupted,
    TabletClient,
    Transport,
)
from tests.helpers.sync import PASSWORD, accident, victim
from tests.helpers.tablet_client import ScriptedLink, Sleeps, django_transport

pytestmark = pytest.mark.django_db
MakeClient = Callable[..., TabletClient]
CHUNK = 64 * 1024
JPEG = "image/jpeg"


def _scripted(make_client: MakeClient, **options: object) -> tuple[TabletClient, ScriptedLink]:
    """An enrolled tablet sending 64 KiB chunks over a link that fails on cue."""
    links: list[ScriptedLink] = []

    def wrap(inner: Transport) -> Transport:
        links.append(ScriptedLink(inner))
        return links[0]

    tablet = make_client(link=wrap, chunk_size=CHUNK, **options)
    return tablet, links[0]


def _photographed(tablet: TabletClient, seed: str = "site") -> tuple[str, bytes, str]:
    """An accident recorded offline with one photo, pushed: (accident id, bytes, sha256)."""
    accident_id = tablet.create("accident", accident()["data"])
    data = photo_jpeg(seed)
    reference = tablet.attach(
        "accident", accident_id, "photos", data, name="site.jpg", content_type="image/jpeg"
    )
    tablet.push()
    return accident_id, data, reference["sha256"]


def _stored(sha256: str) -> bytes:
    with attachment_storage().open(file_name(sha256)) as stored:
        return bytes(stored.read())


def _patches(link: ScriptedLink, start: int = 0) -> list[bytes]:
    return [body or b"" for method, _, body in link.calls[start:] if method == "PATCH"]


def _methods(link: ScriptedLink, start: int = 0) -> list[str]:
    return [method for method, _, _ in link.calls[start:]]


def test_a_photo_taken_offline_is_named_in_its_record_and_reaches_the_server_whole(
    make_client: MakeClient,
) -> None:
    # Given an accident recorded offline and photographed
    tablet, link = _scripted(make_client)
    accident_id = tablet.create("accident", accident()["data"])
    data = photo_jpeg("site")
    reference = tablet.attach(
        "accident", accident_id, "photos", data, name="site.jpg", content_type="image/jpeg"
    )

    # When the tablet syncs
    tablet.sync()

    # Then the record names the file, and the file arrived whole in 64 KiB chunks, once
    sha256 = hashlib.sha256(data).hexdigest()
    assert reference == {"sha256": sha256, "name": "site.jpg", "content_type": "image/jpeg"}
    assert Accident.objects.get(pk=accident_id).photos == [reference]
    assert Attachment.objects.get(pk=sha256).size == len(data)
    assert _stored(sha256) == data
    assert b"".join(_patches(link)) == data
    assert [len(chunk) for chunk in _patches(link)][:1] == [CHUNK]
    assert tablet.files_waiting() == []
    assert tablet.pending_count() == 0
    assert tablet.file(sha256) == data  # the tablet keeps its photo
    stats = tablet.stats
    assert (stats.files_uploaded, stats.file_bytes, stats.chunk_bytes_sent) == (
        1,
        len(data),
        len(data),
    )
    assert (stats.file_resumes, stats.file_restarts, stats.file_dedupes) == (0, 0, 0)


def test_every_tus_request_carries_the_protocol_version_and_each_chunk_its_checksum(
    make_client: MakeClient,
) -> None:
    # Given a tablet whose requests are seen as sent (a link with no fault scripted)
    tablet, link = _scripted(make_client)
    _, data, sha256 = _photographed(tablet)
    start = len(link.calls)

    # When the photo is uploaded
    tablet.upload()

    # Then creation names the file in the metadata, and every PATCH has its chunk's sha256
    seen = [(call[0], headers) for call, headers in zip(link.calls, link.headers, strict=True)]
    tus = [(method, headers) for method, headers in seen[start:] if "Tus-Resumable" in headers]
    assert [method for method, _ in tus][:2] == ["POST", "PATCH"]
    assert {headers["Tus-Resumable"] for _, headers in tus} == {"1.0.0"}
    create = tus[0][1]
    assert create["Upload-Length"] == str(len(data))
    metadata = dict(item.split(" ") for item in create["Upload-Metadata"].split(","))
    assert {k: base64.b64decode(v).decode() for k, v in metadata.items()} == {
        "sha256": sha256,
        "filename": "site.jpg",
        "filetype": "image/jpeg",
    }
    offsets = [int(h["Upload-Offset"]) for m, h in tus if m == "PATCH"]
    assert offsets == list(range(0, len(data), CHUNK))
    first = data[:CHUNK]
    patch = next(h for m, h in tus if m == "PATCH")
    assert patch["Upload-Checksum"] == (
        "sha256 " + base64.b64encode(hashlib.sha256(first).digest()).decode()
    )
    assert patch["Content-Type"] == "application/offset+octet-stream"


def test_a_dropped_chunk_is_resumed_from_the_offset_the_server_reports(
    make_client: MakeClient,
) -> None:
    # Given a photo whose second chunk never reaches the server
    tablet, link = _scripted(make_client)
    _, data, sha256 = _photographed(tablet)
    start = len(link.calls)
    link.then(None, None, "request")  # POST, PATCH 0, PATCH 64 KiB lost

    # When the tablet uploads
    tablet.upload()

    # Then it asked the server where it stood and sent the lost chunk again, nothing else twice
    assert _methods(link, start)[:5] == ["POST", "PATCH", "PATCH", "HEAD", "PATCH"]
    assert _patches(link, start)[1] == _patches(link, start)[2] == data[CHUNK : 2 * CHUNK]
    assert _stored(sha256) == data
    assert (tablet.stats.file_resumes, tablet.stats.files_uploaded) == (1, 1)
    assert tablet.stats.chunk_bytes_sent == len(data) + CHUNK


def test_after_a_lost_response_the_chunk_the_server_kept_is_not_sent_again(
    make_client: MakeClient,
) -> None:
    # Given a photo whose first chunk arrives but whose answer is lost
    tablet, link = _scripted(make_client)
    _, data, sha256 = _photographed(tablet)
    start = len(link.calls)
    link.then(None, "response")

    # When the tablet uploads
    tablet.upload()

    # Then the server's offset (64 KiB) is where it carries on: every byte went out once
    assert _methods(link, start)[:4] == ["POST", "PATCH", "HEAD", "PATCH"]
    assert b"".join(_patches(link, start)) == data
    assert _stored(sha256) == data
    assert (tablet.stats.file_resumes, tablet.stats.chunk_bytes_sent) == (1, len(data))


def test_a_chunk_cut_mid_way_resumes_from_the_bytes_the_server_kept(
    make_client: MakeClient,
) -> None:
    # Given a photo whose first chunk is cut after 1,000 bytes (the server keeps those)
    tablet, link = _scripted(make_client)
    _, data, sha256 = _photographed(tablet)
    start = len(link.calls)
    link.then(None, "cut:1000")

    # When the tablet uploads
    tablet.upload()

    # Then the next chunk starts at byte 1,000, where the server said it was
    patches = _patches(link, start)
    assert patches[1] == data[1000 : 1000 + CHUNK]
    assert _stored(sha256) == data
    assert tablet.stats.file_resumes == 1


def test_after_a_restart_the_upload_resumes_from_the_server_without_creating_another(
    seeded: None, make_user: Callable[..., object], tmp_path: Path
) -> None:
    # Given a tablet (its store on disk) whose link died after the first chunk
    make_user("surveyor-halo", "surveyor", "HALO")
    path = tmp_path / "tablet.sqlite3"
    dying = ScriptedLink(HttpTransport("http://testserver", transport=django_transport()))
    tablet = TabletClient(
        store=LocalStore(path), transport=dying, sleep=Sleeps(), max_attempts=3, chunk_size=CHUNK
    )
    tablet.enrol(username="surveyor-halo", password=PASSWORD)
    _, data, sha256 = _photographed(tablet)
    dying.then(None, None, "request", "request", "request", "request")
    with pytest.raises(SyncInterrupted):
        tablet.upload()
    [upload] = Upload.objects.all()
    assert upload.offset == CHUNK
    tablet.store.close()

    # When the app starts again and syncs
    link = ScriptedLink(HttpTransport("http://testserver", transport=django_transport()))
    restarted = TabletClient(store=LocalStore(path), transport=link, chunk_size=CHUNK)
    restarted.upload()

    # Then it asked the upload it kept for its offset and sent only the rest
    assert _methods(link)[:2] == ["HEAD", "PATCH"]
    assert b"".join(_patches(link)) == data[CHUNK:]
    assert Upload.objects.count() == 1
    assert _stored(sha256) == data
    assert (restarted.stats.file_resumes, restarted.stats.files_uploaded) == (1, 1)
    assert restarted.files_waiting() == []


@pytest.mark.parametrize("gone", ["expired", "removed"])
def test_an_upload_the_server_forgot_is_made_again_from_the_start(
    make_client: MakeClient, gone: str
) -> None:
    # Given a photo half uploaded, then the server expired (410) or removed (404) the upload
    tablet, link = _scripted(make_client, max_attempts=2)
    _, data, sha256 = _photographed(tablet)
    link.then(None, None, "request", "request", "request")
    with pytest.raises(SyncInterrupted):
        tablet.upload()
    if gone == "expired":
        Upload.objects.update(expires_at=timezone.now() - timezone.timedelta(hours=1))
    else:
        Upload.objects.all().delete()
    start = len(link.calls)

    # When the tablet uploads again
    tablet.upload()

    # Then a new upload carries the whole file
    assert _methods(link, start)[:3] == ["HEAD", "POST", "PATCH"]
    assert b"".join(_patches(link, start)) == data
    assert _stored(sha256) == data
    assert (tablet.stats.file_restarts, tablet.stats.files_uploaded) == (1, 1)


class DamagingLink:
    """Damages one byte of the `nth` chunk sent; `recheck` gives it a checksum that matches the
    damage (a chunk read wrongly on the tablet), else the server sees the chunk damaged."""

    def __init__(self, inner: Transport, *, nth: int, recheck: bool) -> None:
        self.inner, self.nth, self.recheck = inner, nth, recheck
        self.chunks = 0
        self.answers: list[int] = []

    def send(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        params: Mapping[str, str] | None = None,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        if method == "PATCH" and body:
            self.chunks += 1
            if self.chunks == self.nth:
                body = bytes([body[0] ^ 0xFF]) + body[1:]
                if self.recheck:
                    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
                    headers = {**(headers or {}), "Upload-Checksum": f"sha256 {digest}"}
        reply = self.inner.send(
            method, path, body=body, params=params, token=token, headers=headers
        )
        if method == "PATCH":
            self.answers.append(reply.status)
        return reply


def _damaging(
    make_client: MakeClient, *, nth: int, recheck: bool
) -> tuple[TabletClient, DamagingLink]:
    links: list[DamagingLink] = []

    def wrap(inner: Transport) -> Transport:
        links.append(DamagingLink(inner, nth=nth, recheck=recheck))
        return links[0]

    return make_client(link=wrap, chunk_size=CHUNK), links[0]


def test_a_chunk_damaged_on_the_way_is_refused_460_and_sent_again(make_client: MakeClient) -> None:
    # Given a link that damages the second chunk (its checksum no longer matches)
    tablet, link = _damaging(make_client, nth=2, recheck=False)
    _, data, sha256 = _photographed(tablet)

    # When the tablet uploads
    tablet.upload()

    # Then the server refused that chunk, kept the rest, and the file arrived whole
    assert link.answers[1] == 460
    assert _stored(sha256) == data
    assert (tablet.stats.files_uploaded, tablet.stats.files_refused) == (1, 0)


def test_a_whole_file_refused_460_is_uploaded_again_when_the_tablets_copy_is_sound(
    make_client: MakeClient,
) -> None:
    # Given a photo whose last chunk went out damaged under a matching chunk checksum
    tablet, link = _damaging(make_client, nth=4, recheck=True)
    _, data, sha256 = _photographed(tablet)
    assert len(data) > 3 * CHUNK

    # When the tablet uploads
    tablet.upload()

    # Then the server discarded that upload (whole-file sha256), and a new one brought the file
    assert link.answers[3] == 460
    assert _stored(sha256) == data
    assert Attachment.objects.get(pk=sha256).size == len(data)
    assert (tablet.stats.files_uploaded, tablet.stats.file_restarts) == (1, 0)
    assert tablet.file_problems() == []


def test_a_file_damaged_on_the_tablet_is_reported_and_leaves_the_queue(
    make_client: MakeClient,
) -> None:
    # Given a photo whose bytes were damaged in the tablet's store after it was taken
    tablet, link = _scripted(make_client)
    accident_id, data, sha256 = _photographed(tablet)
    damaged = bytes([data[0] ^ 0xFF]) + data[1:]
    tablet.store.db.execute("UPDATE file SET data = ? WHERE sha256 = ?", (damaged, sha256))
    start = len(link.calls)

    # When the tablet syncs
    tablet.sync()

    # Then nothing of it is sent, the surveyor is told, and the sync is settled
    assert "PATCH" not in _methods(link, start)
    [problem] = tablet.file_problems()
    assert (problem.sha256, problem.state) == (sha256, "failed")
    assert problem.problem == "damaged on the tablet: its bytes no longer match their sha256"
    assert tablet.stats.files_refused == 1
    assert tablet.pending_count() == 0
    assert not Attachment.objects.filter(pk=sha256).exists()
    assert Accident.objects.get(pk=accident_id).photos[0]["sha256"] == sha256  # still named


def test_a_file_the_server_already_has_is_not_sent_again(make_client: MakeClient) -> None:
    # Given a photo a HALO tablet uploaded, copied onto a MAG tablet and named in its record
    first = make_client("halo-1", chunk_size=CHUNK)
    _, data, sha256 = _photographed(first)
    first.upload()
    second, link = _scripted(make_client, username="mag-1", organisation="MAG")
    start = len(link.calls)
    accident_id = second.create("accident", accident()["data"])
    second.attach(
        "accident", accident_id, "photos", data, name="team.jpg", content_type="image/jpeg"
    )

    # When the second tablet syncs
    second.sync()

    # Then creating the upload showed the whole file on the server: no byte was sent
    assert "PATCH" not in _methods(link, start)
    assert (second.stats.file_dedupes, second.stats.files_uploaded) == (1, 0)
    assert second.stats.chunk_bytes_sent == 0
    assert Attachment.objects.filter(pk=sha256).count() == 1
    assert second.files_waiting() == []


def test_the_same_file_named_by_two_records_is_kept_and_uploaded_once(
    make_client: MakeClient,
) -> None:
    # Given one consent form named by two victims' records on one tablet
    tablet, link = _scripted(make_client)
    accident_id = tablet.create("accident", accident()["data"])
    form = document_pdf("Consent to record", ["The family agrees.", "Signed: X"])
    victims = []
    for _ in range(2):
        victim_id = tablet.create("victim", victim(accident_id)["data"])
        tablet.attach(
            "victim",
            victim_id,
            "consent_document",
            form,
            name="consent.pdf",
            content_type="application/pdf",
        )
        victims.append(victim_id)

    # When the tablet syncs
    tablet.sync()

    # Then one file went out, and both records name it
    sha256 = hashlib.sha256(form).hexdigest()
    assert [len(c) for c in _patches(link)] == [len(form)]
    assert _stored(sha256) == form
    assert len(tablet.store.files()) == 1
    reference = {"sha256": sha256, "name": "consent.pdf", "content_type": "application/pdf"}
    assert [(tablet.get("victim", v) or {})["consent_document"] for v in victims] == [
        [reference],
        [reference],
    ]


def test_a_file_that_is_not_an_image_or_pdf_is_refused_415_and_reported(
    make_client: MakeClient,
) -> None:
    # Given a "photo" that is really text
    tablet, _ = _scripted(make_client)
    accident_id = tablet.create("accident", accident()["data"])
    tablet.attach(
        "accident",
        accident_id,
        "photos",
        b"not a picture\n" * 100,
        name="x.jpg",
        content_type="image/jpeg",
    )

    # When the tablet syncs
    tablet.sync()

    # Then the server refused it, and it waits no more
    [problem] = tablet.file_problems()
    assert problem.problem is not None and problem.problem.startswith("415")
    assert tablet.files_waiting() == []
    assert Attachment.objects.count() == 0


def test_a_photo_another_tablet_took_is_downloaded_once_checked_and_kept(
    make_client: MakeClient,
) -> None:
    # Given a photo uploaded by one HALO tablet, and a second HALO tablet that pulled its record
    first = make_client("halo-1", chunk_size=CHUNK)
    accident_id, data, sha256 = _photographed(first)
    first.upload()
    second, link = _scripted(make_client, username="halo-2")
    second.pull()
    assert (second.get("accident", accident_id) or {})["photos"][0]["sha256"] == sha256
    assert second.file(sha256) is None

    # When the second tablet opens the photo, twice
    opened = [second.download(sha256), second.download(sha256)]

    # Then it was fetched once, and is kept (nothing to upload)
    assert opened == [data, data]
    assert [m for m, path, _ in link.calls if sha256 in path] == ["GET"]
    assert second.file(sha256) == data
    assert second.files_waiting() == []


def test_a_file_not_received_yet_is_not_downloaded(make_client: MakeClient) -> None:
    # Given a record naming a photo that never left its tablet
    first = make_client("halo-1", chunk_size=CHUNK)
    accident_id = first.create("accident", accident()["data"])
    reference = first.attach(
        "accident", accident_id, "photos", photo_jpeg("kept"), name="k.jpg", content_type=JPEG
    )
    first.push()
    second = make_client("halo-2")
    second.pull()

    # When another tablet asks for it
    found = second.download(reference["sha256"])

    # Then there is nothing yet
    assert found is None
    assert second.store.files() == []


class Recording:
    """The server end of a link, recording what reached it."""

    def __init__(self) -> None:
        self.received: list[tuple[str, bytes | None, dict[str, str]]] = []

    def send(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        params: Mapping[str, str] | None = None,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        self.received.append((method, body, dict(headers or {})))
        return Reply(204, None)


def test_the_flaky_link_cuts_file_chunks_mid_way_and_only_file_chunks() -> None:
    # Given a link that loses every request, cutting every file chunk it can
    server = Recording()
    link = FlakyTransport(server, drop_rate=0.99, seed="cut", response_share=0.0, cut_share=1.0)
    chunk = bytes(range(256)) * 40
    headers = {
        "Tus-Resumable": "1.0.0",
        "Upload-Offset": "0",
        "Content-Type": "application/offset+octet-stream",
        "Upload-Checksum": "sha256 AAAA",
    }

    # When a chunk and a batch of records are sent
    with pytest.raises(LinkDown):
        link.send("PATCH", "/api/v1/attachments/uploads/x/", body=chunk, headers=headers)
    with pytest.raises(LinkDown):
        link.send("POST", "/api/v1/sync/push/", body=b'{"records": []}')

    # Then the server got the chunk's first part, without the checksum, and no records
    [(method, arrived, sent)] = server.received
    assert method == "PATCH"
    assert arrived is not None and 0 < len(arrived) < len(chunk)
    assert chunk.startswith(arrived)
    assert "Upload-Checksum" not in sent
    assert sent["Upload-Offset"] == "0"
    assert (link.stats.requests, link.stats.lost_requests, link.stats.cut_bodies) == (2, 2, 1)
