"""Lao dates (config/formats/lo): day/month/year in figures, Lao month names where written out;
English keeps Django's."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.utils import formats, translation

NOVEMBER_27 = datetime.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("language", "date", "year_month", "month_day"),
    [
        ("lo", "27/11/2026", "ພະຈິກ 2026", "27 ພະຈິກ"),
        ("en", "Nov. 27, 2026", "November 2026", "November 27"),
    ],
)
def test_dates_read_as_the_reader_writes_them(language, date, year_month, month_day):
    with translation.override(language):
        assert formats.date_format(NOVEMBER_27) == date
        assert formats.date_format(NOVEMBER_27, "YEAR_MONTH_FORMAT") == year_month
        assert formats.date_format(NOVEMBER_27, "MONTH_DAY_FORMAT") == month_day


def test_a_lao_form_reads_iso_and_lao_dates():
    with translation.override("lo"):
        field = forms.DateField()

        assert field.clean("2026-11-27") == NOVEMBER_27
        assert field.clean("27/11/2026") == NOVEMBER_27
        with pytest.raises(forms.ValidationError) as error:
            field.clean("11/27/2026")
        assert error.value.messages == ["ປ້ອນວັນທີທີ່ຖືກຕ້ອງ."]  # Django's message, in Lao
