"""A submission POST's parts: the instance XML and the files, read within the size limits.

Collect sends a Content-Length; other clients may send the body chunked. Django reads a body up
to its Content-Length only, so a chunked one is read here from the decoded stream the WSGI
server provides (gunicorn marks it `wsgi.input_terminated`), within the same limit.
"""

from __future__ import annotations

import tempfile
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.translation import gettext as _

from odk.openrosa.responses import submission_max_bytes

XML_PART = "xml_submission_file"
READ_SIZE = 64 * 1024
SPOOL_MEMORY = 1024 * 1024


class BodyTooLarge(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _too_large() -> BodyTooLarge:
    return BodyTooLarge(
        _("The submission is larger than the server takes (%(bytes)d bytes).")
        % {"bytes": submission_max_bytes()}
    )


def submission_parts(request: HttpRequest) -> tuple[bytes | None, dict[str, IO[bytes]]]:
    """The instance XML (None if absent) and the file parts by their file name."""
    length = request.META.get("CONTENT_LENGTH") or ""
    if length.isdigit() and int(length) > submission_max_bytes():
        raise _too_large()
    try:
        if not length and _chunked(request):
            posted, files = _chunked_parse(request)
        else:
            posted, files = request.POST, request.FILES
    except (RequestDataTooBig, TooManyFilesSent, TooManyFieldsSent) as error:
        raise _too_large() from error
    except MultiPartParserError:
        return None, {}
    xml = _xml(files.get(XML_PART), posted.get(XML_PART))
    parts: dict[str, IO[bytes]] = {}
    for field, uploaded in files.items():
        if field != XML_PART:
            parts[uploaded.name or field] = uploaded
    return xml, parts


def _xml(uploaded: IO[bytes] | None, posted: str | None) -> bytes | None:
    limit: int = settings.FIELDSYNC["ODK_INSTANCE_MAX_BYTES"]
    if uploaded is not None:
        content = uploaded.read(limit + 1)
    elif posted is not None:
        content = posted.encode("utf-8")
    else:
        return None
    if len(content) > limit:
        raise BodyTooLarge(
            _("The form's data is larger than the server takes (%(bytes)d bytes).")
            % {"bytes": limit}
        )
    return content


def _chunked(request: HttpRequest) -> bool:
    encoding = request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    return "chunked" in encoding and bool(request.META.get("wsgi.input_terminated"))


def _chunked_parse(request: HttpRequest) -> tuple[Any, Any]:
    limit = submission_max_bytes()
    stream = request.META["wsgi.input"]
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115  (request-long)
    size = 0
    while piece := stream.read(READ_SIZE):
        size += len(piece)
        if size > limit:
            raise _too_large()
        spool.write(piece)
    spool.seek(0)
    request._files_spool = spool  # type: ignore[attr-defined]  # closed with the request
    meta = {**request.META, "CONTENT_LENGTH": str(size)}
    body: Any = spool
    return MultiPartParser(meta, body, request.upload_handlers, request.encoding).parse()
