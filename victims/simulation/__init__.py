"""The field simulation: realistic records and a stretch of field work run against a server."""

from victims.simulation.content import FieldContent
from victims.simulation.field_day import FieldDay, FieldDayReport, TabletPlan, run_field_day

__all__ = ["FieldContent", "FieldDay", "FieldDayReport", "TabletPlan", "run_field_day"]
