"""A submission sent with chunked transfer encoding, over real HTTP to gunicorn (which decodes
the chunks; Django alone reads a body up to its Content-Length only)."""

from __future__ import annotations

import base64
import uuid

import httpx
import pytest
from django.core.management import call_command

from accidents.models import Accident
from tests.helpers.attachments import photo_bytes
from tests.helpers.servers import database_url, gunicorn
from tests.helpers.sync import PASSWORD
from tests.odk.instances import ADULT, accident_answers, instance_xml

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
BOUNDARY = "fieldsync-chunked-boundary"


def _multipart(parts: list[tuple[str, str, str, bytes]]) -> bytes:
    body = b""
    for field, filename, content_type, content in parts:
        body += (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    return body + f"--{BOUNDARY}--\r\n".encode()


def _chunks(body: bytes, size: int = 4096):
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_a_chunked_submission_with_a_photo_is_stored(make_user) -> None:
    call_command("seed_reference_data", verbosity=0)
    make_user("surveyor-halo")
    instance = uuid.uuid4()
    xml = instance_xml(
        "uxo_accident",
        accident_answers(ADULT, accident_photos=[{"accident_photo": "site.jpg"}]),
        instance_id=instance,
    )
    body = _multipart(
        [
            ("xml_submission_file", "submission.xml", "text/xml", xml),
            ("site.jpg", "site.jpg", "image/jpeg", photo_bytes(3)),
        ]
    )
    auth = base64.b64encode(f"surveyor-halo:{PASSWORD}".encode()).decode()

    with gunicorn(database_url(), workers=1) as server:
        response = httpx.post(
            f"{server.url}/openrosa/submission",
            content=_chunks(body),  # an iterator: httpx sends it chunked, with no length
            headers={
                "Authorization": f"Basic {auth}",
                "X-OpenRosa-Version": "1.0",
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            },
            timeout=30,
        )

    assert response.request.headers["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in response.request.headers
    assert response.status_code == 201, response.text
    assert len(Accident.objects.get(pk=instance).photos) == 1
