"""JSON request bodies, read with the checks every sync endpoint shares: a size limit before
the body is read (and on what a gzip body decodes to), strict JSON (no NaN, no infinite
numbers) and bounded nesting."""

from __future__ import annotations

import json
import math
import zlib
from typing import Any

from django.core.exceptions import RequestDataTooBig
from rest_framework.request import Request

from fieldsync.api.errors import APIError
from fieldsync.fields import ascii_natural

#: Request encodings a push may use (`Content-Encoding`), announced by `GET sync/info/`.
ACCEPTED_ENCODINGS = ("gzip",)


def json_body(request: Request, *, max_bytes: int, too_large: APIError) -> Any:
    """The parsed body, gzip-decoded if so sent; `too_large` when it is, or decodes to, more than
    `max_bytes`; 400 `invalid_json` if it is not JSON; 415 for an encoding not taken."""
    encoding = request.META.get("HTTP_CONTENT_ENCODING", "").strip().lower()
    if encoding not in ("", "identity", *ACCEPTED_ENCODINGS):
        raise APIError(
            415,
            "unsupported_encoding",
            f"Content-Encoding must be one of: {', '.join(ACCEPTED_ENCODINGS)} (or none).",
        )
    declared = ascii_natural(request.META.get("CONTENT_LENGTH") or "0")
    if declared is not None and declared > max_bytes:
        raise too_large
    try:
        body = request.body
    except RequestDataTooBig as error:
        raise too_large from error
    if len(body) > max_bytes:
        raise too_large
    if encoding == "gzip":
        body = _gunzip(body, max_bytes=max_bytes, too_large=too_large)
    return _parse_json(body)


def _gunzip(body: bytes, *, max_bytes: int, too_large: APIError) -> bytes:
    """The decoded body, never more than `max_bytes` of it in memory: a small body that
    inflates to gigabytes (a decompression bomb) stops at the limit."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing
    try:
        decoded = inflater.decompress(body, max_bytes + 1)
        if len(decoded) > max_bytes or inflater.unconsumed_tail:
            raise too_large
        decoded += inflater.flush()
    except zlib.error as error:
        raise APIError(400, "invalid_encoding", "The body is not valid gzip.") from error
    if len(decoded) > max_bytes:
        raise too_large
    if not inflater.eof or inflater.unused_data:
        raise APIError(400, "invalid_encoding", "The body is not one complete gzip member.")
    return decoded


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999: JSON without the word, infinite all the same
        raise ValueError(f"{text} is not a finite number")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


MAX_NESTING = 32  # a record is two levels deep; anything far deeper is not a tablet's


def _parse_json(body: bytes) -> Any:
    try:
        parsed = json.loads(
            body.decode("utf-8"), parse_constant=_reject_constant, parse_float=_finite_float
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise APIError(400, "invalid_json", "The body is not valid UTF-8 JSON.") from error
    if _nesting(parsed) > MAX_NESTING:
        raise APIError(400, "invalid_envelope", f"JSON nested deeper than {MAX_NESTING} levels.")
    return parsed


def _nesting(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_NESTING:
                break
            children = current.values() if isinstance(current, dict) else current
            stack.extend((child, depth + 1) for child in children)
    return deepest
