"""`FieldDay`: the run of a simulated field day, day by day, then the final sync and the checks.

Each day NRA staff work on the server (from the second day), every tablet's user works offline
in a shuffled order, the tablets sync, and two tablets of one organisation edit the same records.
"""

from __future__ import annotations

import datetime
import random
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.utils import timezone

from fieldsync.models import Role, User
from fieldsync.services.accounts import account_create_or_update
from simulation.content import FieldContent
from simulation.field_day.check import field_day_check
from simulation.field_day.fieldwork import FieldWork
from simulation.field_day.report import FieldDayReport
from simulation.field_day.staff import NRA_USERNAME, NraStaff
from simulation.field_day.tablets import (
    SimulatedTablet,
    link_totals,
    tablet_devices,
    tablet_plans,
    tablet_sync,
)
from tablet_client import FlakyTransport, HttpTransport, LocalStore, TabletClient, Transport

FINAL_ROUNDS = 40


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
        self.work = FieldWork(rng=self.rng, report=self.report, accidents_per_day=accidents_per_day)
        self.staff = NraStaff(rng=self.rng, report=self.report)

    # -- the run -----------------------------------------------------------------------------------
    def run(self) -> FieldDayReport:
        started = time.monotonic()
        self._accounts()
        self._enrol()
        for day in range(1, self.days + 1):
            self._day(day)
        self._final_sync()
        field_day_check(
            self.report, self.tablets, password=self.password, make_transport=self.make_transport
        )
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
                camera=random.Random(f"{self.seed}:{plan.username}:camera"),  # noqa: S311
            )
            tablet_sync(tablet)
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
            self.staff.act(nra=self._nra(), devices=tablet_devices(self.tablets))
        order = list(self.tablets)
        self.rng.shuffle(order)
        for tablet in order:
            if tablet.is_partner:
                self.work.partner_work(tablet)
            else:
                self.work.field_work(tablet)
        if self.concurrent:  # the whole field team syncs at once over the evening's signal
            with ThreadPoolExecutor(max_workers=len(order)) as pool:
                list(pool.map(tablet_sync, order))
        else:
            for tablet in order:
                tablet_sync(tablet)
        self.work.shared_edits(self.tablets)
        link = link_totals(self.tablets)
        self.progress(
            f"day {day}: {sum(self.report.recorded.values())} records recorded so far, "
            f"{self._records_sent()} sent; {self.report.files_taken} files taken, "
            f"{self._files_uploaded()} uploaded; link lost {link[1]} requests ({link[3]} "
            f"chunks cut) and {link[2]} responses of {link[0]}; NRA verified "
            f"{self.report.staff['verified']}, edited {self.report.staff['edited']}, deleted "
            f"{self.report.staff['deleted']}"
        )

    # -- syncing -----------------------------------------------------------------------------------
    def _final_sync(self) -> None:
        """Everyone syncs until a whole round sends nothing and every sync gets through."""
        for tablet in self.tablets:
            self.work.settle_rejections(tablet)
        for round_number in range(1, FINAL_ROUNDS + 1):
            sent_before = self._records_sent()
            succeeded = True
            for tablet in self.tablets:
                if round_number > 1:
                    self.work.settle_rejections(tablet, give_up=round_number > 3)
                succeeded &= tablet_sync(tablet)
            settled = all(t.client.pending_count() == 0 for t in self.tablets)
            if succeeded and settled and self._records_sent() == sent_before:
                self.report.final_rounds = round_number
                self.progress(f"final sync: settled after {round_number} rounds")
                return
        self.report.final_rounds = FINAL_ROUNDS
        self.progress(f"final sync: not settled after {FINAL_ROUNDS} rounds")

    # -- helpers -----------------------------------------------------------------------------------
    def _nra(self) -> User:
        if self.nra is None:
            raise RuntimeError("The NRA staff account is made by run() first.")
        return self.nra

    def _records_sent(self) -> int:
        return sum(tablet.client.stats.records_sent for tablet in self.tablets)

    def _files_uploaded(self) -> int:
        stats = [tablet.client.stats for tablet in self.tablets]
        return sum(s.files_uploaded + s.file_dedupes for s in stats)


def _clock_from(start: datetime.datetime) -> Callable[[], datetime.datetime]:
    """A tablet clock that is wrong by a fixed amount (reset to `start` when the run began)."""
    offset = start - datetime.datetime.now(tz=datetime.UTC)
    return lambda: datetime.datetime.now(tz=datetime.UTC) + offset


def run_field_day(**options: Any) -> FieldDayReport:
    """`FieldDay(**options).run()`, for callers that want one call."""
    return FieldDay(**options).run()
