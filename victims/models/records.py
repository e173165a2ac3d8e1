from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from fieldsync.models import ReferenceRecord, SyncRecord
from victims.choices import (
    CHILD_AGE_LIMIT,
    MAX_AGE,
    AgeGroup,
    AssistanceStatus,
    CivilianStatus,
    Consent,
    Outcome,
    Pillar,
    Relationship,
    Sex,
    VictimRole,
    VictimType,
)


class ServiceType(ReferenceRecord):
    code = models.CharField(_("code"), max_length=32, primary_key=True)
    pillar = models.CharField(_("pillar"), max_length=32, choices=Pillar.choices)
    name = models.CharField(_("name"), max_length=200)
    name_lo = models.CharField(_("name (Lao)"), max_length=200, blank=True)

    class Meta:
        ordering = ["pillar", "code"]
        verbose_name = _("service type")
        verbose_name_plural = _("service types")

    def __str__(self) -> str:
        lao = self.name_lo and (get_language() or "").startswith("lo")
        return self.name_lo if lao else self.name


class Victim(SyncRecord):
    """A casualty of an accident (direct) or a family or community member harmed (indirect)."""

    victim_type = models.CharField(_("victim type"), max_length=16, choices=VictimType.choices)
    accident = models.ForeignKey(
        "accidents.Accident",
        verbose_name=_("accident"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="victims",
    )
    related_victim = models.ForeignKey(
        "self",
        verbose_name=_("related victim"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indirect_victims",
    )
    relationship = models.CharField(
        _("relationship"), max_length=16, choices=Relationship.choices, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    age_years = models.PositiveSmallIntegerField(_("age (years)"), null=True, blank=True)
    age_estimated = models.BooleanField(_("age estimated"), default=False)
    age_group = models.GeneratedField(
        expression=models.Case(
            models.When(age_years__isnull=True, then=models.Value(AgeGroup.UNKNOWN.value)),
            models.When(age_years__lt=CHILD_AGE_LIMIT, then=models.Value(AgeGroup.CHILD.value)),
            default=models.Value(AgeGroup.ADULT.value),
        ),
        output_field=models.CharField(max_length=8, choices=AgeGroup.choices),
        db_persist=True,
        verbose_name=_("age group"),
    )
    civilian_status = models.CharField(
        _("civilian status"),
        max_length=16,
        choices=CivilianStatus.choices,
        default=CivilianStatus.CIVILIAN,
    )
    role = models.CharField(
        _("role"), max_length=16, choices=VictimRole.choices, default=VictimRole.UNKNOWN
    )
    injuries = models.JSONField(_("injuries"), default=list, blank=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    guardian_name = models.CharField(_("guardian name"), max_length=200, blank=True)
    consent = models.CharField(_("consent"), max_length=16, choices=Consent.choices)
    # Personal, like the name: references to attachments by sha256 (attachments.md).
    photos = models.JSONField(_("photos"), default=list, blank=True)
    consent_document = models.JSONField(_("consent document"), default=list, blank=True)
    # Set when NRA staff merged this victim into another (the same person): it is then a tombstone.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_duplicates",
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("victim")
        verbose_name_plural = _("victims")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    victim_type=VictimType.DIRECT,
                    accident__isnull=False,
                    related_victim__isnull=True,
                    relationship="",
                )
                & ~Q(outcome="")
                | Q(
                    victim_type=VictimType.INDIRECT,
                    related_victim__isnull=False,
                    outcome="",
                )
                & ~Q(relationship=""),
                name="victim_direct_or_indirect",
            ),
            models.CheckConstraint(
                condition=Q(age_years__isnull=True) | Q(age_years__lte=MAX_AGE),
                name="victim_age_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(consent=Consent.NONE)
                | Q(full_name="", date_of_birth__isnull=True, phone="", guardian_name=""),
                name="victim_no_personal_data_without_consent",
            ),
        ]
        indexes = [
            models.Index(fields=["accident"], name="victim_accident_idx"),
            models.Index(fields=["related_victim"], name="victim_related_idx"),
            # The admin's list: newest received first.
            models.Index(fields=["created_at", "id"], name="victim_received_idx"),
        ]

    def __str__(self) -> str:
        # Never the name: this string reaches logs and admin messages.
        return gettext("Victim %(id)s") % {"id": self.id}


class Assistance(SyncRecord):
    """A need, referral or service for one victim, delivered by a provider organisation."""

    victim = models.ForeignKey(
        Victim, verbose_name=_("victim"), on_delete=models.PROTECT, related_name="assistance"
    )
    pillar = models.CharField(_("pillar"), max_length=32, choices=Pillar.choices)
    service_type = models.ForeignKey(
        ServiceType,
        verbose_name=_("service type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    provider_organisation = models.ForeignKey(
        "fieldsync.Organisation",
        verbose_name=_("provider organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=16, choices=AssistanceStatus.choices)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    cost_lak = models.DecimalField(
        _("cost (LAK)"), max_digits=15, decimal_places=2, null=True, blank=True
    )
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    # Referral letters, receipts: references to attachments by sha256 (attachments.md).
    documents = models.JSONField(_("documents"), default=list, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("assistance")
        verbose_name_plural = _("assistance")
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(completed_on__gte=models.F("started_on")),
                name="assistance_completed_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status=AssistanceStatus.COMPLETED) | Q(completed_on__isnull=False),
                name="assistance_completed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=0),
                name="assistance_quantity_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(cost_lak__isnull=True) | Q(cost_lak__gte=0),
                name="assistance_cost_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["victim"], name="assistance_victim_idx"),
            models.Index(fields=["provider_organisation"], name="assistance_provider_idx"),
        ]

    def __str__(self) -> str:
        return gettext("%(pillar)s for victim %(victim)s") % {
            "pillar": self.get_pillar_display(),
            "victim": self.victim_id,
        }
