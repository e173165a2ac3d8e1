from django.apps import AppConfig


class VictimsConfig(AppConfig):
    name = "victims"
    verbose_name = "Victims and assistance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from victims import sync  # noqa: F401  (registers the wire models with fieldsync)
