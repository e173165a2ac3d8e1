"""How the merge pages name a victim: sex, age, outcome, and the name only for staff who may
see personal data."""

from __future__ import annotations

from django.utils.translation import gettext

from victims.models import Victim


def victim_label(victim: Victim, *, personal: bool) -> str:
    age = "?" if victim.age_years is None else str(victim.age_years)
    parts = [victim.get_sex_display(), age]
    if victim.outcome:
        parts.append(victim.get_outcome_display())
    else:
        parts.append(victim.get_relationship_display())
    label = ", ".join(str(part) for part in parts)
    if personal and victim.full_name:
        label = f"{victim.full_name} ({label})"
    count = getattr(victim, "assistance_count", 0)
    if count:
        label += " · " + gettext("assistance: %(count)d") % {"count": count}
    return label
