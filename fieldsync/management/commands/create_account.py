"""Create or update an account: `create_account USERNAME --password P --role R --organisation C`."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fieldsync.models import Role
from fieldsync.services.accounts import AccountError, account_create_or_update


class Command(BaseCommand):
    help = (
        "Create an account, or update an existing one to exactly these values (role, "
        "organisation, password; without --personal-data/--superuser it loses them)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--organisation", required=True, help="organisation code, e.g. NRA")
        parser.add_argument(
            "--personal-data",
            action="store_true",
            help="may see victims' personal data (nra_staff only)",
        )
        parser.add_argument(
            "--superuser", action="store_true", help="every permission in admin (nra_staff only)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user, created = account_create_or_update(
                username=options["username"],
                password=options["password"],
                role=options["role"],
                organisation_code=options["organisation"],
                personal_data=options["personal_data"],
                superuser=options["superuser"],
            )
        except AccountError as error:
            raise CommandError(str(error)) from error
        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} account {user.username} ({user.role}, {user.organisation_id})."
            )
        )
