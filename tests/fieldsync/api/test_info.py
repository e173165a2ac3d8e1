"""GET /api/v1/sync/info/: what the server takes, so a tablet can size its batches."""

from __future__ import annotations

import datetime

from django.utils import timezone

REFERENCE_MODELS = {"province", "district", "ordnance_type", "organisation", "service_type"}
RECORD_MODELS = {"accident", "victim", "assistance"}


def test_info_gives_the_schema_and_the_limits_from_settings(tablet, settings):
    # given limits configured for this server
    settings.FIELDSYNC = {**settings.FIELDSYNC, "MAX_BATCH_RECORDS": 250, "MAX_BATCH_BYTES": 123456}

    # when a tablet asks for the capabilities
    response = tablet.client.get("/api/v1/sync/info/", **tablet.headers)

    # then it gets schema version 1 and those limits
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["schema_version"], body["min_schema_version"]) == (1, 1)
    assert (body["max_batch_records"], body["max_batch_bytes"]) == (250, 123456)


def test_info_gives_the_server_time_with_its_timezone(tablet):
    # given a tablet whose clock cannot be trusted
    # when it asks for the capabilities
    before = timezone.now()
    server_time = tablet.client.get("/api/v1/sync/info/", **tablet.headers).json()["server_time"]
    after = timezone.now()

    # then the server's own time comes back, ISO 8601 with an offset
    parsed = datetime.datetime.fromisoformat(server_time)
    assert parsed.tzinfo is not None
    assert parsed.utcoffset() is not None
    slack = datetime.timedelta(seconds=2)
    assert before - slack <= parsed <= after + slack


def test_info_lists_every_wire_model_and_which_ones_a_tablet_may_push(tablet):
    # given the registered models
    # when a tablet asks for the capabilities
    models = tablet.client.get("/api/v1/sync/info/", **tablet.headers).json()["models"]

    # then all eight are listed once; only accidents, victims and assistance are pushable
    assert len(models) == 8
    assert {model["name"]: model["pushable"] for model in models} == {
        **{name: True for name in RECORD_MODELS},
        **{name: False for name in REFERENCE_MODELS},
    }
    assert {model["name"] for model in models if model["reference"]} == REFERENCE_MODELS
