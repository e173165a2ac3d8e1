from django.apps import AppConfig


class AccidentsConfig(AppConfig):
    name = "accidents"
    verbose_name = "Accidents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accidents import sync  # noqa: F401  (registers the wire models with fieldsync)
