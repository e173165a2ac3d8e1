"""Admin of what tablets sent: sync batches, and the inbox records staff review (quarantine)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from fieldsync.admin.base import LargeTableAdmin, ReadOnlyAdmin
from fieldsync.admin.fix_page import FixPage, fixed_message, refusals
from fieldsync.admin.personal import personal_fields_of, sees_personal_data
from fieldsync.admin.presenting import received_links
from fieldsync.models import REVIEWABLE, Device, InboxRecord, SyncBatch, User
from fieldsync.services.review import ReviewError, inbox_record_data, inbox_record_discard


@admin.register(SyncBatch)
class SyncBatchAdmin(ReadOnlyAdmin):
    list_display = (
        "batch_id",
        "device",
        "status",
        "record_count",
        "schema_version",
        "received_at",
        "processed_at",
    )
    list_filter = ("status", "schema_version")
    list_select_related = ("device__user",)
    search_fields = ("batch_id", "device__device_id", "device__user__username")
    date_hierarchy = "received_at"
    record_data_fields = ("response",)
    fields = (
        "batch_id",
        "device",
        "status",
        "record_count",
        "schema_version",
        "body_sha256",
        "received_at",
        "processed_at",
        "response_data",
    )
    readonly_fields = ("response_data",)

    @admin.display(description=_("response"))
    def response_data(self, obj: SyncBatch) -> SafeString:
        return self.show_json(obj, "", obj.response)


@admin.register(InboxRecord)
class InboxRecordAdmin(LargeTableAdmin, ReadOnlyAdmin):
    """Every received record; held and rejected ones are the quarantine staff review here: the
    raw payload and its errors, fix and apply, or discard with a reason (kept either way)."""

    list_display = (
        "record_id",
        "model",
        "status",
        "errors_summary",
        "device",
        "received_at",
        "position",
        "waiting_for_model",
    )
    list_filter = ("status", "model")
    list_select_related = ("batch__device__user",)
    search_fields = ("=record_id", "=batch__batch_id")
    record_data_fields = ("payload", "result")
    change_form_template = "admin/fieldsync/inboxrecord/change_form.html"
    fields = (
        "batch",
        "position",
        "model",
        "record_id",
        "status",
        "waiting_for_model",
        "waiting_for_id",
        "resolved_at",
        "payload_data",
        "result_data",
    )
    readonly_fields = ("payload_data", "result_data")

    @admin.display(description=_("payload"))
    def payload_data(self, obj: InboxRecord) -> SafeString:
        return self.show_json(obj, obj.model, obj.payload)

    @admin.display(description=_("result"))
    def result_data(self, obj: InboxRecord) -> SafeString:
        return self.show_json(obj, obj.model, obj.result)

    @admin.display(description=_("device"))
    def device(self, obj: InboxRecord) -> Device:
        return obj.batch.device

    @admin.display(description=_("received at"), ordering="batch__received_at")
    def received_at(self, obj: InboxRecord) -> Any:
        return obj.batch.received_at

    @admin.display(description=_("errors"))
    def errors_summary(self, obj: InboxRecord) -> str:
        return ", ".join(sorted(label for _name, label, _m in refusals(obj)))[:80]

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("fieldsync.change_inboxrecord")

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/fix/", wrap(self.fix_view), name="fieldsync_inboxrecord_fix"),
            path(
                "<path:object_id>/discard/",
                wrap(require_POST(self.discard_view)),
                name="fieldsync_inboxrecord_discard",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        record = self.object_or_404(request, object_id)
        context = {
            "can_review": record.status in REVIEWABLE and self.has_review_permission(request),
            "can_fix": inbox_record_data(inbox_record=record) is not None,
            # not `errors`: the admin's change form reads that as errors of its own form
            "refusals": refusals(record),
            "links": received_links(
                record.model, record.record_id, inbox_record_data(inbox_record=record)
            ),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def fix_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        record = self.object_or_404(request, object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        hidden = frozenset() if sees_personal_data(request) else personal_fields_of(record.model)
        page = FixPage.of(record, hidden=hidden)
        if request.method == "POST" and page.can_fix:
            replacement = page.submit(request.POST, by=cast(User, request.user))
            if replacement is not None:
                self.message_user(request, fixed_message(replacement), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:fieldsync_inboxrecord_change", args=[replacement.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Fix and apply %(record)s") % {"record": record},
            "subtitle": None,
            "opts": self.opts,
            "original": record,
            "payload": self.show_json_for(request, record.model, record.payload),
            **page.context(),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/fieldsync/inboxrecord/fix.html", context)

    def discard_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        record = self.object_or_404(request, object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        try:
            inbox_record_discard(
                inbox_record_id=record.pk,
                reason=request.POST.get("reason", ""),
                by=cast(User, request.user),
            )
        except ReviewError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, gettext("The record was discarded."), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:fieldsync_inboxrecord_change", args=[record.pk]))

    def show_json_for(self, request: HttpRequest, model: str, value: Any) -> SafeString:
        holder = type("Holder", (), {"_sees_personal_data": sees_personal_data(request)})()
        return self.show_json(holder, model, value)
