import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncCounter(models.Model):
    """The single row that hands out change sequence numbers.

    A transaction increments it as its last write and holds the row lock until it commits, so
    sequence numbers become visible in commit order: a reader never sees seq N committed while
    a lower one is still in flight (docs/sync.md, "No change is ever skipped").
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"change counter at {self.value}"


class SyncCommit(models.Model):
    """The range of sequence numbers one transaction took, with a random nonce.

    Cursors carry the nonce of the commit they stopped in; after a restore from backup the same
    numbers are handed out again with other nonces, so an old cursor is detected.
    """

    seq_high = models.BigIntegerField(primary_key=True)
    seq_low = models.BigIntegerField()
    nonce = models.CharField(max_length=32)
    committed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"commit {self.seq_low}-{self.seq_high}"


class ServerIdentity(models.Model):
    """This installation's random identity, so a cursor from another server is recognised."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    epoch = models.UUIDField(default=uuid.uuid4)

    def __str__(self) -> str:
        return str(self.epoch)


class Audience:
    PUBLIC = "*public"  # reference data: every device
    ALL = "*all"  # NRA staff: every record


class Change(models.Model):
    """The compacted change log: one row per record and audience, at the record's latest change.

    `audience` is an organisation code, or PUBLIC/ALL. When a record leaves an organisation's
    view its row stays with `visible=False` and a new seq, so that organisation's devices are told
    to drop it (`reason: out_of_scope`).
    """

    model = models.CharField(max_length=32)
    record_id = models.CharField(max_length=64)
    audience = models.CharField(max_length=40)
    seq = models.BigIntegerField()
    version = models.PositiveIntegerField()
    deleted = models.BooleanField(default=False)
    visible = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("change")
        constraints = [
            models.UniqueConstraint(
                fields=["model", "record_id", "audience"], name="change_one_row_per_audience"
            ),
        ]
        indexes = [models.Index(fields=["audience", "seq"], name="change_audience_seq_idx")]

    def __str__(self) -> str:
        return f"{self.model} {self.record_id} v{self.version} for {self.audience} @{self.seq}"
