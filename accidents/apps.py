from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccidentsConfig(AppConfig):
    name = "accidents"
    verbose_name = _("Accidents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accidents import sync, tasks
        from accidents.messages import ACCIDENT_MESSAGES
        from accidents.services import accident_reference_seed
        from fieldsync import hooks
        from fieldsync.messages import messages_register
        from fieldsync.registry import registry
        from fieldsync.services.reference import reference_seeder_register

        for adapter in (
            sync.ProvinceAdapter,
            sync.DistrictAdapter,
            sync.OrdnanceTypeAdapter,
            sync.AccidentAdapter,
        ):
            registry.register(adapter)
        reference_seeder_register(accident_reference_seed)
        messages_register(*ACCIDENT_MESSAGES)  # refusals in Lao in the admin
        hooks.subscribe(tasks.accidents_changed)  # compare changed accidents for duplicates
