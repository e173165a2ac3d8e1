import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceRecord(models.Model):
    """Reference data: identified by its code, pulled by tablets, edited by NRA staff only."""

    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class SyncRecord(models.Model):
    """A tablet-created record: keyed by the tablet's UUID, versioned, deleted as a tombstone."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    is_deleted = models.BooleanField(_("deleted"), default=False, editable=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)
    created_by_device = models.ForeignKey(
        "fieldsync.Device",
        verbose_name=_("created by device"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        abstract = True
