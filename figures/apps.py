from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    name = "figures"
    verbose_name = _("Figures")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fieldsync import hooks
        from figures.slices import slices_mark_changed

        hooks.subscribe(slices_mark_changed)  # every record change marks its slices dirty
