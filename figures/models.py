"""The figures' own tables: the (year, province) slices every figure is kept by, and the queue of
slices whose figures owe a recompute. The figure tables themselves belong to the domain apps
(`accidents.models.AccidentFigure`, `victims.models.CasualtyFigure`, `AssistanceFigure`).

A *slice* is the accidents that occurred in one year in one province, with everything that hangs
from them: their victims, those victims' families and the assistance of both. Read
docs/statistics.md for the whole picture.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StatisticsSlice(models.Model):
    """One row per (year, province): locked while the slice's figures are recomputed."""

    year = models.PositiveSmallIntegerField(_("year"))
    province = models.CharField(_("province"), max_length=8)
    recomputed_at = models.DateTimeField(_("recomputed at"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "province"]
        verbose_name = _("statistics slice")
        verbose_name_plural = _("statistics slices")
        constraints = [
            models.UniqueConstraint(fields=["year", "province"], name="statistics_slice_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.province}"


class DirtySlice(models.Model):
    """A slice whose figures owe a recompute, stored in the transaction that changed records."""

    year = models.PositiveSmallIntegerField(_("year"))
    province = models.CharField(_("province"), max_length=8)
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("dirty statistics slice")
        verbose_name_plural = _("dirty statistics slices")
        indexes = [models.Index(fields=["year", "province"], name="dirty_slice_idx")]

    def __str__(self) -> str:
        return f"{self.year} {self.province} (#{self.pk})"
