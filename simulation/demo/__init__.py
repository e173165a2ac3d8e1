"""Demo records whose yearly casualty totals follow the published figures for Laos.

Everything is written through the sync engine (`batch_push` with a server device, source
`system`), so versions, history, the change log and the figures are those of real data. Ids and
batch ids are uuid5 of the seed: running it again replays the same batches and changes nothing.
The records carry no personal data (consent `none`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

from django.utils import timezone

from accidents.models import District
from fieldsync.models import Organisation, RecordVersion, Role, User
from fieldsync.services.devices import server_device
from fieldsync.services.push import batch_push
from simulation.demo.figures import YearFigures, published_figures, year_figures
from simulation.demo.records import DEMO_NAMESPACE, YearGenerator, record_batches

__all__ = ["YearFigures", "YearOutcome", "demo_data_generate", "published_figures", "year_figures"]
DEMO_USERNAME = "demo-data"


@dataclass
class YearOutcome:
    figures: YearFigures
    batches: int
    outcomes: dict[str, int]


def demo_user() -> User:
    """The NRA system account the demo records are written as (it cannot log in)."""
    user, created = User.objects.get_or_create(
        username=DEMO_USERNAME,
        defaults={"role": Role.NRA_STAFF, "organisation": Organisation.objects.get(pk="NRA")},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def demo_data_generate(*, first_year: int, last_year: int, seed: int) -> Iterator[YearOutcome]:
    """Push each year's demo records through the sync engine; yields each year's outcome.

    Needs the reference data (`seed_reference_data`). Years after today are skipped, and no
    accident is dated after today.
    """
    districts: dict[str, list[str]] = {}
    for code, province in District.objects.order_by("code").values_list("code", "province_id"):
        districts.setdefault(province, []).append(code)
    device = server_device(user=demo_user(), name="demo")
    today = timezone.localdate()
    for figures in year_figures(first_year, last_year):
        if figures.year > today.year:
            continue
        if figures.last_day > today:
            figures = replace(figures, last_day=today)
        generator = YearGenerator(seed=seed, figures=figures, districts=districts)
        outcomes: dict[str, int] = {}
        pushed = 0
        for number, records in enumerate(record_batches(generator.accidents())):
            batch_id = uuid.uuid5(DEMO_NAMESPACE, f"{seed}:batch:{figures.year}:{number}")
            envelope = {
                "batch_id": str(batch_id),
                "device_id": str(device.device_id),
                "schema_version": 1,
                "records": records,
            }
            result = batch_push(
                device=device,
                batch_id=batch_id,
                envelope=envelope,
                source=RecordVersion.Source.SYSTEM,
            )
            if result.http_status != 200:
                raise RuntimeError(f"Demo batch {batch_id} refused: {result.body.get('code')}")
            for item in result.body["results"]:
                outcomes[item["status"]] = outcomes.get(item["status"], 0) + 1
            pushed += 1
        yield YearOutcome(figures=figures, batches=pushed, outcomes=outcomes)
