"""Spreadsheet columns and the data dictionary's wire fields, both ways.

An import sheet holds one kind of record: a `legacy_id` column (the record's id in the NRA's
older spreadsheet or database), the wire fields under their data-dictionary names, and the
parent's legacy id for victims (`accident_legacy_id`, `related_victim_legacy_id`) and assistance
(`victim_legacy_id`). Cells are read leniently (vocabulary codes or their English or Lao labels,
provinces and districts by code or name, dates as YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY) and
turned into wire values; whatever cannot be read is passed on as written, so the adapters'
`validate` refuses it with the message a tablet would get.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import models
from django.utils import translation

from accidents.choices import (
    Activity,
    Classification,
    DatePrecision,
    DeviceCategory,
    TimeOfDay,
    YesNoUnknown,
)
from accidents.models import District, OrdnanceType, Province
from accidents.sync import ACCIDENT_FIELDS
from fieldsync.fields import FieldError, Spec
from fieldsync.models import Organisation
from victims.choices import (
    PERSONAL_FIELDS,
    AssistanceStatus,
    CivilianStatus,
    Consent,
    Injury,
    Outcome,
    Pillar,
    Relationship,
    Sex,
    VictimRole,
    VictimType,
)
from victims.models import ServiceType
from victims.sync import ASSISTANCE_FIELDS, VICTIM_FIELDS

Cell = Any  # what a reader gives: str, int, float, bool, date, datetime or None

# Sheet and file names -> wire model.
KINDS: Mapping[str, str] = {
    "accidents": "accident",
    "victims": "victim",
    "assistance": "assistance",
}
SHEET_NAMES: Mapping[str, str] = {model: name for name, model in KINDS.items()}
LEGACY_ID = "legacy_id"
MAX_LEGACY_ID = 100
LIST_SEPARATORS = re.compile(r"[;\n]")
# A CSV export writes free text that a spreadsheet would run as a formula behind an apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_key(text: str) -> str:
    """How labels compare: Unicode-normalised (Lao vowel forms), case and spacing ignored."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def name_key(text: str) -> str:
    """How place and organisation names compare: also without spaces, hyphens and dots
    ("Xieng Khouang" is "Xiengkhouang")."""
    return re.sub(r"[\s\-'.]", "", unicodedata.normalize("NFKC", text).casefold())


def cell_text(value: Cell) -> str:
    """A cell as text, stripped; "" when empty. Whole numbers read as integers (12.0 -> "12")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def header_key(value: Cell) -> str:
    """A header cell as a column name: "Occurred on" and "occurred-on" are `occurred_on`."""
    return re.sub(r"[\s\-]+", "_", cell_text(value).casefold())


# -- reference data and vocabularies -------------------------------------------------------------
class Vocabulary:
    """A controlled vocabulary read from its code, its English label or its Lao label."""

    def __init__(self, choices: type[models.TextChoices]) -> None:
        self.choices = choices
        self._codes: dict[str, str] | None = None

    @property
    def codes(self) -> dict[str, str]:
        if self._codes is None:
            codes: dict[str, str] = {}
            for code, label in self.choices.choices:
                for language in ("lo", "en"):  # English wins a (theoretical) clash
                    with translation.override(language):
                        codes[text_key(str(label))] = code
            codes.update({text_key(code): code for code in self.choices.values})
            self._codes = codes
        return self._codes

    def read(self, text: str) -> str:
        """The code of `text`, or `text` itself (validation then says it is not a choice)."""
        return self.codes.get(text_key(text), text)


class References:
    """The reference tables by code and by name, read once per import (a handful of queries)."""

    def __init__(self) -> None:
        self.province_codes: dict[str, str] = {}
        for code, lsb_code, name_en, name_lo in Province.objects.values_list(
            "code", "lsb_code", "name_en", "name_lo"
        ):
            for key in (code.casefold(), lsb_code, name_key(name_en), name_key(name_lo)):
                if key:
                    self.province_codes[key] = code
        self.district_codes: dict[str, str] = {}
        self.districts_by_name: dict[str, list[tuple[str, str]]] = {}
        for code, province, name_en, name_lo in District.objects.values_list(
            "code", "province_id", "name_en", "name_lo"
        ):
            self.district_codes[code] = code
            for key in {name_key(name_en), name_key(name_lo)} - {""}:
                self.districts_by_name.setdefault(key, []).append((code, province))
        self.organisation_codes = self._codes_and_names(
            Organisation.objects.values_list("code", "name", "name_lo")
        )
        self.service_type_codes = self._codes_and_names(
            ServiceType.objects.values_list("code", "name", "name_lo")
        )
        self.ordnance_codes = {
            code.casefold(): code for code in OrdnanceType.objects.values_list("code", flat=True)
        }

    @staticmethod
    def _codes_and_names(values: Iterable[tuple[str, str, str]]) -> dict[str, str]:
        rows = list(values)
        codes: dict[str, str] = {}
        for code, name, name_lo in rows:
            for key in (name_key(name), name_key(name_lo)):
                if key:
                    codes.setdefault(key, code)
        for code, _name, _name_lo in rows:
            codes[code.casefold()] = code  # a code wins over a name spelt the same
        return codes

    def province(self, text: str) -> str:
        key = text.zfill(2) if text.isdigit() else text.casefold()  # 9: Excel dropped the 0
        return self.province_codes.get(key) or self.province_codes.get(name_key(text), text)

    def district(self, text: str, province: str | None) -> str:
        """The district code of a code or a name; a name found in several provinces is read in
        the row's province. Raises FieldError when that cannot decide."""
        if text in self.district_codes:
            return text
        if text.isdigit() and len(text) == 3:  # 901: Excel dropped the leading zero
            padded = text.zfill(4)
            if padded in self.district_codes:
                return padded
        found = self.districts_by_name.get(name_key(text), [])
        if len(found) > 1:
            found = [(code, p) for code, p in found if p == province] or found
        if len(found) > 1:
            places = ", ".join(f"{code} in {p}" for code, p in found)
            raise FieldError(
                f"District name '{text}' is used in several provinces ({places}): "
                "give the province or the district code."
            )
        return found[0][0] if found else text

    def organisation(self, text: str) -> str:
        return self._by_code_or_name(self.organisation_codes, text)

    def service_type(self, text: str) -> str:
        return self._by_code_or_name(self.service_type_codes, text)

    def ordnance_type(self, text: str) -> str:
        return self.ordnance_codes.get(text.casefold(), text)

    @staticmethod
    def _by_code_or_name(codes: dict[str, str], text: str) -> str:
        return codes.get(text.casefold()) or codes.get(name_key(text), text)


