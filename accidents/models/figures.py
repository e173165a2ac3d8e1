"""The accidents app's figure table (kept current by `figures`, which owns the slices)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accidents.choices import Activity, Classification, DeviceCategory


class AccidentFigure(models.Model):
    """How many accidents (not rejected, not deleted) fall in one cell."""

    year = models.PositiveSmallIntegerField(_("year"))
    # Null when the accident's date is known to the year only (date_precision "year").
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    province = models.CharField(_("province"), max_length=8)
    district = models.CharField(_("district"), max_length=4)
    device_category = models.CharField(
        _("device category"), max_length=32, choices=DeviceCategory.choices
    )
    # The accident's ordnance type code, empty when not recorded (the Monitor's mine split reads
    # the type's mine type when it reports, so an edit of the reference row needs no recount).
    ordnance_type = models.CharField(_("ordnance type"), max_length=32, blank=True, default="")
    activity = models.CharField(_("activity"), max_length=32, choices=Activity.choices)
    classification = models.CharField(
        _("classification"), max_length=16, choices=Classification.choices
    )
    verified = models.BooleanField(_("verified"))
    count = models.PositiveIntegerField(_("accidents"))

    class Meta:
        ordering = ["-year", "province", "district"]
        verbose_name = _("accident figure")
        verbose_name_plural = _("accident figures")
        indexes = [models.Index(fields=["year", "province"], name="accident_figure_slice_idx")]

    def __str__(self) -> str:
        return f"{self.year} {self.district}: {self.count}"
