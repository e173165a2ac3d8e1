"""The XLSForms of `uxo_accident` and `uxo_assistance`: rows of the `survey`, `choices` and
`settings` sheets, built from the data dictionary's rules and the reference rows.

The rules live here as XPath so Collect stops most invalid data on the tablet; the engine still
validates every record (a form can be old or adapted by someone). Question names are the
dictionary's field names (docs/odk.md): the submission parser relies on them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from accidents import choices as accident_choices
from accidents.models import EARLIEST_ACCIDENT, LATITUDE_RANGE, LONGITUDE_RANGE, Accident
from fieldsync.fields.attachments import MAX_ATTACHMENTS
from odk.forms import reference
from odk.forms.reference import ReferenceRows
from victims import choices as victim_choices
from victims.models import Assistance, Victim

Row = dict[str, str]
XLSForm = dict[str, list[Row]]

ENGLISH = "English (en)"
LAO = "Lao (lo)"
ACCIDENT_FORM = "uxo_accident"
ASSISTANCE_FORM = "uxo_assistance"
VICTIMS_CSV = "victims.csv"
ASSISTANCE_CSV = "assistance.csv"

# Consent given (self or guardian): the only case where personal fields may be filled.
CONSENT_GIVEN = "${consent} != '' and ${consent} != 'none'"
NOT_FUTURE = _("The date cannot be in the future.")


class Interpolated:
    """A lazy string and its %-parameters: formatted only when rendered in a language."""

    def __init__(self, text: Any, **params: Any) -> None:
        self.text = text
        self.params = params

    def __str__(self) -> str:
        return str(self.text) % self.params


def columns(rows: Iterable[Row]) -> list[str]:
    """A sheet's columns: every key of its rows, in the order they first appear."""
    return list(dict.fromkeys(key for row in rows for key in row))


def bilingual(column: str, text: Any) -> Row:
    """`column` in English and Lao: a lazy string rendered in each language."""
    with override("en"):
        english = str(text)
    with override("lo"):
        lao = str(text)
    return {f"{column}::{ENGLISH}": english, f"{column}::{LAO}": lao}


def question(
    kind: str,
    name: str,
    label: Any = None,
    *,
    hint: Any = None,
    message: Any = None,
    **columns: str,
) -> Row:
    """One survey row: labels, hints and constraint messages in both languages."""
    row: Row = {"type": kind, "name": name, **columns}
    if label is not None:
        row |= bilingual("label", label)
    if hint is not None:
        row |= bilingual("hint", hint)
    if message is not None:
        row |= bilingual("constraint_message", message)
    return row


def calculate(name: str, calculation: str) -> Row:
    return {"type": "calculate", "name": name, "calculation": calculation}


def max_length(model: type[models.Model], field: str) -> int:
    """The model's column length is the dictionary's "text ≤ N" (one source)."""
    length = model._meta.get_field(field).max_length
    if length is None:
        raise ValueError(f"{model.__name__}.{field} has no length limit")
    return length


def text(model: type[models.Model], name: str, label: Any, **columns: str) -> Row:
    """A text question limited to its model field's length."""
    limit = max_length(model, name)
    return question(
        "text",
        name,
        label,
        constraint=f"string-length(.) <= {limit}",
        message=Interpolated(_("At most %(count)s characters."), count=limit),
        **columns,
    )


def photos(repeat: str, name: str, label: Any, **columns: str) -> list[Row]:
    """A repeat of one image each, at most the attachment limit (attachments.md)."""
    return [
        question("begin_repeat", repeat, label, **columns),
        question(
            "image",
            name,
            label,
            constraint=f"position(..) <= {MAX_ATTACHMENTS}",
            message=Interpolated(_("At most %(count)s files."), count=MAX_ATTACHMENTS),
        ),
        {"type": "end_repeat", "name": repeat},
    ]


def vocabulary(list_name: str, choices: Iterable[tuple[str, Any]]) -> list[Row]:
    """Choice rows of a vocabulary (TextChoices' `choices`: labels already translated)."""
    return [
        {"list_name": list_name, "name": code} | bilingual("label", label)
        for code, label in choices
    ]


