"""A simulated stretch of field work, end to end, against a real server over HTTP.

Tablets of several organisations record accidents, victims and assistance offline, correct
and delete records, two tablets of one organisation edit the same records, a partner updates
the assistance it provides, and NRA staff verify, correct and delete records on the server;
every tablet syncs over a link that loses requests and responses. At the end every tablet is
compared with a fresh pull of its user, and every record a tablet sent is looked for on the
server (or in its conflict and quarantine tables).
"""

from __future__ import annotations

import datetime
import random
import secrets
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from accidents.choices import AccidentStatus
from accidents.models import Accident
from accidents.services import accident_status_set
from fieldsync.models import Conflict, Device, InboxRecord, InboxStatus, RecordVersion, Role, User
from fieldsync.registry import registry
from fieldsync.services.accounts import account_create_or_update
from fieldsync.services.devices import server_device
from fieldsync.services.push import batch_push
from simulation.content import VILLAGES, FieldContent, pick
from tablet_client import (
    FlakyTransport,
    HttpTransport,
    LocalStore,
    SyncInterrupted,
    TabletClient,
    Transport,
    store_differences,
)
from victims.models import Victim

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
NRA_USERNAME = "sim-nra"
QUARANTINE = (InboxStatus.HELD, InboxStatus.REJECTED, InboxStatus.DISCARDED)
FINAL_ROUNDS = 40


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
    content: FieldContent | None = None
    created: list[Key] = field(default_factory=list)
    duplicates: list[Key] = field(default_factory=list)
    interrupted: int = 0

    @property
    def is_partner(self) -> bool:
        return self.plan.role == Role.PARTNER


@dataclass
class FieldDayReport:
    """What happened, and whether the end state is right (`ok`)."""

    tablets: list[TabletPlan]
    days: int
    drop_rate: float
    seed: int | str
    seconds: float = 0.0
    recorded: Counter[str] = field(default_factory=Counter)
    edited: int = 0
    deleted: int = 0
    staff: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    records_sent: int = 0
    batches: int = 0
    resends: int = 0
    splits: int = 0
    interrupted: int = 0
    requests: int = 0
    lost_requests: int = 0
    lost_responses: int = 0
    conflicts: Counter[str] = field(default_factory=Counter)
    notices: int = 0
    rejected_fixed: int = 0
    rejected_discarded: int = 0
    rejections_left: int = 0
    still_held: int = 0
    final_rounds: int = 0
    sent_records: int = 0
    on_server: int = 0
    in_quarantine: int = 0
    never_sent: int = 0
    lost: list[str] = field(default_factory=list)
    divergent: dict[str, list[str]] = field(default_factory=dict)
    compared: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.lost and not any(self.divergent.values())

    def summary(self) -> list[str]:
        outcomes = " · ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())) or "none"
        conflicts = ", ".join(f"{k} {v}" for k, v in sorted(self.conflicts.items())) or "none"
        lines = [
            "Summary",
            f"  recorded offline   {self.recorded['accident']} accidents, "
            f"{self.recorded['victim']} victims, {self.recorded['assistance']} assistance; "
            f"{self.edited} edits, {self.deleted} deletes",
            f"  NRA staff          verified {self.staff['verified']}, edited "
            f"{self.staff['edited']}, deleted {self.staff['deleted']} (on the server)",
            f"  records sent       {self.records_sent} in {self.batches} batches "
            f"({self.resends} resends, {self.splits} splits, {self.interrupted} syncs "
            "interrupted)",
            f"  outcomes           {outcomes}",
            f"  conflicts          {sum(self.conflicts.values())} kept for NRA review "
            f"({conflicts}); {self.notices} shown to surveyors",
            f"  held               {self.outcomes['held']} answered held, "
            f"{self.still_held} still waiting for a parent",
            f"  rejected           {self.outcomes['rejected']} answered rejected: "
            f"{self.rejected_fixed} fixed and sent again, {self.rejected_discarded} given up, "
            f"{self.rejections_left} still shown (their record left the tablet's view)",
            f"  link               {self.requests} requests: {self.lost_requests} lost on the "
            f"way, {self.lost_responses} responses lost",
            "Consistency",
        ]
        for plan in self.tablets:
            problems = self.divergent.get(plan.username, [])
            mark = "OK" if not problems else "DIFFERS"
            lines.append(
                f"  {plan.username:<16} {plan.organisation:<8} "
                f"{self.compared.get(plan.username, 0):>4} records == fresh pull: {mark}"
            )
            lines.extend(f"      {problem}" for problem in problems)
        lines.append(
            f"  nothing lost       {self.sent_records} distinct records sent: {self.on_server} "
            f"on the server, {self.in_quarantine} only in conflict/quarantine, {len(self.lost)} "
            f"lost ({self.never_sent} deleted on the tablet before any sync)"
        )
        lines.extend(f"      LOST {entry}" for entry in self.lost[:10])
        lines.append(
            f"RESULT: {'OK' if self.ok else 'FAILED'} "
            f"({self.seconds:.1f} s, {self.final_rounds} final sync rounds)"
        )
        return lines


