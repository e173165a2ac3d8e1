"""Account deactivation (contract: Authentication): every token of the user refused with
`401 account_disabled`, enrolment refused like a wrong password, records and devices kept;
`manage.py deactivate_account` and the admin action of NRA staff (issue 16, finding 6)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accidents.models import Accident
from fieldsync.models import Device, SyncBatch, User
from fieldsync.services.deactivation import account_reactivate
from tests.fieldsync.api.test_enrolment import INVALID_CREDENTIALS, enrol
from tests.helpers.sync import Tablet, accident

pytestmark = pytest.mark.django_db
DISABLED = {
    "code": "account_disabled",
    "detail": "This account has been deactivated; ask NRA staff to reactivate it.",
}


def assert_disabled(response) -> None:
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == DISABLED


@pytest.fixture
def two_tablets(make_tablet) -> tuple[Tablet, Tablet]:
    """One surveyor with two enrolled tablets, one report already synced."""
    first = make_tablet("surveyor-halo")
    second = make_tablet(user=first.user)
    first.push_ok([accident()])
    return first, second


def test_deactivate_account_refuses_every_token_of_the_user(two_tablets):
    first, second = two_tablets
    batches = SyncBatch.objects.count()

    # when the operator deactivates the account
    out = StringIO()
    call_command("deactivate_account", "surveyor-halo", "--reason", "Left HALO", stdout=out)

    # then both tablets are refused on every endpoint, the push stores nothing
    assert "Deactivated account surveyor-halo." in out.getvalue()
    for tablet in (first, second):
        assert_disabled(tablet.client.get("/api/v1/sync/info/", **tablet.headers))
        assert_disabled(tablet.pull())
        assert_disabled(tablet.push([accident()]))
        assert_disabled(tablet.client.get("/api/v1/accidents/", **tablet.headers))
    assert SyncBatch.objects.count() == batches
    assert Accident.objects.count() == 1
    # and the account keeps its records, devices (not revoked) and why it was switched off
    user = User.objects.get(username="surveyor-halo")
    assert (user.is_active, user.deactivation_reason, user.deactivated_by) == (
        False,
        "Left HALO",
        None,
    )
    assert user.deactivated_at is not None
    assert Device.objects.filter(user=user, revoked_at__isnull=True).count() == 2


def test_a_deactivated_users_password_enrols_no_device(two_tablets):
    first, _ = two_tablets
    call_command("deactivate_account", "surveyor-halo", stdout=StringIO())

    # when the surveyor's right password enrols a new tablet, and one of the old ones
    new = enrol("surveyor-halo")
    again = enrol("surveyor-halo", device_id=first.device_id)

    # then both get the answer a wrong password gets; no device is added, no token rotated
    for response in (new, again):
        assert response.status_code == 401
        assert response.json() == INVALID_CREDENTIALS
    assert Device.objects.count() == 2
    assert_disabled(first.pull())


def test_a_reactivated_account_syncs_again_with_its_tablets(two_tablets):
    first, _ = two_tablets
    call_command("deactivate_account", "surveyor-halo", stdout=StringIO())

    account_reactivate(user=User.objects.get(username="surveyor-halo"), by=None)

    assert first.pull().status_code == 200
    assert enrol("surveyor-halo").status_code == 201
    assert User.objects.get(username="surveyor-halo").deactivation_reason == ""


def test_deactivate_account_twice_changes_nothing_and_an_unknown_name_fails(two_tablets):
    call_command("deactivate_account", "surveyor-halo", "--reason", "Left", stdout=StringIO())
    out = StringIO()
    call_command("deactivate_account", "surveyor-halo", "--reason", "Other", stdout=out)

    assert "already deactivated" in out.getvalue()
    assert User.objects.get(username="surveyor-halo").deactivation_reason == "Left"
    with pytest.raises(CommandError, match="No account 'nobody'"):
        call_command("deactivate_account", "nobody", stdout=StringIO())


def test_a_deactivated_partner_is_refused_on_the_partner_api(make_tablet):
    partner = make_tablet("cope-api", role="partner", organisation="COPE")
    call_command("deactivate_account", "cope-api", stdout=StringIO())

    assert_disabled(partner.client.get("/api/v1/victims/", **partner.headers))
    assert_disabled(partner.client.get("/api/v1/statistics/summary/", **partner.headers))


# -- in admin, by NRA staff ---------------------------------------------------------------------
def deactivate(browser: Client, *accounts: User, reason: str = "") -> object:
    data = {"action": "deactivate_selected", "_selected_action": [a.pk for a in accounts]}
    if reason:
        data |= {"apply": "1", "reason": reason}
    return browser.post(reverse("admin:fieldsync_user_changelist"), data)


def test_nra_staff_deactivate_an_account_with_a_reason_kept_in_its_history(two_tablets, make_staff):
    first, _ = two_tablets
    officer = make_staff("noy")  # NRA staff, not a superuser
    browser = Client()
    browser.force_login(officer)
    surveyor = first.user

    # when the officer picks the action, is asked why, and answers
    asked = deactivate(browser, surveyor)
    done = deactivate(browser, surveyor, reason="Left HALO in November")

    # then the reason page came first (nothing changed then), the account is off afterwards,
    # with who and why on the account and in its history; its tablets are refused
    assert asked.status_code == 200
    assert b'name="reason"' in asked.content
    assert done.status_code == 302
    surveyor.refresh_from_db()
    assert (surveyor.is_active, surveyor.deactivated_by, surveyor.deactivation_reason) == (
        False,
        officer,
        "Left HALO in November",
    )
    history = LogEntry.objects.get(object_id=str(surveyor.pk))
    assert (history.user, history.get_change_message()) == (
        officer,
        "Deactivated: Left HALO in November",
    )
    assert_disabled(first.pull())


def test_without_a_reason_nothing_is_deactivated(two_tablets, make_staff):
    browser = Client()
    browser.force_login(make_staff("noy"))

    response = browser.post(
        reverse("admin:fieldsync_user_changelist"),
        {
            "action": "deactivate_selected",
            "_selected_action": [two_tablets[0].user.pk],
            "apply": "1",
            "reason": "   ",
        },
    )

    assert response.status_code == 200  # the reason page again
    assert User.objects.get(username="surveyor-halo").is_active
    assert LogEntry.objects.count() == 0


def test_staff_cannot_switch_off_themselves_or_a_superuser(seeded, make_staff, nra_admin):
    officer = make_staff("noy")
    browser = Client()
    browser.force_login(officer)

    deactivate(browser, officer, nra_admin, reason="oops")

    assert User.objects.get(pk=officer.pk).is_active
    assert User.objects.get(pk=nra_admin.pk).is_active
    assert LogEntry.objects.count() == 0


def test_the_active_flag_is_changed_only_through_the_action(two_tablets, make_staff, nra_admin):
    # given a superuser editing the surveyor's account page
    browser = Client()
    browser.force_login(nra_admin)
    surveyor = two_tablets[0].user
    page = browser.get(reverse("admin:fieldsync_user_change", args=[surveyor.pk]))

    # then the active flag and the deactivation are shown, not editable
    assert page.status_code == 200
    assert b'name="is_active"' not in page.content
    assert b'name="deactivation_reason"' not in page.content


def test_a_deactivated_officers_admin_session_ends(seeded, make_staff, nra_admin):
    officer = make_staff("noy")
    browser = Client()
    browser.force_login(officer)
    assert browser.get(reverse("admin:index")).status_code == 200

    call_command("deactivate_account", "noy", stdout=StringIO())

    response = browser.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_without_the_permission_have_no_such_action(seeded, make_user, make_staff):
    # given an NRA account that is staff but outside the NRA staff group
    clerk = make_user("clerk", role="nra_staff", organisation="NRA")
    clerk.user_permissions.add(Permission.objects.get(codename="view_user"))
    target = make_user("surveyor-x")
    browser = Client()
    browser.force_login(User.objects.get(pk=clerk.pk))

    deactivate(browser, target, reason="no right")

    assert User.objects.get(pk=target.pk).is_active
