"""An uploaded import file: kept from the upload, through its preview, to its application."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    VALID = "valid", _("Checked: ready to import")
    INVALID = "invalid", _("Checked: has rejected rows")
    QUEUED = "queued", _("Import requested")
    APPLIED = "applied", _("Imported")
    FAILED = "failed", _("Failed: nothing imported")
    DISCARDED = "discarded", _("Discarded: nothing imported")
    EXPIRED = "expired", _("Expired: not imported in time")


# A file in these states keeps no content: it can be neither checked again nor imported.
CLOSED_STATUSES = frozenset({ImportStatus.APPLIED, ImportStatus.DISCARDED, ImportStatus.EXPIRED})


class ImportFile(models.Model):
    """A spreadsheet of records, its validation report and whether it was applied.

    The file's bytes (victims' personal data) are kept only while it waits to be imported: they
    are dropped once it is imported (the records hold the data), discarded, or left unimported
    beyond `FIELDSYNC["IMPORT_FILE_RETENTION_DAYS"]` (expired). What stays is what the import
    was: its name, size and sha256 (a re-import is recognised), its report (counts, rejected
    rows and why: no cell values), who uploaded, imported or discarded it, and when.
    """

    file_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(
        _("records"),
        max_length=16,
        blank=True,
        help_text=_("The records a CSV file holds; empty: from the sheet or file names."),
    )
    content = models.BinaryField(_("content"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.RECEIVED
    )
    report = models.JSONField(_("report"), default=dict, editable=False)
    uploaded_by = models.ForeignKey(
        "fieldsync.User", verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_by = models.ForeignKey(
        "fieldsync.User",
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    discarded_by = models.ForeignKey(
        "fieldsync.User",
        verbose_name=_("discarded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    content_dropped_at = models.DateTimeField(
        _("content dropped at"),
        null=True,
        blank=True,
        help_text=_("When the file's content was dropped: imported, discarded or expired."),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import file")
        verbose_name_plural = _("import files")
        indexes = [models.Index(fields=["sha256"], name="import_file_sha256_idx")]

    def __str__(self) -> str:
        return self.file_name
