"""Files in the admin: thumbnails and links for a record's attachment fields, the files still
missing, a list filter for records waiting for files, and the file view behind them (the same
checks as the API's download: staff see what their personal-data permission allows)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fieldsync.api.errors import APIError
from fieldsync.attachments.access import attachments_received
from fieldsync.attachments.downloads import attachment_response
from fieldsync.fields import IMAGE_TYPES
from fieldsync.models import Attachment, AttachmentRef, User
from fieldsync.registry import Viewer, registry


def attachment_file_view(request: HttpRequest, sha256: str) -> HttpResponseBase:
    """`/admin/attachments/<sha256>/` (`?thumbnail=1`): a file for a logged-in staff member."""
    if not isinstance(request.user, User):
        raise Http404
    thumbnail = request.GET.get("thumbnail") == "1"
    try:
        return attachment_response(
            request, sha256, Viewer.for_user(request.user), thumbnail=thumbnail
        )
    except APIError as error:
        raise Http404(str(error.detail)) from error


def file_url(sha256: str, *, thumbnail: bool = False) -> str:
    url = reverse("admin-attachment", args=[sha256])
    return f"{url}?thumbnail=1" if thumbnail else url


def files_html(references: Sequence[Mapping[str, Any]], received: Iterable[str]) -> SafeString:
    """A field's files: a thumbnail for each image, a link for each document, and those not
    received yet marked as such (the device has not uploaded them)."""
    if not references:
        return format_html('<span class="files-none">{}</span>', "-")
    arrived = set(received)
    items = []
    for reference in references:
        sha, name = reference["sha256"], reference["name"]
        if sha not in arrived:
            items.append(
                format_html(
                    '<li class="file file-missing" title="{}">{} · <strong>{}</strong></li>',
                    sha,
                    name,
                    gettext("not received yet"),
                )
            )
        elif reference["content_type"] in IMAGE_TYPES:
            items.append(
                format_html(
                    '<li class="file file-image"><a href="{}" target="_blank" rel="noopener">'
                    '<img src="{}" alt="{}" loading="lazy" width="160"></a>{}</li>',
                    file_url(sha),
                    file_url(sha, thumbnail=True),
                    name,
                    name,
                )
            )
        else:
            items.append(
                format_html(
                    '<li class="file file-document"><a href="{}">{}</a> (PDF)</li>',
                    file_url(sha),
                    name,
                )
            )
    return format_html(
        '<ul class="files">{}</ul>', format_html_join("", "{}", ((i,) for i in items))
    )


def record_files_html(instance: Any, field: str) -> SafeString:
    """One record's attachment field as `files_html` shows it."""
    references = getattr(instance, field) or []
    return files_html(references, attachments_received(r["sha256"] for r in references))


def files_field(field: str, description: Any) -> Any:
    """An admin display method showing one attachment field as `files_html`."""

    @admin.display(description=description)
    def show(model_admin: Any, obj: Any) -> SafeString:
        return record_files_html(obj, field)

    return show


def attachments_summary(records: Iterable[tuple[Any, str]]) -> dict[str, int]:
    """Files named by these (instance, field) pairs: how many, and how many still missing."""
    shas = [r["sha256"] for instance, field in records for r in getattr(instance, field) or []]
    received = attachments_received(shas)
    return {"named": len(shas), "missing": sum(1 for sha in shas if sha not in received)}


class MissingFilesFilter(admin.SimpleListFilter):
    """Records naming files the server has not received (the device has still to upload them)."""

    title = _("files")
    parameter_name = "files"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("missing", _("Some not received yet")), ("complete", _("All received"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() not in ("missing", "complete"):
            return queryset
        wire_name = next(
            name for name in registry.names() if registry[name].model is queryset.model
        )
        waiting = Exists(
            AttachmentRef.objects.filter(model=wire_name, record_id=OuterRef("pk")).exclude(
                sha256__in=Attachment.objects.values("sha256")
            )
        )
        return queryset.filter(waiting) if self.value() == "missing" else queryset.exclude(waiting)
