"""`{% review_queues as queues %}`: the home page's review box (figures.home)."""

from __future__ import annotations

from typing import Any

from django import template

from figures.home import ReviewQueue, review_queues

register = template.Library()


@register.simple_tag(takes_context=True, name="review_queues")
def review_queues_tag(context: dict[str, Any]) -> list[ReviewQueue]:
    return review_queues(request=context["request"])
