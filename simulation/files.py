"""Files a field team makes, deterministic from a seed: site and ordnance photos (JPEG, a few
hundred KB of a scene with sensor noise, as a tablet camera gives) and one-page PDFs (a signed
consent form, a referral letter)."""

from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image, ImageDraw

PHOTO_SIZE = (1024, 768)


def photo_jpeg(seed: int | str, *, size: tuple[int, int] = PHOTO_SIZE, quality: int = 85) -> bytes:
    """A photo of a site: sky, vegetation and soil, an object in the middle, and camera noise."""
    rng = random.Random(f"photo:{seed}")  # noqa: S311  (made-up pictures, not secrets)
    width, height = size
    rows = np.linspace(0.0, 1.0, height)[:, None, None]
    sky = np.array([rng.randint(120, 200), rng.randint(160, 220), rng.randint(200, 255)])
    ground = np.array([rng.randint(90, 150), rng.randint(70, 120), rng.randint(30, 70)])
    scene = np.broadcast_to(sky * (1 - rows) + ground * rows, (height, width, 3)).copy()
    image = Image.fromarray(scene.astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(4, 9)):  # bushes and stones
        x, y = rng.randint(0, width), rng.randint(height // 3, height)
        r = rng.randint(20, 90)
        colour = (rng.randint(20, 90), rng.randint(60, 140), rng.randint(20, 60))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    cx, cy, r = width // 2, int(height * 0.7), rng.randint(30, 70)  # the ordnance item
    draw.ellipse(
        (cx - r, cy - r // 2, cx + r, cy + r // 2), fill=(70, 75, 60), outline=(20, 20, 20)
    )
    spread = rng.randint(14, 24)  # sensor noise: most of a photo's bytes, as in the field
    noise = np.random.default_rng(rng.getrandbits(32)).integers(
        -spread, spread + 1, (height, width, 3), dtype=np.int16
    )
    pixels = np.clip(np.asarray(image, dtype=np.int16) + noise, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="JPEG", quality=quality)
    return out.getvalue()


def document_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF 1.4 (Helvetica text), with a correct cross-reference table."""
    text = [f"BT /F1 16 Tf 60 780 Td ({_pdf_text(title)}) Tj ET"]
    for number, line in enumerate(lines):
        text.append(f"BT /F1 11 Tf 60 {750 - 16 * number} Td ({_pdf_text(line)}) Tj ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _pdf_text(value: str) -> str:
    plain = value.encode("latin-1", "replace").decode("latin-1")
    return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
