"""factory_boy factories for every model; codes stay clear of the seeded reference data."""

from __future__ import annotations

import datetime
import uuid

import factory
from factory.django import DjangoModelFactory, Password

from accidents.choices import Activity, Classification, DeviceCategory
from accidents.models import Accident, District, OrdnanceType, Province
from fieldsync.models import (
    Change,
    Conflict,
    ConflictKind,
    Device,
    InboxRecord,
    LoginFailure,
    Organisation,
    OrganisationKind,
    RecordVersion,
    Role,
    SyncBatch,
    User,
)
from victims.choices import AssistanceStatus, Consent, Outcome, Pillar, Sex, VictimType
from victims.models import Assistance, ServiceType, Victim

PASSWORD = "correct horse battery staple"


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"TEST-{n}")
    name = factory.LazyAttribute(lambda o: f"Organisation {o.code}")
    kind = OrganisationKind.NGO


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = Password(PASSWORD)
    role = Role.SURVEYOR
    organisation = factory.SubFactory(OrganisationFactory)

    class Params:
        nra = factory.Trait(
            role=Role.NRA_STAFF,
            is_staff=True,
            organisation=factory.SubFactory(OrganisationFactory, code="NRA"),
        )
        superuser = factory.Trait(nra=True, is_superuser=True)


class DeviceFactory(DjangoModelFactory[Device]):
    class Meta:
        model = Device

    user = factory.SubFactory(UserFactory)
    device_id = factory.LazyFunction(uuid.uuid4)
    name = factory.Sequence(lambda n: f"Tablet {n}")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    app_version = "1.4.0"


class ProvinceFactory(DjangoModelFactory[Province]):
    class Meta:
        model = Province

    code = factory.Sequence(lambda n: f"LA-T{n}")
    lsb_code = factory.Sequence(lambda n: f"{50 + n % 50}")
    name_en = factory.Sequence(lambda n: f"Province {n}")
    name_lo = "ແຂວງ"


class DistrictFactory(DjangoModelFactory[District]):
    class Meta:
        model = District

    code = factory.Sequence(lambda n: f"9{n % 1000:03d}")
    province = factory.SubFactory(ProvinceFactory)
    name_en = factory.Sequence(lambda n: f"District {n}")


class OrdnanceTypeFactory(DjangoModelFactory[OrdnanceType]):
    class Meta:
        model = OrdnanceType

    code = factory.Sequence(lambda n: f"TEST-{n}")
    name = factory.LazyAttribute(lambda o: f"{o.code} submunition")
    device_category = DeviceCategory.CLUSTER_SUBMUNITION


class ServiceTypeFactory(DjangoModelFactory[ServiceType]):
    class Meta:
        model = ServiceType

    code = factory.Sequence(lambda n: f"test_service_{n}")
    pillar = Pillar.MEDICAL_CARE
    name = factory.Sequence(lambda n: f"Service {n}")


class AccidentFactory(DjangoModelFactory[Accident]):
    class Meta:
        model = Accident

    reference = factory.Sequence(lambda n: f"LA-T-2025-{n:04d}")
    occurred_on = datetime.date(2025, 3, 14)
    province = factory.SubFactory(ProvinceFactory)
    district = factory.SubFactory(DistrictFactory, province=factory.SelfAttribute("..province"))
    village = "Ban Naphia"
    classification = Classification.CIVILIAN
    device_category = DeviceCategory.CLUSTER_SUBMUNITION
    activity = Activity.FARMING
    reporting_organisation = factory.SubFactory(OrganisationFactory)
    reported_on = datetime.date(2025, 3, 20)


class VictimFactory(DjangoModelFactory[Victim]):
    class Meta:
        model = Victim

    victim_type = VictimType.DIRECT
    accident = factory.SubFactory(AccidentFactory)
    outcome = Outcome.INJURED
    sex = Sex.MALE
    age_years = 12
    consent = Consent.GUARDIAN
    full_name = "Somphone Vongsa"
    date_of_birth = datetime.date(2013, 2, 1)
    phone = "+856 20 5555 1234"
    guardian_name = "Bounmy Vongsa"


class AssistanceFactory(DjangoModelFactory[Assistance]):
    class Meta:
        model = Assistance

    victim = factory.SubFactory(VictimFactory)
    pillar = Pillar.MEDICAL_CARE
    service_type = factory.SubFactory(ServiceTypeFactory)
    provider_organisation = factory.SubFactory(OrganisationFactory)
    status = AssistanceStatus.NEEDED


