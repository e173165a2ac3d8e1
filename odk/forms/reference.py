"""The reference rows the forms list as choices, read once per request, and their fingerprint.

The fingerprint is what decides whether a converted form is still current: the rows' codes,
names, Lao names and parent codes, nothing else (so an unrelated edit, such as an organisation's
kind, does not make every tablet download the forms again).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from accidents.models import District, OrdnanceType, Province
from fieldsync.models import Organisation
from victims.models import ServiceType

PROVINCES = "province"
DISTRICTS = "district"
ORDNANCE_TYPES = "ordnance_type"
ORGANISATIONS = "organisation"
SERVICE_TYPES = "service_type"


@dataclass(frozen=True)
class ReferenceRows:
    """Reference rows as plain tuples; a table a form does not use stays empty."""

    provinces: tuple[tuple[str, str, str], ...] = ()  # code, name_en, name_lo
    districts: tuple[tuple[str, str, str, str], ...] = ()  # code, province, name_en, name_lo
    ordnance_types: tuple[tuple[str, str, str], ...] = ()  # code, name, device_category
    organisations: tuple[tuple[str, str, str], ...] = ()  # code, name, name_lo
    service_types: tuple[tuple[str, str, str, str], ...] = ()  # code, pillar, name, name_lo

    def fingerprint(self, *salt: str) -> str:
        """A sha256 of the rows (and of `salt`, e.g. the generator's version)."""
        content = json.dumps([list(salt), *(getattr(self, f) for f in FIELD_OF_TABLE.values())])
        return hashlib.sha256(content.encode()).hexdigest()

    def only(self, tables: Iterable[str]) -> ReferenceRows:
        """These rows restricted to `tables` (a form's fingerprint ignores the others)."""
        return ReferenceRows(
            **{FIELD_OF_TABLE[table]: getattr(self, FIELD_OF_TABLE[table]) for table in tables}
        )


FIELD_OF_TABLE = {
    PROVINCES: "provinces",
    DISTRICTS: "districts",
    ORDNANCE_TYPES: "ordnance_types",
    ORGANISATIONS: "organisations",
    SERVICE_TYPES: "service_types",
}


def reference_rows(tables: Iterable[str]) -> ReferenceRows:
    """The rows of `tables` in a stable order: one query per table, values only."""
    wanted = set(tables)
    rows: dict[str, tuple] = {}
    if PROVINCES in wanted:
        rows["provinces"] = tuple(
            Province.objects.order_by("lsb_code", "code").values_list("code", "name_en", "name_lo")
        )
    if DISTRICTS in wanted:
        rows["districts"] = tuple(
            District.objects.order_by("code").values_list(
                "code", "province_id", "name_en", "name_lo"
            )
        )
    if ORDNANCE_TYPES in wanted:
        rows["ordnance_types"] = tuple(
            OrdnanceType.objects.order_by("device_category", "code").values_list(
                "code", "name", "device_category"
            )
        )
    if ORGANISATIONS in wanted:
        rows["organisations"] = tuple(
            Organisation.objects.order_by("code").values_list("code", "name", "name_lo")
        )
    if SERVICE_TYPES in wanted:
        rows["service_types"] = tuple(
            ServiceType.objects.order_by("pillar", "code").values_list(
                "code", "pillar", "name", "name_lo"
            )
        )
    return ReferenceRows(**rows)
