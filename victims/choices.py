"""The victim and assistance vocabularies of the data dictionary."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VictimType(models.TextChoices):
    DIRECT = "direct", _("Direct (casualty)")
    INDIRECT = "indirect", _("Indirect (family or community)")


class Relationship(models.TextChoices):
    PARENT = "parent", _("Parent")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    SIBLING = "sibling", _("Sibling")
    OTHER_FAMILY = "other_family", _("Other family")
    COMMUNITY = "community", _("Community")


class Outcome(models.TextChoices):
    KILLED = "killed", _("Killed")
    INJURED = "injured", _("Injured")
    UNKNOWN = "unknown", _("Unknown")


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNKNOWN = "unknown", _("Unknown")


class AgeGroup(models.TextChoices):
    CHILD = "child", _("Child (under 18)")
    ADULT = "adult", _("Adult")
    UNKNOWN = "unknown", _("Unknown")


class CivilianStatus(models.TextChoices):
    CIVILIAN = "civilian", _("Civilian")
    DEMINER = "deminer", _("Deminer")
    MILITARY = "military", _("Military")


class VictimRole(models.TextChoices):
    HANDLER = "handler", _("Handler")
    BYSTANDER = "bystander", _("Bystander")
    UNKNOWN = "unknown", _("Unknown")


class Injury(models.TextChoices):
    AMPUTATION_ARM_LEFT = "amputation_arm_left", _("Amputation, left arm")
    AMPUTATION_ARM_RIGHT = "amputation_arm_right", _("Amputation, right arm")
    AMPUTATION_LEG_LEFT = "amputation_leg_left", _("Amputation, left leg")
    AMPUTATION_LEG_RIGHT = "amputation_leg_right", _("Amputation, right leg")
    HAND_FINGERS = "hand_fingers", _("Hand or fingers")
    FOOT_TOES = "foot_toes", _("Foot or toes")
    VISION_LEFT = "vision_left", _("Vision, left eye")
    VISION_RIGHT = "vision_right", _("Vision, right eye")
    HEARING = "hearing", _("Hearing")
    HEAD_NECK = "head_neck", _("Head or neck")
    CHEST = "chest", _("Chest")
    ABDOMEN = "abdomen", _("Abdomen")
    BACK = "back", _("Back")
    BURNS = "burns", _("Burns")
    MULTIPLE_FRAGMENTS = "multiple_fragments", _("Multiple fragment wounds")
    PSYCHOLOGICAL = "psychological", _("Psychological")
    OTHER = "other", _("Other")


# The injuries that leave a lasting impairment: an injured casualty with one of them counts as
# "disabled" in SDG 18.1.1 (death, disabled, injured). Hand or fingers and foot or toes name the
# injured part, not its loss, so they do not count (docs/statistics.md, Reports).
DISABLING_INJURIES = frozenset(
    {
        Injury.AMPUTATION_ARM_LEFT,
        Injury.AMPUTATION_ARM_RIGHT,
        Injury.AMPUTATION_LEG_LEFT,
        Injury.AMPUTATION_LEG_RIGHT,
        Injury.VISION_LEFT,
        Injury.VISION_RIGHT,
        Injury.HEARING,
    }
)


class Consent(models.TextChoices):
    SELF = "self", _("Given by the victim")
    GUARDIAN = "guardian", _("Given by a guardian")
    NONE = "none", _("No consent")


class Pillar(models.TextChoices):
    MEDICAL_CARE = "medical_care", _("Medical care")
    PHYSICAL_REHABILITATION = "physical_rehabilitation", _("Physical rehabilitation")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    ECONOMIC_INCLUSION = "economic_inclusion", _("Economic inclusion")
    EDUCATION = "education", _("Education")
    ADVOCACY = "advocacy", _("Advocacy")


class AssistanceStatus(models.TextChoices):
    NEEDED = "needed", _("Needed")
    REFERRED = "referred", _("Referred")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# An assistance record is a need from the moment it is recorded; every status but cancelled is a
# need assessed, `completed` a need met (the CCM's "needs assessed and met", docs/statistics.md).
# The figures' need grouping has two keys: NEED_ASSESSED and NEED_WITHDRAWN.
NEED_ASSESSED = "assessed"
NEED_WITHDRAWN = AssistanceStatus.CANCELLED
NEED_MET = AssistanceStatus.COMPLETED


PERSONAL_FIELDS = (
    "full_name",
    "date_of_birth",
    "phone",
    "guardian_name",
    "photos",
    "consent_document",
)
CHILD_AGE_LIMIT = 18
MAX_AGE = 110
