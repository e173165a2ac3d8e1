"""The victims app's figure tables: casualties (direct victims) and victim assistance."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accidents.choices import Activity, Classification, DeviceCategory
from victims.choices import AgeGroup, CivilianStatus, Outcome, Sex


class CasualtyFigure(models.Model):
    """How many casualties (direct victims) of counted accidents fall in one cell."""

    year = models.PositiveSmallIntegerField(_("year"))
    # Null when the accident's date is known to the year only (date_precision "year").
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    province = models.CharField(_("province"), max_length=8)
    district = models.CharField(_("district"), max_length=4)
    device_category = models.CharField(
        _("device category"), max_length=32, choices=DeviceCategory.choices
    )
    # The accident's ordnance type code, empty when not recorded.
    ordnance_type = models.CharField(_("ordnance type"), max_length=32, blank=True, default="")
    activity = models.CharField(_("activity"), max_length=32, choices=Activity.choices)
    classification = models.CharField(
        _("classification"), max_length=16, choices=Classification.choices
    )
    civilian_status = models.CharField(
        _("civilian status"), max_length=16, choices=CivilianStatus.choices
    )
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    age_group = models.CharField(_("age group"), max_length=8, choices=AgeGroup.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    # Injured with a lasting impairment (victims.choices.DISABLING_INJURIES); never when killed.
    disabled = models.BooleanField(_("disabled"), default=False)
    verified = models.BooleanField(_("verified"))
    count = models.PositiveIntegerField(_("casualties"))

    class Meta:
        ordering = ["-year", "province", "district"]
        verbose_name = _("casualty figure")
        verbose_name_plural = _("casualty figures")
        indexes = [models.Index(fields=["year", "province"], name="casualty_figure_slice_idx")]

    def __str__(self) -> str:
        return f"{self.year} {self.district} {self.outcome}: {self.count}"


class AssistanceGrouping(models.TextChoices):
    """The grouping sets assistance figures are stored for (persons cannot be summed across)."""

    TOTAL = "total", _("All assistance")
    PILLAR = "pillar", _("Pillar")
    SERVICE_TYPE = "service_type", _("Service type")
    PROVIDER = "provider", _("Provider")
    STATUS = "status", _("Status")
    SEX_AGE = "sex_age", _("Sex and age group")
    # Key `assessed` (every status but cancelled) or `cancelled`: persons with a need assessed.
    NEED = "need", _("Need")


class AssistanceFigure(models.Model):
    """Distinct persons and services of one grouping-set cell of one slice.

    `accident_year` and `province` are the slice (the person's accident); `year` is the
    assistance year (started, else completed, else created). A person belongs to one accident,
    so persons add up across slices, `verified` and `device_category`, never across the keys of
    a grouping.
    """

    accident_year = models.PositiveSmallIntegerField(_("accident year"))
    province = models.CharField(_("province"), max_length=8)
    verified = models.BooleanField(_("verified"))
    # The device of the person's accident (a family member's: their casualty's), so assistance
    # can be limited to cluster-munition victims (CCM Article 7, Form H).
    device_category = models.CharField(
        _("device category"), max_length=32, choices=DeviceCategory.choices, default=""
    )
    year = models.PositiveSmallIntegerField(_("year"))
    grouping = models.CharField(_("grouping"), max_length=16, choices=AssistanceGrouping.choices)
    # The cell within the grouping: a pillar, service type or organisation code, a status,
    # "sex:age_group"; empty for the total and for assistance without a service type.
    key = models.CharField(_("key"), max_length=32, blank=True)
    persons = models.PositiveIntegerField(_("persons"))
    services = models.PositiveIntegerField(_("services"))

    class Meta:
        ordering = ["-year", "province", "grouping", "key"]
        verbose_name = _("assistance figure")
        verbose_name_plural = _("assistance figures")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "accident_year",
                    "province",
                    "verified",
                    "device_category",
                    "year",
                    "grouping",
                    "key",
                ],
                name="assistance_figure_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["accident_year", "province"], name="assistance_figure_slice_idx"),
            models.Index(fields=["year", "grouping"], name="assistance_figure_year_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.province} {self.grouping}={self.key}: {self.persons}"
