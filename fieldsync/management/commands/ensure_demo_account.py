"""Make sure a fresh installation has an NRA administrator to log into admin with."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fieldsync.services.accounts import AccountError, demo_account_ensure

LOGIN_HINT = "  log in at /admin/ (http://127.0.0.1:8000/admin/ with `make run`)"


class Command(BaseCommand):
    help = (
        "Create the NRA superuser `nra-admin` with a random password if absent, save its "
        "credentials in var/demo-admin.txt (mode 0600); the password is printed only when it "
        "is set, later runs say where it is saved."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        credentials_file = settings.BASE_DIR / "var" / "demo-admin.txt"
        try:
            account = demo_account_ensure(credentials_file=credentials_file)
        except AccountError as error:
            raise CommandError(str(error)) from error
        if account.created or account.password_reset:
            # A password just set, that nobody has seen: printed this once, then only saved.
            if account.created:
                self.stdout.write(self.style.SUCCESS("Created the demo NRA administrator."))
            else:
                self.stdout.write(
                    self.style.WARNING(f"{credentials_file} was missing: the password was reset.")
                )
            self.stdout.write(f"  username: {account.username}")
            self.stdout.write(f"  password: {account.password}")
            self.stdout.write(LOGIN_HINT)
            self.stdout.write(f"  saved in {credentials_file}")
            return
        self.stdout.write("The demo NRA administrator exists already.")
        self.stdout.write(f"  username: {account.username}")
        self.stdout.write(LOGIN_HINT)
        self.stdout.write(f"  password saved in {credentials_file}")
        self.stdout.write(f"  change it with `python manage.py changepassword {account.username}`")
        if not account.password_valid:
            self.stdout.write(
                self.style.WARNING(
                    "The saved password no longer works: it was changed since. Delete "
                    f"{credentials_file} and run this again to reset it."
                )
            )
