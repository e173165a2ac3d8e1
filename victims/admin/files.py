"""The files of one accident report in one place: its photos, its victims' photos and consent
documents (personal: shown only to staff with the personal-data permission), and the documents
of their assistance, each marked when the device has not uploaded it yet."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext

from accidents.models import Accident
from fieldsync.admin import attachments_summary, files_html, sees_personal_data
from fieldsync.attachments.access import attachments_received
from victims.admin.labels import victim_label
from victims.models import Assistance, Victim


def accident_files_view(request: HttpRequest, model_admin: Any, accident_id: str) -> HttpResponse:
    """GET: the gallery of an accident report (`admin:victims_accident_files`)."""
    accident = get_object_or_404(Accident, pk=accident_id)
    personal = sees_personal_data(request)
    victims = list(
        Victim.objects.filter(
            Q(accident=accident) | Q(related_victim__accident=accident), is_deleted=False
        ).order_by("victim_type", "created_at")
    )
    assistance = list(
        Assistance.objects.filter(victim__in=victims, is_deleted=False)
        .select_related("service_type", "provider_organisation")
        .order_by("created_at")
    )
    named = [(accident, "photos"), *((a, "documents") for a in assistance)]
    named += [(v, f) for v in victims for f in ("photos", "consent_document")]
    received = attachments_received(
        r["sha256"] for instance, field in named for r in getattr(instance, field) or []
    )
    labels = {v.pk: victim_label(v, personal=personal) for v in victims}
    sections: list[dict[str, Any]] = [
        {"title": gettext("Accident report"), "files": files_html(accident.photos, received)}
    ]
    for victim in victims:
        hidden = len(victim.photos) + len(victim.consent_document)
        sections.append(
            {
                "title": gettext("Victim: %(label)s") % {"label": labels[victim.pk]},
                "url_name": "admin:victims_victim_change",
                "pk": victim.pk,
                "photos": files_html(victim.photos, received) if personal else None,
                "consent": files_html(victim.consent_document, received) if personal else None,
                "hidden": hidden if not personal else 0,
            }
        )
    for record in assistance:
        sections.append(
            {
                "title": gettext("Assistance: %(service)s for %(victim)s")
                % {
                    "service": record.service_type or record.get_pillar_display(),
                    "victim": labels.get(record.victim_id, "-"),
                },
                "url_name": "admin:victims_assistance_change",
                "pk": record.pk,
                "files": files_html(record.documents, received),
            }
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Accident._meta,
        "original": accident,
        "title": gettext("Files of %(reference)s") % {"reference": accident.reference},
        "sections": sections,
        "summary": attachments_summary(named),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/victims/accident_files.html", context)
