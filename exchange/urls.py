"""`/api/v1/exports/`: filtered records as CSV or XLSX files."""

from django.urls import re_path

from exchange import api

urlpatterns = [
    re_path(rf"^exports/{name}\.(?P<fmt>csv|xlsx)$", view.as_view(), name=f"export-{name}")
    for name, view in (
        ("accidents", api.AccidentExportView),
        ("victims", api.VictimExportView),
        ("assistance", api.AssistanceExportView),
    )
]
