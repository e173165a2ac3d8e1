"""The Lao catalogues' completeness: which strings an officer would still see in English.

Two sources of strings, each checked against every Lao catalogue the project loads (gettext
merges them: a string may be translated in either folder):
- the project's own: `makemessages` run on a copy of the project (the repository is not
  touched), domains django and djangojs; a string missing or fuzzy there is missing;
- Django's own that the admin shows (admin, its JavaScript, forms and validation, dates, auth,
  content types): Django ships no Lao, so they live in locale/django/lo (`make django-messages`
  adds Django's new strings there, empty, for a translator to fill).

`python -m tests.helpers.catalogue` prints what is missing (the test fails on the same list);
with `--add-django-strings` it first appends Django's missing strings, empty, to locale/django/lo.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
DJANGO = Path(django.__file__).resolve().parent
LANGUAGE = "lo"
DOMAINS = ("django", "djangojs")
#: Django's catalogues whose strings the admin shows, and the sources in them it never shows
#: (language names, the debug and static-file pages, date-based generic views).
DJANGO_CATALOGUES = {
    "django": (
        "contrib/admin/locale/en/LC_MESSAGES/django.po",
        "conf/locale/en/LC_MESSAGES/django.po",
        "contrib/auth/locale/en/LC_MESSAGES/django.po",
        "contrib/contenttypes/locale/en/LC_MESSAGES/django.po",
    ),
    "djangojs": ("contrib/admin/locale/en/LC_MESSAGES/djangojs.po",),
}
NEVER_SHOWN = ("conf/global_settings.py", "views/")
#: What `makemessages` leaves out, as `make messages` does.
IGNORED = ("--ignore=tests", "--ignore=benchmarks", "--ignore=var", "--ignore=test-output")
#: Folders `makemessages` must not read in the copy.
NOT_COPIED = (
    *(".git", ".venv", "var", "test-output", "node_modules", "*.pyc", "__pycache__"),
    *(".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", "benchmarks"),
)


@dataclass
class Entry:
    context: str | None = None
    msgid: str = ""
    plural: str | None = None
    translations: list[str] = field(default_factory=list)
    fuzzy: bool = False
    references: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str]:
        return self.context, self.msgid

    @property
    def translated(self) -> bool:
        return not self.fuzzy and bool(self.translations) and all(self.translations)

    def where(self) -> str:
        place = f" ({', '.join(self.references[:2])})" if self.references else ""
        context = f"[{self.context}] " if self.context else ""
        return f"{context}{self.msgid!r}{place}"


def entries(path: Path) -> Iterator[Entry]:
    """The entries of a .po file, header and obsolete entries left out."""
    entry = Entry()
    target: str | None = None

    def finished(entry: Entry) -> bool:
        return bool(entry.msgid)

    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line or line.startswith("#~"):
            if finished(entry):
                yield entry
            entry, target = Entry(), None
            continue
        if line.startswith("#,"):
            entry.fuzzy = "fuzzy" in line
        elif line.startswith("#:"):
            entry.references += line[2:].split()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, target, ast.literal_eval(line))
        else:
            keyword, _space, value = line.partition(" ")
            if entry.translations and keyword in ("msgctxt", "msgid"):
                if finished(entry):
                    yield entry
                entry = Entry()
            target = keyword
            if keyword.startswith("msgstr"):
                entry.translations.append("")
            _append(entry, target, ast.literal_eval(value))
    if finished(entry):
        yield entry


def _append(entry: Entry, target: str | None, text: str) -> None:
    if target == "msgctxt":
        entry.context = (entry.context or "") + text
    elif target == "msgid":
        entry.msgid += text
    elif target == "msgid_plural":
        entry.plural = (entry.plural or "") + text
    elif target and target.startswith("msgstr"):
        entry.translations[-1] += text


def translated_keys(paths: Iterable[Path]) -> set[tuple[str | None, str]]:
    return {
        entry.key for path in paths if path.exists() for entry in entries(path) if entry.translated
    }


def lao_catalogues(root: Path, domain: str) -> list[Path]:
    return [
        root / "locale" / LANGUAGE / "LC_MESSAGES" / f"{domain}.po",
        root / "locale" / "django" / LANGUAGE / "LC_MESSAGES" / f"{domain}.po",
    ]


def project_missing(domain: str) -> list[Entry]:
    """The project's strings of `domain` with no Lao translation, or a fuzzy one."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "project"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_COPIED), symlinks=True)
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", LANGUAGE, "-d", domain, *IGNORED],
            cwd=copy,
            check=True,
            capture_output=True,
        )
        ours = copy / "locale" / LANGUAGE / "LC_MESSAGES" / f"{domain}.po"
        if not ours.exists():  # no string of this domain in the project
            return []
        done = translated_keys(lao_catalogues(copy, domain)[1:])
        return [e for e in entries(ours) if not e.translated and e.key not in done]


