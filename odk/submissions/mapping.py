"""An instance's answers as sync records (contract: openrosa.md, Identity), the same records a
tablet would push: question names are the data dictionary's field names, each answer becomes
the wire value its field's spec takes, and files become attachment references.

Empty answers are left out of a new record (the server's defaults apply) and clear the field in
an edit. A victim repeat or a referral that an edit removed is deleted (with its base version, so
a record NRA staff changed meanwhile is a conflict, never silently lost).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element

from accidents.sync import ACCIDENT_FIELDS
from fieldsync.fields import MISSING, Boolean, ChoiceList, FieldError, Integer, Spec
from odk.submissions.parse import Instance, answers
from victims.sync import ASSISTANCE_FIELDS, VICTIM_FIELDS

ACCIDENT_QUESTIONS = (
    "occurred_on",
    "date_precision",
    "time_of_day",
    "province",
    "district",
    "village",
    "classification",
    "device_category",
    "ordnance_type",
    "activity",
    "ordnance_moved_before",
    "prior_risk_education",
    "description",
)
VICTIM_QUESTIONS = (
    "outcome",
    "sex",
    "age_years",
    "age_estimated",
    "civilian_status",
    "role",
    "injuries",
    "full_name",
    "date_of_birth",
    "phone",
    "guardian_name",
    "consent",
)
REFERRAL_QUESTIONS = ("pillar", "service_type", "provider_organisation")
ASSISTANCE_QUESTIONS = (
    "pillar",
    "service_type",
    "provider_organisation",
    "status",
    "started_on",
    "completed_on",
    "quantity",
    "unit",
    "cost_lak",
    "notes",
)
ACCIDENT_REPEATS = frozenset({"victim", "accident_photos", "victim_photos"})
ASSISTANCE_REPEATS = frozenset({"assistance_documents"})
_INTEGER = re.compile(r"[+-]?\d{1,18}")
_BOOLEAN = {"yes": True, "no": False, "true": True, "false": False, "1": True, "0": False}

#: File name in the instance -> its attachment reference (files received so far).
Files = Mapping[str, dict[str, str]]
#: Record id -> the version an edit was made on (None: a record new in this submission).
Bases = Mapping[str, int]


class Mapped:
    """The records of one submission, and the files it names that have not arrived yet."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.files_named: set[str] = set()
        self.files_known: set[str] = set()  # received, for this submission or what it edits

    def upsert(self, model: str, record_id: str, data: dict[str, Any], bases: Bases) -> None:
        self.records.append(
            {
                "model": model,
                "id": record_id,
                "op": "upsert",
                "base_version": bases.get(record_id),
                "data": data,
            }
        )


def _value(spec: Spec, text: str) -> Any:
    """The wire value of one answer (a value a spec refuses is passed on: it is rejected there,
    with the field's message, and the raw record is kept)."""
    if isinstance(spec, ChoiceList):
        return text.split()
    if isinstance(spec, Integer):
        return int(text) if _INTEGER.fullmatch(text) else text
    if isinstance(spec, Boolean):
        return _BOOLEAN.get(text.lower(), text)
    return text


