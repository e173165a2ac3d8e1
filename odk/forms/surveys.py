"""The questions of both forms, named as docs/odk.md says (the submission parser relies on it),
with the data dictionary's rules as constraints, relevance and choice filters.

The rules live in the form so Collect stops most invalid data on the tablet; the engine still
validates every record (a form can be old, or adapted by someone).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accidents import choices as accident_choices
from accidents.models import EARLIEST_ACCIDENT, LATITUDE_RANGE, LONGITUDE_RANGE, Accident
from odk.forms.rows import Interpolated, Row, calculate, photos, question, text
from victims import choices as victim_choices
from victims.models import Assistance, Victim

VICTIMS_CSV = "victims.csv"
ASSISTANCE_CSV = "assistance.csv"

# Consent given (self or guardian): the only case where personal fields may be filled.
CONSENT_GIVEN = "${consent} != '' and ${consent} != 'none'"
NOT_FUTURE = _("The date cannot be in the future.")


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
