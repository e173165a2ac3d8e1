"""User accounts: surveyors, NRA staff and partners, and the demo administrator."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from fieldsync.models import (
    Change,
    Conflict,
    Device,
    InboxRecord,
    Organisation,
    RecordVersion,
    Role,
    SyncBatch,
    User,
)
from fieldsync.registry import registry

NRA_STAFF_GROUP = "NRA staff"
PERSONAL_DATA_CODENAME = "view_personal_data"
DEMO_USERNAME = "nra-admin"
DEMO_ORGANISATION = "NRA"
# fieldsync's own tables NRA staff may look at in admin (with every registered wire model).
_ENGINE_MODELS: tuple[type[models.Model], ...] = (
    Organisation,
    User,
    Device,
    SyncBatch,
    InboxRecord,
    RecordVersion,
    Conflict,
    Change,
)


class AccountError(Exception):
    """An account request that cannot be honoured; the message says why, for the operator."""


@transaction.atomic
def account_create_or_update(
    *,
    username: str,
    password: str,
    role: Role | str,
    organisation_code: str,
    personal_data: bool = False,
    superuser: bool = False,
) -> tuple[User, bool]:
    """Create the account, or bring an existing one to exactly what is asked; (user, created).

    NRA staff are admin staff (and in the NRA staff group, which may view every record and edit
    reference data); only they may hold the personal-data permission or be superusers. Without
    `personal_data`/`superuser` an existing account loses them. Raises AccountError.
    """
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(f"Unknown role {role!r}; one of: {', '.join(Role.values)}.") from None
    if (personal_data or superuser) and role != Role.NRA_STAFF:
        raise AccountError("Only nra_staff accounts may see personal data or be superusers.")
    organisation = Organisation.objects.filter(code=organisation_code).first()
    if organisation is None:
        known = ", ".join(Organisation.objects.values_list("code", flat=True)) or "none yet"
        raise AccountError(
            f"Unknown organisation code {organisation_code!r} (known: {known}). "
            "Run `manage.py seed_reference_data` to load the starter organisations."
        )
    try:
        validate_password(password, user=User(username=username))
    except ValidationError as error:
        raise AccountError(" ".join(error.messages)) from None

    user, created = User.objects.select_for_update().get_or_create(username=username)
    user.role = role
    user.organisation = organisation
    user.is_staff = role == Role.NRA_STAFF
    user.is_superuser = superuser
    user.set_password(password)
    user.save()

    personal = Permission.objects.get(
        content_type__app_label="fieldsync", codename=PERSONAL_DATA_CODENAME
    )
    if personal_data:
        user.user_permissions.add(personal)
    else:
        user.user_permissions.remove(personal)
    group = nra_staff_group_ensure()
    if role == Role.NRA_STAFF:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    return user, created


# Further permissions domain apps give NRA staff ("app_label.codename"), e.g. importing files.
STAFF_PERMISSIONS: set[str] = set()


def staff_permissions_grant(*permissions: str) -> None:
    """Add permissions the NRA staff group holds (called by apps when they load)."""
    STAFF_PERMISSIONS.update(permissions)


@transaction.atomic
def nra_staff_group_ensure() -> Group:
    """The NRA staff group: view every record and engine table, edit reference data, revoke
    devices, deactivate accounts, review records (verify, resolve, merge, fix). Permissions
    added to the group by hand are kept."""
    group, _ = Group.objects.get_or_create(name=NRA_STAFF_GROUP)
    reference = {adapter.model for adapter in registry.references()}
    viewable = set(_ENGINE_MODELS) | {registry[name].model for name in registry.names()}
    content_types = ContentType.objects.get_for_models(*viewable)
    wanted: set[tuple[int, str]] = set()
    for model, content_type in content_types.items():
        name = model._meta.model_name
        wanted.add((content_type.pk, f"view_{name}"))
        if model in reference:
            wanted.update({(content_type.pk, f"add_{name}"), (content_type.pk, f"change_{name}")})
    wanted.add((content_types[Device].pk, "change_device"))
    wanted.add((content_types[User].pk, "deactivate_user"))
    # Review: resolve conflicts, fix or discard quarantined records, and each wire model's own
    # review permissions (e.g. verify accidents). Records still change only through services.
    wanted.add((content_types[Conflict].pk, "change_conflict"))
    wanted.add((content_types[InboxRecord].pk, "change_inboxrecord"))
    for adapter in registry.pushable():
        content_type = content_types[adapter.model]
        own = adapter.model._meta.permissions
        wanted.update((content_type.pk, codename) for codename, _label in own)
    permissions = [
        permission
        for permission in Permission.objects.filter(content_type__in=content_types.values()).only(
            "pk", "content_type_id", "codename"
        )
        if (permission.content_type_id, permission.codename) in wanted
    ]
    for code in sorted(STAFF_PERMISSIONS):
        app_label, codename = code.split(".", 1)
        permissions += list(
            Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )
    group.permissions.add(*permissions)
    return group


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    created: bool
    password_reset: bool
    #: False when the saved password no longer opens the account (changed since it was saved).
    password_valid: bool


@transaction.atomic
def demo_account_ensure(*, credentials_file: Path) -> DemoAccount:
    """The NRA superuser `nra-admin` of a fresh installation, its credentials in a 0600 file.

    Created with a random password if absent. An existing account keeps its password while the
    file holds it; if the file is missing its password is reset and saved again.
    """
    user = User.objects.filter(username=DEMO_USERNAME).first()
    saved = _read_credentials(credentials_file)
    if user is not None and saved is not None:
        return DemoAccount(
            username=DEMO_USERNAME,
            password=saved,
            created=False,
            password_reset=False,
            password_valid=user.check_password(saved),
        )
    password = secrets.token_urlsafe(18)
    if user is None:
        account_create_or_update(
            username=DEMO_USERNAME,
            password=password,
            role=Role.NRA_STAFF,
            organisation_code=DEMO_ORGANISATION,
            personal_data=True,
            superuser=True,
        )
    else:
        user.set_password(password)
        user.save(update_fields=["password"])
    # Written inside the transaction: if the file cannot be written, no account is left behind.
    _write_credentials(credentials_file, DEMO_USERNAME, password)
    return DemoAccount(
        username=DEMO_USERNAME,
        password=password,
        created=user is None,
        password_reset=user is not None,
        password_valid=True,
    )


def _read_credentials(path: Path) -> str | None:
    """The password saved in `path` for the demo account, or None."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    values = dict(line.split(": ", 1) for line in lines if ": " in line)
    if values.get("username") != DEMO_USERNAME:
        return None
    return values.get("password") or None


def _write_credentials(path: Path, username: str, password: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(f"username: {username}\npassword: {password}\n")
    path.chmod(0o600)  # a file that already existed keeps its mode through os.open