def _fields(
    given: Mapping[str, Any], questions: tuple[str, ...], specs: Mapping[str, Spec], edit: bool
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in questions:
        text = given.get(name)
        if not isinstance(text, str):
            continue  # a question this version of the form did not have
        if text:
            data[name] = _value(specs[name], text)
        elif edit:
            cleared = _cleared(specs[name])
            if cleared is not MISSING:
                data[name] = cleared
    return data


def _cleared(spec: Spec) -> Any:
    try:
        return spec.missing()
    except FieldError:  # a required field: an empty answer leaves it as it is
        return MISSING


def _files(nodes: list[Element], question: str, files: Files, mapped: Mapped) -> list[dict]:
    names = []
    for node in nodes:
        name = answers(node, frozenset()).get(question, "")
        if name:
            names.append(name)
    return _references(names, files, mapped)


def _references(names: list[str], files: Files, mapped: Mapped) -> list[dict]:
    found = []
    for name in names:
        mapped.files_named.add(name)
        if name in files and files[name] not in found:
            found.append(files[name])
    return found


def _location(given: Mapping[str, Any]) -> dict[str, Any]:
    """latitude, longitude and accuracy from the geopoint "lat lon altitude accuracy"."""
    parts = str(given.get("location") or "").split()
    if len(parts) < 2:
        return {
            name: given[name]
            for name in ("latitude", "longitude", "location_accuracy_m")
            if given.get(name)
        }
    located = {"latitude": parts[0], "longitude": parts[1]}
    if len(parts) >= 4:
        located["location_accuracy_m"] = parts[3]
    return located


def accident_records(
    instance: Instance, *, accident_id: str, files: Files, bases: Bases, edit: bool
) -> Mapped:
    """An accident, its direct victims and their referrals, from a `uxo_accident` instance."""
    mapped = Mapped()
    given = answers(instance.root, ACCIDENT_REPEATS)
    accident = _fields(given, ACCIDENT_QUESTIONS, ACCIDENT_FIELDS, edit)
    location = _location(given)
    if location or edit:
        for name in ("latitude", "longitude", "location_accuracy_m"):
            accident[name] = location.get(name)
    photos = _files(given.get("accident_photos", []), "accident_photo", files, mapped)
    if photos or edit:
        accident["photos"] = photos
    mapped.upsert("accident", accident_id, accident, bases)
    for node in given.get("victim", []):
        _victim(node, accident_id=accident_id, files=files, bases=bases, edit=edit, mapped=mapped)
    return mapped


def _victim(
    node: Element, *, accident_id: str, files: Files, bases: Bases, edit: bool, mapped: Mapped
) -> None:
    given = answers(node, frozenset({"victim_photos"}))
    victim_id = _record_id(given.get("victim_id"))
    data = _fields(given, VICTIM_QUESTIONS, VICTIM_FIELDS, edit)
    data["victim_type"] = "direct"
    data["accident"] = accident_id
    photos = _files(given.get("victim_photos", []), "victim_photo", files, mapped)
    consent_file = given.get("consent_document") or ""
    consent_document = _references([consent_file] if consent_file else [], files, mapped)
    for field, found in (("photos", photos), ("consent_document", consent_document)):
        if found or edit:
            data[field] = found
    mapped.upsert("victim", victim_id, data, bases)
    if given.get("referral") == "yes":
        referral = _fields(given, REFERRAL_QUESTIONS, ASSISTANCE_FIELDS, edit=False)
        referral.update(victim=victim_id, status="referred")
        mapped.upsert("assistance", _record_id(given.get("assistance_id")), referral, bases)


def _record_id(text: Any) -> str:
    """A repeat's calculated id (`once(uuid())`); a missing or malformed one is kept as sent so
    that the engine rejects that record with its message (and keeps it for review)."""
    value = str(text or "").strip()
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return value


def assistance_records(
    instance: Instance, *, record_id: str, files: Files, bases: Bases, edit: bool
) -> Mapped:
    """One assistance record (new, or an update of the record chosen) from `uxo_assistance`."""
    mapped = Mapped()
    given = answers(instance.root, ASSISTANCE_REPEATS)
    data = _fields(given, ASSISTANCE_QUESTIONS, ASSISTANCE_FIELDS, edit)
    data["victim"] = _record_id(given.get("victim"))
    documents = _files(given.get("assistance_documents", []), "assistance_document", files, mapped)
    if documents or edit:
        data["documents"] = documents
    mapped.upsert("assistance", record_id, data, bases)
    return mapped


def chosen_update(instance: Instance) -> tuple[str, int | None] | None:
    """In `uxo_assistance`, the existing record chosen for an update and the version the
    device saw (the `version` column of assistance.csv), or None for a new record."""
    given = answers(instance.root, ASSISTANCE_REPEATS)
    chosen = str(given.get("assistance_id") or "").strip()
    if not chosen:
        return None
    seen = str(given.get("base_version") or "").strip()
    return _record_id(chosen), int(seen) if _INTEGER.fullmatch(seen) else None
