"""The accidents app's figure table, and the (year, province) slices every figure is kept by.

A *slice* is the accidents that occurred in one year in one province, with everything that hangs
from them: their victims, those victims' families and the assistance of both. A change to any of
them marks its slice (before and after the change) dirty in the changing transaction; a task then
recomputes the figure rows of just those slices (`victims.aggregates.slices`).

Read docs/statistics.md for the whole picture.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accidents.choices import (
    AccidentStatus,
    Activity,
    Classification,
    DatePrecision,
    DeviceCategory,
)
from accidents.models import Accident
from fieldsync.bulk import insert_from_query

COUNTED_STATUSES = (AccidentStatus.REPORTED, AccidentStatus.VERIFIED)  # rejected never counts


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


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def month_of(accident: str = "") -> Case:
    """The accident's month, or null when only its year is known."""
    return Case(
        When(**{f"{accident}date_precision": DatePrecision.YEAR}, then=Value(None)),
        default=ExtractMonth(f"{accident}occurred_on"),
        output_field=models.PositiveSmallIntegerField(),
    )


def verified_of(accident: str = "") -> Case:
    return Case(
        When(**{f"{accident}status": AccidentStatus.VERIFIED}, then=Value(True)),
        default=Value(False),
        output_field=models.BooleanField(),
    )


def counted_accidents_q(prefix: str = "") -> Q:
    """The accidents that count in figures: not deleted, not rejected."""
    return Q(**{f"{prefix}is_deleted": False, f"{prefix}status__in": COUNTED_STATUSES})


def slice_figures_delete(
    model: type[models.Model], year: int | None, province: str | None, *, year_field: str = "year"
) -> None:
    """Delete a figure table's rows of the slice, or of every slice when it is not named (a full
    rebuild)."""
    if year is None or province is None:
        model._default_manager.all().delete()
    else:
        model._default_manager.filter(**{year_field: year, "province": province}).delete()


def in_slice_q(year: int | None, province: str | None, prefix: str = "") -> Q:
    """The records of the slice; of every slice when it is not named (a full rebuild)."""
    if year is None or province is None:
        return Q()
    return Q(**{f"{prefix}occurred_on__range": year_bounds(year), f"{prefix}province_id": province})


def accident_figures_replace(*, year: int | None = None, province: str | None = None) -> int:
    """Replace the slice's accident figures by a fresh count; the caller holds the slice lock.

    Without a slice, every slice's (a full rebuild: one GROUP BY over the whole table)."""
    slice_figures_delete(AccidentFigure, year, province)
    scope = in_slice_q(year, province)
    rows = (
        Accident.objects.filter(scope, counted_accidents_q())
        .order_by()
        .values(
            "device_category",
            "activity",
            "classification",
            month=month_of(),
            district_code=F("district_id"),
            is_verified=verified_of(),
            slice_year=ExtractYear("occurred_on"),
            slice_province=F("province_id"),
        )
        .annotate(accidents=Count("pk"))
    )
    return insert_from_query(
        AccidentFigure,
        {
            "year": "slice_year",
            "province": "slice_province",
            "month": "month",
            "district": "district_code",
            "device_category": "device_category",
            "activity": "activity",
            "classification": "classification",
            "verified": "is_verified",
            "count": "accidents",
        },
        rows,
    )
