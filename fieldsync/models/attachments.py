"""Attachments: files named by their content (sha256), the uploads that bring them, and which
records refer to which file."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Attachment(models.Model):
    """A complete file, stored once however many records or uploads name it."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, primary_key=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    #: Read from the file's own bytes, never from its name or what the client said.
    content_type = models.CharField(_("content type"), max_length=64)
    #: The name it first arrived with (records carry their own names for it).
    name = models.CharField(_("file name"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        "fieldsync.User",
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    device = models.ForeignKey(
        "fieldsync.Device",
        verbose_name=_("device"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"{self.name or self.sha256[:12]} ({self.content_type})"


class Upload(models.Model):
    """A tus upload: the bytes received so far, stored as chunks until the file is whole."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    filename = models.CharField(_("file name"), max_length=255)
    filetype = models.CharField(_("declared content type"), max_length=100)
    length = models.PositiveBigIntegerField(_("length (bytes)"))
    offset = models.PositiveBigIntegerField(_("bytes received"), default=0)
    #: The stored chunks in order: [{"offset", "size", "name"}, ...] (name: in the storage).
    chunks = models.JSONField(default=list, blank=True)
    #: `Upload-Metadata` as the client sent it: HEAD gives it back unchanged (tus 1.0.0).
    metadata = models.TextField(blank=True)
    user = models.ForeignKey(
        "fieldsync.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    device = models.ForeignKey(
        "fieldsync.Device",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("device"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")

    def __str__(self) -> str:
        return f"{self.filename} {self.offset}/{self.length}"


class AttachmentRef(models.Model):
    """One record's field naming one file: kept by the engine's change hook on every write.

    Downloads are scoped through these rows (who may see a record naming the file), and a
    record's missing files are the references with no `Attachment` yet.
    """

    sha256 = models.CharField(max_length=64, db_index=True)
    model = models.CharField(max_length=32)
    record_id = models.UUIDField()
    field = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["model", "record_id", "field", "sha256"], name="attachment_ref_unique"
            )
        ]
        indexes = [models.Index(fields=["model", "record_id"], name="attachment_ref_record")]

    def __str__(self) -> str:
        return f"{self.model}:{self.record_id}.{self.field} -> {self.sha256[:12]}"
