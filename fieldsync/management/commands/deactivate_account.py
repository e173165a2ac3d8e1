"""Deactivate an account, as NRA staff can in admin: `deactivate_account USERNAME [--reason R]`."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fieldsync.models import User
from fieldsync.services.accounts import AccountError
from fieldsync.services.deactivation import account_deactivate


class Command(BaseCommand):
    help = (
        "Deactivate an account: every token of it is refused (401 account_disabled) and its "
        "password enrols no device. Its records, devices and history are kept; NRA staff can "
        "reactivate it in admin."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", default="", help="why, kept on the account")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No account {options['username']!r}.")
        reason = options["reason"] or "Deactivated with manage.py deactivate_account."
        try:
            changed = account_deactivate(user=user, by=None, reason=reason)
        except AccountError as error:
            raise CommandError(str(error)) from error
        if changed:
            self.stdout.write(self.style.SUCCESS(f"Deactivated account {user.username}."))
        else:
            self.stdout.write(f"Account {user.username} was already deactivated; nothing changed.")
