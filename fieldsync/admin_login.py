"""The admin's login, throttled like device enrolment: brute force gets 429, not a guess."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from fieldsync.services.auth import LoginThrottled, login_failure_record, login_throttle_check


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
    address = str(request.META.get("REMOTE_ADDR", ""))
    try:
        login_throttle_check(username=username, address=address)
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
    if not request.user.is_authenticated:
        login_failure_record(username=username, address=address)
    return response
