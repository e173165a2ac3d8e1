"""Reads of the victims app: what the accident side asks of victims (`AccidentVictims`), and
how the figures classify a casualty's injuries (`disabled_of`)."""

from __future__ import annotations

import operator
from collections.abc import Collection, Sequence
from difflib import SequenceMatcher
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
                accident_id__any_of=accident_ids,
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
        victims = Victim.objects.filter(accident_id__any_of=accident_ids, is_deleted=False)
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
            Q(accident_id__any_of=accident_ids)
            | Q(related_victim__accident_id__any_of=accident_ids)
        ).values_list("pk", flat=True)
        assistance = Assistance.objects.filter(
            Q(victim__accident_id__any_of=accident_ids)
            | Q(victim__related_victim__accident_id__any_of=accident_ids)
        ).values_list("pk", flat=True)
        return {
            "victim": {str(pk) for pk in victims},
            "assistance": {str(pk) for pk in assistance},
        }

    def victim_versions(self, accident_id: Any) -> list[tuple[str, int]]:
        moved = Victim.objects.filter(accident_id=accident_id, is_deleted=False).order_by("pk")
        return [(str(pk), version) for pk, version in moved.values_list("pk", "version")]


AGE_TOLERANCE = 2  # as the duplicate scan's (accidents.duplicates)


def victim_pairs_suggested(*, kept: Sequence[Victim], others: Sequence[Victim]) -> dict[str, str]:
    """{victim of another report: the kept report's victim that is probably the same person}.

    Same sex (or unknown) and ages within two years (or unknown); the closest names, then ages,
    first. One to one per report: a kept victim is suggested once for each other report.
    """
    scored: list[tuple[float, str, str, str]] = []
    for other in others:
        for candidate in kept:
            score = _same_person_score(other, candidate)
            if score is not None:
                scored.append((-score, str(other.pk), str(candidate.pk), str(other.accident_id)))
    suggested: dict[str, str] = {}
    taken: set[tuple[str, str]] = set()
    for _score, other_id, kept_id, report in sorted(scored):
        if other_id in suggested or (report, kept_id) in taken:
            continue
        suggested[other_id] = kept_id
        taken.add((report, kept_id))
    return suggested


def _same_person_score(a: Victim, b: Victim) -> float | None:
    if "unknown" not in (a.sex, b.sex) and a.sex != b.sex:
        return None
    score = 1.0
    if a.age_years is not None and b.age_years is not None:
        gap = abs(a.age_years - b.age_years)
        if gap > AGE_TOLERANCE:
            return None
        score += 1.0 - gap / (AGE_TOLERANCE + 1)
    if a.outcome == b.outcome:
        score += 0.5
    if a.full_name and b.full_name:
        score += 2 * SequenceMatcher(None, a.full_name.casefold(), b.full_name.casefold()).ratio()
    return score
