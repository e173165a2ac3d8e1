"""The XLSForms of `uxo_accident` and `uxo_assistance`: rows of the `survey`, `choices` and
`settings` sheets, from the questions (`surveys`), the dictionary's vocabularies and the
reference rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from accidents import choices as accident_choices
from odk.forms import reference
from odk.forms.reference import ReferenceRows
from odk.forms.rows import Row, XLSForm, named, settings, vocabulary, yes_no
from odk.forms.surveys import ASSISTANCE_CSV, VICTIMS_CSV, accident_survey, assistance_survey
from victims import choices as victim_choices

ACCIDENT_FORM = "uxo_accident"
ASSISTANCE_FORM = "uxo_assistance"


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
