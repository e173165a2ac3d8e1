"""Admin of the change log tablets pull from (view only)."""

from __future__ import annotations

from django.contrib import admin

from fieldsync.admin.base import ReadOnlyAdmin
from fieldsync.models import Change


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin):
    list_display = ("seq", "model", "record_id", "audience", "version", "deleted", "visible")
    list_filter = ("model", "deleted", "visible")
    search_fields = ("record_id", "audience")
    ordering = ("-seq",)
