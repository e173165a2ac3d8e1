"""Records as surveyors fill them in, for the benchmarks: every field the data dictionary has
and a surveyor fills, about one accident to four dependent records, reproducible by seed."""

from __future__ import annotations

import random
import uuid
from typing import Any

DISTRICTS = {"LA-XI": ["0901", "0902", "0903"], "LA-SV": ["1301", "1302"], "LA-SL": ["1401"]}
ORDNANCE = {
    "cluster_submunition": ["BLU-26", "BLU-24", "BLU-3", "BLU-36"],
    "large_bomb": ["MK-82", "M117"],
    "landmine": ["M14", "PMN"],
    "artillery_mortar": ["60MM", "105MM"],
}
ACTIVITIES = ["farming", "digging", "scrap_metal", "fire_cooking", "forest_products", "herding"]
INJURIES = [
    "amputation_leg_left",
    "amputation_arm_right",
    "hand_fingers",
    "vision_left",
    "hearing",
    "burns",
    "multiple_fragments",
    "chest",
]
SERVICES = [
    ("medical_care", "surgery", "NRC", None, None),
    ("physical_rehabilitation", "prosthesis", "COPE", "1", "unit"),
    ("psychosocial", "counselling", "WE", "6", "sessions"),
    ("economic_inclusion", "livelihood_grant", "QLA", "1", "grant"),
]
DESCRIPTION = (
    "The household was preparing the field for rice after the burn. {who} struck a buried "
    "{ordnance} with a hoe about {distance} m from the house; the item had not been seen "
    "during the clearance survey of {year}. Neighbours carried the injured to the district "
    "hospital by tractor. The site was marked with red stones and the village chief informed."
)


class Records:
    """Mixed wire records in dependency order: an accident, two casualties (with personal
    fields, consent and several injuries), a family member, and an assistance record (dates,
    quantity, cost and notes) for the first casualty."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def accident(self) -> dict[str, Any]:
        rng = self.rng
        province = rng.choice(list(DISTRICTS))
        category = rng.choice(list(ORDNANCE))
        ordnance = rng.choice(ORDNANCE[category])
        description = DESCRIPTION.format(
            who=rng.choice(["The father", "A boy of twelve", "Two sisters"]),
            ordnance=ordnance,
            distance=rng.randint(20, 400),
            year=rng.randint(2008, 2020),
        )
        return self._record(
            "accident",
            {
                "occurred_on": f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}",
                "date_precision": "day",
                "time_of_day": rng.choice(["morning", "afternoon", "evening"]),
                "province": province,
                "district": rng.choice(DISTRICTS[province]),
                "village": f"Ban Phon {rng.randint(1, 500)}",
                "latitude": round(rng.uniform(14.5, 20.5), 6),
                "longitude": round(rng.uniform(101.0, 107.0), 6),
                "location_accuracy_m": round(rng.uniform(3, 25), 1),
                "classification": "civilian",
                "device_category": category,
                "ordnance_type": ordnance,
                "activity": rng.choice(ACTIVITIES),
                "ordnance_moved_before": rng.choice(["yes", "no", "unknown"]),
                "prior_risk_education": rng.choice(["yes", "no", "unknown"]),
                "description": description,
            },
            recorded_at="2026-11-20T08:15:00+07:00",
        )

    def victim(self, accident_id: str) -> dict[str, Any]:
        rng = self.rng
        age = rng.randint(4, 70)
        child = age < 18
        data = {
            "victim_type": "direct",
            "accident": accident_id,
            "outcome": rng.choice(["killed", "injured", "injured"]),
            "sex": rng.choice(["male", "female"]),
            "age_years": age,
            "age_estimated": rng.random() < 0.2,
            "civilian_status": "civilian",
            "role": rng.choice(["handler", "bystander"]),
            "injuries": rng.sample(INJURIES, rng.randint(1, 3)),
            "consent": "guardian" if child else "self",
            "full_name": f"Bounmy Phommasak {rng.randint(1, 9999)}",
            "date_of_birth": f"{2026 - age}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "phone": f"+856 20 {rng.randint(1000_0000, 9999_9999)}",
        }
        if child:
            data["guardian_name"] = f"Chanthala Phommasak {rng.randint(1, 9999)}"
        return self._record("victim", data)

    def family_member(self, casualty_id: str) -> dict[str, Any]:
        rng = self.rng
        return self._record(
            "victim",
            {
                "victim_type": "indirect",
                "related_victim": casualty_id,
                "relationship": rng.choice(["parent", "spouse", "sibling"]),
                "sex": rng.choice(["male", "female"]),
                "age_years": rng.randint(20, 60),
                "consent": "none",
            },
        )

    def assistance(self, victim_id: str) -> dict[str, Any]:
        rng = self.rng
        pillar, service, provider, quantity, unit = rng.choice(SERVICES)
        started = f"2026-11-{rng.randint(1, 14):02d}"
        data: dict[str, Any] = {
            "victim": victim_id,
            "pillar": pillar,
            "service_type": service,
            "provider_organisation": provider,
            "status": "completed",
            "started_on": started,
            "completed_on": f"2026-11-{rng.randint(15, 28):02d}",
            "cost_lak": f"{rng.randint(50, 5000) * 1000}.00",
            "notes": "Referred by the district health office; follow-up visit planned.",
        }
        if quantity is not None:
            data |= {"quantity": quantity, "unit": unit}
        return self._record("assistance", data)

    def mixed(self, count: int) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        while len(records) < count:
            a = self.accident()
            first, second = self.victim(a["id"]), self.victim(a["id"])
            records += [
                a,
                first,
                second,
                self.family_member(first["id"]),
                self.assistance(first["id"]),
            ]
        return records[:count]

    def _record(
        self, model: str, data: dict[str, Any], recorded_at: str | None = None
    ) -> dict[str, Any]:
        record = {"model": model, "id": self.uuid(), "op": "upsert", "base_version": None}
        if recorded_at is not None:
            record["recorded_at"] = recorded_at
        return {**record, "data": data}
