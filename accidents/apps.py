from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccidentsConfig(AppConfig):
    name = "accidents"
    verbose_name = _("Accidents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accidents import (
            aggregates,  # noqa: F401  (the figure tables and statistics slices)
            duplicate_tasks,  # noqa: F401  (duplicate scan task, on changes)
            sync,  # noqa: F401  (registers the wire models with fieldsync)
        )
