import datetime
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accidents.choices import (
    AccidentStatus,
    Activity,
    Classification,
    DatePrecision,
    DeviceCategory,
    MineType,
    TimeOfDay,
    YesNoUnknown,
)
from fieldsync.models import ReferenceRecord, SyncRecord

EARLIEST_ACCIDENT = datetime.date(1964, 1, 1)
LATITUDE_RANGE = (Decimal("13.9"), Decimal("22.5"))
LONGITUDE_RANGE = (Decimal("100.0"), Decimal("107.7"))


def localized_name(name_en: str, name_lo: str) -> str:
    """The Lao name to a reader of Lao when it is known, the English name otherwise."""
    return name_lo if name_lo and (get_language() or "").startswith("lo") else name_en


class Province(ReferenceRecord):
    code = models.CharField(_("ISO code"), max_length=8, primary_key=True)
    lsb_code = models.CharField(_("LSB code"), max_length=2, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_lo = models.CharField(_("name (Lao)"), max_length=100, blank=True)

    class Meta:
        ordering = ["lsb_code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return localized_name(self.name_en, self.name_lo)


class District(ReferenceRecord):
    code = models.CharField(_("LSB code"), max_length=4, primary_key=True)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="districts"
    )
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_lo = models.CharField(_("name (Lao)"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return f"{localized_name(self.name_en, self.name_lo)} ({self.code})"


class OrdnanceType(ReferenceRecord):
    code = models.CharField(_("code"), max_length=32, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    device_category = models.CharField(
        _("device category"), max_length=32, choices=DeviceCategory.choices
    )
    # Server-side only (not on the wire): which mine a `landmine` type is, for the Monitor's
    # antipersonnel / antivehicle / improvised split; empty for other categories or not known.
    mine_type = models.CharField(
        _("mine type"), max_length=16, choices=MineType.choices, blank=True
    )

    class Meta:
        ordering = ["device_category", "code"]
        verbose_name = _("ordnance type")
        verbose_name_plural = _("ordnance types")
        constraints = [
            models.CheckConstraint(
                condition=Q(mine_type="") | Q(device_category=DeviceCategory.LANDMINE),
                name="ordnance_type_mine_type_for_landmines",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Accident(SyncRecord):
    """An explosion of ordnance that harmed someone, as reported by a surveyor."""

    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AccidentStatus.choices,
        default=AccidentStatus.REPORTED,
        editable=False,
    )
    occurred_on = models.DateField(_("occurred on"))
    date_precision = models.CharField(
        _("date precision"), max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    time_of_day = models.CharField(
        _("time of day"), max_length=16, choices=TimeOfDay.choices, default=TimeOfDay.UNKNOWN
    )
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.CharField(_("village"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    location_accuracy_m = models.DecimalField(
        _("location accuracy (m)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    classification = models.CharField(
        _("classification"), max_length=16, choices=Classification.choices
    )
    device_category = models.CharField(
        _("device category"), max_length=32, choices=DeviceCategory.choices
    )
    ordnance_type = models.ForeignKey(
        OrdnanceType,
        verbose_name=_("ordnance type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    activity = models.CharField(_("activity"), max_length=32, choices=Activity.choices)
    ordnance_moved_before = models.CharField(
        _("ordnance moved before"),
        max_length=8,
        choices=YesNoUnknown.choices,
        default=YesNoUnknown.UNKNOWN,
    )
    prior_risk_education = models.CharField(
        _("prior risk education"),
        max_length=8,
        choices=YesNoUnknown.choices,
        default=YesNoUnknown.UNKNOWN,
    )
    description = models.TextField(_("description"), max_length=4000, blank=True)
    reporting_organisation = models.ForeignKey(
        "fieldsync.Organisation",
        verbose_name=_("reporting organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_on = models.DateField(_("reported on"))
    # Site and ordnance photos: references to attachments by sha256 (attachments.md).
    photos = models.JSONField(_("photos"), default=list, blank=True)
    status_changed_at = models.DateTimeField(
        _("status changed at"), null=True, blank=True, editable=False
    )
    status_changed_by = models.ForeignKey(
        "fieldsync.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("status changed by"),
    )
    status_reason = models.TextField(_("reason"), blank=True)
    # Set when NRA staff merged this report into another (a duplicate): it is then a tombstone.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_duplicates",
    )

    class Meta:
        ordering = ["-occurred_on", "reference"]
        verbose_name = _("accident")
        verbose_name_plural = _("accidents")
        permissions = [("review_accident", "Can verify, reject and merge accident reports")]
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_on__gte=EARLIEST_ACCIDENT), name="accident_not_before_1964"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=LATITUDE_RANGE[0],
                    latitude__lte=LATITUDE_RANGE[1],
                    longitude__gte=LONGITUDE_RANGE[0],
                    longitude__lte=LONGITUDE_RANGE[1],
                ),
                name="accident_coordinates_in_laos",
            ),
            models.CheckConstraint(
                condition=Q(location_accuracy_m__isnull=True) | Q(location_accuracy_m__gte=0),
                name="accident_accuracy_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AccidentStatus.values), name="accident_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["occurred_on"], name="accident_occurred_idx"),
            models.Index(fields=["province", "occurred_on"], name="accident_province_idx"),
            models.Index(fields=["status"], name="accident_status_idx"),
            models.Index(fields=["reporting_organisation"], name="accident_org_idx"),
            # The admin's queue: newest received first, whole or by status.
            models.Index(fields=["created_at", "id"], name="accident_received_idx"),
            models.Index(
                fields=["status", "created_at", "id"], name="accident_status_received_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class ReferenceCounter(models.Model):
    """The last accident reference number handed out per province and year (no gaps, no races)."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["province", "year"], name="reference_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.province_id}-{self.year}: {self.last_number}"
