from django.db import models
from django.utils.translation import gettext_lazy as _

#: How many timestamps (and pushes) of one device the server keeps (a device retries an older
#: timestamp when it lost the answer that carried a newer one).
ISSUED_KEPT = 32


class WatermelonState(models.Model):
    """What the server remembers of a WatermelonDB device between its pulls and pushes
    (contract watermelondb.md): the base of its unsynced edits and the timestamps it was given.
    """

    device = models.OneToOneField(
        "fieldsync.Device",
        verbose_name=_("device"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="watermelon",
    )
    #: `last_pulled_at` of the device's most recent pull request (None: a first sync).
    pull_base = models.BigIntegerField(_("base of the last pull"), null=True, blank=True)
    #: [[timestamp, commit nonce], ...], oldest first: the timestamps this device may send back.
    issued = models.JSONField(_("timestamps issued"), default=list)
    #: [[batch pk, sequence number when it was done], ...], oldest first: its recent pushes.
    pushes = models.JSONField(_("recent pushes"), default=list)
    pulled_at = models.DateTimeField(_("last pull"), null=True, blank=True)

    class Meta:
        verbose_name = _("WatermelonDB device state")
        verbose_name_plural = _("WatermelonDB device states")

    def __str__(self) -> str:
        return f"WatermelonDB state of device {self.device_id}"
