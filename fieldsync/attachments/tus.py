"""The tus 1.0.0 protocol (tus.io): its constants and the parsing of its headers.

Only what this server speaks: the core protocol and the extensions `creation`,
`creation-with-upload`, `termination`, `checksum` (sha256) and `expiration`.
"""

from __future__ import annotations

import base64
import binascii
import datetime

from django.utils.http import http_date

from fieldsync.fields import ascii_natural

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,creation-with-upload,termination,checksum,expiration"
CHECKSUM_ALGORITHMS = ("sha256",)
OFFSET_OCTET_STREAM = "application/offset+octet-stream"
#: The metadata a client must send on creation (contract: attachments.md).
REQUIRED_METADATA = ("sha256", "filename", "filetype")
MAX_METADATA_LENGTH = 4096
#: Not in the HTTP registry: tus' checksum extension's answer to a failed checksum.
CHECKSUM_MISMATCH = 460


class HeaderError(ValueError):
    """A tus header that cannot be read; its message says which and why, in plain English."""


def natural(value: str | None, header: str) -> int:
    """A header that must be a non-negative integer (Upload-Length, Upload-Offset)."""
    number = ascii_natural(value.strip() if value is not None else None)
    if number is None:
        raise HeaderError(f"{header} must be a non-negative integer.")
    return number


def metadata_parse(header: str) -> dict[str, str]:
    """`Upload-Metadata`: comma-separated `key base64value` pairs (a value may be absent)."""
    if len(header) > MAX_METADATA_LENGTH:
        raise HeaderError(f"Upload-Metadata is longer than {MAX_METADATA_LENGTH} characters.")
    metadata: dict[str, str] = {}
    for pair in header.split(","):
        parts = pair.strip().split(" ")
        if not parts[0] or len(parts) > 2:
            raise HeaderError("Upload-Metadata must be comma-separated 'key base64value' pairs.")
        key = parts[0]
        if key in metadata:
            raise HeaderError(f'Upload-Metadata names "{key}" twice.')
        try:
            value = base64.b64decode(parts[1], validate=True) if len(parts) == 2 else b""
            metadata[key] = value.decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as error:
            raise HeaderError(
                f'Upload-Metadata: the value of "{key}" is not base64 of UTF-8 text.'
            ) from error
    return metadata


def checksum_parse(header: str) -> tuple[str, bytes]:
    """`Upload-Checksum: sha256 <base64 digest>` as (algorithm, digest)."""
    parts = header.strip().split(" ")
    if len(parts) != 2:
        raise HeaderError("Upload-Checksum must be 'algorithm base64digest'.")
    algorithm = parts[0].lower()
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise HeaderError(
            f"Upload-Checksum: this server checks {', '.join(CHECKSUM_ALGORITHMS)} only."
        )
    try:
        digest = base64.b64decode(parts[1], validate=True)
    except binascii.Error as error:
        raise HeaderError("Upload-Checksum: the digest is not base64.") from error
    return algorithm, digest


def expires_header(moment: datetime.datetime) -> str:
    """`Upload-Expires` as an RFC 9110 HTTP date."""
    return http_date(moment.timestamp())


def options_headers(max_size: int) -> dict[str, str]:
    """What `OPTIONS` announces: version, extensions, limit and checksum algorithms."""
    return {
        "Tus-Version": TUS_VERSION,
        "Tus-Extension": TUS_EXTENSIONS,
        "Tus-Max-Size": str(max_size),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
    }
