"""Hypothesis strategies of hostile input (numbers in other scripts, deep nesting, junk JSON, huge
strings) and the check every fuzzed answer must pass: a 2xx or a 4xx, JSON errors with `code`
and `detail`, never a 5xx, never an HTML page."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings as django_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from fieldsync.fields import ascii_natural


def fuzz_settings(examples: int) -> settings:
    """Bounded and repeatable: the same examples on every run, no example database."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# Digits that `str.isdigit()` takes and `int()` refuses ('²'), that `int()` takes in other
# scripts (Lao, Arabic-Indic, Thai), too many for `int()`, and numbers spelt in odd ways.
NUMBER_LIKE = [
    "²",
    "¹0",
    "໑",
    "໑໐໐",
    "٣",
    "๙",
    "10\u0660",
    "9" * 5000,
    "0",
    "-1",
    " 5",
    "+5",
    "1_0",
    "1e3",
    "1.5",
    "0x10",
    "NaN",
    "Infinity",
    "99999999999999999999",
]
ODD_STRINGS = [
    "",
    "\x00",
    "null",
    "true",
    "[]",
    "{}",
    "LA-XI",
    "0901",
    "2026-11-18",
    "2026-11-18T08:15:00+07:00",
    "2026-11-18T08:15:00+23:59",
    "9999-12-31T23:59:59-15:59",
    "0001-01-01T00:00:00+15:59",
    "'; DROP TABLE accidents_accident; --",
    "<script>alert(1)</script>",
    "%00",
    "../../etc/passwd",
    "x" * 100_000,
]
# What a query string can carry through the test client (no lone UTF-16 surrogates).
query_text = (
    st.sampled_from(NUMBER_LIKE + ODD_STRINGS)
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
    | st.integers(min_value=-(2**70), max_value=2**70).map(str)
)


def _as_wsgi_header(text: str) -> str:
    """What a server hands Django for a header a client sent as UTF-8: its bytes as Latin-1."""
    return text if all(ord(c) < 256 for c in text) else text.encode().decode("latin-1")


header_text = (
    st.sampled_from(NUMBER_LIKE + ODD_STRINGS[:-1])
    | st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=40)
).map(_as_wsgi_header)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(NUMBER_LIKE + ODD_STRINGS + ["\ud800"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


# Bodies that are not JSON, or JSON no client sends: deep nesting, NaN, huge numbers and strings
# (each is also an explicit example of the fuzz tests, so every run sends them all).
HOSTILE_BODIES = [
    b"",
    b"{",
    b"\xc3\x28",
    b"\xff\xfe{}",
    b'{"a": NaN}',
    b'{"a": Infinity}',
    b"1e999",
    b'{"cost_lak": 1e999}',
    b'{"cost_lak": ' + b"9" * 5000 + b"}",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b"[" * 5000 + b"]" * 5000,
    b"[" * 900 + b"]" * 900,
    json.dumps({"notes": "x" * 1_000_000}).encode(),
    b'"' + "\ud800".encode("utf-8", "surrogatepass") + b'"',
    b'{"notes": "\\ud800"}',
    b'{"notes": "a\\u0000b"}',
    json.dumps({"notes": "x" * (6 * 1024 * 1024)}).encode(),
]
junk_bodies = st.sampled_from(HOSTILE_BODIES) | st.binary(max_size=200)


def readable_length(headers: dict[str, str], body: bytes) -> dict[str, str]:
    """`headers` with a Content-Length the server would read past the body cut to the body.

    The test client's payload raises when a view reads past its end, where a real server waits
    for the rest until it times out; lengths over Django's limit are refused before reading.
    """
    declared = ascii_natural(headers.get("CONTENT_LENGTH"))
    if declared is not None and len(body) < declared <= django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return {**headers, "CONTENT_LENGTH": str(len(body))}
    return headers


def assert_contract_answer(response: Any) -> None:
    """A 2xx or a 4xx; every error is JSON `{code, detail, ...}`; no page is HTML."""
    content_type = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code < 500, content[:500]
    assert b"<html" not in content[:1000].lower()
    if response.status_code >= 400:
        assert content_type == "application/json", (response.status_code, content_type)
        body = response.json()
        assert isinstance(body.get("code"), str) and body["code"], body
        assert isinstance(body.get("detail"), str) and body["detail"], body
    elif response.status_code != 204:
        assert content_type.split(";")[0] in (
            "application/json",
            "text/csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ), content_type
