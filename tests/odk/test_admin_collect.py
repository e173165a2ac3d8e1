"""An account's ODK Collect devices in admin: enrol (the QR code shown once, in the POST's
answer), list, revoke; who may do what; the token never in a URL."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from fieldsync.models import Device, Role, User
from fieldsync.services.auth import device_for_token
from odk.services import collect_device_enrol, collect_password_device
from tests.helpers.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def khamla() -> User:
    halo = OrganisationFactory.create(code="HALO", name="The HALO Trust")
    return UserFactory.create(username="khamla", role=Role.SURVEYOR, organisation=halo)


def collect_url(account: User) -> str:
    return reverse("admin:fieldsync_user_collect", args=[account.pk])


def revoke_url(account: User, device: Device) -> str:
    return reverse("admin:fieldsync_user_collect_revoke", args=[account.pk, device.pk])


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_account_page_links_to_its_collect_devices(admin_browser, khamla):
    page = admin_browser.get(reverse("admin:fieldsync_user_change", args=[khamla.pk]))

    assert page.status_code == 200
    assert f'href="{collect_url(khamla)}" id="collect-devices-link"'.encode() in page.content


def test_an_nra_staff_account_page_has_no_collect_link(admin_browser, nra_admin):
    page = admin_browser.get(reverse("admin:fieldsync_user_change", args=[nra_admin.pk]))

    assert page.status_code == 200
    assert b"collect-devices-link" not in page.content


def test_enrolling_shows_the_qr_code_once_in_the_posts_answer(admin_browser, nra_admin, khamla):
    # when a superuser enrols a Collect device for the surveyor
    response = admin_browser.post(collect_url(khamla), {"name": "Khamla's phone"})

    # then the answer is the page itself (no redirect), with the QR code and the server URL
    device = Device.objects.get(user=khamla)
    enrolled = response.context["enrolled"]
    server_url = enrolled["server_url"]
    token = server_url.removeprefix("http://testserver/openrosa/key/").removesuffix("/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # the browser keeps no copy of the code
    assert server_url == f"http://testserver/openrosa/key/{token}/"
    assert device_for_token(token) == device
    assert (device.name, device.app_version) == ("Khamla's phone", "odk-collect")
    assert enrolled["project"] == "fieldsync – The HALO Trust"  # noqa: RUF001
    assert enrolled["qr_svg"].startswith("<svg")
    assert b'id="collect-qr-code"' in response.content
    assert token.encode() in response.content
    assert b"This code is shown only once. It works without a password" in response.content
    # and the token is nowhere else: not in the list page, not in the URL asked
    listing = admin_browser.get(collect_url(khamla))
    assert listing.status_code == 200
    assert token.encode() not in listing.content
    assert b"Khamla&#x27;s phone" in listing.content
    assert token not in response.request["PATH_INFO"]
    assert "enrolled" not in listing.context


def test_the_list_shows_the_accounts_collect_devices_and_how_they_sign_in(
    admin_browser, nra_admin, khamla
):
    # given a token device and the password device
    collect_device_enrol(user=khamla, name="Khamla's phone", by=nra_admin)
    collect_password_device(user=khamla)

    # when the list is opened
    page = admin_browser.get(collect_url(khamla))

    # then both are listed, newest first, each with how it signs in
    rows = [(row["device"].name, row["password"]) for row in page.context["devices"]]
    assert rows == [("ODK Collect", True), ("Khamla's phone", False)]
    assert page.content.count(b'class="collect-revoke"') == 2


def test_revoking_refuses_the_token_from_then_on(admin_browser, nra_admin, khamla):
    # given an enrolled Collect device
    enrolment = collect_device_enrol(user=khamla, name="lost phone", by=nra_admin)

    # when it is revoked from the page
    response = admin_browser.post(revoke_url(khamla, enrolment.device))

    # then back to the list (POST, redirect, GET), the device revoked by the superuser
    assert response.status_code == 302
    assert response["Location"] == collect_url(khamla)
    device = device_for_token(enrolment.token)
    assert device is not None
    assert (device.is_revoked, device.revoked_by) == (True, nra_admin)
    listing = admin_browser.get(collect_url(khamla))
    assert b'class="collect-revoke"' not in listing.content


def test_another_accounts_device_is_not_revoked_through_this_page(admin_browser, nra_admin, khamla):
    other = UserFactory.create(username="somchai")
    enrolment = collect_device_enrol(user=other, name="Somchai's phone", by=nra_admin)

    response = admin_browser.post(revoke_url(khamla, enrolment.device))

    assert response.status_code == 404
    enrolment.device.refresh_from_db()
    assert enrolment.device.revoked_at is None


def test_a_tablet_is_not_revoked_through_the_collect_page(admin_browser, khamla):
    tablet = Device.objects.create(user=khamla, name="tablet", token_hash="a" * 64)

    response = admin_browser.post(revoke_url(khamla, tablet))

    assert response.status_code == 404
    tablet.refresh_from_db()
    assert tablet.revoked_at is None


def test_staff_without_the_permission_to_change_accounts_may_not_enrol(staff_browser, khamla):
    # given NRA staff (the NRA staff group: view accounts, revoke devices, not change accounts)
    # when they open the page and post a new device anyway
    page = staff_browser.get(collect_url(khamla))
    refused = staff_browser.post(collect_url(khamla), {"name": "Khamla's phone"})

    # then they see the list without the form, and the post is refused: no device
    assert page.status_code == 200
    assert b'id="collect-enrol"' not in page.content
    assert refused.status_code == 403
    assert Device.objects.filter(user=khamla).count() == 0


def test_staff_who_may_revoke_devices_may_revoke_a_collect_device(staff_browser, khamla):
    # given NRA staff, who revoke lost tablets in the devices list (change_device)
    enrolment = collect_device_enrol(
        user=khamla, name="lost phone", by=UserFactory.create(username="root", superuser=True)
    )

    response = staff_browser.post(revoke_url(khamla, enrolment.device))

    assert response.status_code == 302
    enrolment.device.refresh_from_db()
    assert enrolment.device.revoked_at is not None


def test_staff_who_may_only_view_accounts_may_neither_enrol_nor_revoke(khamla):
    # given staff who may view accounts and nothing more
    viewer = UserFactory.create(username="viewer", nra=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    enrolment = collect_device_enrol(
        user=khamla, name="phone", by=UserFactory.create(username="root", superuser=True)
    )
    browser = logged_in(viewer)

    page = browser.get(collect_url(khamla))
    enrol = browser.post(collect_url(khamla), {"name": "another"})
    revoke = browser.post(revoke_url(khamla, enrolment.device))

    assert page.status_code == 200
    assert b'class="collect-revoke"' not in page.content
    assert (enrol.status_code, revoke.status_code) == (403, 403)
    enrolment.device.refresh_from_db()
    assert enrolment.device.revoked_at is None
    assert Device.objects.filter(user=khamla).count() == 1


def test_staff_who_may_not_view_accounts_get_a_403(khamla):
    stranger = UserFactory.create(username="stranger", nra=True)

    response = logged_in(stranger).get(collect_url(khamla))

    assert response.status_code == 403


@pytest.mark.parametrize("who", ["anonymous", "surveyor"])
def test_the_page_is_for_logged_in_staff_only(client, khamla, who):
    if who == "surveyor":
        client.force_login(khamla)

    page = client.get(collect_url(khamla))
    enrol = client.post(collect_url(khamla), {"name": "phone"})

    assert page.status_code == 302
    assert page["Location"].startswith("/admin/login/")
    assert enrol.status_code == 302
    assert Device.objects.count() == 0


def test_no_device_is_enrolled_for_nra_staff(admin_browser, nra_admin):
    colleague = UserFactory.create(username="noy", nra=True)

    page = admin_browser.get(collect_url(colleague))
    response = admin_browser.post(collect_url(colleague), {"name": "phone"})

    assert b'id="collect-nra-staff"' in page.content
    assert b'id="collect-enrol"' not in page.content
    assert response.status_code == 200
    assert "enrolled" not in response.context
    assert response.context["form"].errors == {
        "name": ["Collect devices are for surveyors' and partners' accounts, not NRA staff."]
    }
    assert Device.objects.filter(user=colleague).count() == 0


def test_a_name_is_required(admin_browser, khamla):
    response = admin_browser.post(collect_url(khamla), {"name": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["This field is required."]}
    assert Device.objects.filter(user=khamla).count() == 0


def test_the_enrolment_needs_the_csrf_token(nra_admin, khamla):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(nra_admin)

    response = browser.post(collect_url(khamla), {"name": "phone"})

    assert response.status_code == 403
    assert Device.objects.filter(user=khamla).count() == 0


def test_the_same_form_sent_twice_enrols_one_device_and_shows_the_code_once(admin_browser, khamla):
    # given the page's form, with its one-time field
    form = admin_browser.get(collect_url(khamla)).context["form"]
    once = form["once"].value()

    # when it is sent twice (a reload of the answer, a double click)
    first = admin_browser.post(collect_url(khamla), {"name": "phone", "once": once})
    again = admin_browser.post(collect_url(khamla), {"name": "phone", "once": once})

    # then one device, its code in the first answer only
    assert Device.objects.filter(user=khamla).count() == 1
    assert "enrolled" in first.context
    assert "enrolled" not in again.context
    assert b'id="collect-qr-code"' not in again.content
    assert b"That device is enrolled already; its code is not shown again." in again.content
    assert again.context["form"]["once"].value() != once  # a fresh form for the next device
