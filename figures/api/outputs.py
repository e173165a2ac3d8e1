"""The statistics API's output: serializers of the figures (a count, or for everyone but NRA
staff the mark of a hidden one: "<5", "x"), with the `basis` they were counted on."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from fieldsync.models import Role
from figures.selectors import BASIS_REPORTED_AND_VERIFIED, BASIS_VERIFIED_ONLY


def sees_exact_figures(request: Request) -> bool:
    """NRA staff see exact figures; everyone else the disclosure-controlled ones."""
    return getattr(request.user, "role", None) == Role.NRA_STAFF


# -- output ---------------------------------------------------------------------------------------
CELL_SCHEMA: dict[str, Any] = {
    "oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "enum": ["<5", "x"]}],
    "description": 'A count; for everyone but NRA staff a count of 1-4 is `"<5"` and a count '
    'hidden to protect another is `"x"` (disclosure control, docs/statistics.md).',
}


@extend_schema_field(CELL_SCHEMA)
class CellField(serializers.Field):
    """A count, or the mark of a hidden one ("<5", "x")."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: int | str) -> int | str:
        return value


@extend_schema_field({**CELL_SCHEMA, "nullable": True})
class NullableCellField(CellField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, **kwargs)


def basis_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=[BASIS_REPORTED_AND_VERIFIED, BASIS_VERIFIED_ONLY],
        read_only=True,
        help_text="What is counted: `reported_and_verified` (every accident not rejected or "
        "deleted) or `verified_only` (the parameter `verified_only=true`).",
    )


class StatisticsFiguresSerializer(serializers.Serializer):
    """The contract's summary fields (a summary, a breakdown row, a series row)."""

    accidents = CellField()
    casualties = CellField(help_text="Direct victims (killed, injured or of unknown outcome).")
    killed = CellField()
    injured = CellField()
    unknown = CellField(help_text="Casualties of unknown outcome.")
    children = CellField(help_text="Casualties under 18 at the accident.")
    adults = CellField()
    men = CellField()
    women = CellField()
    boys = CellField()
    girls = CellField()


class StatisticsSummarySerializer(StatisticsFiguresSerializer):
    basis = basis_field()


class StatisticsBreakdownRowSerializer(StatisticsFiguresSerializer):
    key = serializers.JSONField(read_only=True, help_text="The dimension's value; null: unknown.")
    name = serializers.CharField(read_only=True)
    accidents = NullableCellField(help_text="Null for victim dimensions (civilian status, sex).")


class StatisticsBreakdownSerializer(serializers.Serializer):
    by = serializers.CharField(read_only=True)
    basis = basis_field()
    rows = StatisticsBreakdownRowSerializer(many=True, read_only=True)


class StatisticsSeriesRowSerializer(StatisticsFiguresSerializer):
    year = serializers.IntegerField(read_only=True)


class StatisticsSeriesSerializer(serializers.Serializer):
    basis = basis_field()
    rows = StatisticsSeriesRowSerializer(many=True, read_only=True)


class StatisticsAssistanceRowSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True, allow_null=True)
    name = serializers.CharField(read_only=True)
    persons = CellField()
    services = CellField()


class StatisticsAssistanceSerializer(serializers.Serializer):
    by = serializers.CharField(read_only=True)
    basis = basis_field()
    persons = CellField(help_text="Distinct persons assisted.")
    services = CellField()
    rows = StatisticsAssistanceRowSerializer(many=True, read_only=True)


class StatisticsErrorSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    detail = serializers.CharField(read_only=True)
    # The body's key (absent from most errors); it shadows Serializer.errors, unused here.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


ERRORS = {
    400: OpenApiResponse(StatisticsErrorSerializer, "`invalid`, with `errors` per parameter."),
    401: OpenApiResponse(StatisticsErrorSerializer, "`not_authenticated`, `invalid_token`."),
}
