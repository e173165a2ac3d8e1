"""`manage.py create_account`: creates or updates an account (service account_create_or_update)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fieldsync.models import User
from fieldsync.services.accounts import NRA_STAFF_GROUP
from tests.helpers.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "mekong river at dusk"


@pytest.fixture(autouse=True)
def organisations() -> None:
    OrganisationFactory.create(code="NRA", kind="government")
    OrganisationFactory.create(code="HALO", kind="international")


def create_account(*args: str) -> str:
    out = StringIO()
    call_command("create_account", *args, stdout=out, no_color=True)
    return out.getvalue()


def test_creates_a_surveyor():
    # when a surveyor account is created
    output = create_account(
        "khamla", "--password", PASSWORD, "--role", "surveyor", "--organisation", "HALO"
    )

    # then it exists with that role, organisation and password, without admin access
    assert output == "Created account khamla (surveyor, HALO).\n"
    user = User.objects.get(username="khamla")
    assert (user.role, user.organisation_id, user.is_staff, user.is_superuser) == (
        "surveyor",
        "HALO",
        False,
        False,
    )
    assert user.check_password(PASSWORD)
    assert list(user.groups.all()) == []
    assert user.sees_personal_data() is False


def test_nra_staff_may_log_into_admin_and_view_records():
    # when an NRA staff account is created
    create_account("noy", "--password", PASSWORD, "--role", "nra_staff", "--organisation", "NRA")

    # then it is admin staff in the NRA staff group, without personal data or superuser
    user = User.objects.get(username="noy")
    assert (user.is_staff, user.is_superuser) == (True, False)
    assert list(user.groups.values_list("name", flat=True)) == [NRA_STAFF_GROUP]
    assert user.has_perm("victims.view_victim") is True
    assert user.has_perm("accidents.change_province") is True
    assert user.has_perm("accidents.change_accident") is False
    assert user.has_perm("fieldsync.change_device") is True
    assert user.sees_personal_data() is False


def test_personal_data_and_superuser_flags():
    # when an NRA staff account is created with both flags
    create_account(
        "vanh",
        "--password",
        PASSWORD,
        "--role",
        "nra_staff",
        "--organisation",
        "NRA",
        "--personal-data",
        "--superuser",
    )

    # then it sees personal data and is a superuser
    user = User.objects.get(username="vanh")
    assert (user.is_staff, user.is_superuser) == (True, True)
    assert list(user.user_permissions.values_list("codename", flat=True)) == ["view_personal_data"]
    assert user.sees_personal_data() is True


def test_updates_an_existing_account_to_exactly_what_is_asked():
    # given an NRA staff superuser who sees personal data
    create_account(
        "vanh",
        "--password",
        PASSWORD,
        "--role",
        "nra_staff",
        "--organisation",
        "NRA",
        "--personal-data",
        "--superuser",
    )

    # when the same username is given as a partner of HALO with another password
    output = create_account(
        "vanh", "--password", "a new password 42", "--role", "partner", "--organisation", "HALO"
    )

    # then the same account is updated and loses staff, superuser, permission and group
    assert output == "Updated account vanh (partner, HALO).\n"
    assert User.objects.count() == 1
    user = User.objects.get(username="vanh")
    assert (user.role, user.organisation_id, user.is_staff, user.is_superuser) == (
        "partner",
        "HALO",
        False,
        False,
    )
    assert user.check_password("a new password 42")
    assert list(user.user_permissions.all()) == []
    assert list(user.groups.all()) == []


def test_unknown_organisation_is_a_clear_error():
    # when the organisation code does not exist
    with pytest.raises(CommandError) as error:
        create_account("x", "--password", PASSWORD, "--role", "surveyor", "--organisation", "XYZ")

    # then the message names it and the known codes, and no account is created
    assert str(error.value) == (
        "Unknown organisation code 'XYZ' (known: HALO, NRA). "
        "Run `manage.py seed_reference_data` to load the starter organisations."
    )
    assert User.objects.count() == 0


def test_personal_data_is_for_nra_staff_only():
    with pytest.raises(CommandError, match="Only nra_staff accounts may see personal data"):
        create_account(
            "x",
            "--password",
            PASSWORD,
            "--role",
            "partner",
            "--organisation",
            "HALO",
            "--personal-data",
        )
    assert User.objects.count() == 0


def test_weak_password_is_refused_and_nothing_changes():
    # given an existing account
    UserFactory.create(username="khamla", organisation__code="HALO")

    # when it is given a weak password
    with pytest.raises(CommandError, match="This password is too short"):
        create_account(
            "khamla", "--password", "abc", "--role", "surveyor", "--organisation", "HALO"
        )

    # then its password is unchanged
    assert User.objects.get(username="khamla").check_password("correct horse battery staple")


def test_unknown_role_is_refused_by_the_command_line():
    with pytest.raises(CommandError, match="invalid choice: 'admin'"):
        create_account("x", "--password", PASSWORD, "--role", "admin", "--organisation", "NRA")
