from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldsyncConfig(AppConfig):
    name = "fieldsync"
    verbose_name = _("Field sync")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fieldsync import sync  # noqa: F401  (registers the organisation wire model)
