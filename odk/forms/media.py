"""The media files of `uxo_assistance`, built per user: `victims.csv` and `assistance.csv`.

They travel to a tablet and stay there, so they list only what the user may see (the sync
adapters' scope, the same rule as pull) and never a personal field, even for NRA staff who may
see personal data elsewhere: a lost tablet must not hold names. Rows are sorted so that the same
data gives the same bytes, hence the same manifest hash, and Collect downloads only on a change.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from fieldsync.registry import Viewer, registry
from odk.forms.surveys import ASSISTANCE_CSV, VICTIMS_CSV
from odk.forms.xlsform import FORMS
from victims.choices import AssistanceStatus, Pillar, Relationship, Sex, VictimType
from victims.models import Assistance, Victim

if TYPE_CHECKING:
    from fieldsync.models import User

VICTIMS_COLUMNS = ("name", "label", "accident")
ASSISTANCE_COLUMNS = ("name", "label", "victim", "version", "pillar", "status")
SEPARATOR = " · "


def media_file(*, form_id: str, name: str, user: User, language: str) -> bytes | None:
    """The media file `name` of form `form_id` as `user` may see it, labelled in `language`;
    None when the form has no such file."""
    spec = FORMS.get(form_id)
    if spec is None or name not in spec.media:
        return None
    viewer = Viewer.for_user(user)
    with override(language):
        if name == VICTIMS_CSV:
            return _csv(VICTIMS_COLUMNS, victims_rows(viewer))
        if name == ASSISTANCE_CSV:
            return _csv(ASSISTANCE_COLUMNS, assistance_rows(viewer))
    return None


def victims_rows(viewer: Viewer) -> list[tuple[str, str, str]]:
    """(victim id, label, accident id) of the victims this viewer sees, in one query.

    Only non-personal columns are read. Deleted victims and merged duplicates are left out (a
    follow-up goes to the victim they were merged into). A family member's accident is their
    casualty's.
    """
    queryset = registry["victim"].scope(
        Victim.objects.filter(is_deleted=False, merged_into__isnull=True), viewer
    )
    found = queryset.order_by().values_list(
        "pk",
        "victim_type",
        "relationship",
        "sex",
        "age_years",
        "accident_id",
        "accident__reference",
        "accident__village",
        "related_victim__accident_id",
        "related_victim__accident__reference",
        "related_victim__accident__village",
    )
    keyed = []
    for (
        pk,
        victim_type,
        relationship,
        sex,
        age_years,
        accident_id,
        reference,
        village,
        related_accident_id,
        related_reference,
        related_village,
    ) in found:
        indirect = victim_type == VictimType.INDIRECT
        reference = reference or related_reference or ""
        parts = [
            reference,
            _label(Relationship, relationship) if indirect else "",
            _label(Sex, sex),
            _age(age_years),
            village or related_village or "",
        ]
        accident = accident_id or related_accident_id
        row = (str(pk), _join(parts), str(accident) if accident else "")
        keyed.append(((reference, row[0]), row))
    # By accident reference (how staff find a victim), then id: the same data, the same bytes.
    return [row for _key, row in sorted(keyed)]


def assistance_rows(viewer: Viewer) -> list[tuple[str, str, str, str, str, str]]:
    """(id, label, victim id, version, pillar, status) of the assistance records this viewer
    sees, for victims `victims_rows` lists, in one query."""
    queryset = registry["assistance"].scope(
        Assistance.objects.filter(
            is_deleted=False, victim__is_deleted=False, victim__merged_into__isnull=True
        ),
        viewer,
    )
    found = queryset.order_by("victim_id", "created_at", "pk").values_list(
        "pk",
        "victim_id",
        "version",
        "pillar",
        "status",
        "service_type__name",
        "service_type__name_lo",
        "provider_organisation_id",
        "started_on",
    )
    lao = _in_lao()
    rows = []
    for pk, victim, version, pillar, status, service, service_lo, provider, started in found:
        parts = [
            _label(Pillar, pillar),
            (service_lo if lao and service_lo else service) or "",
            _label(AssistanceStatus, status),
            provider,
            started.isoformat() if started else "",
        ]
        rows.append((str(pk), _join(parts), str(victim), str(version), pillar, status))
    return rows


def _label(choices: Any, value: str | None) -> str:
    """The vocabulary's label of `value` in the active language (the code if unknown)."""
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _age(age_years: int | None) -> str:
    if age_years is None:
        return str(_("age unknown"))
    return str(_("%(age)s years") % {"age": age_years})


def _in_lao() -> bool:
    return (get_language() or "").startswith("lo")


def _join(parts: Iterable[str]) -> str:
    return SEPARATOR.join(part for part in parts if part)


def _csv(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 CSV with a header row, as Collect reads `jr://file-csv/` files."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode()
