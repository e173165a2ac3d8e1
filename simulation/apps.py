from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimulationConfig(AppConfig):
    """Demo data and the field simulation: management commands only, no models."""

    name = "simulation"
    verbose_name = _("Simulation")
