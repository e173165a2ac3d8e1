"""Plausible field records for the simulation: UXO accidents in Laos, their victims, assistance.

Geography and codes come from the reference data the tablet pulled (as the real app's pick
lists do); the proportions follow the pattern of the Lao casualty records: mostly cluster
submunitions, farming, fire and scrap metal, about half the casualties children.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

# Roughly the centre of the provinces where most accidents happen (lat, lon).
PROVINCE_CENTRES: dict[str, tuple[float, float]] = {
    "LA-XI": (19.45, 103.20),
    "LA-HO": (20.35, 104.05),
    "LA-KH": (17.60, 105.15),
    "LA-SV": (16.55, 105.75),
    "LA-SL": (15.75, 106.40),
    "LA-XE": (15.35, 106.75),
    "LA-AT": (14.80, 106.85),
    "LA-CH": (14.95, 105.95),
    "LA-BL": (18.40, 104.40),
    "LA-LP": (19.90, 102.35),
    "LA-XS": (18.95, 102.95),
}
# Where each clearance organisation's survey teams work.
OPERATING_AREAS: dict[str, tuple[str, ...]] = {
    "HALO": ("LA-SV", "LA-XI"),
    "MAG": ("LA-XI", "LA-KH", "LA-HO"),
    "NPA": ("LA-SL", "LA-XE", "LA-AT", "LA-CH"),
    "UXO-LAO": tuple(PROVINCE_CENTRES),
}
VILLAGES = (
    "Ban Nameuang",
    "Ban Phonsavan",
    "Ban Nakhang",
    "Ban Tha Hin",
    "Ban Nongbua",
    "Ban Houaykhong",
    "Ban Phonxay",
    "Ban Natan",
    "Ban Donkhoune",
    "Ban Nam Thon",
    "Ban Lak Sao",
    "Ban Sepon Kao",
    "Ban Dakcheung",
    "Ban Muang Phin",
    "Ban Kengkok",
    "Ban Na Lam",
)
ACTIVITIES: dict[str, int] = {
    "farming": 30,
    "fire_cooking": 12,
    "scrap_metal": 10,
    "playing": 10,
    "digging": 8,
    "handling": 8,
    "forest_products": 6,
    "fishing": 3,
    "herding": 3,
    "construction": 3,
    "travelling": 2,
    "unknown": 2,
}
DEVICE_CATEGORIES: dict[str, int] = {
    "cluster_submunition": 55,
    "artillery_mortar": 12,
    "large_bomb": 8,
    "grenade": 8,
    "landmine": 5,
    "rocket": 3,
    "other_uxo": 3,
    "fuze": 2,
    "unknown": 4,
}
ACTIVITY_STORIES = {
    "farming": "was hoeing a rice field",
    "fire_cooking": "lit a cooking fire over buried ordnance",
    "scrap_metal": "was collecting scrap metal with a detector",
    "playing": "picked up a 'bombie' while playing near the school",
    "digging": "was digging a fence post hole",
    "handling": "tried to open the item to sell its explosive",
    "forest_products": "was gathering bamboo shoots in the forest",
    "fishing": "was fishing in a bomb crater pond",
    "herding": "was herding buffalo along the stream",
    "construction": "was levelling ground for a house",
    "travelling": "was walking the path to the market",
    "unknown": "was nearby; the circumstances are not known",
}
GIVEN_NAMES = {
    "male": ("Somchai", "Khamphone", "Bounmy", "Phet", "Souk", "Thong", "Xay", "Douangchai"),
    "female": ("Noy", "Vanh", "Keo", "Sengdao", "Manivanh", "Chanthala", "Phonesavanh", "Latsamy"),
}
FAMILY_NAMES = ("Phommachanh", "Sisouvong", "Vongsa", "Keomany", "Inthavong", "Saysana", "Lor")
INJURIES_BY_OUTCOME = {
    "injured": (
        "hand_fingers",
        "multiple_fragments",
        "amputation_leg_left",
        "amputation_leg_right",
        "amputation_arm_right",
        "vision_left",
        "vision_right",
        "burns",
        "hearing",
        "chest",
        "abdomen",
        "foot_toes",
    ),
    "killed": ("multiple_fragments", "head_neck", "chest", "abdomen"),
}
# Pillar, service type, the organisations that provide it.
SERVICES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("medical_care", "emergency_care", ("MOH",)),
    ("medical_care", "surgery", ("MOH",)),
    ("physical_rehabilitation", "prosthesis", ("COPE", "NRC")),
    ("physical_rehabilitation", "physiotherapy", ("COPE", "NRC", "HI")),
    ("psychosocial", "counselling", ("WE", "HI")),
    ("economic_inclusion", "livelihood_grant", ("QLA", "HI", "CRS")),
    ("education", "scholarship", ("WE",)),
)


def weighted(rng: random.Random, weights: Mapping[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[rng.randrange(len(items))]


class FieldContent:
    """Makes the records one surveyor of `organisation` writes down, from the tablet's
    reference data (`reference`: {(model, code): wire data})."""

    def __init__(
        self,
        *,
        rng: random.Random,
        organisation: str,
        reference: Mapping[tuple[str, str], Mapping[str, Any]],
        today: datetime.date,
    ) -> None:
        self.rng = rng
        self.today = today
        self.provinces = [
            p
            for p in OPERATING_AREAS.get(organisation, tuple(PROVINCE_CENTRES))
            if ("province", p) in reference
        ] or sorted(code for model, code in reference if model == "province")
        self.districts: dict[str, list[str]] = {}
        for (model, code), data in reference.items():
            if model == "district":
                self.districts.setdefault(str(data["province"]), []).append(code)
        for codes in self.districts.values():
            codes.sort()
        self.ordnance: dict[str, list[str]] = {}
        for (model, code), data in reference.items():
            if model == "ordnance_type":
                self.ordnance.setdefault(str(data["device_category"]), []).append(code)
        for codes in self.ordnance.values():
            codes.sort()

    # -- accidents --------------------------------------------------------------------------------
    def accident(self) -> dict[str, Any]:
        rng = self.rng
        province = pick(rng, self.provinces)
        district = pick(rng, self.districts[province])
        category = weighted(rng, DEVICE_CATEGORIES)
        activity = weighted(rng, ACTIVITIES)
        village = pick(rng, VILLAGES)
        recalled = rng.random() < 0.05  # an old accident told by a survivor
        occurred = (
            datetime.date(rng.randint(1975, 2015), 1, 1)
            if recalled
            else self.today - datetime.timedelta(days=rng.randint(1, 60))
        )
        latitude, longitude = PROVINCE_CENTRES.get(province, (18.0, 104.0))
        ordnance = self.ordnance.get(category)
        if category == "cluster_submunition" and ordnance and rng.random() < 0.6:
            ordnance_type: str | None = "BLU-26" if "BLU-26" in ordnance else ordnance[0]
        else:
            ordnance_type = pick(rng, ordnance) if ordnance and rng.random() < 0.5 else None
        data: dict[str, Any] = {
            "occurred_on": occurred.isoformat(),
            "date_precision": "year" if recalled else "day",
            "time_of_day": pick(rng, ("morning", "afternoon", "evening", "unknown")),
            "province": province,
            "district": district,
            "village": village,
            "classification": "civilian",
            "device_category": category,
            "ordnance_type": ordnance_type,
            "activity": activity,
            "ordnance_moved_before": pick(rng, ("yes", "no", "unknown")),
            "prior_risk_education": pick(rng, ("yes", "no", "no", "unknown")),
            "description": f"The victim {ACTIVITY_STORIES[activity]} in {village}.",
        }
        if rng.random() < 0.8:  # a GPS fix (rounded to 6 places, as the server keeps them)
            data["latitude"] = round(latitude + rng.uniform(-0.25, 0.25), 6)
            data["longitude"] = round(longitude + rng.uniform(-0.25, 0.25), 6)
            data["location_accuracy_m"] = float(rng.choice((5, 8, 12, 30)))
        return data

    def wrong_district(self, data: Mapping[str, Any]) -> str:
        """A district of another province: the slip the server refuses."""
        others = [p for p in sorted(self.districts) if p != data["province"]]
        return pick(self.rng, self.districts[pick(self.rng, others)])

    def right_district(self, data: Mapping[str, Any]) -> str:
        return pick(self.rng, self.districts[str(data["province"])])

    # -- victims ----------------------------------------------------------------------------------
    def casualty(self, accident_id: str, accident: Mapping[str, Any]) -> dict[str, Any]:
        rng = self.rng
        child = rng.random() < 0.5
        sex = "male" if rng.random() < 0.75 else "female"
        age = rng.randint(5, 17) if child else rng.randint(18, 68)
        outcome = rng.choices(("injured", "killed", "unknown"), weights=(65, 30, 5))[0]
        consent = "none" if rng.random() < 0.1 else ("guardian" if child else "self")
        injuries = (
            sorted(
                set(rng.sample(INJURIES_BY_OUTCOME.get(outcome, ("other",)), k=rng.randint(1, 2)))
            )
            if outcome != "unknown"
            else []
        )
        data: dict[str, Any] = {
            "victim_type": "direct",
            "accident": accident_id,
            "outcome": outcome,
            "sex": sex,
            "age_years": age,
            "age_estimated": rng.random() < 0.3,
            "civilian_status": "civilian",
            "role": "handler"
            if accident["activity"] in ("handling", "scrap_metal")
            else (pick(rng, ("bystander", "unknown"))),
            "injuries": injuries,
            "consent": consent,
        }
        if consent != "none":
            family = pick(rng, FAMILY_NAMES)
            data["full_name"] = f"{pick(rng, GIVEN_NAMES[sex])} {family}"
            if child:
                parent_sex = pick(rng, ("male", "female"))
                data["guardian_name"] = f"{pick(rng, GIVEN_NAMES[parent_sex])} {family}"
            if rng.random() < 0.4:
                data["phone"] = f"020 {rng.randint(2000, 9999)} {rng.randint(1000, 9999)}"
        return data

    def family_member(self, casualty_id: str) -> dict[str, Any]:
        """An indirect victim: a parent or spouse of a casualty killed."""
        rng = self.rng
        sex = pick(rng, ("male", "female"))
        return {
            "victim_type": "indirect",
            "related_victim": casualty_id,
            "relationship": pick(rng, ("parent", "spouse", "sibling")),
            "sex": sex,
            "age_years": rng.randint(25, 60),
            "consent": "self",
            "full_name": f"{pick(rng, GIVEN_NAMES[sex])} {pick(rng, FAMILY_NAMES)}",
            "injuries": ["psychological"],
        }

    # -- assistance -------------------------------------------------------------------------------
    def assistance(
        self, victim_id: str, victim: Mapping[str, Any], occurred_on: str
    ) -> list[dict[str, Any]]:
        """What a surveyor records for a casualty: emergency care, then referrals."""
        rng = self.rng
        if victim.get("victim_type") == "indirect":
            services = [SERVICES[4]]
        elif victim.get("outcome") != "injured":
            return []
        else:
            services = [SERVICES[0]]
            if any(i.startswith("amputation") for i in victim.get("injuries", [])):
                services.append(SERVICES[2])
            services.append(pick(rng, SERVICES[3:]))
        records = []
        start = datetime.date.fromisoformat(occurred_on)
        for pillar, service_type, providers in services:
            record: dict[str, Any] = {
                "victim": victim_id,
                "pillar": pillar,
                "service_type": service_type,
                "provider_organisation": pick(rng, providers),
                "status": "referred",
            }
            if service_type == "emergency_care":
                record.update(
                    {
                        "status": "completed",
                        "started_on": start.isoformat(),
                        "completed_on": min(
                            self.today, start + datetime.timedelta(days=3)
                        ).isoformat(),
                        "cost_lak": f"{rng.randint(5, 40) * 100_000}.00",
                        "notes": "Treated at the provincial hospital.",
                    }
                )
            records.append(record)
        return records

    def progress(self, assistance: Mapping[str, Any]) -> dict[str, Any] | None:
        """The next step of an assistance record (referred -> in progress -> completed)."""
        status = assistance.get("status")
        if status in ("referred", "needed"):
            return {"status": "in_progress", "started_on": self.today.isoformat()}
        if status == "in_progress":
            started = assistance.get("started_on") or self.today.isoformat()
            return {
                "status": "completed",
                "started_on": started,
                "completed_on": max(started, self.today.isoformat()),
                "quantity": "1.00",
                "unit": "service",
                "cost_lak": f"{self.rng.randint(5, 60) * 100_000}.00",
            }
        return None
