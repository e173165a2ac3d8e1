"""Files for the attachment tests: realistic photos and PDFs, their references, and a file
stored as a finished upload leaves it (through the storage API, with its `Attachment` row)."""

from __future__ import annotations

import hashlib
import io
import random
from functools import lru_cache

import numpy as np
from django.core.files.base import ContentFile
from PIL import Image

from fieldsync.attachments.storage import attachment_storage, file_name
from fieldsync.models import Attachment


def photo_bytes(seed: int = 1, size: tuple[int, int] = (800, 600)) -> bytes:
    """A JPEG like a tablet's camera makes: noise, so that it does not compress to nothing."""
    generator = random.Random(seed)
    image = Image.frombytes("RGB", size, generator.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def pdf_bytes(text: str = "Consent") -> bytes:
    """A small valid one-page PDF."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")  # (BytesIO(initial) would write over it from offset 0)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def reference(content: bytes, name: str, content_type: str = "image/jpeg") -> dict[str, str]:
    return {
        "sha256": hashlib.sha256(content).hexdigest(),
        "name": name,
        "content_type": content_type,
    }


def stored(content: bytes, content_type: str = "image/jpeg") -> Attachment:
    """The file as a completed upload leaves it: its bytes in storage, its row."""
    sha256 = hashlib.sha256(content).hexdigest()
    attachment_storage().save(file_name(sha256), ContentFile(content))
    return Attachment.objects.create(
        sha256=sha256, size=len(content), content_type=content_type, name="upload"
    )


@lru_cache(maxsize=4)
def noisy_jpeg(width: int = 2000, height: int = 1500, seed: int = 1) -> bytes:
    """A photo-sized JPEG of noise over a gradient: megabytes (about 3 at the default size), as
    a phone camera gives, for the upload tests."""
    rng = np.random.default_rng(seed)
    gradient = np.linspace(0, 160, width, dtype=np.float32)[None, :, None]
    pixels = np.clip(gradient + rng.normal(60, 50, (height, width, 3)), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, "JPEG", quality=95)
    return out.getvalue()


@lru_cache(maxsize=2)
def small_png(seed: int = 2) -> bytes:
    """A small PNG (a scanned signature, say): a few kilobytes."""
    rng = np.random.default_rng(seed)
    out = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (40, 60, 3), dtype=np.uint8), "RGB").save(out, "PNG")
    return out.getvalue()
