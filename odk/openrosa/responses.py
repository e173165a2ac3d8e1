"""OpenRosa response bodies and headers (docs.getodk.org, "OpenRosa HTTP Request API").

Every answer carries `X-OpenRosa-Version: 1.0`; errors too are `<OpenRosaResponse>` documents with
a message Collect shows to the surveyor, never HTML.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpResponse

OPENROSA_VERSION = "1.0"
RESPONSE_NS = "http://openrosa.org/http/response"
XML_TYPE = "text/xml; charset=utf-8"


def openrosa_headers(response: HttpResponse) -> HttpResponse:
    response["X-OpenRosa-Version"] = OPENROSA_VERSION
    response["X-OpenRosa-Accept-Content-Length"] = str(submission_max_bytes())
    return response


def submission_max_bytes() -> int:
    """The largest submission POST (instance and files) the server takes in one request."""
    limit: int = settings.FIELDSYNC["ODK_SUBMISSION_MAX_BYTES"]
    return limit


def xml_response(body: str, *, status: int = 200) -> HttpResponse:
    document = '<?xml version="1.0" encoding="UTF-8"?>\n' + body
    return openrosa_headers(
        HttpResponse(document.encode("utf-8"), status=status, content_type=XML_TYPE)
    )


def message_response(message: str, *, status: int, nature: str = "") -> HttpResponse:
    """An `<OpenRosaResponse>` with one message (nature `submit_success` on success)."""
    attribute = f' nature="{escape(nature)}"' if nature else ""
    return xml_response(
        f'<OpenRosaResponse xmlns="{RESPONSE_NS}">'
        f"<message{attribute}>{escape(message)}</message></OpenRosaResponse>",
        status=status,
    )
