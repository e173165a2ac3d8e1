"""Writes of the victims app: the service reference data (`reference`), and NRA staff merging
duplicate reports and victims (`merges`)."""

from victims.services.merges import (
    MergePlan,
    duplicate_group_merge,
    duplicate_group_merge_plan,
    victim_merge,
    victim_merge_plan,
)
from victims.services.reference import (
    STARTER_SERVICE_TYPES,
    service_type_reference_seed,
    service_types_seed,
)

__all__ = [
    "STARTER_SERVICE_TYPES",
    "MergePlan",
    "duplicate_group_merge",
    "duplicate_group_merge_plan",
    "service_type_reference_seed",
    "service_types_seed",
    "victim_merge",
    "victim_merge_plan",
]
