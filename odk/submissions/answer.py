"""What Collect shows after a submission: in the surveyor's language, what was stored and which
records NRA staff will review (a conflict, a held record, a rejected one: each kept as sent)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accidents.models import Accident
from odk.submissions.services import Received, is_uuid

MODEL_NAMES = {
    "accident": lambda count: ngettext("%(count)d accident", "%(count)d accidents", count),
    "victim": lambda count: ngettext("%(count)d victim", "%(count)d victims", count),
    "assistance": lambda count: ngettext(
        "%(count)d assistance record", "%(count)d assistance records", count
    ),
}
STORED = frozenset({"applied", "unchanged", "merged", "conflict", "held"})


def problem_message(received: Received) -> str:
    """Why a submission was refused (400, 403, 409)."""
    if received.problem == "not_served":
        return _(
            "This server has no form '%(form)s'. Get the blank forms again (Download form)."
        ) % {"form": received.form_id}
    if received.problem == "forbidden":
        return _("Your account may not send the form '%(form)s'.") % {"form": received.form_id}
    if received.problem == "edit_foreign":
        return _(
            "This edit replaces a form that another account or another form sent; nothing was "
            "changed. Send it as a new form."
        )
    if received.problem == "instance_reused":
        return _(
            "A different form was already sent with this instance ID; nothing was changed. "
            "Ask NRA staff to check it."
        )
    return _("This is not a form this server can read: %(problem)s") % {"problem": received.problem}


def success_message(received: Received) -> str:
    """What was stored, what NRA staff will review, and the files still to come."""
    results: list[dict[str, Any]] = (received.response or {}).get("results", [])
    stored = Counter(str(r["model"]) for r in results if r.get("status") in STORED)
    parts = [
        MODEL_NAMES[model](count) % {"count": count}
        for model, count in stored.items()
        if model in MODEL_NAMES
    ]
    lines = [_("Received: %(records)s.") % {"records": ", ".join(parts) or "0"}]
    reference = _accident_reference(received)
    if reference:
        lines.append(_("Accident reference: %(reference)s.") % {"reference": reference})
    review = [r for r in results if r.get("status") in ("conflict", "held", "rejected")]
    if review:
        lines.append(
            _("NRA staff will review %(records)s.")
            % {"records": "; ".join(_review_line(result) for result in review)}
        )
    if received.files_missing:
        lines.append(
            _("Files not received yet: %(files)s.") % {"files": ", ".join(received.files_missing)}
        )
    if received.files_refused:
        lines.append(
            _("Files not accepted (only JPEG, PNG, WebP and PDF): %(files)s.")
            % {"files": ", ".join(received.files_refused)}
        )
    return " ".join(lines)


def _review_line(result: dict[str, Any]) -> str:
    what = {
        "accident": _("the accident"),
        "victim": _("a victim"),
        "assistance": _("an assistance record"),
    }
    status = {
        "conflict": _("changed on the server meanwhile"),
        "held": _("waiting for a record not received yet"),
        "rejected": _("not valid"),
    }
    fields = result.get("conflict_fields") or sorted(result.get("errors") or {})
    detail = f" ({', '.join(map(str, fields))})" if fields else ""
    return (
        f"{what.get(str(result.get('model')), str(result.get('model')))} "
        f"{str(result.get('id'))[:8]}: {status[str(result['status'])]}{detail}"
    )


def _accident_reference(received: Received) -> str:
    if received.form_id != "uxo_accident" or not is_uuid(received.record_id):
        return ""
    found = Accident.objects.filter(pk=received.record_id).values_list("reference", flat=True)
    return str(next(iter(found), "") or "")
