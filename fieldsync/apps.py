from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class FieldsyncConfig(AppConfig):
    name = "fieldsync"
    verbose_name = _("Field sync")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fieldsync import hooks
        from fieldsync.attachments.refs import attachment_refs_update
        from fieldsync.lookups import lookups_register
        from fieldsync.registry import registry
        from fieldsync.services.logins import trusted_proxy_networks
        from fieldsync.services.organisations import organisation_reference_seed
        from fieldsync.services.reference import reference_seeder_register
        from fieldsync.sync import OrganisationAdapter

        lookups_register()
        registry.register(OrganisationAdapter)
        hooks.subscribe(attachment_refs_update)  # which record names which file
        reference_seeder_register(organisation_reference_seed)
        try:
            trusted_proxy_networks()
        except ValueError as error:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from error
