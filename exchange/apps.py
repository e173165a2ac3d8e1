from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = _("Import and export")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib import admin

        from exchange.admin import export_selected_csv, export_selected_xlsx
        from fieldsync.services.accounts import staff_permissions_grant

        # Off everywhere; a records admin whose `actions` names them has them.
        for action in (export_selected_csv, export_selected_xlsx):
            admin.site.add_action(action, action.__name__)
            admin.site.disable_action(action.__name__)
        # NRA data officers upload, preview and confirm imports.
        staff_permissions_grant(
            "exchange.add_importfile", "exchange.view_importfile", "exchange.change_importfile"
        )
