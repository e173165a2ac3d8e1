"""Possible duplicate accident reports, as groups: one group per cluster of similar reports.

A report is in at most one open group (a partial unique constraint), so a flood of similar
reports makes a few groups to review, never every pair. Staff decide a group as a whole: merge
it into one report or mark its reports distinct; a decided group is never reopened.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accidents.models.records import Accident


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("Awaiting review")
    MERGED = "merged", _("Merged")
    DISTINCT = "distinct", _("Distinct accidents")
    SUPERSEDED = "superseded", _("Superseded by another merge")


class DuplicateGroup(models.Model):
    """Accident reports that are probably the same event; NRA staff decide, never the code."""

    district = models.ForeignKey(
        "accidents.District", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    first_occurred_on = models.DateField(_("first date"))
    last_occurred_on = models.DateField(_("last date"))
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=3)
    reasons = models.JSONField(_("reasons"), default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    kept = models.ForeignKey(
        Accident,
        verbose_name=_("kept accident"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    flagged_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "fieldsync.User",
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-score", "-flagged_at"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        indexes = [models.Index(fields=["status", "-score"], name="duplicate_group_status_idx")]

    def __str__(self) -> str:
        return str(_("Possible duplicates %(number)s") % {"number": self.pk})


class DuplicateMember(models.Model):
    """One report of a group; `is_open` mirrors the group's status for the one-open-group rule."""

    group = models.ForeignKey(
        DuplicateGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="members"
    )
    accident = models.ForeignKey(
        Accident, verbose_name=_("accident"), on_delete=models.PROTECT, related_name="+"
    )
    is_open = models.BooleanField(_("open"), default=True)

    class Meta:
        ordering = ["group", "accident"]
        verbose_name = _("possible duplicate report")
        verbose_name_plural = _("possible duplicate reports")
        constraints = [
            models.UniqueConstraint(fields=["group", "accident"], name="duplicate_member_unique"),
            models.UniqueConstraint(
                fields=["accident"], condition=Q(is_open=True), name="duplicate_one_open_group"
            ),
        ]
        indexes = [models.Index(fields=["accident"], name="duplicate_member_accident_idx")]

    def __str__(self) -> str:
        return f"{self.accident_id} in {self.group_id}"
