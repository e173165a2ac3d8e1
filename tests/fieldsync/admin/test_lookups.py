"""The engine's lists of raw record data refuse filters on that data to staff who may not see
personal data: a filter answers yes or no about a value the page masks."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.helpers.factories import ConflictFactory, InboxRecordFactory, RecordVersionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changelist", "lookup", "needle", "miss"),
    [
        ("fieldsync_inboxrecord", "payload__data__full_name__startswith", "Som", "Zzz"),
        ("fieldsync_inboxrecord", "payload__icontains", "Somphone", "Zzzzzzzz"),
        ("fieldsync_inboxrecord", "result__icontains", "Somphone", "Zzzzzzzz"),
        ("fieldsync_syncbatch", "records__payload__icontains", "Somphone", "Zzzzzzzz"),
        ("fieldsync_syncbatch", "response__icontains", "Somphone", "Zzzzzzzz"),
        ("fieldsync_recordversion", "data__full_name", "Somphone Vongsa", "Zzz"),
        ("fieldsync_recordversion", "changes__icontains", "Somphone", "Zzzzzzzz"),
        ("fieldsync_conflict", "fields__icontains", "Somphone", "Zzzzzzzz"),
    ],
)
def test_staff_without_the_permission_cannot_filter_on_raw_record_data(
    staff_browser: Client, changelist: str, lookup: str, needle: str, miss: str
) -> None:
    # given a received victim (its batch's response naming it), its version and a conflict
    inbox = InboxRecordFactory.create(result={"full_name": "Somphone Vongsa"})
    inbox.batch.response = {"results": [{"full_name": "Somphone Vongsa"}]}
    inbox.batch.save(update_fields=["response"])
    RecordVersionFactory.create()
    ConflictFactory.create()
    url = reverse(f"admin:{changelist}_changelist")

    # when staff without the personal-data permission filter on the name, and on another
    hit = staff_browser.get(url, {lookup: needle})
    no_hit = staff_browser.get(url, {lookup: miss})

    # then both are refused alike
    assert (hit.status_code, no_hit.status_code) == (400, 400)
    assert hit.content == no_hit.content
