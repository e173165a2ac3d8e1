"""What the tablets' users do in a simulated field day: surveyors record accidents, victims and
assistance offline, correct and delete records and settle what the server rejected; COPE's
partner tablet moves its assistance on; two tablets of one organisation edit the same records."""

from __future__ import annotations

import random
from typing import Any

from django.utils import timezone

from accidents.choices import AccidentStatus
from simulation.content import VILLAGES, FieldContent, pick
from simulation.field_day.camera import FieldCamera
from simulation.field_day.report import FieldDayReport
from simulation.field_day.tablets import SimulatedTablet, tablet_sync
from tablet_client import TabletClient


class FieldWork:
    """The day's work on the tablets; `rng` is the run's, so one seed replays the whole run."""

    def __init__(
        self, *, rng: random.Random, report: FieldDayReport, accidents_per_day: int
    ) -> None:
        self.rng = rng
        self.report = report
        self.accidents_per_day = accidents_per_day
        self.camera = FieldCamera(report=report)

    def field_work(self, tablet: SimulatedTablet) -> None:
        client, content, rng = tablet.client, tablet.content, tablet.rng
        if content is None:
            return
        self.settle_rejections(tablet)
        for key in tablet.duplicates:  # yesterday's duplicate entries, found and deleted
            if client.get(*key) is not None:
                client.delete(*key)
                self.report.deleted += 1
        tablet.duplicates.clear()
        count = rng.randint(max(1, self.accidents_per_day - 1), self.accidents_per_day + 1)
        for _ in range(count):
            self._record_accident(tablet, content)
        for record in self._synced(client, "assistance", limit=2):
            if record["provider_organisation"] != "COPE":
                changes = content.progress(record)
                if changes:
                    client.edit("assistance", record["id"], changes)
                    self.report.edited += 1
        for record in self._synced(client, "victim", limit=1):
            if record.get("age_years") is not None:  # the family gave the exact age
                client.edit(
                    "victim",
                    record["id"],
                    {"age_years": max(0, record["age_years"] + 1), "age_estimated": False},
                )
                self.report.edited += 1

    def _record_accident(self, tablet: SimulatedTablet, content: FieldContent) -> None:
        client, rng = tablet.client, tablet.rng
        accident = content.accident()
        if rng.random() < 0.1:
            accident["district"] = content.wrong_district(accident)  # a slip the server refuses
        accident_id = self._create(tablet, "accident", accident)
        self.camera.accident(tablet, accident_id)
        for _ in range(rng.choices((1, 2, 3), weights=(60, 28, 12))[0]):
            casualty = content.casualty(accident_id, accident)
            victim_id = self._create(tablet, "victim", casualty)
            self.camera.victim(tablet, victim_id, casualty)
            victims = [(victim_id, casualty)]
            if casualty["outcome"] == "killed" and rng.random() < 0.4:
                family = content.family_member(victim_id)
                victims.append((self._create(tablet, "victim", family), family))
            for record_id, victim in victims:
                for assistance in content.assistance(record_id, victim, accident["occurred_on"]):
                    assistance_id = self._create(tablet, "assistance", assistance)
                    self.camera.assistance(tablet, assistance_id, assistance)
            if rng.random() < 0.08:  # the same casualty entered twice
                duplicate = self._create(tablet, "victim", dict(casualty))
                if rng.random() < 0.5:
                    client.delete("victim", duplicate)  # noticed at once, never sent
                    self.report.deleted += 1
                else:
                    tablet.duplicates.append(("victim", duplicate))

    def _create(self, tablet: SimulatedTablet, model: str, data: dict[str, Any]) -> str:
        record_id = tablet.client.create(model, data)
        tablet.created.append((model, record_id))
        self.report.recorded[model] += 1
        return record_id

    def settle_rejections(self, tablet: SimulatedTablet, *, give_up: bool = False) -> None:
        """The surveyor reads the server's errors: fixes a wrong district, gives up the rest."""
        content = tablet.content
        for rejection in tablet.client.rejections():
            data = tablet.client.get(rejection.model, rejection.id)
            fixable = (
                content is not None
                and data is not None
                and rejection.model == "accident"
                and set(rejection.errors) == {"district"}
            )
            if fixable and content is not None and data is not None and not give_up:
                tablet.client.fix(
                    rejection.model, rejection.id, {"district": content.right_district(data)}
                )
                self.report.rejected_fixed += 1
            elif data is not None:
                tablet.client.discard(rejection.model, rejection.id)
                self.report.rejected_discarded += 1

    def partner_work(self, tablet: SimulatedTablet) -> None:
        """COPE's tablet: the prostheses and physiotherapy it provides move on."""
        content = FieldContent(
            rng=tablet.rng,
            organisation=tablet.plan.organisation,
            reference=tablet.client.store.reference(),
            today=timezone.localdate(),
        )
        for record in self._synced(tablet.client, "assistance", limit=3, provider="COPE"):
            changes = content.progress(record)
            if changes and tablet.rng.random() < 0.7:
                tablet.client.edit("assistance", record["id"], changes)
                self.report.edited += 1

    def shared_edits(self, tablets: list[SimulatedTablet]) -> None:
        """Two tablets of one organisation edit the same records before either syncs."""
        by_organisation: dict[str, list[SimulatedTablet]] = {}
        for tablet in tablets:
            if not tablet.is_partner:
                by_organisation.setdefault(tablet.plan.organisation, []).append(tablet)
        for pair in by_organisation.values():
            if len(pair) < 2:
                continue
            first, second = pair[0], pair[1]
            shared = [
                record
                for record in self._synced(first.client, "accident", limit=50)
                if holds_in_sync(second.client, "accident", record["id"])
                and record["status"] == AccidentStatus.REPORTED
            ]
            for record in shared[:2]:
                first.client.edit("accident", record["id"], {"village": pick(self.rng, VILLAGES)})
                if self.rng.random() < 0.5:  # the same field: a conflict for NRA review
                    second.client.edit(
                        "accident", record["id"], {"village": f"{record['village']} (upper)"}
                    )
                else:  # another field: merged
                    second.client.edit(
                        "accident",
                        record["id"],
                        {"description": f"{record['description']} Reported by the village chief."},
                    )
                self.report.edited += 2
            victims = self._synced(first.client, "victim", limit=20)
            if victims and self.rng.random() < 0.5:
                victim = pick(self.rng, victims)
                if second.client.get("victim", victim["id"]) is not None:
                    role = "handler" if victim.get("role") != "handler" else "bystander"
                    first.client.edit("victim", victim["id"], {"role": role})
                    second.client.delete("victim", victim["id"])  # a delete of a changed record
                    self.report.edited += 1
                    self.report.deleted += 1
            self.camera.team_camera(first, second)
            tablet_sync(first)
            tablet_sync(second)

    def _synced(
        self, client: TabletClient, model: str, *, limit: int, provider: str | None = None
    ) -> list[dict[str, Any]]:
        """Up to `limit` records of `model` the tablet holds in sync, picked at random."""
        records = [
            {**(record.data or {}), "id": record.id}
            for record in client.store.records(where="model = ? AND synced = 1", params=(model,))
            if provider is None or (record.data or {}).get("provider_organisation") == provider
        ]
        self.rng.shuffle(records)
        return records[:limit]


def holds_in_sync(client: TabletClient, model: str, record_id: str) -> bool:
    record = client.store.record(model, record_id)
    return record is not None and record.synced
