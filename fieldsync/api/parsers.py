"""The API's JSON parser: DRF's, with JSON nested past Python's stack refused as `invalid_json`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """`[[[[…]]]]` 100,000 levels deep makes Python's decoder raise RecursionError, which DRF
    lets through (a 500); it is a body that is not JSON we take, like any other."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON nested too deeply.") from error
