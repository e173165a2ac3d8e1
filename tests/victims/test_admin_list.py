"""The victim list reads first as the accident, who and what happened (labels, not codes, no
UUID), filters by province and dates, and keeps names masked for staff without the permission."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from accidents.models import District
from tests.helpers.factories import AccidentFactory, VictimFactory

pytestmark = pytest.mark.django_db
LIST = reverse("admin:victims_victim_changelist")


def _victim_in(district_code: str, reference: str, occurred_on: str, **fields):
    district = District.objects.get(code=district_code)
    accident = AccidentFactory.create(
        reference=reference,
        province=district.province,
        district=district,
        occurred_on=datetime.date.fromisoformat(occurred_on),
    )
    return VictimFactory.create(accident=accident, **fields)


def test_the_list_opens_with_the_accident_and_labels(reviewer_browser, staff_browser):
    # given a killed girl of 9 with an estimated age
    victim = _victim_in(
        "0901",
        "LA-XI-2025-0001",
        "2025-03-01",
        sex="female",
        age_years=9,
        outcome="killed",
        age_estimated=True,
    )

    # when staff without the personal-data permission open the list
    response = staff_browser.get(LIST)

    # then the row reads: the accident, the victim type, sex, age, outcome, masked name
    cl = response.context["cl"]
    assert tuple(cl.list_display[:6]) == (
        "action_checkbox",
        "accident_reference",
        "victim_type",
        "sex",
        "age",
        "outcome",
    )
    table = response.content.decode().split('id="result_list"', 1)[1]
    row = table.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    for text in ("LA-XI-2025-0001", "Direct", "Female", "~9", "Killed", "•••"):
        assert text in row, text
    first_cell = row.split("</td>", 2)[1]  # after the action checkbox
    assert first_cell.endswith('<td class="field-accident_reference">LA-XI-2025-0001')
    assert "field-id" not in row and f">{victim.pk}<" not in row
    assert "Somphone" not in response.content.decode()


def test_province_and_occurrence_date_filters(reviewer_browser):
    _victim_in("0901", "LA-XI-2025-0001", "2025-03-01")
    _victim_in("0901", "LA-XI-2025-0002", "2025-06-01")
    _victim_in("1201", "LA-KH-2025-0001", "2025-03-01")

    response = reviewer_browser.get(
        LIST,
        {
            "accident__province__code__exact": "LA-XI",
            "accident__occurred_on__gte": "2025-02-01",
            "accident__occurred_on__lte": "2025-04-30",
        },
    )

    assert [v.accident.reference for v in response.context["cl"].result_list] == ["LA-XI-2025-0001"]