def named(list_name: str, code: str, english: str, lao: str, **columns: str) -> Row:
    """A reference row as a choice: its Lao name when it has one, its English name otherwise."""
    return {
        "list_name": list_name,
        "name": code,
        f"label::{ENGLISH}": english,
        f"label::{LAO}": lao or english,
        **columns,
    }


def yes_no() -> list[Row]:
    yes, no = accident_choices.YesNoUnknown.YES, accident_choices.YesNoUnknown.NO
    return vocabulary("yes_no", [(yes.value, yes.label), (no.value, no.label)])


def settings(form_id: str, title: Any, version: str, instance_name: str) -> list[Row]:
    """One settings row; the title in English (an XForm title has no translations)."""
    with override("en"):
        english_title = str(title)
    return [
        {
            "form_id": form_id,
            "form_title": english_title,
            "version": version,
            "default_language": ENGLISH,
            "instance_name": instance_name,
        }
    ]


def accident_survey() -> list[Row]:
    """The accident, its photos, and a repeat of its direct victims with optional referrals."""
    lat, lon = LATITUDE_RANGE, LONGITUDE_RANGE
    in_laos = (
        f"selected-at(., 0) >= {lat[0]} and selected-at(., 0) <= {lat[1]}"
        f" and selected-at(., 1) >= {lon[0]} and selected-at(., 1) <= {lon[1]}"
    )
    return [
        question(
            "date",
            "occurred_on",
            _("Date of the accident"),
            hint=_("Not before 1 January 1964."),
            required="yes",
            constraint=f". <= today() and . >= date('{EARLIEST_ACCIDENT.isoformat()}')",
            message=_("Between 1 January 1964 and today."),
        ),
        question(
            "select_one date_precision",
            "date_precision",
            _("How precise is the date?"),
            hint=_("Old accidents recalled by survivors may be known to the month or year."),
            required="yes",
            default=accident_choices.DatePrecision.DAY.value,
        ),
        question(
            "select_one time_of_day",
            "time_of_day",
            _("Time of day"),
            required="yes",
            default=accident_choices.TimeOfDay.UNKNOWN.value,
        ),
        question("select_one province", "province", _("Province"), required="yes"),
        question(
            "select_one district",
            "district",
            _("District"),
            required="yes",
            choice_filter="province=${province}",
        ),
        text(Accident, "village", _("Village")),
        question(
            "geopoint",
            "location",
            _("Location of the accident"),
            hint=_("Optional: record it at the accident site."),
            constraint=in_laos,
            message=_("The location must be inside Lao PDR."),
        ),
        calculate("latitude", "if(${location} != '', selected-at(${location}, 0), '')"),
        calculate("longitude", "if(${location} != '', selected-at(${location}, 1), '')"),
        calculate("location_accuracy_m", "if(${location} != '', selected-at(${location}, 3), '')"),
        question(
            "select_one classification", "classification", _("Classification"), required="yes"
        ),
        question(
            "select_one device_category", "device_category", _("Device category"), required="yes"
        ),
        question(
            "select_one ordnance_type",
            "ordnance_type",
            _("Ordnance type"),
            hint=_("Optional: the types of the chosen device category."),
            choice_filter="device_category=${device_category}",
        ),
        question("select_one activity", "activity", _("Activity at the time"), required="yes"),
        question(
            "select_one yes_no_unknown",
            "ordnance_moved_before",
            _("Was the ordnance moved before the accident?"),
            default=accident_choices.YesNoUnknown.UNKNOWN.value,
        ),
        question(
            "select_one yes_no_unknown",
            "prior_risk_education",
            _("Had the victims received risk education?"),
            default=accident_choices.YesNoUnknown.UNKNOWN.value,
        ),
        text(Accident, "description", _("Description"), appearance="multiline"),
        *photos("accident_photos", "accident_photo", _("Photo of the site or the ordnance")),
        question("begin_repeat", "victim", _("Victim (killed or injured)")),
        *victim_questions(),
        {"type": "end_repeat", "name": "victim"},
    ]


