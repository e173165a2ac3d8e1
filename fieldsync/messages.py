"""Refusal messages in the reader's language.

A refusal's messages travel in English (the wire contract: tablets and partners read them) and
are stored so in received records. Each app declares the templates its messages are built from
(marked with gettext_noop, so `makemessages` collects them, the wire unchanged);
`message_translated` finds the template a stored message was built from and gives it in the
active language, its values kept. A message no template matches is looked up as it is.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop

_templates: dict[str, re.Pattern[str]] = {}
_PLACEHOLDER = re.compile(r"%\\\((\w+)\\\)s")

#: The engine's own: fields, the envelope of a record, its parents.
ENGINE_MESSAGES = (
    gettext_noop("This field is required."),
    gettext_noop("This field may not be null."),
    gettext_noop("This field may not be blank."),
    gettext_noop("Not a valid string."),
    gettext_noop("A valid integer is required."),
    gettext_noop("A valid number is required."),
    gettext_noop("String value too large."),
    gettext_noop("Expected a date but got a datetime."),
    gettext_noop("Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("Must be a valid UUID."),
    gettext_noop("Null characters are not allowed."),
    gettext_noop("Surrogate characters are not allowed: U+%(code)s."),
    gettext_noop("Ensure this field has no more than %(limit)s characters."),
    gettext_noop('"%(value)s" is not a valid choice.'),
    gettext_noop('Expected a list of items but got type "%(type)s".'),
    gettext_noop("Ensure this value is greater than or equal to %(limit)s."),
    gettext_noop("Ensure this value is less than or equal to %(limit)s."),
    gettext_noop("Ensure that there are no more than %(limit)s decimal places."),
    gettext_noop("Ensure that there are no more than %(limit)s digits before the decimal point."),
    gettext_noop("Unknown field."),
    gettext_noop("A record must be a JSON object."),
    gettext_noop("Unknown model '%(model)s'."),
    gettext_noop("Does not match the record's id."),
    gettext_noop("Must be a JSON object of the record's fields."),
    gettext_noop("Must be null or a positive integer."),
    gettext_noop("Must be an ISO 8601 date-time with a time zone."),
    gettext_noop("A record cannot refer to itself."),
    gettext_noop("The %(model)s %(id)s was deleted."),
    gettext_noop("A record with this id was created by another device."),
    gettext_noop("This record belongs to another organisation."),
    gettext_noop("Only NRA staff may move %(model)s records to another organisation."),
)


def messages_register(*templates: str) -> None:
    """Declare the templates (with %(name)s placeholders) an app's refusals are built from."""
    for template in templates:
        pattern = _PLACEHOLDER.sub(r"(?P<\1>.*?)", re.escape(template))
        _templates[template] = re.compile(pattern, re.DOTALL)


def message_translated(message: str) -> str:
    """A stored refusal message in the active language."""
    for template, pattern in _templates.items():
        match = pattern.fullmatch(message)
        if match is not None:
            return gettext(template) % match.groupdict()
    return gettext(message)


messages_register(*ENGINE_MESSAGES)
