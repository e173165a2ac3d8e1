"""The accident vocabularies of the data dictionary."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class TimeOfDay(models.TextChoices):
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    EVENING = "evening", _("Evening")
    NIGHT = "night", _("Night")
    UNKNOWN = "unknown", _("Unknown")


class Classification(models.TextChoices):
    CIVILIAN = "civilian", _("Civilian")
    DEMINING = "demining", _("Demining")


class DeviceCategory(models.TextChoices):
    CLUSTER_SUBMUNITION = "cluster_submunition", _("Cluster submunition")
    LARGE_BOMB = "large_bomb", _("Large bomb")
    LANDMINE = "landmine", _("Landmine")
    ARTILLERY_MORTAR = "artillery_mortar", _("Artillery or mortar")
    GRENADE = "grenade", _("Grenade")
    ROCKET = "rocket", _("Rocket")
    FUZE = "fuze", _("Fuze")
    OTHER_UXO = "other_uxo", _("Other UXO")
    UNKNOWN = "unknown", _("Unknown")


class MineType(models.TextChoices):
    """What kind of mine an ordnance type of the `landmine` category is (the Monitor's split)."""

    ANTIPERSONNEL = "antipersonnel", _("Antipersonnel mine")
    ANTIVEHICLE = "antivehicle", _("Antivehicle mine")
    IMPROVISED = "improvised", _("Improvised mine")


class Activity(models.TextChoices):
    FARMING = "farming", _("Farming")
    DIGGING = "digging", _("Digging")
    FIRE_COOKING = "fire_cooking", _("Lighting a fire or cooking")
    PLAYING = "playing", _("Playing")
    SCRAP_METAL = "scrap_metal", _("Collecting scrap metal")
    HANDLING = "handling", _("Handling the item")
    FOREST_PRODUCTS = "forest_products", _("Gathering forest products")
    FISHING = "fishing", _("Fishing")
    CONSTRUCTION = "construction", _("Construction")
    HERDING = "herding", _("Herding")
    TRAVELLING = "travelling", _("Travelling")
    CLEARANCE_OPERATION = "clearance_operation", _("Clearance operation")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class AccidentStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