def victim_questions() -> list[Row]:
    """One direct victim: personal fields only with consent, then an optional referral."""
    referred = "${referral} = 'yes'"
    return [
        calculate("victim_id", "once(uuid())"),
        question("select_one outcome", "outcome", _("Outcome"), required="yes"),
        question("select_one sex", "sex", _("Sex"), required="yes"),
        question(
            "integer",
            "age_years",
            _("Age (years)"),
            constraint=f". >= 0 and . <= {victim_choices.MAX_AGE}",
            message=Interpolated(_("Between 0 and %(max)s years."), max=victim_choices.MAX_AGE),
        ),
        question(
            "select_one yes_no",
            "age_estimated",
            _("Is the age estimated?"),
            relevant="${age_years} != ''",
        ),
        question(
            "select_one civilian_status",
            "civilian_status",
            _("Civilian status"),
            default=victim_choices.CivilianStatus.CIVILIAN.value,
        ),
        question(
            "select_one role", "role", _("Role"), default=victim_choices.VictimRole.UNKNOWN.value
        ),
        question("select_multiple injury", "injuries", _("Injuries")),
        question(
            "select_one consent",
            "consent",
            _("Consent to record personal data"),
            hint=_("Without consent, no name, date of birth, phone or photo is recorded."),
            required="yes",
        ),
        text(Victim, "full_name", _("Full name"), relevant=CONSENT_GIVEN),
        question(
            "date",
            "date_of_birth",
            _("Date of birth"),
            relevant=CONSENT_GIVEN,
            constraint=". <= today()",
            message=NOT_FUTURE,
        ),
        text(Victim, "phone", _("Phone"), relevant=CONSENT_GIVEN),
        text(
            Victim,
            "guardian_name",
            _("Guardian's name"),
            hint=_("Expected for children."),
            relevant=CONSENT_GIVEN,
        ),
        question("image", "consent_document", _("Consent document"), relevant=CONSENT_GIVEN),
        *photos("victim_photos", "victim_photo", _("Photo of the victim"), relevant=CONSENT_GIVEN),
        question("select_one yes_no", "referral", _("Refer the victim for assistance?")),
        calculate("assistance_id", "once(uuid())"),
        question("select_one pillar", "pillar", _("Pillar"), required="yes", relevant=referred),
        question(
            "select_one service_type",
            "service_type",
            _("Service type"),
            relevant=referred,
            choice_filter="pillar=${pillar}",
        ),
        question(
            "select_one organisation",
            "provider_organisation",
            _("Provider organisation"),
            required="yes",
            relevant=referred,
        ),
    ]


def assistance_survey() -> list[Row]:
    """A service for a victim of `victims.csv`: new, or an update of one of `assistance.csv`."""
    new_record = "${assistance_id} = ''"
    return [
        question(
            f"select_one_from_file {VICTIMS_CSV}",
            "victim",
            _("Victim"),
            hint=_("Accident reference, sex, age and village."),
            required="yes",
            appearance="autocomplete",
        ),
        question(
            f"select_one_from_file {ASSISTANCE_CSV}",
            "assistance_id",
            _("Assistance record to update"),
            hint=_("Leave empty to record a new need, referral or service."),
            choice_filter="victim=${victim}",
        ),
        calculate(
            "base_version",
            "if(${assistance_id} != '',"
            " instance('assistance')/root/item[name=${assistance_id}]/version, '')",
        ),
        question("select_one pillar", "pillar", _("Pillar"), required=new_record),
        question(
            "select_one service_type",
            "service_type",
            _("Service type"),
            choice_filter="pillar=${pillar}",
        ),
        question(
            "select_one organisation",
            "provider_organisation",
            _("Provider organisation"),
            required=new_record,
        ),
        question("select_one assistance_status", "status", _("Status"), required=new_record),
        question("date", "started_on", _("Started on")),
        question(
            "date",
            "completed_on",
            _("Completed on"),
            hint=_("Required when the status is completed."),
            required="${status} = 'completed'",
            constraint="${started_on} = '' or . >= ${started_on}",
            message=_("Cannot be before the start date."),
        ),
        question(
            "decimal",
            "quantity",
            _("Quantity"),
            constraint=". >= 0",
            message=_("Cannot be negative."),
        ),
        text(Assistance, "unit", _("Unit"), relevant="${quantity} != ''"),
        question(
            "decimal",
            "cost_lak",
            _("Cost (kip)"),
            constraint=". >= 0",
            message=_("Cannot be negative."),
        ),
        text(Assistance, "notes", _("Notes"), appearance="multiline"),
        *photos("assistance_documents", "assistance_document", _("Document or receipt")),
    ]


