import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fieldsync.models.base import ReferenceRecord


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    NGO = "ngo", _("NGO")
    INTERNATIONAL = "international", _("International")
    COMMERCIAL = "commercial", _("Commercial")


class Organisation(ReferenceRecord):
    """An organisation of the sector; also the tenant that owns the records its surveyors send."""

    code = models.CharField(_("code"), max_length=32, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    name_lo = models.CharField(_("name (Lao)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        lao = self.name_lo and (get_language() or "").startswith("lo")
        return f"{self.code} - {self.name_lo if lao else self.name}"


class Role(models.TextChoices):
    SURVEYOR = "surveyor", _("Surveyor")
    NRA_STAFF = "nra_staff", _("NRA staff")
    PARTNER = "partner", _("Partner")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.SURVEYOR)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    # Deactivation (contract: Authentication): `is_active` off, with who, when and why.
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    deactivated_by = models.ForeignKey(
        "self",
        verbose_name=_("deactivated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deactivation_reason = models.TextField(_("reason for deactivation"), blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        permissions = [
            ("view_personal_data", "Can see victims' personal data"),
            ("deactivate_user", "Can deactivate and reactivate accounts"),
        ]

    @property
    def is_nra(self) -> bool:
        return self.role == Role.NRA_STAFF

    def sees_personal_data(self) -> bool:
        """NRA staff holding the personal-data permission (superusers hold every permission)."""
        return self.is_nra and self.has_perm("fieldsync.view_personal_data")


class Device(models.Model):
    """One tablet (or partner system) enrolled by one user; its token is stored hashed."""

    device_id = models.UUIDField(_("device id"), default=uuid.uuid4)
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="devices"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    app_version = models.CharField(_("app version"), max_length=64, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    last_push_at = models.DateTimeField(_("last push"), null=True, blank=True)
    last_pull_at = models.DateTimeField(_("last pull"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-enrolled_at"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [
            models.UniqueConstraint(fields=["device_id", "user"], name="device_unique_per_user"),
        ]
        indexes = [
            models.Index(fields=["user", "device_id"]),
            models.Index(
                fields=["revoked_at"],
                condition=Q(revoked_at__isnull=True),
                name="device_active_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.device_id} ({self.user.username})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class LoginFailure(models.Model):
    """A failed device login, kept to throttle guessing per username and per address."""

    username = models.CharField(_("username"), max_length=150)
    address = models.CharField(_("address"), max_length=64)
    failed_at = models.DateTimeField(_("failed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("login failure")
        verbose_name_plural = _("login failures")
        indexes = [
            models.Index(fields=["username", "failed_at"], name="login_failure_user_idx"),
            models.Index(fields=["address", "failed_at"], name="login_failure_addr_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.failed_at:%Y-%m-%d %H:%M}"
