"""ODK Collect's side of OpenRosa over real HTTP (httpx): the form list, form and media download
with the md5 hashes of what arrived, and HEAD-then-POST multipart submissions, with Collect's
authentication pattern (no credentials until the server challenges, then Basic on every request).

Plain Python, no Django: it reads only what a phone would see on the wire.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import httpx
from defusedxml import ElementTree

XFORMS_LIST = "{http://openrosa.org/xforms/xformsList}"
MANIFEST = "{http://openrosa.org/xforms/xformsManifest}"
RESPONSE = "{http://openrosa.org/http/response}"
COLLECT_DEFAULT_LIMIT = 10_000_000  # what Collect assumes when HEAD names no limit
USER_AGENT = "org.odk.collect.android/v2024.3.5 okhttp/4.12.0 (fieldsync tests)"


class OpenRosaError(Exception):
    """The server answered something Collect could not use (it shows an error and stops)."""


@dataclass(frozen=True)
class FormEntry:
    """One `<xform>` of the form list."""

    form_id: str
    name: str
    version: str
    hash: str
    download_url: str
    manifest_url: str | None


@dataclass(frozen=True)
class MediaFile:
    """One `<mediaFile>` of a form's manifest."""

    filename: str
    hash: str
    download_url: str


@dataclass(frozen=True)
class DownloadedForm:
    """A form as Collect keeps it: the XML and a folder of its media files."""

    entry: FormEntry
    xml_path: Path
    media_dir: Path
    media: tuple[MediaFile, ...]
    md5: str  # of the bytes received: Collect compares it with the next form list's hash
    media_md5: dict[str, str] = field(default_factory=dict)

    @property
    def up_to_date(self) -> bool:
        """What Collect concludes when it compares the form list and manifest with its files:
        False means it would offer an "update" of this form again and again."""
        return self.md5 == self.entry.hash and all(
            self.media_md5.get(item.filename) == item.hash for item in self.media
        )

    @property
    def xml(self) -> str:
        return self.xml_path.read_text(encoding="utf-8")

    def media_bytes(self, filename: str) -> bytes:
        return (self.media_dir / filename).read_bytes()


@dataclass(frozen=True)
class SubmissionResult:
    """The server's answer to one POST: status, the OpenRosaResponse's message and its nature."""

    status: int
    message: str | None
    nature: str | None
    accept_content_length: int | None
    headers: dict[str, str] = field(default_factory=dict)
    posts: int = 1  # Collect splits a submission larger than the server's limit


@dataclass(frozen=True)
class Exchange:
    """One request as it went on the wire (to check the challenge pattern)."""

    method: str
    url: str
    status: int
    sent_credentials: bool
    openrosa_version: str | None


def md5_hash(data: bytes) -> str:
    return "md5:" + hashlib.md5(data, usedforsecurity=False).hexdigest()


def _text(element: Element, tag: str) -> str | None:
    found = element.find(tag)
    return None if found is None or found.text is None else found.text.strip()


def _required(element: Element, tag: str) -> str:
    value = _text(element, tag)
    if not value:
        raise OpenRosaError(f"<{tag}> missing in <{element.tag}>")
    return value


def parse_form_list(body: bytes) -> list[FormEntry]:
    root = ElementTree.fromstring(body)
    if root.tag != f"{XFORMS_LIST}xforms":
        raise OpenRosaError(f"not an OpenRosa form list: <{root.tag}>")
    x = XFORMS_LIST
    return [
        FormEntry(
            form_id=_required(xform, f"{x}formID"),
            name=_required(xform, f"{x}name"),
            version=_text(xform, f"{x}version") or "",
            hash=_required(xform, f"{x}hash"),
            download_url=_required(xform, f"{x}downloadUrl"),
            manifest_url=_text(xform, f"{x}manifestUrl"),
        )
        for xform in root.findall(f"{x}xform")
    ]


def parse_manifest(body: bytes) -> list[MediaFile]:
    root = ElementTree.fromstring(body)
    if root.tag != f"{MANIFEST}manifest":
        raise OpenRosaError(f"not an OpenRosa manifest: <{root.tag}>")
    m = MANIFEST
    return [
        MediaFile(
            filename=_required(media, f"{m}filename"),
            hash=_required(media, f"{m}hash"),
            download_url=_required(media, f"{m}downloadUrl"),
        )
        for media in root.findall(f"{m}mediaFile")
    ]


def parse_response(body: bytes) -> tuple[str | None, str | None]:
    """The message and its `nature` of an OpenRosaResponse body (None, None when there is none)."""
    if not body.strip():
        return None, None
    root = ElementTree.fromstring(body)
    if root.tag != f"{RESPONSE}OpenRosaResponse":
        raise OpenRosaError(f"not an OpenRosaResponse: <{root.tag}>")
    message = root.find(f"{RESPONSE}message")
    if message is None:
        return None, None
    return (message.text or "").strip(), message.get("nature")