class SyncBatchFactory(DjangoModelFactory[SyncBatch]):
    class Meta:
        model = SyncBatch

    device = factory.SubFactory(DeviceFactory)
    batch_id = factory.LazyFunction(uuid.uuid4)
    body_sha256 = "0" * 64
    schema_version = 1
    record_count = 1
    response = factory.LazyFunction(lambda: {"results": []})


def _victim_record() -> dict:
    return {"victim_type": "direct", "full_name": "Somphone Vongsa", "phone": "+856 20 5555 1234"}


class InboxRecordFactory(DjangoModelFactory[InboxRecord]):
    class Meta:
        model = InboxRecord

    batch = factory.SubFactory(SyncBatchFactory)
    position = factory.Sequence(lambda n: n)
    model = "victim"
    record_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    payload = factory.LazyAttribute(
        lambda o: {"model": o.model, "id": o.record_id, "op": "upsert", "data": _victim_record()}
    )


class RecordVersionFactory(DjangoModelFactory[RecordVersion]):
    class Meta:
        model = RecordVersion

    model = "victim"
    record_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    version = 1
    op = "create"
    data = factory.LazyFunction(_victim_record)
    changes = factory.LazyFunction(lambda: {"full_name": [None, "Somphone Vongsa"]})
    source = RecordVersion.Source.SYNC
    device = factory.SubFactory(DeviceFactory)
    user = factory.SelfAttribute("device.user")


class ConflictFactory(DjangoModelFactory[Conflict]):
    class Meta:
        model = Conflict

    model = "victim"
    record_id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    kind = ConflictKind.FIELDS
    base_version = 1
    server_version = 2
    fields = factory.LazyFunction(
        lambda: {"full_name": {"base": "Somphone", "server": "Somphone V.", "tablet": "S. Vongsa"}}
    )
    device = factory.SubFactory(DeviceFactory)


class ChangeFactory(DjangoModelFactory[Change]):
    class Meta:
        model = Change

    model = "province"
    record_id = factory.Sequence(lambda n: f"LA-T{n}")
    audience = "*public"
    seq = factory.Sequence(lambda n: n + 1)
    version = 1


def laos_reference_data() -> None:
    """A few real reference rows (codes of the data dictionary) for record validation tests."""
    for code in ("NRA", "HALO", "MAG", "COPE", "HI"):
        OrganisationFactory(code=code)
    for code, lsb_code, name in (
        ("LA-VT", "01", "Vientiane Capital"),
        ("LA-HO", "07", "Houaphanh"),
        ("LA-XI", "09", "Xiengkhouang"),
    ):
        Province.objects.create(code=code, lsb_code=lsb_code, name_en=name)
    for code, province, name in (
        ("0101", "LA-VT", "Chanthabuly"),
        ("0701", "LA-HO", "Xamneua"),
        ("0901", "LA-XI", "Pek"),
        ("0902", "LA-XI", "Kham"),
    ):
        District.objects.create(code=code, province_id=province, name_en=name)
    OrdnanceType.objects.create(code="BLU-26", name="BLU-26", device_category="cluster_submunition")
    OrdnanceType.objects.create(code="MK-82", name="Mk 82", device_category="large_bomb")
    for code, pillar in (
        ("emergency_care", Pillar.MEDICAL_CARE),
        ("prosthesis", Pillar.PHYSICAL_REHABILITATION),
        ("counselling", Pillar.PSYCHOSOCIAL),
    ):
        ServiceType.objects.create(code=code, pillar=pillar, name=code.replace("_", " "))


class LoginFailureFactory(DjangoModelFactory[LoginFailure]):
    class Meta:
        model = LoginFailure

    username = factory.Sequence(lambda n: f"user{n}")
    address = "192.0.2.10"


def accidents_like(template: Accident, count: int, *, year: int) -> list[Accident]:
    """`count` more accidents in the template's place, bulk-created (lists of many thousands):
    references LA-XI-<year>-00000 on, occurred on 1 March of `year`."""
    return Accident.objects.bulk_create(
        [
            Accident(
                reference=f"LA-XI-{year}-{n:05d}",
                occurred_on=datetime.date(year, 3, 1),
                province_id=template.province_id,
                district_id=template.district_id,
                classification=template.classification,
                device_category=template.device_category,
                activity=template.activity,
                reporting_organisation_id=template.reporting_organisation_id,
                reported_on=datetime.date(year, 3, 2),
            )
            for n in range(count)
        ]
    )
