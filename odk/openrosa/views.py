"""The OpenRosa endpoints Collect calls (contract: openrosa.md): form list, form, manifest,
media, submission. Thin: authenticate, call one selector or service, write the XML."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from odk.forms.build import FormDefinition, form_definition, form_definitions
from odk.forms.media import media_file
from odk.openrosa import documents
from odk.openrosa.auth import Caller, Refused, caller_of
from odk.openrosa.bodies import BodyTooLarge, submission_parts
from odk.openrosa.responses import XML_TYPE, message_response, openrosa_headers, xml_response
from odk.submissions.answer import problem_message, success_message
from odk.submissions.services import forms_for, submission_receive

View = Callable[..., HttpResponse]
logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


def openrosa_view(*methods: str) -> Callable[[View], View]:
    """Allow `methods`, authenticate the caller (Basic or token URL), answer OpenRosa errors."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, token: str | None = None, **kwargs: Any):
            with translation.override(_language_of(request)):
                if request.method not in methods:
                    response = message_response(
                        _("This address does not take %(method)s.") % {"method": request.method},
                        status=405,
                    )
                    response["Allow"] = ", ".join(methods)
                    return response
                try:
                    caller = caller_of(request, token)
                except Refused as refused:
                    response = message_response(refused.message, status=refused.status)
                    for header, value in refused.headers.items():
                        response[header] = value
                    return response
                return view(request, caller, _base(request, token), *args, **kwargs)

        return wrapped

    return decorate


def _language_of(request: HttpRequest) -> str:
    """Accept-Language when the client sends one, else the field teams' language (ODK Collect
    sends none: `ODK_LANGUAGE`, Lao by default)."""
    if request.META.get("HTTP_ACCEPT_LANGUAGE"):
        return translation.get_language() or settings.LANGUAGE_CODE
    language: str = settings.FIELDSYNC["ODK_LANGUAGE"]
    return language


def _base(request: HttpRequest, token: str | None) -> str:
    """The absolute server URL this caller uses (the token URL keeps its token)."""
    path = reverse("odk-key-root", kwargs={"token": token}) if token else reverse("odk-root")
    return request.build_absolute_uri(path)


def _unavailable(message: str) -> HttpResponse:
    """503 with Retry-After: Collect keeps the form as not sent, and the surveyor sends again."""
    response = message_response(message, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _not_found() -> HttpResponse:
    return message_response(_("There is no such form or file for your account."), status=404)


@openrosa_view("GET", "HEAD")
def form_list(request: HttpRequest, caller: Caller, base: str) -> HttpResponse:
    wanted = request.GET.get("formID")
    allowed = [form for form in forms_for(caller.user) if wanted in (None, form)]
    definitions = form_definitions()
    forms = [definitions[form_id] for form_id in allowed if form_id in definitions]
    return xml_response(documents.form_list(forms, base=base))


@openrosa_view("GET", "HEAD")
def form_xml(request: HttpRequest, caller: Caller, base: str, form_id: str) -> HttpResponse:
    form = _form_for(caller, form_id)
    if form is None:
        return _not_found()
    # Exactly the bytes the form list's md5 hash is of.
    return openrosa_headers(HttpResponse(form.xml.encode("utf-8"), content_type=XML_TYPE))


@openrosa_view("GET", "HEAD")
def form_manifest(request: HttpRequest, caller: Caller, base: str, form_id: str) -> HttpResponse:
    form = _form_for(caller, form_id)
    if form is None:
        return _not_found()
    files = {name: _media(form, name, caller) or b"" for name in form.media}
    return xml_response(documents.manifest(form, files, base=base))


@openrosa_view("GET", "HEAD")
def form_media(
    request: HttpRequest, caller: Caller, base: str, form_id: str, name: str
) -> HttpResponse:
    form = _form_for(caller, form_id)
    content = _media(form, name, caller) if form is not None else None
    if content is None:
        return _not_found()
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Cache-Control"] = "private, no-store"  # built for this account only
    return openrosa_headers(response)


def _form_for(caller: Caller, form_id: str) -> FormDefinition | None:
    """The form, if this caller's role may fill it (else None: a 404, as for no such form)."""
    return form_definition(form_id) if form_id in forms_for(caller.user) else None


def _media(form: FormDefinition, name: str, caller: Caller) -> bytes | None:
    if name not in form.media:
        return None
    return media_file(form_id=form.form_id, name=name, user=caller.user, language=_language())


def _language() -> str:
    return get_language() or "en"


@openrosa_view("HEAD", "GET", "POST")
def submission(request: HttpRequest, caller: Caller, base: str) -> HttpResponse:
    if request.method != "POST":  # Collect asks first where to send, and how much at once
        response = HttpResponse(status=204)
        del response["Content-Type"]
        return openrosa_headers(response)
    if settings.FIELDSYNC["MAINTENANCE"]:
        return _unavailable(_("The server is in maintenance; Collect keeps the form. Send later."))
    try:
        xml, parts = submission_parts(request)
    except BodyTooLarge as too_large:
        return message_response(too_large.message, status=413)
    if xml is None:
        return message_response(
            _("The submission has no xml_submission_file part: it is not an XForm instance."),
            status=400,
        )
    try:
        received = submission_receive(user=caller.user, device=caller.device, xml=xml, parts=parts)
    except (OperationalError, InterfaceError):
        logger.warning("odk submission: database unavailable")
        return _unavailable(_("The server cannot store forms right now. Send again later."))
    if received.status != 201:
        return message_response(problem_message(received), status=received.status)
    return message_response(success_message(received), status=201, nature="submit_success")
