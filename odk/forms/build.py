"""The forms as Collect downloads them: XLSForms converted to XForm by pyxform, kept per process.

Conversion takes tens of milliseconds per form, and Collect asks for the form list, the forms
and their hashes often; so a request reads the reference rows (a few small queries), and
converts only when their fingerprint is new. The fingerprint also names the form's `version`,
so a change of reference data gives a new version and a new hash, and Collect downloads again.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from functools import cache

from django.utils.translation import override
from pyxform.xls2xform import convert

from odk.forms.reference import ReferenceRows, reference_rows
from odk.forms.rows import XLSForm, columns
from odk.forms.xlsform import FORMS

#: Bump when the generator's output changes for the same data (a new question, a new rule).
GENERATOR_VERSION = "1"


@dataclass(frozen=True)
class FormDefinition:
    """One served form: what the form list announces, the XForm, the media it reads."""

    form_id: str
    title: str
    version: str
    xml: str
    md5: str
    media: tuple[str, ...]


_lock = threading.Lock()
_converted: dict[str, tuple[str, FormDefinition]] = {}  # form id -> (fingerprint, form)


@cache
def _wording_fingerprint(form_id: str) -> str:
    """A hash of the form without reference rows: its questions, rules and both languages'
    labels. Translations change only with a deploy, so once per process is enough."""
    return ReferenceRows().fingerprint(repr(FORMS[form_id].build(ReferenceRows(), version="")))


def form_version(form_id: str, rows: ReferenceRows) -> str:
    """`<generator version>.<12 hex digits>`: new whenever the form's content would change."""
    digest = rows.fingerprint(GENERATOR_VERSION, form_id, _wording_fingerprint(form_id))
    return f"{GENERATOR_VERSION}.{digest[:12]}"


def build_xlsform(form_id: str, rows: ReferenceRows) -> XLSForm:
    """The XLSForm of `form_id` over these reference rows, with its version."""
    return FORMS[form_id].build(rows, version=form_version(form_id, rows))


def _convert(form_id: str, rows: ReferenceRows) -> FormDefinition:
    xlsform = build_xlsform(form_id, rows)
    # pyxform looks for a sheet's headers in its first 100 rows only: name them all.
    workbook = xlsform | {
        f"{sheet}_header": [dict.fromkeys(columns(rows))] for sheet, rows in xlsform.items()
    }
    xml = convert(xlsform=workbook, form_name=form_id, validate=False).xform
    settings = xlsform["settings"][0]
    return FormDefinition(
        form_id=form_id,
        title=settings["form_title"],
        version=settings["version"],
        xml=xml,
        md5=hashlib.md5(xml.encode()).hexdigest(),  # noqa: S324 - OpenRosa's hash, not security
        media=FORMS[form_id].media,
    )


def _definition(form_id: str, rows: ReferenceRows) -> FormDefinition:
    key = rows.fingerprint(form_id)
    cached = _converted.get(form_id)
    if cached is not None and cached[0] == key:
        return cached[1]
    with _lock, override("en"):
        cached = _converted.get(form_id)
        if cached is None or cached[0] != key:
            cached = (key, _convert(form_id, rows))
            _converted[form_id] = cached
    return cached[1]


def form_definitions() -> dict[str, FormDefinition]:
    """Every form, by form id, current with the reference data."""
    rows = reference_rows(set().union(*(spec.tables for spec in FORMS.values())))
    return {form_id: _definition(form_id, rows.only(FORMS[form_id].tables)) for form_id in FORMS}


def form_definition(form_id: str) -> FormDefinition | None:
    """One form current with the reference data (only its tables are read), None if unknown."""
    if form_id not in FORMS:
        return None
    return _definition(form_id, reference_rows(FORMS[form_id].tables))
