"""The questions of both forms, named as docs/odk.md says (the submission parser relies on it),
with the data dictionary's rules as constraints, relevance and choice filters.

The rules live in the form so Collect stops most invalid data on the tablet; the engine still
validates every record (a form can be old, or adapted by someone).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accidents import choices as accident_choices
from accidents.models import EARLIEST_ACCIDENT, LATITUDE_RANGE, LONGITUDE_RANGE, Accident
from odk.forms.rows import Interpolated, Row, Sentences, calculate, label, photos, question, text
from victims import choices as victim_choices
from victims.models import Assistance, Victim

VICTIMS_CSV = "victims.csv"
ASSISTANCE_CSV = "assistance.csv"

# Consent given (self or guardian): the only case where personal fields may be filled.
CONSENT_GIVEN = "${consent} != '' and ${consent} != 'none'"
# Constraint messages are the engine's refusals (same msgids, already in Lao): the tablet says
# what the server would.
IN_LAOS = _("Coordinates must lie inside Lao PDR (%(field)s %(low)s–%(high)s).")  # noqa: RUF001
AT_LEAST = _("Ensure this value is greater than or equal to %(limit)s.")
AT_MOST = _("Ensure this value is less than or equal to %(limit)s.")


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
            label(Accident, "occurred_on"),
            required="yes",
            constraint=f". <= today() and . >= date('{EARLIEST_ACCIDENT.isoformat()}')",
            message=Sentences(
                _("The accident date cannot be in the future."),
                _("The accident date cannot be before 1 January 1964."),
            ),
        ),
        question(
            "select_one date_precision",
            "date_precision",
            label(Accident, "date_precision"),
            hint=_("Old accidents recalled by survivors may be known to the month or year."),
            required="yes",
            default=accident_choices.DatePrecision.DAY.value,
        ),
        question(
            "select_one time_of_day",
            "time_of_day",
            label(Accident, "time_of_day"),
            required="yes",
            default=accident_choices.TimeOfDay.UNKNOWN.value,
        ),
        question("select_one province", "province", label(Accident, "province"), required="yes"),
        question(
            "select_one district",
            "district",
            label(Accident, "district"),
            required="yes",
            choice_filter="province=${province}",
        ),
        text(Accident, "village"),
        question(
            "geopoint",
            "location",
            _("Location of the accident"),
            hint=_("Optional: record it at the accident site."),
            constraint=in_laos,
            message=Sentences(
                Interpolated(IN_LAOS, field="latitude", low=lat[0], high=lat[1]),
                Interpolated(IN_LAOS, field="longitude", low=lon[0], high=lon[1]),
            ),
        ),
        calculate("latitude", "if(${location} != '', selected-at(${location}, 0), '')"),
        calculate("longitude", "if(${location} != '', selected-at(${location}, 1), '')"),
        calculate("location_accuracy_m", "if(${location} != '', selected-at(${location}, 3), '')"),
        question(
            "select_one classification",
            "classification",
            label(Accident, "classification"),
            required="yes",
        ),
        question(
            "select_one device_category",
            "device_category",
            label(Accident, "device_category"),
            required="yes",
        ),
        question(
            "select_one ordnance_type",
            "ordnance_type",
            label(Accident, "ordnance_type"),
            choice_filter="device_category=${device_category}",
        ),
        question("select_one activity", "activity", label(Accident, "activity"), required="yes"),
        question(
            "select_one yes_no_unknown",
            "ordnance_moved_before",
            label(Accident, "ordnance_moved_before"),
            default=accident_choices.YesNoUnknown.UNKNOWN.value,
        ),
        question(
            "select_one yes_no_unknown",
            "prior_risk_education",
            label(Accident, "prior_risk_education"),
            default=accident_choices.YesNoUnknown.UNKNOWN.value,
        ),
        text(Accident, "description", appearance="multiline"),
        *photos("accident_photos", "accident_photo", label(Accident, "photos")),
        question("begin_repeat", "victim", label(Assistance, "victim")),
        *victim_questions(),
        {"type": "end_repeat", "name": "victim"},
    ]


def victim_questions() -> list[Row]:
    """One direct victim: personal fields only with consent, then an optional referral."""
    referred = "${referral} = 'yes'"
    return [
        calculate("victim_id", "once(uuid())"),
        question("select_one outcome", "outcome", label(Victim, "outcome"), required="yes"),
        question("select_one sex", "sex", label(Victim, "sex"), required="yes"),
        question(
            "integer",
            "age_years",
            label(Victim, "age_years"),
            constraint=f". >= 0 and . <= {victim_choices.MAX_AGE}",
            message=Sentences(
                Interpolated(AT_LEAST, limit=0),
                Interpolated(AT_MOST, limit=victim_choices.MAX_AGE),
            ),
        ),
        question(
            "select_one yes_no",
            "age_estimated",
            label(Victim, "age_estimated"),
            relevant="${age_years} != ''",
        ),
        question(
            "select_one civilian_status",
            "civilian_status",
            label(Victim, "civilian_status"),
            default=victim_choices.CivilianStatus.CIVILIAN.value,
        ),
        question(
            "select_one role",
            "role",
            label(Victim, "role"),
            default=victim_choices.VictimRole.UNKNOWN.value,
        ),
        question("select_multiple injury", "injuries", label(Victim, "injuries")),
        question(
            "select_one consent",
            "consent",
            label(Victim, "consent"),
            hint=_("Without consent, no name, date of birth, phone or photo is recorded."),
            required="yes",
        ),
        text(Victim, "full_name", relevant=CONSENT_GIVEN),
        question(
            "date",
            "date_of_birth",
            label(Victim, "date_of_birth"),
            relevant=CONSENT_GIVEN,
            constraint=". <= today()",
            message=_("The date of birth cannot be in the future."),
        ),
        text(Victim, "phone", relevant=CONSENT_GIVEN),
        text(
            Victim,
            "guardian_name",
            hint=_("Expected for children."),
            relevant=CONSENT_GIVEN,
        ),
        question(
            "image", "consent_document", label(Victim, "consent_document"), relevant=CONSENT_GIVEN
        ),
        *photos("victim_photos", "victim_photo", label(Victim, "photos"), relevant=CONSENT_GIVEN),
        question("select_one yes_no", "referral", _("Refer the victim for assistance?")),
        calculate("assistance_id", "once(uuid())"),
        question(
            "select_one pillar",
            "pillar",
            label(Assistance, "pillar"),
            required="yes",
            relevant=referred,
        ),
        question(
            "select_one service_type",
            "service_type",
            label(Assistance, "service_type"),
            relevant=referred,
            choice_filter="pillar=${pillar}",
        ),
        question(
            "select_one organisation",
            "provider_organisation",
            label(Assistance, "provider_organisation"),
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
            label(Assistance, "victim"),
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
        question("select_one pillar", "pillar", label(Assistance, "pillar"), required=new_record),
        question(
            "select_one service_type",
            "service_type",
            label(Assistance, "service_type"),
            choice_filter="pillar=${pillar}",
        ),
        question(
            "select_one organisation",
            "provider_organisation",
            label(Assistance, "provider_organisation"),
            required=new_record,
        ),
        question(
            "select_one assistance_status",
            "status",
            label(Assistance, "status"),
            required=new_record,
        ),
        question("date", "started_on", label(Assistance, "started_on")),
        question(
            "date",
            "completed_on",
            label(Assistance, "completed_on"),
            hint=_("This field is required when the status is completed."),
            required="${status} = 'completed'",
            constraint="${started_on} = '' or . >= ${started_on}",
            message=_("The completion date cannot be before the start date."),
        ),
        question(
            "decimal",
            "quantity",
            label(Assistance, "quantity"),
            constraint=". >= 0",
            message=Interpolated(AT_LEAST, limit=0),
        ),
        text(Assistance, "unit", relevant="${quantity} != ''"),
        question(
            "decimal",
            "cost_lak",
            label(Assistance, "cost_lak"),
            constraint=". >= 0",
            message=Interpolated(AT_LEAST, limit=0),
        ),
        text(Assistance, "notes", appearance="multiline"),
        *photos("assistance_documents", "assistance_document", label(Assistance, "documents")),
    ]
