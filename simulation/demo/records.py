"""The demo records of one year: accidents, their casualties and families, the assistance."""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from simulation.demo.figures import YearFigures

DEMO_NAMESPACE = uuid.UUID("0b7e3f0c-2f7d-4d59-9a43-5b1f6c0de001")
MAX_BATCH_RECORDS = 1000
CASUALTIES_PER_ACCIDENT = 1.6  # when the source gives no accident count
DEMINING_SHARE = 0.02  # of accidents: a clearance operation, its casualties deminers


def _shares(text: str) -> dict[str, int]:
    """Relative weights from text: "a 3, b 1" gives {"a": 3, "b": 1}."""
    pairs = (item.split() for item in text.split(","))
    return {name: int(weight) for name, weight in pairs}


# Plausible shares (weights) of where, how and to whom accidents happen.
PROVINCES = _shares(
    "LA-XI 20, LA-SV 15, LA-SL 11, LA-HO 10, LA-KH 9, LA-AT 8, LA-XE 5, LA-CH 5, LA-BL 4, "
    "LA-XS 4, LA-LP 3, LA-VI 2, LA-PH 1, LA-OU 1, LA-XA 1, LA-VT 1"
)
DEVICES = _shares(
    "cluster_submunition 55, artillery_mortar 11, large_bomb 6, grenade 6, rocket 5, "
    "landmine 4, other_uxo 4, fuze 3, unknown 6"
)
ORDNANCE = {
    "cluster_submunition": {
        "BLU-26": 60,
        "BLU-3": 10,
        "BLU-24": 8,
        "BLU-36": 7,
        "BLU-59": 5,
        "BLU-61": 5,
        "BLU-63": 5,
    },
    "large_bomb": {"MK-81": 2, "MK-82": 5, "M117": 2, "MK-84": 1},
    "artillery_mortar": {"105MM": 3, "60MM": 3, "81MM": 2, "82MM": 2, "23MM": 1},
    "grenade": {"F1": 1, "M26": 2},
    "rocket": {"2.75IN": 1},
    "landmine": {"M14": 1, "M16": 1, "PMN": 1},
    "fuze": {"FUZE": 1},
}
ACTIVITIES = _shares(
    "farming 26, scrap_metal 12, digging 10, fire_cooking 10, forest_products 8, "
    "handling 8, construction 4, herding 4, fishing 3, travelling 3, other 2, unknown 1"
)
CHILD_ACTIVITIES = _shares(
    "playing 45, handling 15, fire_cooking 12, herding 10, farming 10, scrap_metal 8"
)
REPORTERS = {"UXO-LAO": 40, "NRA": 15, "HALO": 15, "MAG": 15, "NPA": 10, "HI": 5}
INJURIES = (
    "amputation_leg_left",
    "amputation_leg_right",
    "amputation_arm_right",
    "hand_fingers",
    "foot_toes",
    "vision_left",
    "vision_right",
    "hearing",
    "head_neck",
    "chest",
    "abdomen",
    "burns",
    "multiple_fragments",
)


# -- records ------------------------------------------------------------------------------------
def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _record(model: str, record_id: uuid.UUID, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": model,
        "id": str(record_id),
        "op": "upsert",
        "base_version": None,
        "data": data,
    }


@dataclass(frozen=True)
class PlannedAccident:
    """One accident of the year's plan: by deminers or not, (outcome, age group) per casualty."""

    demining: bool
    slots: tuple[tuple[str, str], ...]


