"""The accidents app's wire models: geography and ordnance reference data, and accidents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connections, router
from django.db.models import QuerySet

from accidents.choices import (
    AccidentStatus,
    Activity,
    Classification,
    DatePrecision,
    DeviceCategory,
    TimeOfDay,
    YesNoUnknown,
)
from accidents.models import (
    EARLIEST_ACCIDENT,
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    Accident,
    District,
    OrdnanceType,
    Province,
    ReferenceCounter,
)
from accidents.selectors import accident_victims
from fieldsync.fields import (
    AttachmentList,
    Choice,
    Code,
    Coordinate,
    Date,
    Decimal,
    Errors,
    Integer,
    Spec,
    Text,
    assign_to_instance,
    clean_record,
    instance_to_wire,
)
from fieldsync.models import Organisation, Role
from fieldsync.registry import (
    ParentOf,
    ReferenceAdapter,
    SyncAdapter,
    Viewer,
    WriteContext,
    Writers,
)

NON_FIELD = "non_field_errors"


# -- reference data ----------------------------------------------------------------------------
class ProvinceAdapter(ReferenceAdapter):
    wire_name = "province"
    table = "provinces"
    model = Province
    wire_fields = ("code", "lsb_code", "name_en", "name_lo")


class DistrictAdapter(ReferenceAdapter):
    wire_name = "district"
    table = "districts"
    model = District
    wire_fields = ("code", "province", "name_en", "name_lo")


class OrdnanceTypeAdapter(ReferenceAdapter):
    wire_name = "ordnance_type"
    table = "ordnance_types"
    model = OrdnanceType
    wire_fields = ("code", "name", "device_category")


def organisation_codes(context: WriteContext) -> frozenset[str]:
    """The known organisation codes, fetched once per write context."""
    codes = context.lookups.get("organisation_codes")
    if codes is None:
        codes = frozenset(Organisation.objects.values_list("code", flat=True))
        context.lookups["organisation_codes"] = codes
    return codes


# -- accidents ---------------------------------------------------------------------------------
ACCIDENT_FIELDS: dict[str, Spec] = {
    "occurred_on": Date(required=True),
    "date_precision": Choice(DatePrecision.values, default=DatePrecision.DAY.value),
    "time_of_day": Choice(TimeOfDay.values, default=TimeOfDay.UNKNOWN.value),
    "province": Code(required=True),
    "district": Code(required=True),
    "village": Text(200),
    "latitude": Coordinate(null=True),
    "longitude": Coordinate(null=True),
    "location_accuracy_m": Decimal(10, 2, min_value=0, as_float=True, round_places=True, null=True),
    "classification": Choice(Classification.values, required=True),
    "device_category": Choice(DeviceCategory.values, required=True),
    "ordnance_type": Code(null=True),
    "activity": Choice(Activity.values, required=True),
    "ordnance_moved_before": Choice(YesNoUnknown.values, default=YesNoUnknown.UNKNOWN.value),
    "prior_risk_education": Choice(YesNoUnknown.values, default=YesNoUnknown.UNKNOWN.value),
    "description": Text(4000),
    "reporting_organisation": Code(required=True),
    "reported_on": Date(required=True),
    "photos": AttachmentList(),
}
ACCIDENT_ATTNAMES = {name: name for name in ACCIDENT_FIELDS} | {
    "province": "province_id",
    "district": "district_id",
    "ordnance_type": "ordnance_type_id",
    "reporting_organisation": "reporting_organisation_id",
}
EARLIEST_ACCIDENT_WIRE = EARLIEST_ACCIDENT.isoformat()
LATITUDE_MIN, LATITUDE_MAX = (float(bound) for bound in LATITUDE_RANGE)
LONGITUDE_MIN, LONGITUDE_MAX = (float(bound) for bound in LONGITUDE_RANGE)
OUTSIDE_LAOS = "Coordinates must lie inside Lao PDR ({} {}–{})."  # noqa: RUF001  (a range)


class AccidentAdapter(SyncAdapter):
    wire_name = "accident"
    table = "accidents"
    model = Accident
    specs = ACCIDENT_FIELDS
    read_only_specs = {
        "reference": Text(32),
        "status": Choice(AccidentStatus.values),
        "killed": Integer(),
        "injured": Integer(),
    }
    writable_fields = tuple(ACCIDENT_FIELDS)
    attachment_fields = ("photos",)
    read_only_fields = (
        "reference",
        "status",
        "version",
        "created_at",
        "updated_at",
        "killed",
        "injured",
        "merged_into",
    )
    organisation_fields = ("reporting_organisation",)
    tombstone_fields = ("merged_into",)  # a merged duplicate tells tablets where it went

    # -- reading -------------------------------------------------------------------------------
    def to_wire(self, instance: Accident) -> dict[str, Any]:
        wire = instance_to_wire(ACCIDENT_FIELDS, ACCIDENT_ATTNAMES, instance)
        wire["reference"] = instance.reference
        wire["status"] = instance.status
        wire["merged_into"] = str(instance.merged_into_id) if instance.merged_into_id else None
        return wire

    def present(self, instances: Sequence[Accident], viewer: Viewer) -> list[dict[str, Any]]:
        counts = accident_victims().casualty_counts([instance.pk for instance in instances])
        presented = []
        for instance in instances:
            wire = self.to_wire(instance)
            wire["killed"], wire["injured"] = counts.get(str(instance.pk), (0, 0))
            presented.append(wire)
        return presented

    def is_locked(self, instance: Accident) -> bool:
        return instance.status == AccidentStatus.VERIFIED

    # -- scope ---------------------------------------------------------------------------------
    def scope(self, queryset: QuerySet[Accident], viewer: Viewer) -> QuerySet[Accident]:
        if viewer.is_nra:
            return queryset
        if not viewer.organisation:
            return queryset.none()
        return queryset.filter(reporting_organisation_id=viewer.organisation)

    def audience(self, instances: Sequence[Accident]) -> dict[str, frozenset[str]]:
        return {
            str(instance.pk): frozenset({instance.reporting_organisation_id})
            for instance in instances
        }

    def dependents(self, instances: Sequence[Accident]) -> Mapping[str, tuple[set[str], bool]]:
        ids = [instance.pk for instance in instances]
        if not ids:
            return {}
        # Its victims and their families: they belong with the accident's organisation.
        return {
            model: (record_ids, False)
            for model, record_ids in accident_victims().dependents(ids).items()
        }

    def dependents_of_created(
        self, instances: Sequence[Accident]
    ) -> Mapping[str, tuple[set[str], bool]]:
        return {}  # its victims and their assistance, if any, are new too: logged already

    # -- writing -------------------------------------------------------------------------------
    def load_lookups(self, records: Sequence[Mapping[str, Any]], context: WriteContext) -> None:
        lookups = context.lookups
        if "province_codes" not in lookups:
            lookups["province_codes"] = frozenset(Province.objects.values_list("code", flat=True))
        if "district_province" not in lookups:
            lookups["district_province"] = dict(District.objects.values_list("code", "province_id"))
        if "ordnance_category" not in lookups:
            lookups["ordnance_category"] = dict(
                OrdnanceType.objects.values_list("code", "device_category")
            )
        organisation_codes(context)

    def writers(self, record: Mapping[str, Any], parent: ParentOf) -> Writers:
        """Surveyors of the reporting organisation; partners never."""
        return {
            Role.SURVEYOR.value: (record.get("reporting_organisation"), "reporting_organisation")
        }

    def defaults(self, context: WriteContext) -> dict[str, Any]:
        defaults: dict[str, Any] = {
            "date_precision": DatePrecision.DAY.value,
            "time_of_day": TimeOfDay.UNKNOWN.value,
            "village": "",
            "latitude": None,
            "longitude": None,
            "location_accuracy_m": None,
            "ordnance_type": None,
            "ordnance_moved_before": YesNoUnknown.UNKNOWN.value,
            "prior_risk_education": YesNoUnknown.UNKNOWN.value,
            "description": "",
            "reported_on": context.today.isoformat(),
            "photos": [],
        }
        if context.user is not None and context.user.organisation_id:
            defaults["reporting_organisation"] = context.user.organisation_id
        return defaults

    def validate(self, data: Mapping[str, Any], context: WriteContext) -> tuple[dict, Errors]:
        self.load_lookups((), context)
        if "reporting_organisation" not in data or "reported_on" not in data:
            data = {**self.defaults(context), **data}
        record, errors = clean_record(ACCIDENT_FIELDS, data)
        lookups = context.lookups

        def refuse(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        occurred_on = record.get("occurred_on")
        if occurred_on is not None:  # ISO dates compare as strings
            if occurred_on > context.today.isoformat():
                refuse("occurred_on", "The accident date cannot be in the future.")
            elif occurred_on < EARLIEST_ACCIDENT_WIRE:
                refuse("occurred_on", "The accident date cannot be before 1 January 1964.")

        province = record.get("province")
        province_known = province is not None and province in lookups["province_codes"]
        if province is not None and not province_known:
            refuse("province", f"Unknown province code '{province}'.")
        district = record.get("district")
        if district is not None:
            district_province = lookups["district_province"].get(district)
            if district_province is None:
                refuse("district", f"Unknown district code '{district}'.")
            elif province_known and district_province != province:
                refuse("district", f"District {district} is not in province {province}.")

        if "latitude" in record and "longitude" in record:
            latitude, longitude = record["latitude"], record["longitude"]
            if (latitude is None) != (longitude is None):
                refuse(NON_FIELD, "Latitude and longitude must be given together.")
            if latitude is not None and not LATITUDE_MIN <= latitude <= LATITUDE_MAX:
                refuse("latitude", OUTSIDE_LAOS.format("latitude", *LATITUDE_RANGE))
            if longitude is not None and not LONGITUDE_MIN <= longitude <= LONGITUDE_MAX:
                refuse("longitude", OUTSIDE_LAOS.format("longitude", *LONGITUDE_RANGE))

        ordnance_type = record.get("ordnance_type")
        if ordnance_type is not None:
            category = lookups["ordnance_category"].get(ordnance_type)
            device_category = record.get("device_category")
            if category is None:
                refuse("ordnance_type", f"Unknown ordnance type code '{ordnance_type}'.")
            elif device_category is not None and category != device_category:
                refuse(
                    "ordnance_type",
                    f"Ordnance type {ordnance_type} belongs to device category {category}, "
                    f"not {device_category}.",
                )

        organisation = record.get("reporting_organisation")
        if organisation is not None and organisation not in lookups["organisation_codes"]:
            refuse("reporting_organisation", f"Unknown organisation code '{organisation}'.")
        return record, errors  # who may report for which organisation: `writers`

    def build(self, record_id: str, data: Mapping[str, Any], context: WriteContext) -> Accident:
        accident = Accident(pk=record_id, status=AccidentStatus.REPORTED)
        accident.created_by_device = context.device
        self.assign(accident, data)
        return accident

    def assign(self, instance: Accident, data: Mapping[str, Any]) -> list[str]:
        return assign_to_instance(ACCIDENT_FIELDS, ACCIDENT_ATTNAMES, instance, data)

    def before_insert(self, instances: Sequence[Accident], context: WriteContext) -> None:
        """Number new accidents per province and year of receipt: LA-XI-2026-0007."""
        year = context.today.year
        by_province: dict[str, list[Accident]] = {}
        for accident in instances:
            if not accident.reference:
                by_province.setdefault(accident.province_id, []).append(accident)
        for province in sorted(by_province):  # a fixed order: concurrent batches cannot deadlock
            accidents = by_province[province]
            last = reference_numbers_reserve(province=province, year=year, count=len(accidents))
            for number, accident in enumerate(accidents, start=last - len(accidents) + 1):
                accident.reference = f"{province}-{year}-{number:04d}"


def reference_numbers_reserve(*, province: str, year: int, count: int) -> int:
    """Reserve `count` consecutive reference numbers; returns the last one.

    One upsert on the counter row: its lock is held until commit, so concurrent batches are
    serialised, and a rolled-back batch gives its numbers back (no gaps, no duplicates).
    """
    connection = connections[router.db_for_write(ReferenceCounter)]
    quote = connection.ops.quote_name
    table = quote(ReferenceCounter._meta.db_table)
    province_column, year_column, last = quote("province_id"), quote("year"), quote("last_number")
    sql = (
        f"INSERT INTO {table} ({province_column}, {year_column}, {last}) "  # noqa: S608
        f"VALUES (%s, %s, %s) "
        f"ON CONFLICT ({province_column}, {year_column}) "
        f"DO UPDATE SET {last} = {table}.{last} + excluded.{last} "
        f"RETURNING {last}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [province, year, count])
        row = cursor.fetchone()
    return int(row[0])
