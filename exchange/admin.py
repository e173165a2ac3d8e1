"""Admin of imports and exports: upload a file, read its report, confirm it; export records.

- *Import files*: **Add** uploads a file (and checks it: nothing is imported yet); its page is the
  report, with **Import** once it has no rejected rows, and **Discard** while it is not imported;
  every rejected row can be downloaded as CSV. Upload, import and discard take the
  `exchange.add_importfile` permission, and an NRA staff account. A file's content is dropped
  once it is imported, discarded or expired (`import_files_expire`); its page says when. A file
  is never deleted: what was imported, by whom, stays.
- *Export records* (on the home page, under Records, and on the import files list): the records
  of a kind, filtered with the partner API's filters (places and organisations chosen by name,
  `exchange.export_form`), as CSV or XLSX.
- The actions `export_selected_csv` and `export_selected_xlsx` are registered with the admin
  site, off by default: a records admin turns them on by naming them in its `actions`.

The pages' templates live beside this module (exchange/templates/).
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.template import engines
from django.template.backends.django import Template
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from exchange.columns import KINDS, LAYOUTS, SHEET_NAMES
from exchange.export_form import ExportForm, shown_filters
from exchange.exports import FILTERSETS, export_response, records_for_export
from exchange.imports import (
    ImportReport,
    import_file_check,
    import_file_discard,
    import_file_queue,
    import_file_store,
    rejected_rows_write,
)
from exchange.models import CLOSED_STATUSES, ImportFile, ImportStatus
from fieldsync.admin import RefusedLookupsAdmin
from fieldsync.models import Role, User
from fieldsync.registry import Viewer, registry

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ERRORS_SHOWN = 100


@cache
def exchange_template(name: str) -> Template:
    """A template of this package (the app's template folders are not ours to add to)."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    return cast(Template, engines["django"].from_string(text))


# -- export actions ------------------------------------------------------------------------------
def _export_selected(
    fmt: str, modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> HttpResponseBase:
    model = registry.for_model(modeladmin.model).wire_name
    viewer = Viewer.for_user(_user(request))
    chosen = records_for_export(model=model, viewer=viewer).filter(pk__in=queryset.values("pk"))
    return export_response(model=model, fmt=fmt, queryset=chosen, viewer=viewer)


@admin.action(description=_("Export selected as CSV"))
def export_selected_csv(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> HttpResponseBase:
    return _export_selected("csv", modeladmin, request, queryset)


@admin.action(description=_("Export selected as XLSX"))
def export_selected_xlsx(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> HttpResponseBase:
    return _export_selected("xlsx", modeladmin, request, queryset)


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


# -- forms ---------------------------------------------------------------------------------------
class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("CSV (UTF-8) or Excel workbook (.xlsx), at most 50 MB.")
    )
    kind = forms.ChoiceField(
        label=_("Records"),
        required=False,
        choices=[
            ("", _("from the sheet names (xlsx) or the file name (csv)")),
            ("accident", _("accidents")),
            ("victim", _("victims")),
            ("assistance", _("assistance")),
        ],
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(gettext("The file is larger than 50 MB: split it."))
        return upload


KIND_NAMES = {"accident": _("accidents"), "victim": _("victims"), "assistance": _("assistance")}


# -- import files --------------------------------------------------------------------------------
@admin.register(ImportFile)
class ImportFileAdmin(RefusedLookupsAdmin):
    list_display = (
        "file_name",
        "status",
        "rows",
        "rejected_rows",
        "uploaded_by",
        "created_at",
        "applied_by",
        "applied_at",
        "content_dropped_at",
    )
    list_filter = ("status",)
    list_select_related = ("uploaded_by", "applied_by")
    search_fields = ("file_name", "=sha256")
    # A filter on the bytes or the report would read a pending file's personal data, a yes or
    # no at a time.
    lookup_refused_fields = ("content", "report")

    @property
    def change_list_template(self) -> Template:  # type: ignore[override]
        return exchange_template("change_list.html")

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("export/", view(self.export_view), name="exchange_importfile_export"),
            path(
                "<path:object_id>/confirm/",
                view(require_POST(self.confirm_view)),
                name="exchange_importfile_confirm",
            ),
            path(
                "<path:object_id>/discard/",
                view(require_POST(self.discard_view)),
                name="exchange_importfile_discard",
            ),
            path(
                "<path:object_id>/rejected-rows.csv",
                view(self.rejected_rows_view),
                name="exchange_importfile_rejected_rows",
            ),
            *super().get_urls(),
        ]

    # -- permissions: NRA staff with the model's permissions -----------------------------------
    def _nra(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and user.is_staff and getattr(user, "role", None) == Role.NRA_STAFF

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._nra(request) and super().has_add_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._nra(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a file is imported (confirm_view), never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a file is discarded (discard_view): what it was stays, its content goes

    # -- list columns --------------------------------------------------------------------------
    @admin.display(description=_("rows"))
    def rows(self, obj: ImportFile) -> int:
        return ImportReport.from_json(obj.report).rows if obj.report else 0

    @admin.display(description=_("rejected rows"))
    def rejected_rows(self, obj: ImportFile) -> int:
        return ImportReport.from_json(obj.report).rejected_rows if obj.report else 0

    # -- upload, report, confirm ---------------------------------------------------------------
    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Upload a file: it is stored and checked (a dry run), then its report is shown."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            import_file = import_file_store(
                content=upload.read(),
                file_name=upload.name or "upload",
                kind=form.cleaned_data["kind"] or None,
                user=_user(request),
            )
            import_file_check(import_file=import_file)
            return HttpResponseRedirect(self._report_url(import_file))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import records from a spreadsheet"),
            "opts": self.opts,
            "form": form,
            "layouts": [(SHEET_NAMES[m], layout.columns) for m, layout in LAYOUTS.items()],
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, exchange_template("upload.html"), context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The file's report: counts, the first rejected rows, and Import when it may be."""
        import_file = self._file_or_404(request, object_id)
        report = ImportReport.from_json(import_file.report) if import_file.report else None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import: %(file)s") % {"file": import_file.file_name},
            "opts": self.opts,
            "original": import_file,
            "report": report,
            "errors": report.errors[:ERRORS_SHOWN] if report else [],
            "more_errors": max(0, len(report.errors) - ERRORS_SHOWN) if report else 0,
            "can_confirm": (
                report is not None
                and report.ok
                and import_file.status in (ImportStatus.VALID, ImportStatus.FAILED)
                and self.has_add_permission(request)
            ),
            "queued": import_file.status == ImportStatus.QUEUED,
            "can_discard": (
                import_file.status not in CLOSED_STATUSES and self.has_add_permission(request)
            ),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, exchange_template("report.html"), context)

    def confirm_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Import the whole file (checked again first) in the background, in one transaction."""
        import_file = self._file_or_404(request, object_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        if not import_file_queue(import_file=import_file, user=_user(request)):
            if import_file.status in (ImportStatus.DISCARDED, ImportStatus.EXPIRED):
                message = gettext("This file was discarded: upload it again to import it.")
            else:
                message = gettext("This file is imported or being imported.")
            self.message_user(request, message)
        return HttpResponseRedirect(self._report_url(import_file))

    def discard_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Throw a file away unimported: its content is dropped, its report and metadata kept."""
        import_file = self._file_or_404(request, object_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        if import_file_discard(import_file=import_file, user=_user(request)):
            self.message_user(request, gettext("The file was discarded; its content is gone."))
        else:
            self.message_user(request, gettext("This file is imported or discarded already."))
        return HttpResponseRedirect(self._report_url(import_file))

    def rejected_rows_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Every rejected row and why, as CSV (no cell values: they may be personal data)."""
        import_file = self._file_or_404(request, object_id)
        report = ImportReport.from_json(import_file.report or {"file_name": "", "sha256": ""})
        buffer = io.StringIO()
        rejected_rows_write(report=report, file=buffer)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        name = f"rejected-rows-{import_file.pk}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def _file_or_404(self, request: HttpRequest, object_id: str) -> ImportFile:
        import_file = self.get_object(request, unquote(object_id))
        if import_file is None:
            raise Http404
        if not self.has_view_permission(request, import_file):
            raise PermissionDenied
        return import_file

    def _report_url(self, import_file: ImportFile) -> str:
        return reverse("admin:exchange_importfile_change", args=[import_file.pk])

    # -- export --------------------------------------------------------------------------------
    def export_view(self, request: HttpRequest) -> HttpResponseBase:
        """Records of a kind, filtered as in the partner API (places and organisations chosen by
        name), downloaded as CSV or XLSX; a value off the lists is refused, never an empty file."""
        records = request.GET.get("records", "")
        model = KINDS.get(records, "accident")
        opts = registry[model].model._meta
        if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            raise PermissionDenied
        viewer = Viewer.for_user(_user(request))
        download = "download" in request.GET
        form = ExportForm(
            request.GET if download else None,
            initial={"records": SHEET_NAMES[model]},
            model=model,
        )
        queryset = records_for_export(model=model, viewer=viewer)
        filterset = FILTERSETS[model](request.GET if download else None, queryset=queryset)
        if download and form.is_valid():
            filterset = FILTERSETS[model](form.filter_data(request.GET), queryset=queryset)
            if filterset.is_valid():
                fmt = form.cleaned_data["format"]
                return export_response(model=model, fmt=fmt, queryset=filterset.qs, viewer=viewer)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Export records"),
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "filters": list(shown_filters(filterset)),
            "district_provinces": getattr(form, "district_provinces", {}),
            "records": SHEET_NAMES[model],
            "kinds": [(name, KIND_NAMES[KINDS[name]]) for name in KINDS],
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, exchange_template("export.html"), context)