# -- cells to wire values ------------------------------------------------------------------------
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


def _date(text: str, row: RowContext) -> str:
    value, precision = read_date(text)
    return text if precision else value  # a year or a month alone is refused, as written


def _accident_date(text: str, row: RowContext) -> str:
    return read_date(text)[0]  # a year or a month alone: its first day (and its precision)


def _integer(text: str, row: RowContext) -> Any:
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else text


def _decimal(text: str, row: RowContext) -> str:
    return text.replace(",", "") if _THOUSANDS.fullmatch(text) else text


YES_NO = Vocabulary(YesNoUnknown)


def _boolean(text: str, row: RowContext) -> Any:
    value = _BOOLEANS.get(text.casefold())
    if value is not None:
        return value
    code = YES_NO.read(text)
    return {"yes": True, "no": False}.get(code, text)


def _text(text: str, row: RowContext) -> str:
    if text[:1] == "'" and text[1:2] in FORMULA_START:  # written so by a CSV export
        return text[1:]
    return text


def _choice(choices: type[models.TextChoices]) -> Reader:
    vocabulary = Vocabulary(choices)
    return lambda text, row: vocabulary.read(text)


def _choice_list(choices: type[models.TextChoices]) -> Reader:
    vocabulary = Vocabulary(choices)
    return lambda text, row: [
        vocabulary.read(item.strip()) for item in LIST_SEPARATORS.split(text) if item.strip()
    ]


def _province(text: str, row: RowContext) -> str:
    return row.references.province(text)


def _district(text: str, row: RowContext) -> str:
    return row.references.district(text, row.province)


def _organisation(text: str, row: RowContext) -> str:
    return row.references.organisation(text)


def _service_type(text: str, row: RowContext) -> str:
    return row.references.service_type(text)


def _ordnance_type(text: str, row: RowContext) -> str:
    return row.references.ordnance_type(text)


@dataclass(frozen=True)
class Column:
    """One import column: the wire field it fills (or the parent it names) and how it reads."""

    name: str
    field: str
    read: Reader = _text
    #: For `<parent>_legacy_id` columns: the parent's wire model.
    parent: str | None = None


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of record, in the order of the sample files."""

    model: str
    columns: tuple[Column, ...]
    specs: Mapping[str, Spec]

    def column(self, name: str) -> Column | None:
        return self._by_name.get(name)

    @cached_property
    def _by_name(self) -> dict[str, Column]:
        return {column.name: column for column in self.columns}

    def position(self, column: str) -> int:
        """Where a column comes in the layout (the row as a whole, "", first)."""
        names = [c.name for c in self.columns]
        return names.index(column) + 1 if column in names else 0

    def column_of_field(self, field: str) -> str:
        """The column to blame for a wire field's error ("" for the row as a whole)."""
        for column in self.columns:
            if column.field == field:
                return column.name
        return ""

    def empty_value(self, field: str) -> Any:
        """The wire value of an empty cell: the field's default or blank, or nothing at all
        (the field is left out) when the field is required or defaults to the sender's values."""
        try:
            return self.specs[field].missing()
        except FieldError:
            return _LEAVE_OUT


