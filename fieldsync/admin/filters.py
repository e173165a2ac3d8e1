"""List filters the domain apps' admins share: a date range typed as two dates."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.db.models import Field, Model, QuerySet
from django.http import HttpRequest


class DateRangeFilter(admin.FieldListFilter):
    """From and to dates (both included, either may be left empty) of a date field, as
    `?<field>__gte=YYYY-MM-DD&<field>__lte=YYYY-MM-DD`: what a date hierarchy cannot say."""

    template = "admin/fieldsync/date_range_filter.html"

    def __init__(
        self,
        field: Field[Any, Any],
        request: HttpRequest,
        params: dict[str, list[str]],
        model: type[Model],
        model_admin: admin.ModelAdmin[Any],
        field_path: str,
    ) -> None:
        self.lookup_from = f"{field_path}__gte"
        self.lookup_to = f"{field_path}__lte"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.dates = {name: self._date(name) for name in (self.lookup_from, self.lookup_to)}

    def _date(self, name: str) -> datetime.date | None:
        values = self.used_parameters.get(name) or []
        text = (values[-1] if isinstance(values, list) and values else values) or ""
        if not text:
            return None
        try:
            return datetime.date.fromisoformat(str(text))
        except ValueError as error:
            raise IncorrectLookupParameters(error) from error

    def expected_parameters(self) -> list[str | None]:
        return [self.lookup_from, self.lookup_to]

    def has_output(self) -> bool:
        return True

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        lookups = {name: value for name, value in self.dates.items() if value is not None}
        return queryset.filter(**lookups) if lookups else queryset

    def choices(self, changelist: ChangeList) -> Iterator[Any]:
        own = {self.lookup_from, self.lookup_to, PAGE_VAR}
        yield {
            "field": self.field_path,
            "from_name": self.lookup_from,
            "to_name": self.lookup_to,
            "from_value": self.dates[self.lookup_from],
            "to_value": self.dates[self.lookup_to],
            # The form replaces the query string: the other filters ride along as hidden fields.
            "hidden": [
                (name, value)
                for name, values in changelist.filter_params.items()
                if name not in own
                for value in values
            ],
            "selected": any(self.dates.values()),
            "clear_url": changelist.get_query_string(remove=[self.lookup_from, self.lookup_to]),
        }
