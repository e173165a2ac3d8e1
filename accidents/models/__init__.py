"""The accidents app's models: the records and reference data (`records`), possible duplicates
(`duplicates`) and its figure table."""

from accidents.models.duplicates import DuplicateGroup, DuplicateMember, DuplicateStatus
from accidents.models.figures import AccidentFigure
from accidents.models.records import (
    EARLIEST_ACCIDENT,
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    Accident,
    District,
    OrdnanceType,
    Province,
    ReferenceCounter,
    localized_name,
)

__all__ = [
    "EARLIEST_ACCIDENT",
    "LATITUDE_RANGE",
    "LONGITUDE_RANGE",
    "Accident",
    "AccidentFigure",
    "District",
    "DuplicateGroup",
    "DuplicateMember",
    "DuplicateStatus",
    "OrdnanceType",
    "Province",
    "ReferenceCounter",
    "localized_name",
]
