"""Cells to wire values: each reader takes a cell's text and the row, and gives the wire value,
or the text as written for the wire field to refuse."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from accidents.choices import DatePrecision, YesNoUnknown
from exchange.columns.cells import FORMULA_START, LIST_SEPARATORS
from exchange.columns.references import References, Vocabulary

Reader = Callable[[str, "RowContext"], Any]


@dataclass
class RowContext:
    """What a cell reader may need beyond the cell: the references and the row's province."""

    references: References
    province: str | None = None


_DAY_FIRST = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_YEAR = re.compile(r"\d{4}")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")
_BOOLEANS: dict[str, bool] = {
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "y": True,
    "n": False,
    "x": True,
}


def read_date(text: str) -> tuple[str, str | None]:
    """(YYYY-MM-DD, the precision the text implies: None for a day, "month" or "year").

    Accepts YYYY-MM-DD, DD/MM/YYYY (the day first, as written in Laos), YYYY-MM and YYYY;
    anything else comes back as written, for the date field to refuse.
    """
    match = _DAY_FIRST.fullmatch(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return datetime.date(year, month, day).isoformat(), None
        except ValueError:
            return text, None
    if _YEAR.fullmatch(text):
        return f"{text}-01-01", DatePrecision.YEAR.value
    match = _YEAR_MONTH.fullmatch(text)
    if match and 1 <= int(match[2]) <= 12:
        return f"{match[1]}-{int(match[2]):02d}-01", DatePrecision.MONTH.value
    return text, None


def read_day(text: str, row: RowContext) -> str:
    value, precision = read_date(text)
    return text if precision else value  # a year or a month alone is refused, as written


def read_accident_date(text: str, row: RowContext) -> str:
    return read_date(text)[0]  # a year or a month alone: its first day (and its precision)


def read_integer(text: str, row: RowContext) -> Any:
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else text


def read_decimal(text: str, row: RowContext) -> str:
    return text.replace(",", "") if _THOUSANDS.fullmatch(text) else text


YES_NO = Vocabulary(YesNoUnknown)


def read_boolean(text: str, row: RowContext) -> Any:
    value = _BOOLEANS.get(text.casefold())
    if value is not None:
        return value
    code = YES_NO.read(text)
    return {"yes": True, "no": False}.get(code, text)


def read_text(text: str, row: RowContext) -> str:
    if text[:1] == "'" and text[1:2] in FORMULA_START:  # written so by a CSV export
        return text[1:]
    return text


def read_choice(choices: type[models.TextChoices]) -> Reader:
    vocabulary = Vocabulary(choices)
    return lambda text, row: vocabulary.read(text)


def read_choice_list(choices: type[models.TextChoices]) -> Reader:
    vocabulary = Vocabulary(choices)
    return lambda text, row: [
        vocabulary.read(item.strip()) for item in LIST_SEPARATORS.split(text) if item.strip()
    ]


def read_province(text: str, row: RowContext) -> str:
    return row.references.province(text)


def read_district(text: str, row: RowContext) -> str:
    return row.references.district(text, row.province)


def read_organisation(text: str, row: RowContext) -> str:
    return row.references.organisation(text)


def read_service_type(text: str, row: RowContext) -> str:
    return row.references.service_type(text)


def read_ordnance_type(text: str, row: RowContext) -> str:
    return row.references.ordnance_type(text)
