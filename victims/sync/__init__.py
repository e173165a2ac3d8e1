"""The victims app's wire models: service types (reference data), victims and assistance.

One module per wire model (`service_type`, `victim`, `assistance`), each with its adapter and
its wire field specs; `owners` holds who owns a victim, which both victims and assistance
scope by.
"""

from victims.sync.assistance import ASSISTANCE_ATTNAMES, ASSISTANCE_FIELDS, AssistanceAdapter
from victims.sync.owners import victim_owners
from victims.sync.service_type import ServiceTypeAdapter
from victims.sync.victim import VICTIM_ATTNAMES, VICTIM_FIELDS, WITHOUT_CONSENT, VictimAdapter

__all__ = [
    "ASSISTANCE_ATTNAMES",
    "ASSISTANCE_FIELDS",
    "VICTIM_ATTNAMES",
    "VICTIM_FIELDS",
    "WITHOUT_CONSENT",
    "AssistanceAdapter",
    "ServiceTypeAdapter",
    "VictimAdapter",
    "victim_owners",
]
