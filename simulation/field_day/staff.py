"""What NRA staff do on the server during a simulated field day: verify, correct and delete
records the tablets sent, while the tablets are offline."""

from __future__ import annotations

import random
import uuid
from typing import Any

from accidents.choices import AccidentStatus
from accidents.models import Accident
from accidents.services import accident_status_set
from fieldsync.models import Device, RecordVersion, User
from fieldsync.services.devices import server_device
from fieldsync.services.push import batch_push
from simulation.content import pick
from simulation.field_day.report import FieldDayReport
from victims.models import Assistance, Victim

NRA_USERNAME = "sim-nra"


class NraStaff:
    """The NRA's day on the server; `rng` is the run's, so one seed replays the whole run."""

    def __init__(self, *, rng: random.Random, report: FieldDayReport) -> None:
        self.rng = rng
        self.report = report

    def act(self, *, nra: User, devices: list[Device]) -> None:
        """A day at the NRA: verify some reported accidents, correct one, delete a victim, refer
        one assistance record to another provider."""
        reported = list(
            Accident.objects.filter(
                created_by_device__in=devices,
                status=AccidentStatus.REPORTED,
                is_deleted=False,
            )
            .order_by("reference")
            .values_list("pk", "version", "village")
        )
        if not reported:
            return
        for accident_id, _, _ in self.rng.sample(reported, k=max(1, len(reported) // 5)):
            accident_status_set(
                accident_id=str(accident_id), status=AccidentStatus.VERIFIED, by=nra
            )
            self.report.staff["verified"] += 1
        accident_id, _, village = pick(self.rng, reported)
        current = Accident.objects.get(pk=accident_id)
        if current.status == AccidentStatus.REPORTED:
            self._push(
                nra,
                [
                    {
                        "model": "accident",
                        "id": str(accident_id),
                        "op": "upsert",
                        "base_version": current.version,
                        "data": {"village": f"{village} (checked by NRA)"},
                    }
                ],
            )
            self.report.staff["edited"] += 1
        victims = list(
            Victim.objects.filter(
                created_by_device__in=devices,
                is_deleted=False,
                accident__status=AccidentStatus.REPORTED,
            )
            .exclude(assistance__is_deleted=False)  # a casualty entered twice, nothing attached
            .exclude(indirect_victims__isnull=False)
            .order_by("pk")
            .values_list("pk", "version")[:50]
        )
        if victims and self.rng.random() < 0.7:
            victim_id, victim_version = pick(self.rng, victims)
            self._push(
                nra,
                [
                    {
                        "model": "victim",
                        "id": str(victim_id),
                        "op": "delete",
                        "base_version": victim_version,
                    }
                ],
            )
            self.report.staff["deleted"] += 1
        referrals = list(
            Assistance.objects.filter(
                created_by_device__in=devices, is_deleted=False, provider_organisation_id="COPE"
            )
            .order_by("pk")
            .values_list("pk", "version")[:50]
        )
        if referrals and self.rng.random() < 0.5:
            # Referred elsewhere (only NRA staff move a record to another provider): COPE's
            # tablet sees it leave (out of scope).
            assistance_id, assistance_version = pick(self.rng, referrals)
            self._push(
                nra,
                [
                    {
                        "model": "assistance",
                        "id": str(assistance_id),
                        "op": "upsert",
                        "base_version": assistance_version,
                        "data": {"provider_organisation": "NRC"},
                    }
                ],
            )
            self.report.staff["edited"] += 1

    def _push(self, nra: User, records: list[dict[str, Any]]) -> None:
        """Changes by NRA staff, pushed as one batch from the server's device (source: admin)."""
        device = server_device(user=nra, name="simulation")
        batch_id = uuid.uuid4()
        batch_push(
            device=device,
            batch_id=batch_id,
            envelope={
                "batch_id": str(batch_id),
                "device_id": str(device.device_id),
                "schema_version": 1,
                "records": records,
            },
            source=RecordVersion.Source.ADMIN,
        )
