"""The organisations of the sector (reference data, and the tenants owning records)."""

from __future__ import annotations

from django.db import transaction

from fieldsync.changelog import ChangeSet
from fieldsync.models import Organisation, OrganisationKind
from fieldsync.services.reference import SeedResults, UpsertResult, reference_rows_upsert

# The starter set of the data dictionary. Kind: Lao state bodies are `government` (the National
# Rehabilitation Centre is under the Ministry of Health); COPE and QLA are Lao non-profit
# associations, so `ngo`; foreign NGOs working in Laos and the UN agency are `international`.
STARTER_ORGANISATIONS: tuple[tuple[str, str, OrganisationKind], ...] = (
    (
        "NRA",
        "National Regulatory Authority for UXO/Mine Action Sector",
        OrganisationKind.GOVERNMENT,
    ),
    ("UXO-LAO", "UXO Lao", OrganisationKind.GOVERNMENT),
    ("MOLSW", "Ministry of Labour and Social Welfare", OrganisationKind.GOVERNMENT),
    ("MOH", "Ministry of Health", OrganisationKind.GOVERNMENT),
    ("NRC", "National Rehabilitation Centre", OrganisationKind.GOVERNMENT),
    ("HALO", "HALO Trust", OrganisationKind.INTERNATIONAL),
    ("MAG", "MAG (Mines Advisory Group)", OrganisationKind.INTERNATIONAL),
    ("NPA", "Norwegian People's Aid", OrganisationKind.INTERNATIONAL),
    ("HI", "Humanity & Inclusion", OrganisationKind.INTERNATIONAL),
    ("COPE", "COPE (Cooperative Orthotic and Prosthetic Enterprise)", OrganisationKind.NGO),
    ("WE", "World Education", OrganisationKind.INTERNATIONAL),
    ("QLA", "Quality of Life Association", OrganisationKind.NGO),
    ("CRS", "Catholic Relief Services", OrganisationKind.INTERNATIONAL),
    ("UNDP", "United Nations Development Programme", OrganisationKind.INTERNATIONAL),
)


@transaction.atomic
def organisations_seed(
    *, update_existing: bool = False, changes: ChangeSet | None = None
) -> UpsertResult[Organisation]:
    """Create the starter organisations that are missing.

    With `update_existing`, rows edited since are set back to the shipped name and kind (their
    Lao name, which is not shipped, is kept). Changes go to `changes`, else straight to the log.
    """
    rows = [
        {"code": code, "name": name, "kind": kind.value}
        for code, name, kind in STARTER_ORGANISATIONS
    ]
    return reference_rows_upsert(
        model=Organisation, rows=rows, update_existing=update_existing, changes=changes
    )


def organisation_reference_seed(*, update_existing: bool, changes: ChangeSet) -> SeedResults:
    """The organisations as one app's share of `reference_data_seed`."""
    return {"organisation": organisations_seed(update_existing=update_existing, changes=changes)}
