"""What a file is, read from its first bytes (never from its name or what the client said)."""

from __future__ import annotations

#: Enough of the start of a file to tell the four types apart.
HEAD_BYTES = 16


def content_type_sniff(head: bytes) -> str | None:
    """JPEG, PNG, WebP or PDF from the magic numbers in `head`; None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None
