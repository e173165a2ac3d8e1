"""Submissions as ODK Collect sends them: instance XML of the generated forms (the shape JavaRosa
serialises: the form's id and version on the root, `meta/instanceID`), built for protocol tests.
The real engines (JavaRosa, xforms-engine) fill the forms themselves in tests/odk/clients."""

from __future__ import annotations

import base64
import uuid
from typing import Any
from xml.sax.saxutils import escape

from django.test import Client

from odk.forms.build import form_definition
from tests.helpers.sync import PASSWORD

ACCIDENT = {
    "occurred_on": "2026-11-18",
    "date_precision": "day",
    "time_of_day": "morning",
    "province": "LA-XI",
    "district": "0901",
    "village": "Ban Nameuang",
    "location": "19.45 103.2 1100.0 4.5",
    "classification": "civilian",
    "device_category": "cluster_submunition",
    "ordnance_type": "BLU-26",
    "activity": "farming",
    "ordnance_moved_before": "no",
    "prior_risk_education": "yes",
    "description": "Hoe struck a bomblet while clearing the rice field.",
}
CHILD = {
    "outcome": "injured",
    "sex": "male",
    "age_years": "12",
    "age_estimated": "no",
    "civilian_status": "civilian",
    "role": "handler",
    "injuries": "hand_fingers burns",
    "consent": "guardian",
    "full_name": "Somchai K.",
    "guardian_name": "Bounmy K.",
    "referral": "yes",
    "pillar": "physical_rehabilitation",
    "service_type": "prosthesis",
    "provider_organisation": "COPE",
}
ADULT = {
    "outcome": "killed",
    "sex": "female",
    "age_years": "41",
    "age_estimated": "yes",
    "consent": "none",
    "referral": "no",
}


def _elements(answers: dict[str, Any]) -> str:
    out: list[str] = []
    for name, value in answers.items():
        if isinstance(value, list):  # a repeat: one element per instance
            out.extend(f"<{name}>{_elements(item)}</{name}>" for item in value)
        else:
            out.append(f"<{name}>{escape(str(value))}</{name}>")
    return "".join(out)


def instance_xml(
    form_id: str,
    answers: dict[str, Any],
    *,
    instance_id: uuid.UUID,
    deprecated_id: uuid.UUID | None = None,
    version: str | None = None,
) -> bytes:
    form = form_definition(form_id)
    assert form is not None
    meta = f"<instanceID>uuid:{instance_id}</instanceID>"
    if deprecated_id is not None:
        meta += f"<deprecatedID>uuid:{deprecated_id}</deprecatedID>"
    return (
        "<?xml version='1.0' ?>"
        f'<data xmlns:jr="http://openrosa.org/javarosa" id="{form_id}" '
        f'version="{version or form.version}">'
        f"{_elements(answers)}<meta>{meta}</meta></data>"
    ).encode()


def accident_answers(*victims: dict[str, Any], **changes: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {**ACCIDENT, **changes}
    answers["victim"] = [
        {"victim_id": str(victim.pop("victim_id", uuid.uuid4())), **victim}
        | ({"assistance_id": victim.get("assistance_id") or str(uuid.uuid4())})
        for victim in (dict(v) for v in victims)
    ]
    return answers


def basic(username: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {
        "HTTP_AUTHORIZATION": f"Basic {token}",
        "HTTP_X_OPENROSA_VERSION": "1.0",
        "HTTP_ACCEPT_LANGUAGE": "en",  # Collect sends none: the answer would be in Lao
    }


def submit(
    client: Client,
    xml: bytes,
    *,
    auth: dict[str, str],
    files: dict[str, bytes] | None = None,
    url: str = "/openrosa/submission",
) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data: dict[str, Any] = {
        "xml_submission_file": SimpleUploadedFile("submission.xml", xml, "text/xml")
    }
    for name, content in (files or {}).items():
        data[name] = SimpleUploadedFile(name, content, "application/octet-stream")
    return client.post(url, data, **auth)
