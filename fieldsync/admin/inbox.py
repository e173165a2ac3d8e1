"""Admin of what tablets sent: sync batches, and the inbox records staff review (quarantine)."""

from __future__ import annotations

import json
from collections.abc import Mapping
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
from fieldsync.admin.personal import mask_personal_data, personal_fields_of, sees_personal_data
from fieldsync.admin.record_form import (
    JsonFixError,
    RecordFixForm,
    field_label,
    json_fix_data,
)
from fieldsync.models import REVIEWABLE, Device, InboxRecord, InboxStatus, SyncBatch, User
from fieldsync.registry import registry
from fieldsync.services.review import (
    ReviewError,
    inbox_record_data,
    inbox_record_discard,
    inbox_record_fix,
    inbox_record_fix_initial,
)


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
        return ", ".join(sorted(label for _name, label, _m in _refusals(obj)))[:80]

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
            "refusals": _refusals(record),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def fix_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        record = self.object_or_404(request, object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        data = inbox_record_data(inbox_record=record)
        can_fix = data is not None and record.status in REVIEWABLE
        hidden = frozenset() if sees_personal_data(request) else personal_fields_of(record.model)
        shown = mask_personal_data(data, hidden) if data is not None else None
        json_text = json.dumps(shown, indent=2, ensure_ascii=False, sort_keys=True)
        initial = inbox_record_fix_initial(inbox_record=record) if can_fix else None
        form = (
            RecordFixForm(initial=initial, wire_model=record.model, hidden=hidden)
            if can_fix
            else None
        )
        json_error, json_refusals = "", []
        if request.method == "POST" and can_fix:
            fixed: dict[str, Any] | None = None
            as_json = request.POST.get("mode") == "json"
            if as_json:
                json_text = request.POST.get("data", "")
                try:
                    fixed = json_fix_data(json_text, wire_model=record.model)
                except JsonFixError as error:
                    json_error = str(error)
            else:
                form = RecordFixForm(request.POST, wire_model=record.model, hidden=hidden)
                fixed = form.wire_data() if form.is_valid() else None
            if fixed is not None:
                try:
                    replacement = inbox_record_fix(
                        inbox_record_id=record.pk, data=fixed, by=cast(User, request.user)
                    )
                except ReviewError as error:
                    if as_json or form is None:
                        json_error, json_refusals = str(error), _labelled(record, error.errors)
                    else:
                        form.add_error(None, str(error))
                        form.add_engine_errors(error.errors)
                else:
                    self.message_user(request, _fixed_message(replacement), messages.SUCCESS)
                    return HttpResponseRedirect(
                        reverse("admin:fieldsync_inboxrecord_change", args=[replacement.pk])
                    )
        refused = _errors_of(record)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Fix and apply %(record)s") % {"record": record},
            "subtitle": None,
            "opts": self.opts,
            "original": record,
            "payload": self.show_json_for(request, record.model, record.payload),
            "form": form,
            "rows": [(form[name], refused.get(name, [])) for name in form.fields] if form else [],
            "refusals": [r for r in _refusals(record) if form is None or r[0] not in form.fields],
            "json_text": json_text,
            "json_error": json_error,
            "json_refusals": json_refusals,
            "json_open": bool(json_error),
            "can_fix": can_fix,
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


def _errors_of(record: InboxRecord) -> dict[str, list[str]]:
    """Why the engine refused the record, per wire field, in the reader's language."""
    result = record.result if isinstance(record.result, dict) else {}
    errors = result.get("errors")
    if not isinstance(errors, dict):
        return {}
    return {
        str(name): [gettext(str(m)) for m in (found if isinstance(found, list) else [found])]
        for name, found in errors.items()
    }


def _refusals(record: InboxRecord) -> list[tuple[str, str, list[str]]]:
    """(wire field, its label, messages) of the engine's refusal of a record."""
    return _labelled(record, _errors_of(record))


def _labelled(record: InboxRecord, errors: Mapping[str, Any]) -> list[tuple[str, str, list[str]]]:
    adapter = registry.get(record.model)
    rows = []
    for name, found in errors.items():
        label = field_label(adapter, name) if adapter is not None else name
        if name == "non_field_errors":
            label = gettext("The record")
        listed = found if isinstance(found, list) else [found]
        rows.append((name, label, [gettext(str(m)) for m in listed]))
    return rows


def _fixed_message(replacement: InboxRecord) -> str:
    if replacement.status == InboxStatus.UNCHANGED:
        return gettext("The record already holds these values: the received record is resolved.")
    return gettext("The record was fixed and applied (%(status)s).") % {
        "status": replacement.get_status_display()
    }
