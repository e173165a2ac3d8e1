"""Lao is complete: no string an officer can meet is left in English or fuzzy.

On failure the message lists each string and the catalogue to translate it in. To fix it:
`make messages` (finds the project's new strings), then `python -m tests.helpers.catalogue
--add-django-strings` if Django's own are listed, translate the empty and fuzzy entries in
locale/lo/LC_MESSAGES/*.po and locale/django/lo/LC_MESSAGES/*.po, and `make messages` again
(it compiles them); commit the .po and .mo files. See docs/translation.md.
"""

from __future__ import annotations

import gettext as gnu
import os
import shutil
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext

from tests.helpers import catalogue

pytestmark = pytest.mark.skipif(
    not shutil.which("xgettext") and not os.environ.get("CI"),
    reason="makemessages needs GNU gettext (Debian's gettext package)",
)


@pytest.mark.parametrize("domain", catalogue.DOMAINS)
def test_every_string_of_the_project_has_its_lao_translation(domain):
    missing = [entry.where() for entry in catalogue.project_missing(domain)]

    assert not missing, f"Missing or fuzzy in Lao ({domain}, docs/translation.md):\n" + "\n".join(
        missing
    )


@pytest.mark.parametrize("domain", catalogue.DOMAINS)
def test_every_string_of_django_the_admin_shows_has_its_lao_translation(domain):
    missing = [entry.where() for entry in catalogue.django_missing(domain)]

    assert not missing, f"Django's strings missing in Lao ({domain}):\n" + "\n".join(missing)


def test_the_check_finds_a_string_added_without_translation(tmp_path, monkeypatch):
    # given a copy of the project with a new string in a template, not yet translated
    original = catalogue.ROOT
    copy = tmp_path / "project"
    shutil.copytree(original, copy, ignore=shutil.ignore_patterns(*catalogue.NOT_COPIED))
    template = copy / "figures" / "templates" / "admin" / "figures" / "new.html"
    template.write_text('{% load i18n %}{% translate "A string nobody translated" %}\n')
    monkeypatch.setattr(catalogue, "ROOT", copy)

    missing = [entry.msgid for entry in catalogue.project_missing("django")]

    assert missing == ["A string nobody translated"]


def test_the_compiled_catalogues_are_up_to_date():
    """A .mo older than its .po means translations that Django does not see yet."""
    for po in Path(catalogue.ROOT, "locale").rglob("*.po"):
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} is missing: run `make messages`"
        mo_keys = _mo_keys(mo)
        po_keys = {e.key for e in catalogue.entries(po) if e.translated}
        assert po_keys <= mo_keys, f"{mo} is older than {po.name}: run `make messages`"


def _mo_keys(path: Path) -> set[tuple[str | None, str]]:
    with path.open("rb") as file:
        messages = gnu.GNUTranslations(file)._catalog
    keys: set[tuple[str | None, str]] = set()
    for key in messages:
        msgid = key[0] if isinstance(key, tuple) else key
        if not msgid:
            continue
        context, _sep, text = msgid.rpartition("\x04")
        keys.add((context or None, text))
    return keys


def test_the_admin_speaks_lao_where_django_had_english():
    with translation.override("lo"):
        assert gettext("import files") == "ໄຟລ໌ນຳເຂົ້າ"
        assert gettext("This field is required.") == "ຕ້ອງປ້ອນຂໍ້ມູນຊ່ອງນີ້."
        assert pgettext("abbrev. month", "Nov.") == "ພ.ຈ."
        assert gettext("November") == "ພະຈິກ"


@pytest.mark.django_db
def test_the_admin_javascript_speaks_lao(admin_browser):
    admin_browser.cookies["django_language"] = "lo"

    script = admin_browser.get("/admin/jsi18n/").content.decode()

    # "0 of 100 selected" in the list's action bar, as JSON escapes
    lao = "ເລືອກ %(sel)s ຈາກ %(cnt)s".encode("ascii", "backslashreplace").decode()
    assert f'"%(sel)s of %(cnt)s selected": [\n      "{lao}"' in script
