"""The victims app's models: victims, assistance and service types (`records`), and the figure
tables of casualties and assistance (`figures`, kept current by the `figures` package)."""

from victims.models.figures import AssistanceFigure, AssistanceGrouping, CasualtyFigure
from victims.models.records import Assistance, ServiceType, Victim

__all__ = [
    "Assistance",
    "AssistanceFigure",
    "AssistanceGrouping",
    "CasualtyFigure",
    "ServiceType",
    "Victim",
]
