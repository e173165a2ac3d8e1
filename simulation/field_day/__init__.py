"""A simulated stretch of field work, end to end, against a real server over HTTP.

Tablets of several organisations record accidents, victims and assistance offline, correct
and delete records, two tablets of one organisation edit the same records, a partner updates
the assistance it provides, and NRA staff verify, correct and delete records on the server;
every tablet syncs over a link that loses requests and responses. At the end every tablet is
compared with a fresh pull of its user, and every record a tablet sent is looked for on the
server (or in its conflict and quarantine tables).

`FieldDay` (`runner`) runs the days; the tablets and who carries them are in `tablets`, their
users' work in `fieldwork`, the NRA's on the server in `staff`, the final checks in `check`
and the report in `report`.
"""

from simulation.field_day.check import QUARANTINE
from simulation.field_day.report import FieldDayReport
from simulation.field_day.runner import FINAL_ROUNDS, FieldDay, run_field_day
from simulation.field_day.staff import NRA_USERNAME
from simulation.field_day.tablets import ROTATION, SimulatedTablet, TabletPlan, tablet_plans

__all__ = [
    "FINAL_ROUNDS",
    "NRA_USERNAME",
    "QUARANTINE",
    "ROTATION",
    "FieldDay",
    "FieldDayReport",
    "SimulatedTablet",
    "TabletPlan",
    "run_field_day",
    "tablet_plans",
]
