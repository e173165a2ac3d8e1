from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncBatch(models.Model):
    """A pushed batch as received; keeps the response it gave so a replay returns it unchanged."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")

    device = models.ForeignKey("fieldsync.Device", on_delete=models.PROTECT, related_name="batches")
    batch_id = models.UUIDField(_("batch id"))
    body_sha256 = models.CharField(max_length=64)
    schema_version = models.PositiveSmallIntegerField()
    record_count = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    response = models.JSONField(null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sync batch")
        verbose_name_plural = _("sync batches")
        constraints = [
            models.UniqueConstraint(fields=["device", "batch_id"], name="batch_unique_per_device"),
        ]

    def __str__(self) -> str:
        return str(self.batch_id)


class InboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPLIED = "applied", _("Applied")
    UNCHANGED = "unchanged", _("Unchanged")
    MERGED = "merged", _("Merged")
    CONFLICT = "conflict", _("Conflict")
    HELD = "held", _("Held")
    REJECTED = "rejected", _("Rejected")
    DISCARDED = "discarded", _("Discarded")
    # Held or rejected, then overtaken by a later stored version of the same record (re-sent
    # and applied, fixed by staff, deleted): no longer for review, kept in the history.
    SUPERSEDED = "superseded", _("Superseded by a later version")


#: What still needs a person: the review queue.
REVIEWABLE = (InboxStatus.HELD, InboxStatus.REJECTED)


class InboxRecord(models.Model):
    """One record of a batch exactly as the tablet sent it, and what became of it."""

    batch = models.ForeignKey(SyncBatch, on_delete=models.PROTECT, related_name="records")
    position = models.PositiveIntegerField()
    model = models.CharField(max_length=64, blank=True)
    record_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(help_text=_("The record exactly as the tablet sent it."))
    status = models.CharField(
        max_length=16, choices=InboxStatus.choices, default=InboxStatus.PENDING
    )
    result = models.JSONField(null=True, blank=True)
    waiting_for_model = models.CharField(max_length=32, blank=True)
    waiting_for_id = models.CharField(max_length=64, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("received record")
        verbose_name_plural = _("received records")
        ordering = ["batch_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "position"], name="inbox_unique_position"),
        ]
        indexes = [
            models.Index(
                fields=["waiting_for_model", "waiting_for_id"],
                condition=models.Q(status="held"),
                name="inbox_held_idx",
            ),
            models.Index(fields=["status"], name="inbox_status_idx"),
            models.Index(fields=["model", "record_id"], name="inbox_record_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.record_id} ({self.status})"


class RecordVersion(models.Model):
    """One accepted change of one record: the full record after it, and what changed (audit)."""

    class Source(models.TextChoices):
        SYNC = "sync", _("Tablet sync")
        ADMIN = "admin", _("Admin")
        API = "api", _("Partner API")
        IMPORT = "import", _("Import")
        ODK = "odk", _("ODK Collect")
        SYSTEM = "system", _("System")

    model = models.CharField(max_length=32)
    record_id = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    op = models.CharField(max_length=16)  # create, update, delete
    base_version = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("The version the tablet's change was made on.")
    )
    data = models.JSONField()
    changes = models.JSONField(default=dict, help_text=_("{field: [old, new]}"))
    source = models.CharField(max_length=16, choices=Source.choices)
    device = models.ForeignKey(
        "fieldsync.Device", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        "fieldsync.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    inbox_record = models.ForeignKey(
        InboxRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at (tablet clock)"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at (server clock)"), auto_now_add=True)
    #: The highest change sequence number of the commit that stored this version (set by the
    #: change log's flush; 0 for versions older than the column): "the record as of seq N".
    commit_seq = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("record version")
        ordering = ["model", "record_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "record_id", "version"], name="record_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.record_id} v{self.version}"


class ConflictKind(models.TextChoices):
    FIELDS = "fields", _("Same fields edited on tablet and server")
    LOCKED = "locked", _("Record verified by the NRA")
    DELETED = "deleted", _("Record deleted on the server")
    DELETE = "delete", _("Delete of a record changed on the server")


class ConflictStatus(models.TextChoices):
    OPEN = "open", _("Awaiting review")
    RESOLVED = "resolved", _("Resolved")


class Conflict(models.Model):
    """Values a tablet sent that could not be applied; kept with both sides for NRA review."""

    model = models.CharField(max_length=32)
    record_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=ConflictKind.choices)
    base_version = models.PositiveIntegerField(null=True, blank=True)
    server_version = models.PositiveIntegerField()
    fields = models.JSONField(help_text=_("{field: {base, server, tablet}}"))
    inbox_record = models.ForeignKey(
        InboxRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="conflicts"
    )
    device = models.ForeignKey(
        "fieldsync.Device", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=ConflictStatus.choices, default=ConflictStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "fieldsync.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("conflict")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["model", "record_id"], name="conflict_record_idx"),
            models.Index(fields=["status"], name="conflict_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.record_id}: {self.kind}"
