import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from fieldsync.models import Device, SyncBatch


class Submission(models.Model):
    """An OpenRosa submission as Collect sent it: the instance XML kept verbatim (nothing is lost),
    the batch that carried its records through the engine, and the files received for it.

    `instance_id` is the UUID of `meta/instanceID`: unique, so the same instance sent twice is one
    row (a resend answers what the first did; other content under the same id is a 409).
    """

    instance_id = models.UUIDField(_("instance id"), unique=True)
    form_id = models.CharField(_("form"), max_length=64)
    form_version = models.CharField(_("form version"), max_length=64, blank=True)
    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.PROTECT, related_name="+"
    )
    xml = models.TextField(_("instance XML"))
    xml_sha256 = models.CharField(_("instance XML sha256"), max_length=64)
    deprecated_id = models.UUIDField(_("edit of"), null=True, blank=True)
    #: The id of the form's main record: the accident, or the assistance record (kept through
    #: edits: an edit of an edit still changes the record the first submission created).
    record_id = models.CharField(_("record id"), max_length=64)
    #: The latest batch this submission's records went through the engine in (a later POST of
    #: the same instance that brings files makes a new one).
    batch = models.OneToOneField(
        SyncBatch,
        verbose_name=_("batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submission",
    )
    # File name in the instance -> sha256 of the part received under that name.
    files = models.JSONField(_("files received"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("ODK submission")
        verbose_name_plural = _("ODK submissions")

    def __str__(self) -> str:
        return f"{self.form_id} uuid:{self.instance_id}"


def instance_uuid(value: str) -> uuid.UUID:
    """The UUID of an OpenRosa instance id (`uuid:<U>`); ValueError for anything else."""
    text = value.strip()
    if text.lower().startswith("uuid:"):
        text = text[5:]
    return uuid.UUID(text)
