"""Refusals stay English on the wire and read in Lao in the admin (fieldsync.messages): every
message the engine gives for a batch of faulty records has a Lao template, its values kept."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from fieldsync.messages import message_translated
from tests.helpers.sync import accident, assistance, victim

pytestmark = pytest.mark.django_db
LAO = re.compile("[\u0e80-\u0eff]")


def refusals(results: list[dict]) -> list[str]:
    return sorted(
        {
            message
            for result in results
            for messages in (result.get("errors") or {}).values()
            for message in (messages if isinstance(messages, list) else [messages])
        }
    )


def test_every_refusal_of_a_faulty_batch_reads_in_lao(tablet):
    # given a batch of records each wrong in its own way
    parent = accident()
    faulty = [
        accident(district="0101"),  # not in Xiengkhouang
        accident(district="9999", province="LA-ZZ"),
        accident(occurred_on="2099-01-01", ordnance_type="NOPE", reporting_organisation="NOBODY"),
        accident(occurred_on="1950-01-01", latitude=40.0),
        accident(longitude=None),
        accident(classification="alien", village="x" * 500, casualties_reported=-1),
        accident(occurred_on="18/11/2026", uxo_moved=3),
        victim(parent["id"], outcome=None, age_years="twelve", date_of_birth="2099-01-01"),
        victim(parent["id"], victim_type="indirect", consent="none"),
        assistance(str(parent["id"]), service_type="magic", status="completed"),
        assistance(str(parent["id"]), service_type="prosthesis", pillar="education"),
    ]

    # when a tablet sends them
    results = tablet.push_ok([parent, *faulty])

    # then on the wire they are English; in the admin each is in Lao, with its values
    messages = refusals(results)
    assert len(messages) >= 15
    assert "Unknown district code '9999'." in messages
    with translation.override("lo"):
        untranslated = [m for m in messages if not LAO.search(message_translated(m))]
        assert untranslated == []
        assert message_translated("Unknown district code '9999'.") == "ບໍ່ຮູ້ຈັກລະຫັດເມືອງ '9999'."
    with translation.override("en"):
        assert [message_translated(m) for m in messages] == messages


def test_a_message_no_template_knows_is_left_as_it_is():
    with translation.override("lo"):
        assert message_translated("Something new.") == "Something new."
