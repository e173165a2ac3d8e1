"""Accounts switched off and on again: a surveyor who left, a partner whose agreement ended.

A deactivated account keeps its records, devices and history; every token of it is refused with
`401 account_disabled` and its password opens nothing (contract: Authentication). Devices are not
revoked, so reactivating the account lets its tablets sync again; a lost tablet is revoked on its
own.
"""

from __future__ import annotations

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldsync.models import User
from fieldsync.services.accounts import AccountError

DEACTIVATION_FIELDS = ["is_active", "deactivated_at", "deactivated_by", "deactivation_reason"]


def _refusal(*, user: User, by: User | None) -> str | None:
    if by is None:  # the operator's command line
        return None
    if user.pk == by.pk:
        return _("You cannot deactivate your own account.")
    if user.is_superuser and not by.is_superuser:
        return _("Only a superuser may deactivate a superuser's account.")
    return None


@transaction.atomic
def account_deactivate(*, user: User, by: User | None, reason: str) -> bool:
    """Switch the account off, saying who did it and why (also in its admin history).

    False if it was already off (nothing changes). Raises AccountError when `by` may not.
    """
    reason = reason.strip()
    if not reason and by is not None:
        raise AccountError(_("Say why the account is deactivated."))
    refusal = _refusal(user=user, by=by)
    if refusal:
        raise AccountError(refusal)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return False
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.deactivated_by = by
    user.deactivation_reason = reason
    user.save(update_fields=DEACTIVATION_FIELDS)
    if by is not None:
        message = _("Deactivated: %(reason)s") % {"reason": reason}
        LogEntry.objects.log_actions(
            user_id=by.pk, queryset=[user], action_flag=CHANGE, change_message=message
        )
    return True


@transaction.atomic
def account_reactivate(*, user: User, by: User | None) -> bool:
    """Switch a deactivated account on again; False if it was on. The history keeps the reason."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return False
    user.is_active = True
    user.deactivated_at = None
    user.deactivated_by = None
    user.deactivation_reason = ""
    user.save(update_fields=DEACTIVATION_FIELDS)
    if by is not None:
        LogEntry.objects.log_actions(
            user_id=by.pk, queryset=[user], action_flag=CHANGE, change_message=_("Reactivated.")
        )
    return True
