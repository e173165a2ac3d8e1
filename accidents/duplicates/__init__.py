"""Possible duplicate accident reports (two surveyors reporting the same event), as groups.

Whether two reports are alike (`similarity`), and the scan that gathers alike reports into
groups in bounded memory and work (`scan`). Never merged automatically: NRA staff merge a group
or mark it distinct (`victims.services`, `accidents.services`).
"""

from accidents.duplicates.scan import (
    MAX_COMPARISONS,
    MAX_GROUP_SIZE,
    ScanResult,
    duplicate_groups_flag,
)
from accidents.duplicates.similarity import AGE_TOLERANCE, WINDOW_DAYS, Report, pair_score

__all__ = [
    "AGE_TOLERANCE",
    "MAX_COMPARISONS",
    "MAX_GROUP_SIZE",
    "WINDOW_DAYS",
    "Report",
    "ScanResult",
    "duplicate_groups_flag",
    "pair_score",
]