def pillar_and_providers(rows: ReferenceRows) -> list[Row]:
    """The assistance choices both forms share: pillars, service types, organisations."""
    return [
        *vocabulary("pillar", victim_choices.Pillar.choices),
        *(
            named("service_type", code, name, name_lo, pillar=pillar)
            for code, pillar, name, name_lo in rows.service_types
        ),
        *(named("organisation", code, name, name_lo) for code, name, name_lo in rows.organisations),
    ]


def accident_choices_rows(rows: ReferenceRows) -> list[Row]:
    return [
        *yes_no(),
        *vocabulary("yes_no_unknown", accident_choices.YesNoUnknown.choices),
        *vocabulary("date_precision", accident_choices.DatePrecision.choices),
        *vocabulary("time_of_day", accident_choices.TimeOfDay.choices),
        *(named("province", code, en, lo) for code, en, lo in rows.provinces),
        *(named("district", code, en, lo, province=p) for code, p, en, lo in rows.districts),
        *vocabulary("classification", accident_choices.Classification.choices),
        *vocabulary("device_category", accident_choices.DeviceCategory.choices),
        *(
            named("ordnance_type", code, name, "", device_category=category)
            for code, name, category in rows.ordnance_types
        ),
        *vocabulary("activity", accident_choices.Activity.choices),
        *vocabulary("outcome", victim_choices.Outcome.choices),
        *vocabulary("sex", victim_choices.Sex.choices),
        *vocabulary("civilian_status", victim_choices.CivilianStatus.choices),
        *vocabulary("role", victim_choices.VictimRole.choices),
        *vocabulary("injury", victim_choices.Injury.choices),
        *vocabulary("consent", victim_choices.Consent.choices),
        *pillar_and_providers(rows),
    ]


def accident_xlsform(rows: ReferenceRows, *, version: str) -> XLSForm:
    """`uxo_accident`: one accident and its direct victims (docs/odk.md)."""
    return {
        "survey": accident_survey(),
        "choices": accident_choices_rows(rows),
        "settings": settings(
            ACCIDENT_FORM,
            _("UXO accident"),
            version,
            "concat(${occurred_on}, ' ', ${village})",
        ),
    }


def assistance_xlsform(rows: ReferenceRows, *, version: str) -> XLSForm:
    """`uxo_assistance`: one assistance record for a victim of `victims.csv` (docs/odk.md)."""
    return {
        "survey": assistance_survey(),
        "choices": [
            *pillar_and_providers(rows),
            *vocabulary("assistance_status", victim_choices.AssistanceStatus.choices),
        ],
        "settings": settings(
            ASSISTANCE_FORM,
            _("UXO victim assistance"),
            version,
            "concat(${pillar}, ' ', ${status})",
        ),
    }


class FormSpec(NamedTuple):
    """How to build a form, the reference tables it lists, the media files it reads."""

    build: Callable[..., XLSForm]
    tables: frozenset[str]
    media: tuple[str, ...]


FORMS: dict[str, FormSpec] = {
    ACCIDENT_FORM: FormSpec(
        accident_xlsform,
        frozenset(
            {
                reference.PROVINCES,
                reference.DISTRICTS,
                reference.ORDNANCE_TYPES,
                reference.ORGANISATIONS,
                reference.SERVICE_TYPES,
            }
        ),
        (),
    ),
    ASSISTANCE_FORM: FormSpec(
        assistance_xlsform,
        frozenset({reference.ORGANISATIONS, reference.SERVICE_TYPES}),
        (VICTIMS_CSV, ASSISTANCE_CSV),
    ),
}