class FieldDay:
    """Run with `FieldDay(base_url=...).run()`; `progress` gets a line per step."""

    def __init__(
        self,
        *,
        base_url: str,
        tablets: int = 5,
        days: int = 3,
        accidents_per_day: int = 2,
        drop_rate: float = 0.2,
        seed: int | str = 1,
        progress: Callable[[str], None] = lambda line: None,
        transport: Callable[[], Transport] | None = None,
        concurrent: bool = False,
    ) -> None:
        if tablets < 1 or days < 1 or accidents_per_day < 1:
            raise ValueError("tablets, days and accidents_per_day must be at least 1.")
        self.base_url = base_url
        self.plans = tablet_plans(tablets)
        self.days = days
        self.accidents_per_day = accidents_per_day
        self.drop_rate = drop_rate
        self.seed = seed
        self.progress = progress
        self.concurrent = concurrent
        self.make_transport = transport or (lambda: HttpTransport(base_url))
        self.rng = random.Random(f"field-day:{seed}")  # noqa: S311  (a simulation, not secrets)
        self.password = f"{secrets.token_urlsafe(18)}-Sim1"
        self.tablets: list[SimulatedTablet] = []
        self.report = FieldDayReport(tablets=self.plans, days=days, drop_rate=drop_rate, seed=seed)
        self.nra: User | None = None

    # -- the run -----------------------------------------------------------------------------------
    def run(self) -> FieldDayReport:
        started = time.monotonic()
        self._accounts()
        self._enrol()
        for day in range(1, self.days + 1):
            self._day(day)
        self._final_sync()
        self._check()
        self.report.seconds = time.monotonic() - started
        return self.report

    def _accounts(self) -> None:
        for plan in self.plans:
            account_create_or_update(
                username=plan.username,
                password=self.password,
                role=plan.role,
                organisation_code=plan.organisation,
            )
        self.nra, _ = account_create_or_update(
            username=NRA_USERNAME,
            password=self.password,
            role=Role.NRA_STAFF,
            organisation_code="NRA",
            personal_data=True,
        )

    def _enrol(self) -> None:
        for index, plan in enumerate(self.plans):
            link = FlakyTransport(
                self.make_transport(), drop_rate=self.drop_rate, seed=f"{self.seed}:{index}"
            )
            clock = None
            if index == 2:  # a tablet whose clock was reset: the server does not mind
                clock = _clock_from(datetime.datetime(2000, 1, 1, 8, tzinfo=datetime.UTC))
            client = TabletClient(
                store=LocalStore(),
                transport=link,
                sleep=lambda seconds: None,  # waits are counted, not waited, in a simulation
                clock=clock,
                seed=f"{self.seed}:{plan.username}",
                pull_limit=200,
            )
            client.enrol(
                username=plan.username, password=self.password, device_name=f"{plan.username} tab"
            )
            tablet = SimulatedTablet(
                plan=plan,
                client=client,
                link=link,
                rng=random.Random(f"{self.seed}:{plan.username}"),  # noqa: S311
            )
            self._sync(tablet)
            if not tablet.is_partner:
                tablet.content = FieldContent(
                    rng=tablet.rng,
                    organisation=plan.organisation,
                    reference=client.store.reference(),
                    today=timezone.localdate(),
                )
            self.tablets.append(tablet)
        names = ", ".join(f"{p.username} ({p.organisation} {p.role})" for p in self.plans)
        self.progress(f"enrolled {len(self.plans)} tablets: {names}")

    def _day(self, day: int) -> None:
        if day > 1:
            self._staff_actions()
        order = list(self.tablets)
        self.rng.shuffle(order)
        for tablet in order:
            if tablet.is_partner:
                self._partner_work(tablet)
            else:
                self._field_work(tablet)
        if self.concurrent:  # the whole field team syncs at once over the evening's signal
            with ThreadPoolExecutor(max_workers=len(order)) as pool:
                list(pool.map(self._sync, order))
        else:
            for tablet in order:
                self._sync(tablet)
        self._shared_edits()
        link = self._link_totals()
        self.progress(
            f"day {day}: {sum(self.report.recorded.values())} records recorded so far, "
            f"{self._records_sent()} sent; link lost {link[1]} requests and {link[2]} "
            f"responses of {link[0]}; NRA verified {self.report.staff['verified']}, edited "
            f"{self.report.staff['edited']}, deleted {self.report.staff['deleted']}"
        )

    # -- what surveyors do offline -----------------------------------------------------------------
    def _field_work(self, tablet: SimulatedTablet) -> None:
        client, content, rng = tablet.client, tablet.content, tablet.rng
        if content is None:
            return
        self._settle_rejections(tablet)
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
        if tablet.plan.organisation == "HALO" and rng.random() < 0.5:
            for record in self._synced(client, "assistance", limit=1, provider="COPE"):
                # Referred elsewhere: COPE's tablet sees it leave (out of scope).
                client.edit("assistance", record["id"], {"provider_organisation": "NRC"})
                self.report.edited += 1

    def _record_accident(self, tablet: SimulatedTablet, content: FieldContent) -> None:
        client, rng = tablet.client, tablet.rng
        accident = content.accident()
        if rng.random() < 0.1:
            accident["district"] = content.wrong_district(accident)  # a slip the server refuses
        accident_id = self._create(tablet, "accident", accident)
        for _ in range(rng.choices((1, 2, 3), weights=(60, 28, 12))[0]):
            casualty = content.casualty(accident_id, accident)
            victim_id = self._create(tablet, "victim", casualty)
            victims = [(victim_id, casualty)]
            if casualty["outcome"] == "killed" and rng.random() < 0.4:
                family = content.family_member(victim_id)
                victims.append((self._create(tablet, "victim", family), family))
            for record_id, victim in victims:
                for assistance in content.assistance(record_id, victim, accident["occurred_on"]):
                    self._create(tablet, "assistance", assistance)
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

    def _settle_rejections(self, tablet: SimulatedTablet, *, give_up: bool = False) -> None:
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

    def _partner_work(self, tablet: SimulatedTablet) -> None:
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

    def _shared_edits(self) -> None:
        """Two tablets of one organisation edit the same records before either syncs."""
        by_organisation: dict[str, list[SimulatedTablet]] = {}
        for tablet in self.tablets:
            if not tablet.is_partner:
                by_organisation.setdefault(tablet.plan.organisation, []).append(tablet)
        for pair in by_organisation.values():
            if len(pair) < 2:
                continue
            first, second = pair[0], pair[1]
            shared = [
                record
                for record in self._synced(first.client, "accident", limit=50)
                if _holds_in_sync(second.client, "accident", record["id"])
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
            self._sync(first)
            self._sync(second)

    # -- what NRA staff do on the server ----------------------------------------------------------
    def _staff_actions(self) -> None:
        nra = self._nra()
        devices = self._devices()
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
            self._staff_push(
                [
                    {
                        "model": "accident",
                        "id": str(accident_id),
                        "op": "upsert",
                        "base_version": current.version,
                        "data": {"village": f"{village} (checked by NRA)"},
                    }
                ]
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
            self._staff_push(
                [
                    {
                        "model": "victim",
                        "id": str(victim_id),
                        "op": "delete",
                        "base_version": victim_version,
                    }
                ]
            )
            self.report.staff["deleted"] += 1

    def _staff_push(self, records: list[dict[str, Any]]) -> None:
        device = server_device(user=self._nra(), name="simulation")
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

    # -- syncing -----------------------------------------------------------------------------------
    def _sync(self, tablet: SimulatedTablet) -> bool:
        try:
            tablet.client.sync()
        except SyncInterrupted:
            tablet.interrupted += 1
            return False
        return True

    def _final_sync(self) -> None:
        """Everyone syncs until a whole round sends nothing and every sync gets through."""
        for tablet in self.tablets:
            self._settle_rejections(tablet)
        for round_number in range(1, FINAL_ROUNDS + 1):
            sent_before = self._records_sent()
            succeeded = True
            for tablet in self.tablets:
                if round_number > 1:
                    self._settle_rejections(tablet, give_up=round_number > 3)
                succeeded &= self._sync(tablet)
            settled = all(t.client.pending_count() == 0 for t in self.tablets)
            if succeeded and settled and self._records_sent() == sent_before:
                self.report.final_rounds = round_number
                self.progress(f"final sync: settled after {round_number} rounds")
                return
        self.report.final_rounds = FINAL_ROUNDS
        self.progress(f"final sync: not settled after {FINAL_ROUNDS} rounds")

    # -- the checks --------------------------------------------------------------------------------
    def _check(self) -> None:
        report = self.report
        for tablet in self.tablets:
            stats = tablet.client.stats
            report.outcomes.update(stats.outcomes)
            report.records_sent += stats.records_sent
            report.batches += stats.batches_acked
            report.resends += stats.resends
            report.splits += stats.splits
            report.interrupted += tablet.interrupted
            report.notices += len(tablet.client.notices())
            report.rejections_left += len(tablet.client.rejections())
        report.requests, report.lost_requests, report.lost_responses = self._link_totals()
        devices = self._devices()
        for kind in Conflict.objects.filter(device__in=devices).values_list("kind", flat=True):
            report.conflicts[str(kind)] += 1
        report.still_held = InboxRecord.objects.filter(
            batch__device__in=devices, status=InboxStatus.HELD
        ).count()
        for tablet in self.tablets:
            fresh = TabletClient(store=LocalStore(), transport=self.make_transport())
            fresh.enrol(
                username=tablet.plan.username,
                password=self.password,
                device_name="consistency check",
            )
            fresh.pull()
            report.divergent[tablet.plan.username] = store_differences(
                tablet.client.store, fresh.store
            )
            report.compared[tablet.plan.username] = len(fresh.store.records())
        self._check_nothing_lost()

    def _check_nothing_lost(self) -> None:
        """Every record a tablet created is on the server once, or kept in review/quarantine."""
        report = self.report
        sent: dict[str, set[str]] = {}
        for tablet in self.tablets:
            for batch in tablet.client.store.batches():
                for wire in batch.records:
                    sent.setdefault(wire["model"], set()).add(wire["id"])
        created = {key for tablet in self.tablets for key in tablet.created}
        for model, record_id in sorted(created):
            if record_id not in sent.get(model, set()):
                owner = next(t for t in self.tablets if (model, record_id) in t.created)
                if owner.client.store.record(model, record_id) is not None:
                    report.lost.append(f"{model} {record_id}: still on the tablet, never sent")
                else:
                    report.never_sent += 1
        for model, ids in sorted(sent.items()):
            report.sent_records += len(ids)
            counted = Counter(
                str(pk)
                for pk in registry[model]
                .model._default_manager.filter(pk__in=ids)
                .values_list("pk", flat=True)
            )
            report.on_server += len(counted)
            report.lost.extend(
                f"{model} {record_id}: {count} copies"
                for record_id, count in counted.items()
                if count != 1
            )
            missing = ids - set(counted)
            kept = set(
                InboxRecord.objects.filter(
                    model=model, record_id__in=missing, status__in=QUARANTINE
                ).values_list("record_id", flat=True)
            ) | set(
                Conflict.objects.filter(model=model, record_id__in=missing).values_list(
                    "record_id", flat=True
                )
            )
            report.in_quarantine += len(kept)
            report.lost.extend(
                f"{model} {record_id}: neither on the server nor in review"
                for record_id in sorted(missing - kept)
            )

    # -- helpers -----------------------------------------------------------------------------------
    def _nra(self) -> User:
        if self.nra is None:
            raise RuntimeError("The NRA staff account is made by run() first.")
        return self.nra

    def _devices(self) -> list[Device]:
        ids = [tablet.client.device_id for tablet in self.tablets]
        return list(Device.objects.filter(device_id__in=ids))

    def _records_sent(self) -> int:
        return sum(tablet.client.stats.records_sent for tablet in self.tablets)

    def _link_totals(self) -> tuple[int, int, int]:
        links = [tablet.link.stats for tablet in self.tablets]
        return (
            sum(s.requests for s in links),
            sum(s.lost_requests for s in links),
            sum(s.lost_responses for s in links),
        )

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


def _holds_in_sync(client: TabletClient, model: str, record_id: str) -> bool:
    record = client.store.record(model, record_id)
    return record is not None and record.synced


def _clock_from(start: datetime.datetime) -> Callable[[], datetime.datetime]:
    """A tablet clock that is wrong by a fixed amount (reset to `start` when the run began)."""
    offset = start - datetime.datetime.now(tz=datetime.UTC)
    return lambda: datetime.datetime.now(tz=datetime.UTC) + offset


def run_field_day(**options: Any) -> FieldDayReport:
    """`FieldDay(**options).run()`, for callers that want one call."""
    return FieldDay(**options).run()
