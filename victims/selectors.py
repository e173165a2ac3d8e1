"""Reads of the victims app: what the accident side asks of victims (`AccidentVictims`), and
how the figures classify a casualty's injuries (`disabled_of`)."""

from __future__ import annotations

import operator
from collections.abc import Collection, Sequence
from functools import reduce
from typing import Any

from django.db import models
from django.db.models import Case, Count, Q, Value, When
from django.db.models.functions import Cast
from django.db.models.lookups import Contains

from accidents.selectors import VictimSummary
from victims.choices import DISABLING_INJURIES, Outcome, VictimType
from victims.models import Assistance, Victim


def disabled_of(victim: str = "") -> Case:
    """True for an injured casualty with a disabling injury (amputation, sight, hearing).

    The injuries are a JSON list of vocabulary codes: its text holds each code in double quotes
    on SQLite and PostgreSQL alike, so a code is found by its quoted text, in SQL.
    """
    injuries = Cast(f"{victim}injuries", models.TextField())
    disabling = reduce(
        operator.or_,
        (Q(Contains(injuries, f'"{code}"')) for code in sorted(DISABLING_INJURIES)),
    )
    return Case(
        When(Q(**{f"{victim}outcome": Outcome.INJURED}) & disabling, then=Value(True)),
        default=Value(False),
        output_field=models.BooleanField(),
    )


class VictimsOfAccidents:
    """The victims app's answer to `accidents.selectors.AccidentVictims`."""

    def casualty_counts(self, accident_ids: Sequence[Any]) -> dict[str, tuple[int, int]]:
        counts: dict[str, tuple[int, int]] = {}
        if not accident_ids:
            return counts
        rows = (
            Victim.objects.filter(
                accident_id__in=accident_ids,
                is_deleted=False,
                victim_type=VictimType.DIRECT,
                outcome__in=[Outcome.KILLED, Outcome.INJURED],
            )
            .order_by()
            .values_list("accident_id", "outcome")
            .annotate(count=Count("pk"))
        )
        for accident_id, outcome, count in rows:
            killed, injured = counts.get(str(accident_id), (0, 0))
            if outcome == Outcome.KILLED:
                killed = count
            else:
                injured = count
            counts[str(accident_id)] = (killed, injured)
        return counts

    def victims_of(
        self, accident_ids: Collection[Any], *, direct_only: bool
    ) -> list[VictimSummary]:
        victims = Victim.objects.filter(accident_id__in=accident_ids, is_deleted=False)
        if direct_only:
            victims = victims.filter(victim_type=VictimType.DIRECT)
        return [
            VictimSummary(str(accident_id), sex, age, outcome)
            for accident_id, sex, age, outcome in victims.order_by("sex", "age_years").values_list(
                "accident_id", "sex", "age_years", "outcome"
            )
        ]

    def dependents(self, accident_ids: Collection[Any]) -> dict[str, set[str]]:
        victims = Victim.objects.filter(
            Q(accident_id__in=accident_ids) | Q(related_victim__accident_id__in=accident_ids)
        ).values_list("pk", flat=True)
        assistance = Assistance.objects.filter(
            Q(victim__accident_id__in=accident_ids)
            | Q(victim__related_victim__accident_id__in=accident_ids)
        ).values_list("pk", flat=True)
        return {
            "victim": {str(pk) for pk in victims},
            "assistance": {str(pk) for pk in assistance},
        }

    def victim_versions(self, accident_id: Any) -> list[tuple[str, int]]:
        moved = Victim.objects.filter(accident_id=accident_id, is_deleted=False).order_by("pk")
        return [(str(pk), version) for pk, version in moved.values_list("pk", "version")]
