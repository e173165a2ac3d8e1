from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VictimsConfig(AppConfig):
    name = "victims"
    verbose_name = _("Victims and assistance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accidents.selectors import accident_victims_register
        from fieldsync.messages import messages_register
        from fieldsync.registry import registry
        from fieldsync.services.reference import reference_seeder_register
        from victims import sync
        from victims.messages import VICTIM_MESSAGES
        from victims.selectors import VictimsOfAccidents
        from victims.services import service_type_reference_seed

        for adapter in (sync.ServiceTypeAdapter, sync.VictimAdapter, sync.AssistanceAdapter):
            registry.register(adapter)
        reference_seeder_register(service_type_reference_seed)
        accident_victims_register(VictimsOfAccidents())  # the accident side reads victims here
        messages_register(*VICTIM_MESSAGES)  # refusals in Lao in the admin
