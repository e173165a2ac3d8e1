from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OdkConfig(AppConfig):
    """ODK Collect and KoboCollect over OpenRosa: generated forms, engine-reconciled submissions."""

    name = "odk"
    verbose_name = _("ODK Collect")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fieldsync.authentication import API_REFUSED_APPS
        from fieldsync.services.accounts import staff_permissions_grant
        from odk.services import COLLECT_APP_VERSION

        # A Collect device's token (its QR code, its server URL) opens OpenRosa only.
        API_REFUSED_APPS.add(COLLECT_APP_VERSION)

        # NRA staff read ODK submissions in admin (the instance XML with the personal-data
        # permission only).
        staff_permissions_grant("odk.view_submission")
