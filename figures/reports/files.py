"""A report as a file: CSV (what it holds, a blank line, then the table) or XLSX (the table on
the sheet "Figures", what it holds on the sheet "About")."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from figures.reports.base import Report

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_CONTENT_TYPE}


def report_csv(report: Report) -> bytes:
    """The about lines (label, text), an empty line, then the header and the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(report.about)
    writer.writerow([])
    writer.writerow(report.header)
    writer.writerows(report.rows)
    return buffer.getvalue().encode("utf-8")


def report_xlsx(report: Report) -> bytes:
    """A workbook: the table on its first sheet, the about lines on a second."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Figures"
    sheet.append(list(report.header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in report.rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index, heading in enumerate(report.header, start=1):
        width = max(len(str(heading)), *(len(str(row[index - 1] or "")) for row in report.rows))
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width + 2
    about = workbook.create_sheet("About")
    for line in report.about:
        about.append(list(line))
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
