"""The templates of the accident adapters' refusals (fieldsync.messages): Lao for the admin,
English on the wire (accidents.sync builds them)."""

from django.utils.translation import gettext_noop

ACCIDENT_MESSAGES = (
    gettext_noop("The accident date cannot be in the future."),
    gettext_noop("The accident date cannot be before 1 January 1964."),
    gettext_noop("Unknown province code '%(code)s'."),
    gettext_noop("Unknown district code '%(code)s'."),
    gettext_noop("District %(district)s is not in province %(province)s."),
    gettext_noop("Latitude and longitude must be given together."),
    gettext_noop("Coordinates must lie inside Lao PDR (%(field)s %(low)s–%(high)s)."),  # noqa: RUF001
    gettext_noop("Unknown ordnance type code '%(code)s'."),
    gettext_noop("Ordnance type %(code)s belongs to device category %(category)s, not %(given)s."),
    gettext_noop("Unknown organisation code '%(code)s'."),
)
