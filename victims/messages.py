"""The templates of the victim and assistance adapters' refusals (fieldsync.messages): Lao for
the admin, English on the wire (victims.sync builds them)."""

from django.utils.translation import gettext_noop

VICTIM_MESSAGES = (
    gettext_noop("Unknown service type code '%(code)s'."),
    gettext_noop("Service type %(code)s belongs to pillar %(pillar)s, not %(given)s."),
    gettext_noop("This field is required when the status is completed."),
    gettext_noop("The completion date cannot be before the start date."),
    gettext_noop("This field is required for a direct victim."),
    gettext_noop("Must be empty for a direct victim."),
    gettext_noop("This field is required for an indirect victim."),
    gettext_noop("Must be empty for an indirect victim."),
    gettext_noop("The related victim must be a direct victim."),
    gettext_noop("Must be empty without consent."),
    gettext_noop("The date of birth cannot be in the future."),
)
