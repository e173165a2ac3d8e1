"""Small JPEGs of image attachments, made on first request and kept beside the files."""

from __future__ import annotations

import io
import logging
import struct

from django.core.files.base import ContentFile, File
from PIL import Image, ImageOps, UnidentifiedImageError

from fieldsync.attachments.storage import attachment_storage, file_name, thumbnail_name
from fieldsync.fields import IMAGE_TYPES
from fieldsync.models import Attachment

logger = logging.getLogger(__name__)
THUMBNAIL_SIZE = (320, 320)
THUMBNAIL_QUALITY = 80
#: Larger images are not decoded (a decompression bomb): 50 megapixels is a good phone photo x4.
MAX_PIXELS = 50_000_000


class NoThumbnail(Exception):
    """The file is not an image, or cannot be read as one."""


def thumbnail_open(attachment: Attachment) -> File:
    """The thumbnail of an image attachment, made now if it was never asked for."""
    if attachment.content_type not in IMAGE_TYPES:
        raise NoThumbnail("Only images have thumbnails.")
    storage = attachment_storage()
    name = thumbnail_name(attachment.sha256)
    if not storage.exists(name):
        saved = storage.save(name, ContentFile(_thumbnail_bytes(attachment)))
        if saved != name:  # another request made it meanwhile: keep one
            storage.delete(saved)
    return storage.open(name, "rb")


def _thumbnail_bytes(attachment: Attachment) -> bytes:
    with attachment_storage().open(file_name(attachment.sha256), "rb") as source:
        try:
            opened = Image.open(source)
            if opened.width * opened.height > MAX_PIXELS:
                raise NoThumbnail("The image is too large to preview.")
            opened.draft(
                "RGB", (THUMBNAIL_SIZE[0] * 2, THUMBNAIL_SIZE[1] * 2)
            )  # JPEG: decode small
            image = ImageOps.exif_transpose(opened)
            image.thumbnail(THUMBNAIL_SIZE)
            if image.mode != "RGB":
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
        except (
            UnidentifiedImageError,
            OSError,
            ValueError,
            SyntaxError,  # Pillow's word for a broken PNG chunk
            EOFError,
            IndexError,
            KeyError,
            TypeError,
            struct.error,
            Image.DecompressionBombError,
        ) as error:
            logger.warning("no thumbnail for attachment %s: %s", attachment.sha256, error)
            raise NoThumbnail("The image cannot be read.") from error
    return out.getvalue()
