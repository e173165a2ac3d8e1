"""Admin of the sync engine: organisations, accounts, devices, and the engine's tables (view only).

Also the bases the domain apps' admins use: `ReferenceRecordAdmin` (edits go through
`reference_rows_upsert`) and `ReadOnlyAdmin` (records change through services, not here).

The bases live in `base` and `personal`; the engine's own admins, one module per job, are
imported here so that the admin's autodiscovery (which imports `fieldsync.admin`) registers them.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# Imported for their registrations: the admin's autodiscovery imports only this package.
from fieldsync.admin import accounts, changes, conflicts, inbox  # noqa: F401
from fieldsync.admin.attachments import (
    MissingFilesFilter,
    attachment_file_view,
    attachments_summary,
    files_field,
    files_html,
    record_files_html,
)
from fieldsync.admin.base import (
    LargeTableAdmin,
    LargeTablePaginator,
    ReadOnlyAdmin,
    RecordHistoryAdmin,
    ReferenceRecordAdmin,
    RefusedLookupsAdmin,
    ReviewActionsAdmin,
    admin_url_of,
)
from fieldsync.admin.filters import DateRangeFilter
from fieldsync.admin.personal import (
    MASK,
    hide_personal_fields,
    mask_personal_data,
    masked_value,
    personal_fields_of,
    sees_personal_data,
)

admin.site.site_header = _("NRA accident and victim records")
admin.site.site_title = _("NRA records")
admin.site.index_title = _("Administration")

__all__ = [
    "MASK",
    "DateRangeFilter",
    "LargeTableAdmin",
    "LargeTablePaginator",
    "MissingFilesFilter",
    "ReadOnlyAdmin",
    "RecordHistoryAdmin",
    "ReferenceRecordAdmin",
    "RefusedLookupsAdmin",
    "ReviewActionsAdmin",
    "admin_url_of",
    "attachment_file_view",
    "attachments_summary",
    "files_field",
    "files_html",
    "hide_personal_fields",
    "mask_personal_data",
    "masked_value",
    "personal_fields_of",
    "record_files_html",
    "sees_personal_data",
]
