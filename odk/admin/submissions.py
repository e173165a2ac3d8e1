"""ODK submissions as received (view only), and the received batches' link back to them.

The instance XML may hold personal data (names, phones): only staff who may see personal data
read it; others see a note. The batch a submission became is the engine's, in its own admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fieldsync.admin import LargeTableAdmin, ReadOnlyAdmin
from fieldsync.admin.inbox import SyncBatchAdmin
from fieldsync.models import SyncBatch
from odk.models import Submission


@admin.register(Submission)
class SubmissionAdmin(LargeTableAdmin, ReadOnlyAdmin):
    """What Collect sent: form, instance, device and account, and the batch it became."""

    list_display = ("form_id", "instance_id", "device", "received_at", "batch_link")
    list_filter = ("form_id",)
    # The XML may hold names and phones: no lookup on it without the personal-data permission.
    record_data_fields = ("xml", "files")
    list_select_related = ("device__user", "batch")
    search_fields = ("=instance_id", "=form_id", "device__user__username")
    date_hierarchy = "received_at"
    fields = (
        "form_id",
        "form_version",
        "instance_id",
        "deprecated_id",
        "device",
        "account",
        "received_at",
        "batch_link",
        "xml_sha256",
        "xml_shown",
        "files_received",
    )
    readonly_fields = ("account", "batch_link", "xml_shown", "files_received")

    @admin.display(description=_("account"))
    def account(self, obj: Submission) -> str:
        return obj.device.user.username

    @admin.display(description=_("batch"), ordering="batch__received_at")
    def batch_link(self, obj: Submission) -> SafeString | str:
        if obj.batch_id is None:
            return "-"
        url = reverse("admin:fieldsync_syncbatch_change", args=[obj.batch_id])
        return format_html('<a href="{}">{}</a>', url, obj.batch.status if obj.batch else "-")

    @admin.display(description=_("instance XML"))
    def xml_shown(self, obj: Submission) -> SafeString:
        if not getattr(obj, "_sees_personal_data", False):
            return format_html(
                "<p>{}</p>",
                gettext(
                    "The instance XML may hold personal data: only staff who may see "
                    "personal data can read it."
                ),
            )
        return format_html('<pre class="odk-instance-xml">{}</pre>', obj.xml)  # escaped

    @admin.display(description=_("files received"))
    def files_received(self, obj: Submission) -> SafeString | str:
        if not obj.files:
            return "-"
        rows = sorted((str(name), str(sha256)) for name, sha256 in obj.files.items())
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} <code>{}</code></li>", rows))


class OdkSyncBatchAdmin(SyncBatchAdmin):
    """The received batches, each saying whether it came from an ODK submission."""

    def get_list_display(self, request: HttpRequest) -> Any:
        return (*super().get_list_display(request), "odk_submission")

    def get_list_select_related(self, request: HttpRequest) -> Any:
        return (*SyncBatchAdmin.list_select_related, "submission")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (*super().get_fields(request, obj), "odk_submission")

    @admin.display(description=_("ODK submission"))
    def odk_submission(self, obj: SyncBatch) -> SafeString | str:
        submission: Submission | None = getattr(obj, "submission", None)
        if submission is None:
            return "-"
        url = reverse("admin:odk_submission_change", args=[submission.pk])
        return format_html('<a href="{}">{}</a>', url, submission.form_id)


def sync_batch_admin_register(site: admin.AdminSite) -> None:
    """Replace the received batches' admin with the one that links to ODK submissions."""
    if isinstance(site._registry.get(SyncBatch), OdkSyncBatchAdmin):
        return
    site.unregister(SyncBatch)
    site.register(SyncBatch, OdkSyncBatchAdmin)
