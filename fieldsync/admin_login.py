"""The admin's login, throttled like device enrolment: brute force gets 429, not a guess.

A successful login leaves a signed cookie naming the user: that browser is then a known device
for the username (fieldsync.services.logins), so guessing from elsewhere does not slow it down.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from fieldsync.services.logins import (
    LoginAttempt,
    LoginThrottled,
    client_address,
    login_failure_record,
    login_throttle_check,
)

KNOWN_LOGIN_COOKIE = "fieldsync_known_login"
KNOWN_LOGIN_SALT = "fieldsync.admin_login.known"
KNOWN_LOGIN_MAX_AGE = 180 * 24 * 60 * 60


def _known_device(request: HttpRequest, username: str) -> bool:
    known = request.get_signed_cookie(
        KNOWN_LOGIN_COOKIE, default=None, salt=KNOWN_LOGIN_SALT, max_age=KNOWN_LOGIN_MAX_AGE
    )
    return bool(username) and known == username


def _remember_device(response: HttpResponse, username: str) -> None:
    response.set_signed_cookie(
        KNOWN_LOGIN_COOKIE,
        username,
        salt=KNOWN_LOGIN_SALT,
        max_age=KNOWN_LOGIN_MAX_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


class _RefusedLogin(AdminAuthenticationForm):
    """The login form, shown again with why this attempt was not even checked."""

    def __init__(self, request: HttpRequest, message: str, **kwargs: Any) -> None:
        super().__init__(request, **kwargs)
        self.message = message

    def clean(self) -> dict[str, Any]:
        raise ValidationError(self.message)


@never_cache
@csrf_protect
def admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    if request.method != "POST":
        return admin.site.login(request, extra_context)
    username = str(request.POST.get("username", ""))
    attempt = LoginAttempt(
        username=username,
        address=client_address(request.META),
        known_device=_known_device(request, username),
    )
    try:
        login_throttle_check(attempt=attempt)
    except LoginThrottled as throttled:
        message = _("Too many failed logins. Try again in %(seconds)s seconds.") % {
            "seconds": throttled.retry_after
        }
        form = _RefusedLogin(request, message, data={"username": username, "password": "-"})
        context = {
            **admin.site.each_context(request),
            "title": _("Log in"),
            "form": form,
            "app_path": request.get_full_path(),
            "username": username,
        }
        refused = TemplateResponse(request, "admin/login.html", context, status=429)
        refused["Retry-After"] = str(throttled.retry_after)
        return refused
    response = admin.site.login(request, extra_context)
    if request.user.is_authenticated:
        _remember_device(response, request.user.get_username())
    else:
        login_failure_record(attempt=attempt)
    return response
