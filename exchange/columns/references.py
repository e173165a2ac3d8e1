"""Reference data and vocabularies, read by code or by name."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils import translation

from accidents.models import District, OrdnanceType, Province
from exchange.columns.cells import name_key, text_key
from fieldsync.fields import FieldError
from fieldsync.models import Organisation
from victims.models import ServiceType


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
        digits = text.isascii() and text.isdigit()  # str.isdigit() alone takes '²'
        key = text.zfill(2) if digits else text.casefold()  # 9: Excel dropped the 0
        return self.province_codes.get(key) or self.province_codes.get(name_key(text), text)

    def district(self, text: str, province: str | None) -> str:
        """The district code of a code or a name; a name found in several provinces is read in
        the row's province. Raises FieldError when that cannot decide."""
        if text in self.district_codes:
            return text
        if text.isascii() and text.isdigit() and len(text) == 3:  # 901: Excel dropped the 0
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
