"""The OpenRosa form list and manifest documents ("OpenRosa Form List API")."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from urllib.parse import quote
from xml.sax.saxutils import escape

from odk.forms.build import FormDefinition

FORM_LIST_NS = "http://openrosa.org/xforms/xformsList"
MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"


def form_list(forms: Iterable[FormDefinition], *, base: str) -> str:
    entries = []
    for form in forms:
        manifest = (
            f"<manifestUrl>{escape(_form_url(base, form.form_id, 'manifest'))}</manifestUrl>"
            if form.media
            else ""
        )
        entries.append(
            "<xform>"
            f"<formID>{escape(form.form_id)}</formID>"
            f"<name>{escape(form.title)}</name>"
            f"<version>{escape(form.version)}</version>"
            f"<hash>md5:{form.md5}</hash>"
            f"<downloadUrl>{escape(_form_url(base, form.form_id, 'form.xml'))}</downloadUrl>"
            f"{manifest}"
            "</xform>"
        )
    return f'<xforms xmlns="{FORM_LIST_NS}">{"".join(entries)}</xforms>'


def manifest(form: FormDefinition, files: Mapping[str, bytes], *, base: str) -> str:
    """The form's media files, each with the md5 of the content built for this caller: when it
    changes (a new victim, a victim moved out of the caller's view), Collect downloads it again."""
    entries = [
        "<mediaFile>"
        f"<filename>{escape(name)}</filename>"
        f"<hash>md5:{hashlib.md5(content, usedforsecurity=False).hexdigest()}</hash>"
        f"<downloadUrl>{escape(_form_url(base, form.form_id, 'media/' + quote(name)))}"
        "</downloadUrl>"
        "</mediaFile>"
        for name, content in files.items()
    ]
    return f'<manifest xmlns="{MANIFEST_NS}">{"".join(entries)}</manifest>'


def _form_url(base: str, form_id: str, tail: str) -> str:
    return f"{base}forms/{quote(form_id)}/{tail}"