_LEAVE_OUT: Any = object()


def leaves_out(value: Any) -> bool:
    return value is _LEAVE_OUT


ACCIDENT_LAYOUT = Layout(
    "accident",
    (
        Column(LEGACY_ID, ""),
        Column("occurred_on", "occurred_on", _accident_date),
        Column("date_precision", "date_precision", _choice(DatePrecision)),
        Column("time_of_day", "time_of_day", _choice(TimeOfDay)),
        Column("province", "province", _province),
        Column("district", "district", _district),
        Column("village", "village"),
        Column("latitude", "latitude", _decimal),
        Column("longitude", "longitude", _decimal),
        Column("location_accuracy_m", "location_accuracy_m", _decimal),
        Column("classification", "classification", _choice(Classification)),
        Column("device_category", "device_category", _choice(DeviceCategory)),
        Column("ordnance_type", "ordnance_type", _ordnance_type),
        Column("activity", "activity", _choice(Activity)),
        Column("ordnance_moved_before", "ordnance_moved_before", _choice(YesNoUnknown)),
        Column("prior_risk_education", "prior_risk_education", _choice(YesNoUnknown)),
        Column("description", "description"),
        Column("reporting_organisation", "reporting_organisation", _organisation),
        Column("reported_on", "reported_on", _date),
    ),
    ACCIDENT_FIELDS,
)
VICTIM_LAYOUT = Layout(
    "victim",
    (
        Column(LEGACY_ID, ""),
        Column("victim_type", "victim_type", _choice(VictimType)),
        Column("accident_legacy_id", "accident", parent="accident"),
        Column("related_victim_legacy_id", "related_victim", parent="victim"),
        Column("relationship", "relationship", _choice(Relationship)),
        Column("outcome", "outcome", _choice(Outcome)),
        Column("sex", "sex", _choice(Sex)),
        Column("age_years", "age_years", _integer),
        Column("age_estimated", "age_estimated", _boolean),
        Column("civilian_status", "civilian_status", _choice(CivilianStatus)),
        Column("role", "role", _choice(VictimRole)),
        Column("injuries", "injuries", _choice_list(Injury)),
        Column("full_name", "full_name"),
        Column("date_of_birth", "date_of_birth", _date),
        Column("phone", "phone"),
        Column("guardian_name", "guardian_name"),
        Column("consent", "consent", _choice(Consent)),
    ),
    VICTIM_FIELDS,
)
ASSISTANCE_LAYOUT = Layout(
    "assistance",
    (
        Column(LEGACY_ID, ""),
        Column("victim_legacy_id", "victim", parent="victim"),
        Column("pillar", "pillar", _choice(Pillar)),
        Column("service_type", "service_type", _service_type),
        Column("provider_organisation", "provider_organisation", _organisation),
        Column("status", "status", _choice(AssistanceStatus)),
        Column("started_on", "started_on", _date),
        Column("completed_on", "completed_on", _date),
        Column("quantity", "quantity", _decimal),
        Column("unit", "unit"),
        Column("cost_lak", "cost_lak", _decimal),
        Column("notes", "notes"),
    ),
    ASSISTANCE_FIELDS,
)
LAYOUTS: Mapping[str, Layout] = {
    layout.model: layout for layout in (ACCIDENT_LAYOUT, VICTIM_LAYOUT, ASSISTANCE_LAYOUT)
}


# -- export columns ------------------------------------------------------------------------------
# What an export holds: the record as the partner API shows it (`represent`), in this order.
EXPORT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "accident": (
        "id",
        "reference",
        "status",
        *ACCIDENT_FIELDS,
        "killed",
        "injured",
        "merged_into",
        "version",
        "deleted",
        "updated_at",
    ),
    "victim": ("id", *VICTIM_FIELDS, "age_group", "version", "deleted", "updated_at"),
    "assistance": ("id", *ASSISTANCE_FIELDS, "version", "deleted", "updated_at"),
}
PERSONAL_COLUMNS = frozenset(PERSONAL_FIELDS)


def export_cell(value: Any) -> Any:
    """A wire value as a spreadsheet cell: lists joined by "; " (as imports read them)."""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return value


_ARITHMETIC = re.compile(r"[+\-][\d\s.,()/+\-]*")  # a phone number or a signed number


def csv_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, behind an apostrophe (imports remove it).

    "+856 20 5555 0101" stays as it is: digits and signs alone can call nothing."""
    formula = isinstance(value, str) and value.startswith(FORMULA_START)
    return "'" + value if formula and not _ARITHMETIC.fullmatch(value) else value
