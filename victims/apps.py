from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VictimsConfig(AppConfig):
    name = "victims"
    verbose_name = _("Victims and assistance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from victims import (
            aggregates,  # noqa: F401  (figure tables; subscribes to record changes)
            sync,  # noqa: F401  (registers the wire models with fieldsync)
        )
        from victims.exchange import admin as exchange_admin  # noqa: F401  (imports, exports)
