"""Writes of the victims app: the service reference data."""

from __future__ import annotations

from django.db import transaction

from fieldsync.changelog import ChangeSet
from fieldsync.services.reference import SeedResults, UpsertResult, reference_rows_upsert
from victims.choices import Pillar
from victims.models import ServiceType

# The starter set of the data dictionary, by NRA victim-assistance pillar.
STARTER_SERVICE_TYPES: tuple[tuple[str, Pillar, str], ...] = (
    ("emergency_care", Pillar.MEDICAL_CARE, "Emergency care"),
    ("continuing_care", Pillar.MEDICAL_CARE, "Continuing medical care"),
    ("surgery", Pillar.MEDICAL_CARE, "Surgery"),
    ("prosthesis", Pillar.PHYSICAL_REHABILITATION, "Prosthesis"),
    ("orthosis", Pillar.PHYSICAL_REHABILITATION, "Orthosis"),
    ("wheelchair", Pillar.PHYSICAL_REHABILITATION, "Wheelchair"),
    ("physiotherapy", Pillar.PHYSICAL_REHABILITATION, "Physiotherapy"),
    ("counselling", Pillar.PSYCHOSOCIAL, "Counselling"),
    ("peer_support", Pillar.PSYCHOSOCIAL, "Peer support"),
    ("vocational_training", Pillar.ECONOMIC_INCLUSION, "Vocational training"),
    ("livelihood_grant", Pillar.ECONOMIC_INCLUSION, "Livelihood grant"),
    ("job_placement", Pillar.ECONOMIC_INCLUSION, "Job placement"),
    ("school_support", Pillar.EDUCATION, "School support"),
    ("scholarship", Pillar.EDUCATION, "Scholarship"),
    ("rights_awareness", Pillar.ADVOCACY, "Rights awareness"),
)


@transaction.atomic
def service_types_seed(
    *, update_existing: bool = False, changes: ChangeSet | None = None
) -> UpsertResult[ServiceType]:
    """Create the starter service types that are missing (their Lao names are left to NRA staff).

    With `update_existing`, rows edited since are set back to the shipped pillar and name.
    """
    rows = [
        {"code": code, "pillar": pillar.value, "name": name}
        for code, pillar, name in STARTER_SERVICE_TYPES
    ]
    return reference_rows_upsert(
        model=ServiceType, rows=rows, update_existing=update_existing, changes=changes
    )


def service_type_reference_seed(*, update_existing: bool, changes: ChangeSet) -> SeedResults:
    """The service types as the victims app's share of `reference_data_seed`."""
    return {"service_type": service_types_seed(update_existing=update_existing, changes=changes)}
