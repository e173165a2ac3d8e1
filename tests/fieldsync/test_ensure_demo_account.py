"""`manage.py ensure_demo_account`: the NRA administrator of a fresh installation."""

from __future__ import annotations

import stat
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fieldsync.models import User
from tests.helpers.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def base_dir(tmp_path: Path, settings) -> Path:
    settings.BASE_DIR = tmp_path
    return tmp_path


@pytest.fixture
def nra() -> None:
    OrganisationFactory.create(code="NRA", kind="government")


def ensure() -> str:
    out = StringIO()
    call_command("ensure_demo_account", stdout=out, no_color=True)
    return out.getvalue()


def saved_password(base_dir: Path) -> str:
    lines = (base_dir / "var" / "demo-admin.txt").read_text().splitlines()
    assert lines[0] == "username: nra-admin"
    return lines[1].removeprefix("password: ")


def test_creates_the_admin_and_saves_its_credentials_privately(base_dir, nra):
    # given a fresh installation (no var/ folder yet)
    # when the command runs
    output = ensure()

    # then an NRA staff superuser who sees personal data exists with the saved password
    credentials = base_dir / "var" / "demo-admin.txt"
    password = saved_password(base_dir)
    user = User.objects.get(username="nra-admin")
    assert (user.role, user.organisation_id, user.is_staff, user.is_superuser) == (
        "nra_staff",
        "NRA",
        True,
        True,
    )
    assert user.sees_personal_data() is True
    assert user.check_password(password)
    assert len(password) >= 20
    # and only the owner may read the file
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    # and the credentials are printed with where to log in
    assert output == (
        "Created the demo NRA administrator.\n"
        "  username: nra-admin\n"
        f"  password: {password}\n"
        "  log in at /admin/ (http://127.0.0.1:8000/admin/ with `make run`)\n"
        f"  saved in {credentials}\n"
    )


def test_a_second_run_says_where_the_password_is_without_printing_or_resetting_it(base_dir, nra):
    # given the admin created once
    ensure()
    password = saved_password(base_dir)
    hashed = User.objects.get(username="nra-admin").password

    # when the command runs again (every `make run` does)
    output = ensure()

    # then the password is not printed: where it is saved and how to change it are
    credentials = base_dir / "var" / "demo-admin.txt"
    assert output == (
        "The demo NRA administrator exists already.\n"
        "  username: nra-admin\n"
        "  log in at /admin/ (http://127.0.0.1:8000/admin/ with `make run`)\n"
        f"  password saved in {credentials}\n"
        "  change it with `python manage.py changepassword nra-admin`\n"
    )
    assert password not in output
    # and the account is untouched
    assert User.objects.get(username="nra-admin").password == hashed
    assert User.objects.count() == 1


def test_a_missing_file_resets_the_password_and_saves_it_again(base_dir, nra):
    # given the admin created, then its credentials file lost
    ensure()
    old_password = saved_password(base_dir)
    (base_dir / "var" / "demo-admin.txt").unlink()

    # when the command runs
    output = ensure()

    # then a new password is set, saved and printed
    new_password = saved_password(base_dir)
    assert new_password != old_password
    assert "was missing: the password was reset." in output
    assert f"  password: {new_password}\n" in output
    user = User.objects.get(username="nra-admin")
    assert user.check_password(new_password) is True
    assert user.check_password(old_password) is False


def test_a_password_changed_since_is_reported_not_reset(base_dir, nra):
    # given the admin whose password was changed after it was saved
    ensure()
    user = User.objects.get(username="nra-admin")
    user.set_password("changed by hand 123")
    user.save()

    # when the command runs
    output = ensure()

    # then it warns, without printing the saved password, and leaves the password alone
    assert "The saved password no longer works" in output
    assert "password: " not in output
    user.refresh_from_db()
    assert user.check_password("changed by hand 123") is True


def test_without_the_nra_organisation_it_asks_to_seed_first(base_dir):
    # given no reference data
    # when the command runs, then it fails clearly and leaves no account or file behind
    with pytest.raises(CommandError, match="Unknown organisation code 'NRA'"):
        ensure()
    assert User.objects.count() == 0
    assert not (base_dir / "var" / "demo-admin.txt").exists()
