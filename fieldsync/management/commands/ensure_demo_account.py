"""Make sure a fresh installation has an NRA administrator to log into admin with."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fieldsync.services.accounts import AccountError, demo_account_ensure


class Command(BaseCommand):
    help = (
        "Create the NRA superuser `nra-admin` with a random password if absent, save its "
        "credentials in var/demo-admin.txt (mode 0600) and print them."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        credentials_file = settings.BASE_DIR / "var" / "demo-admin.txt"
        try:
            account = demo_account_ensure(credentials_file=credentials_file)
        except AccountError as error:
            raise CommandError(str(error)) from error
        if account.created:
            self.stdout.write(self.style.SUCCESS("Created the demo NRA administrator."))
        elif account.password_reset:
            self.stdout.write(
                self.style.WARNING(f"{credentials_file} was missing: the password was reset.")
            )
        else:
            self.stdout.write("The demo NRA administrator exists already.")
        self.stdout.write(f"  username: {account.username}")
        self.stdout.write(f"  password: {account.password}")
        self.stdout.write("  log in at /admin/ (http://127.0.0.1:8000/admin/ with `make run`)")
        self.stdout.write(f"  saved in {credentials_file}")
        if not account.password_valid:
            self.stdout.write(
                self.style.WARNING(
                    "The saved password no longer works: it was changed since. Delete "
                    f"{credentials_file} and run this again to reset it."
                )
            )
