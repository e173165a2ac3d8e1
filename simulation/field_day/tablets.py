"""The tablets of a simulated field day: who carries which, and what the run reads off them."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from fieldsync.models import Device, Role
from simulation.content import FieldContent
from tablet_client import FlakyTransport, SyncInterrupted, TabletClient

Key = tuple[str, str]
# Who carries the tablets, in the order they are handed out.
ROTATION: tuple[tuple[str, str], ...] = (
    ("HALO", Role.SURVEYOR),
    ("HALO", Role.SURVEYOR),
    ("MAG", Role.SURVEYOR),
    ("COPE", Role.PARTNER),
    ("UXO-LAO", Role.SURVEYOR),
    ("NPA", Role.SURVEYOR),
    ("MAG", Role.SURVEYOR),
)


@dataclass(frozen=True)
class TabletPlan:
    username: str
    organisation: str
    role: str


def tablet_plans(count: int) -> list[TabletPlan]:
    """`count` tablets over the rotation: two HALO surveyors share records, COPE is a partner."""
    numbers: Counter[str] = Counter()
    plans = []
    for index in range(count):
        organisation, role = ROTATION[index % len(ROTATION)]
        numbers[organisation] += 1
        username = f"sim-{organisation.lower().replace('-', '')}-{numbers[organisation]}"
        plans.append(TabletPlan(username, organisation, role))
    return plans


@dataclass
class SimulatedTablet:
    plan: TabletPlan
    client: TabletClient
    link: FlakyTransport
    rng: random.Random
    #: The tablet's camera and scanner: its own generator, so files do not shift the records.
    camera: random.Random
    content: FieldContent | None = None
    created: list[Key] = field(default_factory=list)
    duplicates: list[Key] = field(default_factory=list)
    photos: list[bytes] = field(default_factory=list)  # taken here, in order
    interrupted: int = 0

    @property
    def is_partner(self) -> bool:
        return self.plan.role == Role.PARTNER


def tablet_sync(tablet: SimulatedTablet) -> bool:
    """One sync session; False when the link gave out (counted, the tablet tries again later)."""
    try:
        tablet.client.sync()
    except SyncInterrupted:
        tablet.interrupted += 1
        return False
    return True


def tablet_devices(tablets: list[SimulatedTablet]) -> list[Device]:
    ids = [tablet.client.device_id for tablet in tablets]
    return list(Device.objects.filter(device_id__in=ids))


def link_totals(tablets: list[SimulatedTablet]) -> tuple[int, int, int, int]:
    """Requests, lost requests, lost responses, and file chunks cut mid-way (also lost)."""
    links = [tablet.link.stats for tablet in tablets]
    return (
        sum(s.requests for s in links),
        sum(s.lost_requests for s in links),
        sum(s.lost_responses for s in links),
        sum(s.cut_bodies for s in links),
    )
