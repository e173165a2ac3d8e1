"""The columns of each kind of record: accidents, victims and assistance sheets."""

from __future__ import annotations

from collections.abc import Mapping

from accidents.choices import (
    Activity,
    Classification,
    DatePrecision,
    DeviceCategory,
    TimeOfDay,
    YesNoUnknown,
)
from accidents.sync import ACCIDENT_FIELDS
from exchange.columns.layout import Column, Layout
from exchange.columns.values import (
    read_accident_date,
    read_boolean,
    read_choice,
    read_choice_list,
    read_day,
    read_decimal,
    read_district,
    read_integer,
    read_ordnance_type,
    read_organisation,
    read_province,
    read_service_type,
)
from victims.choices import (
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
from victims.sync import ASSISTANCE_FIELDS, VICTIM_FIELDS

# Sheet and file names -> wire model.
KINDS: Mapping[str, str] = {
    "accidents": "accident",
    "victims": "victim",
    "assistance": "assistance",
}
SHEET_NAMES: Mapping[str, str] = {model: name for name, model in KINDS.items()}
LEGACY_ID = "legacy_id"
MAX_LEGACY_ID = 100

ACCIDENT_LAYOUT = Layout(
    "accident",
    (
        Column(LEGACY_ID, ""),
        Column("occurred_on", "occurred_on", read_accident_date),
        Column("date_precision", "date_precision", read_choice(DatePrecision)),
        Column("time_of_day", "time_of_day", read_choice(TimeOfDay)),
        Column("province", "province", read_province),
        Column("district", "district", read_district),
        Column("village", "village"),
        Column("latitude", "latitude", read_decimal),
        Column("longitude", "longitude", read_decimal),
        Column("location_accuracy_m", "location_accuracy_m", read_decimal),
        Column("classification", "classification", read_choice(Classification)),
        Column("device_category", "device_category", read_choice(DeviceCategory)),
        Column("ordnance_type", "ordnance_type", read_ordnance_type),
        Column("activity", "activity", read_choice(Activity)),
        Column("ordnance_moved_before", "ordnance_moved_before", read_choice(YesNoUnknown)),
        Column("prior_risk_education", "prior_risk_education", read_choice(YesNoUnknown)),
        Column("description", "description"),
        Column("reporting_organisation", "reporting_organisation", read_organisation),
        Column("reported_on", "reported_on", read_day),
    ),
    ACCIDENT_FIELDS,
)
VICTIM_LAYOUT = Layout(
    "victim",
    (
        Column(LEGACY_ID, ""),
        Column("victim_type", "victim_type", read_choice(VictimType)),
        Column("accident_legacy_id", "accident", parent="accident"),
        Column("related_victim_legacy_id", "related_victim", parent="victim"),
        Column("relationship", "relationship", read_choice(Relationship)),
        Column("outcome", "outcome", read_choice(Outcome)),
        Column("sex", "sex", read_choice(Sex)),
        Column("age_years", "age_years", read_integer),
        Column("age_estimated", "age_estimated", read_boolean),
        Column("civilian_status", "civilian_status", read_choice(CivilianStatus)),
        Column("role", "role", read_choice(VictimRole)),
        Column("injuries", "injuries", read_choice_list(Injury)),
        Column("full_name", "full_name"),
        Column("date_of_birth", "date_of_birth", read_day),
        Column("phone", "phone"),
        Column("guardian_name", "guardian_name"),
        Column("consent", "consent", read_choice(Consent)),
    ),
    VICTIM_FIELDS,
)
ASSISTANCE_LAYOUT = Layout(
    "assistance",
    (
        Column(LEGACY_ID, ""),
        Column("victim_legacy_id", "victim", parent="victim"),
        Column("pillar", "pillar", read_choice(Pillar)),
        Column("service_type", "service_type", read_service_type),
        Column("provider_organisation", "provider_organisation", read_organisation),
        Column("status", "status", read_choice(AssistanceStatus)),
        Column("started_on", "started_on", read_day),
        Column("completed_on", "completed_on", read_day),
        Column("quantity", "quantity", read_decimal),
        Column("unit", "unit"),
        Column("cost_lak", "cost_lak", read_decimal),
        Column("notes", "notes"),
    ),
    ASSISTANCE_FIELDS,
)
LAYOUTS: Mapping[str, Layout] = {
    layout.model: layout for layout in (ACCIDENT_LAYOUT, VICTIM_LAYOUT, ASSISTANCE_LAYOUT)
}
