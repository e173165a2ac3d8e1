"""The XLSForms as .xlsx workbooks, for NRA staff who read them or adapt them for other work.

The served forms are converted from the same rows, so a workbook written here converts (with
pyxform or ODK's online converter) to the XForm Collect downloads.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from odk.forms.build import build_xlsform
from odk.forms.reference import reference_rows
from odk.forms.rows import XLSForm, columns
from odk.forms.xlsform import FORMS


def xlsform_workbook(xlsform: XLSForm) -> Workbook:
    """One sheet per XLSForm sheet, its columns as the header row (empty cells left empty)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet_name, rows in xlsform.items():
        sheet = workbook.create_sheet(sheet_name)
        header = columns(rows)
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(column) or None for column in header])
        sheet.freeze_panes = "A2"
    return workbook


def xlsform_files_write(*, directory: Path) -> list[Path]:
    """Write `<form id>.xlsx` of every form, current with the reference data, into `directory`
    (created if missing); returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for form_id, spec in FORMS.items():
        path = directory / f"{form_id}.xlsx"
        xlsform_workbook(build_xlsform(form_id, reference_rows(spec.tables))).save(path)
        paths.append(path)
    return paths
