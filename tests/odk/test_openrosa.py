"""The OpenRosa endpoints as Collect calls them (contract: openrosa.md): the challenge, the
throttle, per-role form lists, hashes, manifests, token URLs, HEAD and the size limit."""

from __future__ import annotations

import hashlib
import uuid
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from fieldsync.models import Device, LoginFailure, Role
from fieldsync.services.auth import token_hash
from odk.forms.build import form_definition
from odk.models import Submission
from tests.odk.instances import ADULT, accident_answers, basic, instance_xml, submit

LIST = "{http://openrosa.org/xforms/xformsList}"
MANIFEST = "{http://openrosa.org/xforms/xformsManifest}"
RESPONSE = "{http://openrosa.org/http/response}"
pytestmark = pytest.mark.usefixtures("seeded")


def _forms(response) -> dict:
    root = ET.fromstring(response.content)  # noqa: S314
    return {
        xform.findtext(f"{LIST}formID"): {
            child.tag.removeprefix(LIST): child.text or "" for child in xform
        }
        for xform in root.iter(f"{LIST}xform")
    }


def _message(response) -> str:
    return ET.fromstring(response.content).findtext(f"{RESPONSE}message") or ""  # noqa: S314


def test_a_request_without_credentials_is_challenged_with_basic(client: Client) -> None:
    response = client.get(
        "/openrosa/formList", HTTP_X_OPENROSA_VERSION="1.0", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="fieldsync", charset="UTF-8"'
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert _message(response) == "Sign in with your fieldsync username and password."


def test_wrong_passwords_count_towards_the_login_throttle(client: Client, make_user) -> None:
    make_user("surveyor-halo")

    answers = [
        client.get("/openrosa/formList", **basic("surveyor-halo", "wrong")).status_code
        for _ in range(10)
    ]
    throttled = client.get("/openrosa/formList", **basic("surveyor-halo"))

    assert answers == [401] * 10
    assert LoginFailure.objects.filter(username="surveyor-halo").count() == 10
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert "Too many failed sign-ins" in _message(throttled)


def test_a_deactivated_account_is_refused(client: Client, make_user) -> None:
    user = make_user("surveyor-halo")
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = client.get("/openrosa/formList", **basic("surveyor-halo"))

    assert response.status_code == 401
    assert "WWW-Authenticate" in response


def test_a_surveyor_lists_both_forms_with_the_hash_of_what_downloads(
    client: Client, make_user
) -> None:
    make_user("surveyor-halo")

    listed = _forms(client.get("/openrosa/formList", **basic("surveyor-halo")))

    assert sorted(listed) == ["uxo_accident", "uxo_assistance"]
    for form_id, entry in listed.items():
        downloaded = client.get(entry["downloadUrl"], **basic("surveyor-halo"))
        assert downloaded.status_code == 200
        assert entry["hash"] == "md5:" + hashlib.md5(downloaded.content).hexdigest()  # noqa: S324
        assert entry["version"] == form_definition(form_id).version
    assert "manifestUrl" not in listed["uxo_accident"]
    assert listed["uxo_assistance"]["manifestUrl"] == (
        "http://testserver/openrosa/forms/uxo_assistance/manifest"
    )


def test_a_partner_lists_only_the_assistance_form_and_cannot_download_the_other(
    client: Client, make_user
) -> None:
    make_user("cope", role=Role.PARTNER, organisation="COPE")

    listed = _forms(client.get("/openrosa/formList", **basic("cope")))
    refused = client.get("/openrosa/forms/uxo_accident/form.xml", **basic("cope"))

    assert sorted(listed) == ["uxo_assistance"]
    assert refused.status_code == 404
    assert refused["X-OpenRosa-Version"] == "1.0"


def test_the_form_list_filters_by_form_id(client: Client, make_user) -> None:
    make_user("surveyor-halo")

    listed = _forms(
        client.get("/openrosa/formList", {"formID": "uxo_assistance"}, **basic("surveyor-halo"))
    )

    assert sorted(listed) == ["uxo_assistance"]


def test_the_manifest_hash_is_that_of_the_media_and_changes_with_the_data(
    client: Client, make_user
) -> None:
    make_user("surveyor-halo")
    auth = basic("surveyor-halo")

    def media() -> dict:
        root = ET.fromstring(  # noqa: S314
            client.get("/openrosa/forms/uxo_assistance/manifest", **auth).content
        )
        files = {}
        for entry in root.iter(f"{MANIFEST}mediaFile"):
            content = client.get(entry.findtext(f"{MANIFEST}downloadUrl"), **auth).content
            files[entry.findtext(f"{MANIFEST}filename")] = (
                entry.findtext(f"{MANIFEST}hash"),
                content,
            )
        return files

    before = media()
    submit(
        client,
        instance_xml("uxo_accident", accident_answers(ADULT), instance_id=uuid.uuid4()),
        auth=auth,
    )
    after = media()

    assert sorted(before) == ["assistance.csv", "victims.csv"]
    for digest, content in after.values():
        assert digest == "md5:" + hashlib.md5(content).hexdigest()  # noqa: S324
    assert after["victims.csv"][0] != before["victims.csv"][0]
    assert after["victims.csv"][1].count(b"\n") == before["victims.csv"][1].count(b"\n") + 1


def test_head_submission_announces_the_size_limit(client: Client, make_user) -> None:
    make_user("surveyor-halo")

    response = client.head("/openrosa/submission", **basic("surveyor-halo"))

    assert response.status_code == 204
    assert response["X-OpenRosa-Accept-Content-Length"] == str(50 * 1024 * 1024)
    assert response["X-OpenRosa-Version"] == "1.0"


@override_settings(
    FIELDSYNC={
        **settings.FIELDSYNC,
        "ODK_SUBMISSION_MAX_BYTES": 2000,
    }
)
def test_a_submission_over_the_limit_is_413_and_stores_nothing(client: Client, make_user) -> None:
    make_user("surveyor-halo")
    xml = instance_xml("uxo_accident", accident_answers(ADULT), instance_id=uuid.uuid4())

    response = submit(client, xml, auth=basic("surveyor-halo"), files={"a.jpg": b"x" * 3000})

    assert response.status_code == 413
    assert "larger than the server takes (2000 bytes)" in _message(response)
    assert not Submission.objects.exists()


def test_a_token_url_authenticates_as_its_device_and_keeps_the_token_in_urls(
    client: Client, make_user
) -> None:
    user = make_user("surveyor-halo")
    Device.objects.create(
        user=user, name="Collect 1", token_hash=token_hash("t0ken"), app_version="odk-collect"
    )

    listed = _forms(client.get("/openrosa/key/t0ken/formList"))

    assert listed["uxo_accident"]["downloadUrl"] == (
        "http://testserver/openrosa/key/t0ken/forms/uxo_accident/form.xml"
    )
    assert client.get(listed["uxo_accident"]["downloadUrl"]).status_code == 200


def test_a_revoked_or_unknown_token_is_401(client: Client, make_user) -> None:
    user = make_user("surveyor-halo")
    Device.objects.create(
        user=user,
        name="lost phone",
        token_hash=token_hash("lost"),
        app_version="odk-collect",
        revoked_at=timezone.now(),
    )

    revoked = client.get("/openrosa/key/lost/formList", HTTP_ACCEPT_LANGUAGE="en")
    unknown = client.get("/openrosa/key/nothing/formList", HTTP_ACCEPT_LANGUAGE="en")

    assert revoked.status_code == 401
    assert "revoked" in _message(revoked)
    assert unknown.status_code == 401
    assert "not valid" in _message(unknown)


def test_a_method_the_address_does_not_take_is_405_in_openrosa(client: Client) -> None:
    response = client.delete("/openrosa/submission", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 405
    assert response["Allow"] == "HEAD, GET, POST"
    assert _message(response) == "This address does not take DELETE."


def test_in_maintenance_a_submission_is_503_with_retry_after(client: Client, make_user) -> None:
    make_user("surveyor-halo")
    xml = instance_xml("uxo_accident", accident_answers(ADULT), instance_id=uuid.uuid4())

    with override_settings(FIELDSYNC={**settings.FIELDSYNC, "MAINTENANCE": True}):
        response = submit(client, xml, auth=basic("surveyor-halo"))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "maintenance" in _message(response)
    assert not Submission.objects.exists()


def test_a_collect_token_opens_openrosa_only_and_a_tablet_token_not_openrosa(
    client: Client, make_user
) -> None:
    user = make_user("surveyor-halo")
    Device.objects.create(
        user=user, name="Collect", token_hash=token_hash("collect"), app_version="odk-collect"
    )
    Device.objects.create(user=user, name="tablet", token_hash=token_hash("tablet"))

    sync_pull = client.get("/api/v1/sync/pull/", HTTP_AUTHORIZATION="Token collect")
    tablet_on_openrosa = client.get("/openrosa/key/tablet/formList")

    assert sync_pull.status_code == 401
    assert sync_pull.json()["code"] == "invalid_token"
    assert tablet_on_openrosa.status_code == 401


def test_a_token_url_never_reaches_a_log_line() -> None:
    import logging

    from config.log_filters import RedactTokenUrls

    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        ("/openrosa/key/s3cret-token/forms/x/form.xml",),
        None,
    )

    RedactTokenUrls().filter(record)

    mapping = logging.LogRecord(
        "odk",
        logging.INFO,
        __file__,
        1,
        "%(path)s in %(ms)d ms",
        ({"path": "/openrosa/key/s3cret/formList", "ms": 3},),
        None,
    )
    RedactTokenUrls().filter(mapping)

    assert record.getMessage() == "Not Found: /openrosa/key/***/forms/x/form.xml"
    assert mapping.getMessage() == "/openrosa/key/***/formList in 3 ms"
