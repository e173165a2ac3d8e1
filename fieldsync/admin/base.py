"""The bases every admin builds on.

`ReferenceRecordAdmin` (edits go through `reference_rows_upsert`), `ReadOnlyAdmin` (records
change through services, not here), `LargeTableAdmin`, `RecordHistoryAdmin`, the review
actions' `ReviewActionsAdmin` and `RefusedLookupsAdmin` (lists no URL may filter on some fields).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from fieldsync.admin.personal import (
    mask_personal_data,
    masked_value,
    personal_fields_of,
    sees_personal_data,
)
from fieldsync.models import RecordVersion
from fieldsync.registry import registry
from fieldsync.services.reference import reference_rows_upsert
from fieldsync.services.review import record_history


class LargeTablePaginator(Paginator):
    """Pages of a large table, counted exactly.

    One `COUNT(*)` without ordering or joins the filters do not need: on PostgreSQL an index-only
    scan, about 10 ms at 100,000 accidents (benchmarks/results). A capped or estimated count
    made the admin say "10001 results" and refuse every page past the cap.
    """

    #: From this offset on, a page is read as ids first, then rows.
    DEEP_OFFSET = 1_000

    @cached_property
    def count(self) -> int:
        objects = self.object_list
        if not isinstance(objects, QuerySet):
            return super().count
        return objects.order_by().count()

    def page(self, number: Any) -> Page:
        """Past the first pages, the page's ids first (an index scan over the sort key), then its
        rows with their joins: the joins are not made for every row skipped by the offset."""
        objects = self.object_list
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if not isinstance(objects, QuerySet) or bottom < self.DEEP_OFFSET:
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(objects.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in objects.order_by().filter(pk__in=ids)}
        return Page([rows[pk] for pk in ids if pk in rows], number, self)


class LargeTableChangeList(ChangeList):
    """Counts the whole table only when a search or a filter narrowed the list (for "N results
    (M total)"); unfiltered, the page's count is the total and no second count is made."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)  # the admin's show_full_result_count is off: no full count
        if self.query or self.has_active_filters:
            self.full_result_count = self.root_queryset.order_by().count()
        else:
            self.full_result_count = self.result_count
        self.show_full_result_count = True
        self.show_admin_actions = bool(self.full_result_count)


class LargeTableAdmin(admin.ModelAdmin):
    """A list over a table that grows large: an exact count without ordering, the page's related
    rows fetched by themselves, "N results (M total)" beside a search or a filter."""

    paginator = LargeTablePaginator
    show_full_result_count = False  # counted by LargeTableChangeList, once when unfiltered
    #: Related rows of the page fetched in a query of their own (instead of a join over the
    #: whole table before the sort).
    list_prefetch_related: tuple[str, ...] = ()

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return LargeTableChangeList

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if self.list_prefetch_related:
            queryset = queryset.prefetch_related(*self.list_prefetch_related)
        return queryset


@dataclass(frozen=True)
class HistoryRow:
    version: RecordVersion
    changes: list[tuple[str, Any, Any]]


class RecordHistoryAdmin(admin.ModelAdmin):
    """`History` of a synced record: each version, who made it (user, device), its source, the
    server and tablet times, and what changed (personal values masked unless permitted)."""

    object_history_template = "admin/fieldsync/record_history.html"

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        wire = registry.for_model(self.model).wire_name
        visible = sees_personal_data(request)
        personal = personal_fields_of(wire)
        rows = []
        for version in record_history(model=wire, record_id=str(obj.pk)):
            if version.op == "create":
                pairs = [(k, None, v) for k, v in sorted(version.data.items()) if v not in ("", [])]
            else:
                pairs = [(k, *v) for k, v in sorted(version.changes.items())]
            changes = [
                (
                    name,
                    masked_value(old, personal=name in personal, visible=visible),
                    masked_value(new, personal=name in personal, visible=visible),
                )
                for name, old, new in pairs
            ]
            rows.append(HistoryRow(version=version, changes=changes))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("History: %(record)s") % {"record": obj},
            "subtitle": None,
            "opts": self.opts,
            "object": obj,
            "rows": rows,
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)


def admin_url_of(wire_model: str, record_id: str) -> str | None:
    """The admin page of a record of a wire model, if it has one."""
    adapter = registry.get(wire_model)
    if adapter is None:
        return None
    opts = adapter.model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record_id])
    except NoReverseMatch:  # a model without an admin page
        return None


class ReviewActionsAdmin(admin.ModelAdmin):
    """Admin pages with review actions of their own (URLs beside the change page)."""

    def object_or_404(self, request: HttpRequest, object_id: str) -> Any:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj


class RefusedLookupsAdmin(admin.ModelAdmin):
    """A list whose URL may not filter on some fields: a filter answers yes or no about a value
    (`?content__contains=...`), so a loop of them reads what the page never shows. The admin
    answers a refused lookup with 400 ("Filtering by ... not allowed"), whatever its value."""

    #: Fields no URL lookup may touch, whoever asks.
    lookup_refused_fields: tuple[str, ...] = ()

    def lookup_refused(self, request: HttpRequest) -> tuple[str, ...]:
        """The fields this reader may not filter on."""
        return self.lookup_refused_fields

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        if lookup.split(LOOKUP_SEP, 1)[0] in self.lookup_refused(request):
            return False
        return super().lookup_allowed(lookup, value, request)


class ReadOnlyAdmin(ReviewActionsAdmin, RefusedLookupsAdmin):
    """View only: these records change through services (sync, NRA review), never by hand here.

    Raw record data (JSON) is shown through `show_json`, masked for readers without the
    personal-data permission, who may not filter on it either.
    """

    #: JSON fields holding record data; URL lookups on them are refused to readers who may not
    #: see personal data (a filter would reveal what the mask hides).
    record_data_fields: tuple[str, ...] = ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if self.fields:
            return tuple(name for name in self.fields if isinstance(name, str))
        return tuple(
            field.name for field in self.model._meta.concrete_fields if not field.auto_created
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = [name for name in self.get_fields(request, obj) if isinstance(name, str)]
        return tuple(dict.fromkeys([*self.readonly_fields, *fields]))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def lookup_refused(self, request: HttpRequest) -> tuple[str, ...]:
        refused = super().lookup_refused(request)
        return refused if sees_personal_data(request) else (*refused, *self.record_data_fields)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # Display methods get only the object; the admin is shared between requests.
            obj._sees_personal_data = sees_personal_data(request)
        return obj

    def show_json(self, obj: Any, model: str, value: Any) -> SafeString:
        """Record data as indented JSON, masked unless the reader may see personal data."""
        if value is None:
            return format_html("{}", "-")
        if not getattr(obj, "_sees_personal_data", False):
            value = mask_personal_data(value, personal_fields_of(model))
        text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html("<pre>{}</pre>", text)


class ReferenceRecordAdmin(admin.ModelAdmin):
    """Reference data, edited by NRA staff: saved through `reference_rows_upsert`, so the version
    goes up and tablets pull the change. Never deleted: records refer to it by code."""

    readonly_fields = ("version", "created_at", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        # The code is what tablets and records refer to: it never changes.
        return ("code", *fields) if obj is not None else fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        row = {**form.cleaned_data, "code": obj.pk}
        reference_rows_upsert(model=type(obj), rows=[row])
        obj.refresh_from_db()
        obj._state.adding = False