class CollectClient:
    """A phone configured with a server URL (and a username and password, or a token URL)."""

    def __init__(
        self,
        server_url: str,
        username: str | None = None,
        password: str | None = None,
        *,
        language: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.server_url = server_url if server_url.endswith("/") else server_url + "/"
        self.credentials = (username, password) if username is not None else None
        self.authenticated = False  # Collect sends Basic only once a challenge asked for it
        self.language = language  # Collect sends no Accept-Language; a test may set one
        self.http = httpx.Client(timeout=timeout, follow_redirects=False)
        self.exchanges: list[Exchange] = []

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> CollectClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One OpenRosa request; a 401 with a Basic challenge is answered once with credentials."""
        response = self._send(method, url, self.authenticated, **kwargs)
        challenge = response.headers.get("WWW-Authenticate", "")
        if (
            response.status_code == 401
            and not self.authenticated
            and self.credentials is not None
            and challenge.lower().startswith("basic")
        ):
            response = self._send(method, url, True, **kwargs)
            self.authenticated = response.status_code != 401
        return response

    def _send(self, method: str, url: str, with_credentials: bool, **kwargs: Any) -> httpx.Response:
        headers = {
            "X-OpenRosa-Version": "1.0",
            "Date": formatdate(usegmt=True),
            "User-Agent": USER_AGENT,
        }
        if self.language:
            headers["Accept-Language"] = self.language
        auth = httpx.BasicAuth(*self.credentials) if with_credentials and self.credentials else None
        response = self.http.request(method, url, headers=headers, auth=auth, **kwargs)
        self.exchanges.append(
            Exchange(
                method=method,
                url=url,
                status=response.status_code,
                sent_credentials=auth is not None,
                openrosa_version=response.headers.get("X-OpenRosa-Version"),
            )
        )
        return response

    def _get_ok(self, url: str) -> bytes:
        response = self.request("GET", url)
        if response.status_code != 200:
            raise OpenRosaError(f"GET {url}: {response.status_code} {response.text[:300]}")
        return response.content

    def form_list(self) -> list[FormEntry]:
        return parse_form_list(self._get_ok(self.server_url + "formList"))

    def manifest(self, entry: FormEntry) -> list[MediaFile]:
        if entry.manifest_url is None:
            return []
        return parse_manifest(self._get_ok(entry.manifest_url))

    def download(self, entry: FormEntry, into: Path) -> DownloadedForm:
        """The form and its media into `into/<formID>.xml` and `into/<formID>-media/`, with the
        md5 of what arrived (Collect keeps it to compare with the hashes the server lists)."""
        xml = self._get_ok(entry.download_url)
        into.mkdir(parents=True, exist_ok=True)
        xml_path = into / f"{entry.form_id}.xml"
        xml_path.write_bytes(xml)
        media_dir = into / f"{entry.form_id}-media"
        media_dir.mkdir(exist_ok=True)
        media = self.manifest(entry)
        media_md5 = {}
        for item in media:
            data = self._get_ok(item.download_url)
            media_md5[item.filename] = md5_hash(data)
            (media_dir / Path(item.filename).name).write_bytes(data)
        return DownloadedForm(entry, xml_path, media_dir, tuple(media), md5_hash(xml), media_md5)

    def download_all(self, into: Path) -> dict[str, DownloadedForm]:
        return {entry.form_id: self.download(entry, into) for entry in self.form_list()}

    def submit(
        self,
        xml: bytes | str,
        attachments: dict[str, bytes] | None = None,
        *,
        filename: str = "submission.xml",
    ) -> SubmissionResult:
        """HEAD then POST, as Collect sends a finalized form: the instance as the part
        `xml_submission_file` and each attachment as a part named by its file name. Like
        Collect, files that do not fit under the server's `X-OpenRosa-Accept-Content-Length`
        go in further POSTs, each with the instance again; all but the last say
        `*isIncomplete*=yes`. The answer is the last POST's (or the first refusal)."""
        url = self.server_url + "submission"
        head = self.request("HEAD", url)
        if head.status_code != 204:
            raise OpenRosaError(f"HEAD {url}: {head.status_code}")
        limit_header = head.headers.get("X-OpenRosa-Accept-Content-Length")
        limit = int(limit_header) if limit_header else None
        body = xml.encode() if isinstance(xml, str) else xml
        batches = _batches(attachments or {}, len(body), limit or COLLECT_DEFAULT_LIMIT)
        for number, batch in enumerate(batches, start=1):
            files: list[tuple[str, tuple[str, bytes, str]]] = [
                ("xml_submission_file", (filename, body, "text/xml"))
            ]
            for name, data in batch:
                content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
                files.append((name, (name, data, content_type)))
            incomplete = {"*isIncomplete*": "yes"} if number < len(batches) else None
            response = self.request("POST", url, files=files, data=incomplete)
            if response.status_code != 201:
                break
        message, nature = parse_response(response.content)
        return SubmissionResult(
            status=response.status_code,
            message=message,
            nature=nature,
            accept_content_length=limit,
            headers=dict(response.headers),
            posts=number,
        )


def _batches(
    attachments: dict[str, bytes], instance_size: int, limit: int
) -> list[list[tuple[str, bytes]]]:
    """The files in POST-sized groups, in order (a file larger than the limit goes alone)."""
    batches: list[list[tuple[str, bytes]]] = [[]]
    size = instance_size
    for name, data in attachments.items():
        if batches[-1] and size + len(data) > limit:
            batches.append([])
            size = instance_size
        batches[-1].append((name, data))
        size += len(data)
    return batches