class YearGenerator:
    """The accidents of one year, each with its victims and their assistance, as records."""

    def __init__(self, *, seed: int, figures: YearFigures, districts: dict[str, list[str]]):
        self.seed = seed
        self.figures = figures
        self.districts = districts
        self.rng = random.Random(f"{seed}:{figures.year}")  # noqa: S311  (demo data, not secrets)

    def id(self, *parts: object) -> uuid.UUID:
        return uuid.uuid5(DEMO_NAMESPACE, ":".join(str(p) for p in (self.seed, *parts)))

    def accidents(self) -> Iterator[list[dict[str, Any]]]:
        """Per accident, its records (the accident first)."""
        for number, planned in enumerate(self.plan()):
            yield self.accident(number, planned)

    def plan(self) -> list[PlannedAccident]:
        """The year's accidents and their casualties, adding up exactly to the year's figures:
        accidents (where published), killed, injured, unknown outcome and children.

        A clearance accident's casualties are deminers, adults: the year's child slots go to its
        other accidents only (a demining draw gives way when they would not fit).
        """
        figures, rng = self.figures, self.rng
        casualties = figures.casualties
        count = figures.accidents or max(1, round(casualties / CASUALTIES_PER_ACCIDENT))
        count = min(count, casualties)
        sizes = [1] * count
        for _ in range(casualties - count):
            sizes[rng.randrange(count)] += 1
        demining = [rng.random() < DEMINING_SHARE for _ in sizes]
        outcomes = ["killed"] * figures.killed + ["injured"] * figures.injured
        outcomes += ["unknown"] * figures.unknown
        rng.shuffle(outcomes)
        children = figures.children
        if children is None:
            children = round(casualties * rng.uniform(0.40, 0.60))
        civilian_slots = sum(size for size, by in zip(sizes, demining, strict=True) if not by)
        for number, size in enumerate(sizes):
            if civilian_slots >= children:
                break
            if demining[number]:
                demining[number], civilian_slots = False, civilian_slots + size
        child_slots = set(rng.sample(range(civilian_slots), children))
        civilian_slot = iter(range(civilian_slots))
        slot_outcomes = iter(outcomes)
        plan = []
        for size, by_deminers in zip(sizes, demining, strict=True):
            if by_deminers:
                ages = ["adult"] * size
            else:
                ages = [
                    "child" if next(civilian_slot) in child_slots else "adult" for _ in range(size)
                ]
            slots = tuple((next(slot_outcomes), age) for age in ages)
            plan.append(PlannedAccident(demining=by_deminers, slots=slots))
        return plan

    def accident(self, number: int, planned: PlannedAccident) -> list[dict[str, Any]]:
        rng, year = self.rng, self.figures.year
        accident_id = self.id(year, "accident", number)
        start = datetime.date(year, 1, 1)
        span = (self.figures.last_day - start).days
        occurred_on = start + datetime.timedelta(days=rng.randrange(span + 1))
        province = _pick(rng, PROVINCES)
        demining = planned.demining
        device = _pick(rng, DEVICES)
        has_child = any(age == "child" for _, age in planned.slots)
        if demining:
            activity = "clearance_operation"
        elif has_child and rng.random() < 0.6:
            activity = _pick(rng, CHILD_ACTIVITIES)
        else:
            activity = _pick(rng, ACTIVITIES)
        reported_on = min(occurred_on + datetime.timedelta(days=rng.randrange(15)), self.last_day)
        data = {
            "occurred_on": occurred_on.isoformat(),
            "time_of_day": rng.choice(("morning", "afternoon", "evening", "unknown")),
            "province": province,
            "district": rng.choice(self.districts[province]),
            "classification": "demining" if demining else "civilian",
            "device_category": device,
            "ordnance_type": _pick(rng, ORDNANCE[device]) if device in ORDNANCE else None,
            "activity": activity,
            "reporting_organisation": "UXO-LAO" if demining else _pick(rng, REPORTERS),
            "reported_on": reported_on.isoformat(),
            "description": "Demo record.",
        }
        records = [_record("accident", accident_id, data)]
        for index, (outcome, age) in enumerate(planned.slots):
            records += self.victim(accident_id, index, outcome, age, occurred_on, demining)
        return records

    @property
    def last_day(self) -> datetime.date:
        return self.figures.last_day

    def victim(
        self,
        accident_id: uuid.UUID,
        index: int,
        outcome: str,
        age: str,
        occurred_on: datetime.date,
        demining: bool,
    ) -> list[dict[str, Any]]:
        rng = self.rng
        victim_id = self.id(accident_id, "victim", index)
        age_years: int | None
        if age == "child":
            age_years = rng.randint(4, 17)
            sex = "male" if rng.random() < 0.68 else "female"
        elif demining:  # the plan gives a clearance accident adults only
            age_years, sex = rng.randint(20, 45), "male" if rng.random() < 0.85 else "female"
        else:
            age_years = rng.randint(18, 70) if rng.random() > 0.04 else None  # a few unknown
            sex = "male" if rng.random() < 0.78 else "female"
        injuries = sorted(rng.sample(INJURIES, rng.randint(1, 3))) if outcome == "injured" else []
        data = {
            "victim_type": "direct",
            "accident": str(accident_id),
            "outcome": outcome,
            "sex": sex,
            "age_years": age_years,
            "age_estimated": rng.random() < 0.2,
            "civilian_status": "deminer" if demining else "civilian",
            "role": rng.choice(("handler", "bystander", "unknown")),
            "injuries": injuries,
            "consent": "none",
        }
        records = [_record("victim", victim_id, data)]
        if outcome == "injured":
            records += self.assistance(victim_id, occurred_on, injuries, age_years)
        elif outcome == "killed" and rng.random() < 0.4:
            records += self.family(victim_id, occurred_on)
        return records

    def assistance(
        self,
        victim_id: uuid.UUID,
        occurred_on: datetime.date,
        injuries: Sequence[str],
        age_years: int | None,
    ) -> list[dict[str, Any]]:
        rng = self.rng
        services: list[tuple[str, str, str, int]] = [("medical_care", "emergency_care", "MOH", 0)]
        if any(i.startswith("amputation") for i in injuries):
            services.append(
                (
                    "physical_rehabilitation",
                    "prosthesis",
                    _pick(rng, {"COPE": 3, "NRC": 2, "HI": 1}),
                    60,
                )
            )
        elif rng.random() < 0.3:
            services.append(
                ("physical_rehabilitation", "physiotherapy", _pick(rng, {"NRC": 2, "HI": 1}), 20)
            )
        if rng.random() < 0.3:
            services.append(("psychosocial", "counselling", _pick(rng, {"QLA": 2, "WE": 1}), 30))
        if rng.random() < 0.25:
            kind = rng.choice(("vocational_training", "livelihood_grant"))
            services.append(
                ("economic_inclusion", kind, _pick(rng, {"WE": 2, "CRS": 1, "MOLSW": 1}), 120)
            )
        if age_years is not None and age_years < 18 and rng.random() < 0.3:
            services.append(("education", "school_support", _pick(rng, {"WE": 2, "CRS": 1}), 90))
        return [
            self.service(victim_id, number, occurred_on, *service)
            for number, service in enumerate(services)
        ]

    def family(self, victim_id: uuid.UUID, occurred_on: datetime.date) -> list[dict[str, Any]]:
        """An indirect victim (the casualty's family) and the livelihood support they received."""
        rng = self.rng
        relative_id = self.id(victim_id, "family")
        data = {
            "victim_type": "indirect",
            "related_victim": str(victim_id),
            "relationship": rng.choice(("spouse", "parent", "child", "sibling")),
            "sex": rng.choice(("male", "female")),
            "age_years": rng.randint(8, 65),
            "consent": "none",
        }
        grant = ("economic_inclusion", "livelihood_grant", _pick(rng, {"MOLSW": 2, "CRS": 1}), 60)
        return [
            _record("victim", relative_id, data),
            self.service(relative_id, 0, occurred_on, *grant),
        ]

    def service(
        self,
        victim_id: uuid.UUID,
        number: int,
        occurred_on: datetime.date,
        pillar: str,
        service_type: str,
        provider: str,
        delay_days: int,
    ) -> dict[str, Any]:
        rng = self.rng
        started_on = occurred_on + datetime.timedelta(days=delay_days + rng.randrange(30))
        completed_on = started_on + datetime.timedelta(days=rng.randint(1, 90))
        data: dict[str, Any] = {
            "victim": str(victim_id),
            "pillar": pillar,
            "service_type": service_type,
            "provider_organisation": provider,
        }
        if started_on > self.last_day:
            data["status"] = "referred"
        elif completed_on > self.last_day or rng.random() < 0.15:
            data |= {"status": "in_progress", "started_on": started_on.isoformat()}
        else:
            data |= {
                "status": "completed",
                "started_on": started_on.isoformat(),
                "completed_on": completed_on.isoformat(),
            }
        return _record("assistance", self.id(victim_id, "assistance", number), data)


def record_batches(accidents: Iterator[list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
    """Whole accidents (with their victims and assistance) per batch, at most 1,000 records."""
    batch: list[dict[str, Any]] = []
    for records in accidents:
        if batch and len(batch) + len(records) > MAX_BATCH_RECORDS:
            yield batch
            batch = []
        batch += records
    if batch:
        yield batch
