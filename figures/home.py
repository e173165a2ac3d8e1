"""The admin home page's review box: what is waiting for a person, with counts and links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext

from accidents.models import Accident, DuplicateGroup
from fieldsync.models import Conflict, InboxRecord
from fieldsync.selectors import review_queue_counts
from figures import dashboard


@dataclass(frozen=True)
class ReviewQueue:
    key: str
    name: str
    count: int
    url: str


def received_records_to_review() -> tuple[int, int]:
    """Held and rejected received records still waiting for a person (superseded ones are
    history): the review queue's own counts, as the dashboard shows them."""
    counts = review_queue_counts()
    return counts.held, counts.rejected


def review_queues(*, request: HttpRequest) -> list[ReviewQueue]:
    """The queues whose list this reader may open, each with its count and its filtered list."""
    held = rejected = 0
    if _may_view(request, InboxRecord):
        held, rejected = received_records_to_review()
    queues: tuple[tuple[str, str, type[Model] | None, Callable[[], int], str], ...] = (
        (
            "verify",
            gettext("Accidents to verify"),
            Accident,
            dashboard.accidents_to_verify,
            "status__exact=reported&is_deleted__exact=0",
        ),
        (
            "conflicts",
            gettext("Open conflicts"),
            Conflict,
            dashboard.open_conflicts,
            "status__exact=open",
        ),
        (
            "duplicates",
            gettext("Possible duplicates"),
            DuplicateGroup,
            dashboard.open_duplicates,
            "status__exact=open",
        ),
        (
            "rejected",
            gettext("Rejected received records"),
            InboxRecord,
            lambda: rejected,
            "status__exact=rejected",
        ),
        (
            "held",
            gettext("Held received records"),
            InboxRecord,
            lambda: held,
            "status__exact=held",
        ),
    )
    return [
        ReviewQueue(key, name, count(), f"{_changelist(model)}?{query}")
        for key, name, model, count, query in queues
        if model is not None and _may_view(request, model)
    ]


def _may_view(request: HttpRequest, model: type[Model]) -> bool:
    model_admin: Any = admin.site._registry.get(model)
    return model_admin is not None and bool(model_admin.has_view_permission(request))


def _changelist(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
