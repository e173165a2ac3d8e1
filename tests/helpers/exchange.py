"""Files for the import and export tests: the sample files of docs/samples/, CSV and XLSX bodies,
and the plan an import makes of them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from exchange.imports import ImportPlan, import_plan
from fieldsync.models import User

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def xlsx_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    """A workbook with these sheets (name -> rows, the header first)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_with_sheet_xml(xml: bytes) -> bytes:
    """A workbook whose one sheet, `victims`, is the worksheet XML given (a crafted file)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes({"victims": [["legacy_id"]]})))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as crafted:
        for part in source.infolist():
            sheet = part.filename == "xl/worksheets/sheet1.xml"
            crafted.writestr(part.filename, xml if sheet else source.read(part.filename))
    return buffer.getvalue()


def plan_of(
    content: bytes, user: User, file_name: str = "file.csv", kind: str | None = None
) -> ImportPlan:
    return import_plan(content=content, file_name=file_name, user=user, kind=kind)