def django_missing(domain: str) -> list[Entry]:
    """Django's strings of `domain` the admin shows with no Lao translation of ours."""
    done = translated_keys(lao_catalogues(ROOT, domain))
    missing: dict[tuple[str | None, str], Entry] = {}
    for name in DJANGO_CATALOGUES[domain]:
        for entry in entries(DJANGO / name):
            shown = not entry.references or not all(
                ref.startswith(NEVER_SHOWN) for ref in entry.references
            )
            if shown and entry.key not in done:
                missing.setdefault(entry.key, entry)
    return list(missing.values())


def quoted(text: str) -> str:
    """`text` as a .po string."""
    for plain, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\t", "\\t")):
        text = text.replace(plain, escaped)
    return f'"{text}"'


def po_entry(entry: Entry, translation: str = "") -> str:
    """An entry as .po text, with `translation` (empty: for a translator to fill)."""
    lines = [f"#: {' '.join(entry.references)}"] if entry.references else []
    if "%(" in entry.msgid or "%s" in entry.msgid or "%d" in entry.msgid:
        lines.append("#, python-format")
    if entry.context is not None:
        lines.append(f"msgctxt {quoted(entry.context)}")
    lines.append(f"msgid {quoted(entry.msgid)}")
    if entry.plural is None:
        lines.append(f"msgstr {quoted(translation)}")
    else:  # Lao has one form
        lines += [f"msgid_plural {quoted(entry.plural)}", f"msgstr[0] {quoted(translation)}"]
    return "\n".join(lines) + "\n"


def django_add_missing() -> int:
    """Append Django's strings missing in Lao to locale/django/lo, untranslated; their count."""
    count = 0
    for domain in DOMAINS:
        missing = django_missing(domain)
        path = lao_catalogues(ROOT, domain)[1]
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(HEADER, encoding="utf-8")
        with path.open("a", encoding="utf-8") as catalogue:
            for entry in missing:
                entry.references = [f"django/{ref}" for ref in entry.references]
                catalogue.write("\n" + po_entry(entry))
        count += len(missing)
    return count


HEADER = """# Django's own strings in Lao (Django ships none); see tests/helpers/catalogue.py.
msgid ""
msgstr ""
"Project-Id-Version: fieldsync\\n"
"Language: lo\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
"""


def report() -> list[str]:
    """One line per missing string, grouped by where it must be translated."""
    lines = []
    for domain in DOMAINS:
        for entry in project_missing(domain):
            lines.append(f"locale/lo/LC_MESSAGES/{domain}.po: {entry.where()}")
        for entry in django_missing(domain):
            lines.append(f"locale/django/lo/LC_MESSAGES/{domain}.po: {entry.where()}")
    return lines


if __name__ == "__main__":
    if "--add-django-strings" in sys.argv:
        print(f"{django_add_missing()} strings of Django added to locale/django/lo, to translate.")
    missing = report()
    print("\n".join(missing) or "Every string has its Lao translation.")
    sys.exit(1 if missing else 0)
