"""The wire field specs: canonical values, DRF-style messages, and idempotent cleaning."""

from __future__ import annotations

import datetime
import json
import math
import uuid
from decimal import Decimal as D
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldsync.fields import (
    MISSING,
    Boolean,
    Choice,
    ChoiceList,
    Code,
    Coordinate,
    Date,
    Decimal,
    FieldError,
    Integer,
    Spec,
    Text,
    UUIDRef,
    assign_to_instance,
    clean_record,
    instance_to_wire,
)

COLOURS = ("red", "green", "blue")


def messages(spec: Spec, value: Any) -> list[str]:
    with pytest.raises(FieldError) as refused:
        spec.clean(value)
    return refused.value.messages


# -- Text --------------------------------------------------------------------------------------
def test_text_keeps_the_value_as_typed() -> None:
    assert Text(10).clean("  Ban Na ") == "  Ban Na "
    assert Text(10).clean("") == ""
    assert Text(4).clean("ບ້ານ") == "ບ້ານ"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "This field may not be null."),
        ("x" * 11, "Ensure this field has no more than 10 characters."),
        (12, "Not a valid string."),
        (True, "Not a valid string."),
        (["a"], "Not a valid string."),
        ("a\x00b", "Null characters are not allowed."),
        ("a\ud800", "Surrogate characters are not allowed: U+D800."),
    ],
)
def test_text_refuses(value: Any, message: str) -> None:
    assert messages(Text(10), value) == [message]


def test_text_not_blank_refuses_empty() -> None:
    assert messages(Text(10, blank=False), "") == ["This field may not be blank."]


def test_code_is_a_non_empty_string_of_at_most_64() -> None:
    assert Code().clean("LA-XI") == "LA-XI"
    assert messages(Code(), "") == ["This field may not be blank."]
    assert messages(Code(), "X" * 65) == ["Ensure this field has no more than 64 characters."]
    assert messages(Code(), 9) == ["Not a valid string."]
    assert messages(Code(), None) == ["This field may not be null."]
    assert Code(null=True).clean(None) is None


# -- Choice ------------------------------------------------------------------------------------
def test_choice_accepts_only_its_codes() -> None:
    spec = Choice(COLOURS)
    assert spec.clean("red") == "red"
    assert messages(spec, "xyz") == ['"xyz" is not a valid choice.']
    assert messages(spec, "") == ['"" is not a valid choice.']
    assert messages(spec, "RED") == ['"RED" is not a valid choice.']
    assert messages(spec, 3) == ['"3" is not a valid choice.']
    assert messages(spec, ["red"]) == ["\"['red']\" is not a valid choice."]
    assert messages(spec, None) == ["This field may not be null."]


def test_blank_choice_takes_empty_string_and_null_as_none() -> None:
    spec = Choice(COLOURS, blank=True)
    assert spec.clean("") == ""
    assert spec.clean(None) == ""
    assert spec.missing() == ""
    assert spec.clean("blue") == "blue"


# -- ChoiceList --------------------------------------------------------------------------------
def test_choice_list_is_canonical_in_declaration_order() -> None:
    spec = ChoiceList(COLOURS)
    assert spec.clean(["blue", "red"]) == ["red", "blue"]
    assert spec.clean([]) == []
    assert spec.missing() == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("red", ['Expected a list of items but got type "str".']),
        ({"red": 1}, ['Expected a list of items but got type "dict".']),
        (["red", "red"], ['"red" is listed more than once.']),
        (["red", "red", "red"], ['"red" is listed more than once.']),
        (["pink", "red", 4], ['"pink" is not a valid choice.', '"4" is not a valid choice.']),
        (None, ["This field may not be null."]),
    ],
)
def test_choice_list_refuses(value: Any, expected: list[str]) -> None:
    assert messages(ChoiceList(COLOURS), value) == expected


def test_choice_list_to_wire_keeps_codes_dropped_from_the_vocabulary_last() -> None:
    assert ChoiceList(COLOURS).to_wire(["purple", "blue", "red", "blue"]) == [
        "red",
        "blue",
        "purple",
    ]


def test_choice_list_may_allow_repeats() -> None:
    assert ChoiceList(COLOURS, unique=False).clean(["blue", "red", "blue"]) == [
        "red",
        "blue",
        "blue",
    ]


# -- Date --------------------------------------------------------------------------------------
def test_date_is_iso_string() -> None:
    assert Date().clean("2026-11-20") == "2026-11-20"
    assert Date().clean(datetime.date(2026, 1, 2)) == "2026-01-02"
    assert Date(null=True).clean(None) is None


@pytest.mark.parametrize(
    "value",
    ["2026-02-30", "20261120", "2026-11-20T08:00", "2026-W47-5", "20-11-2026", "", 20261120, []],
)
def test_date_refuses_other_formats(value: Any) -> None:
    assert messages(Date(), value) == [
        "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
    ]


def test_date_refuses_datetimes() -> None:
    value = datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC)
    assert messages(Date(), value) == ["Expected a date but got a datetime."]


# -- Integer -----------------------------------------------------------------------------------
def test_integer_accepts_json_integers_and_whole_floats() -> None:
    spec = Integer(min_value=0, max_value=110)
    assert spec.clean(0) == 0
    assert spec.clean(110) == 110
    assert spec.clean(12.0) == 12
    assert type(spec.clean(12.0)) is int


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "A valid integer is required."),
        (12.5, "A valid integer is required."),
        ("12", "A valid integer is required."),
        (math.inf, "A valid integer is required."),
        (math.nan, "A valid integer is required."),
        (-1, "Ensure this value is greater than or equal to 0."),
        (111, "Ensure this value is less than or equal to 110."),
        (None, "This field may not be null."),
    ],
)
def test_integer_refuses(value: Any, message: str) -> None:
    assert messages(Integer(min_value=0, max_value=110), value) == [message]


# -- Boolean -----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [1, 0, "true", "false", "", None])
def test_boolean_is_true_or_false_only(value: Any) -> None:
    assert Boolean().clean(True) is True
    assert Boolean().clean(False) is False
    expected = "This field may not be null." if value is None else "Must be a valid boolean."
    assert messages(Boolean(), value) == [expected]


# -- Decimal -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        (1500000, "1500000.00"),
        ("1500000", "1500000.00"),
        ("1500000.5", "1500000.50"),
        (" 12.25 ", "12.25"),
        (0.1, "0.10"),
        ("1.500", "1.50"),
        (D("3"), "3.00"),
        ("-0", "0.00"),
        ("1e3", "1000.00"),
    ],
)
def test_money_is_a_string_with_two_places(value: Any, canonical: str) -> None:
    assert Decimal(15, 2, min_value=0).clean(value) == canonical


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NaN", "A valid number is required."),
        ("Infinity", "A valid number is required."),
        (math.inf, "A valid number is required."),
        (math.nan, "A valid number is required."),
        ("12,5", "A valid number is required."),
        ("", "A valid number is required."),
        (True, "A valid number is required."),
        ([1], "A valid number is required."),
        ("1" * 101, "String value too large."),
        ("1.005", "Ensure that there are no more than 2 decimal places."),
        (-1, "Ensure this value is greater than or equal to 0."),
        ("-0.01", "Ensure this value is greater than or equal to 0."),
        (10**13, "Ensure that there are no more than 13 digits before the decimal point."),
        (1e300, "Ensure that there are no more than 13 digits before the decimal point."),
    ],
)
def test_money_refuses(value: Any, message: str) -> None:
    assert messages(Decimal(15, 2, min_value=0), value) == [message]


def test_rounded_decimal_as_float() -> None:
    accuracy = Decimal(10, 2, min_value=0, as_float=True, round_places=True)
    assert accuracy.clean(4.837291) == 4.84
    assert accuracy.clean("12") == 12.0
    assert accuracy.clean(-0.001) == 0.0
    assert math.copysign(1, accuracy.clean(-0.001)) == 1.0


def test_rounding_can_reach_the_digit_limit() -> None:
    spec = Decimal(4, 2, round_places=True)
    assert spec.clean(99.994) == "99.99"
    assert messages(spec, 99.996) == [
        "Ensure that there are no more than 2 digits before the decimal point."
    ]


def test_coordinate_is_a_float_rounded_to_six_places() -> None:
    assert Coordinate().clean(19.4512345678) == 19.451235
    assert Coordinate().clean("103.2") == 103.2
    assert Coordinate().clean(103) == 103.0
    assert messages(Coordinate(), 1000.0) == [
        "Ensure that there are no more than 3 digits before the decimal point."
    ]
    assert messages(Coordinate(), "north") == ["A valid number is required."]


# -- UUIDRef -----------------------------------------------------------------------------------
def test_uuid_is_lowercase_hyphenated() -> None:
    value = uuid.UUID("8A6C2F1E-0000-4000-8000-00000000ABCD")
    assert UUIDRef().clean("8A6C2F1E-0000-4000-8000-00000000ABCD") == str(value)
    assert UUIDRef().clean("8a6c2f1e000040008000" + "00000000abcd") == str(value)
    assert UUIDRef().clean(value) == "8a6c2f1e-0000-4000-8000-00000000abcd"


@pytest.mark.parametrize("value", ["not-a-uuid", "", 12, "8a6c2f1e-0000-4000-8000", "x" * 1000])
def test_uuid_refuses(value: Any) -> None:
    assert messages(UUIDRef(), value) == ["Must be a valid UUID."]


# -- records -----------------------------------------------------------------------------------
def test_clean_record_fills_missing_optional_fields_and_reports_required_ones() -> None:
    specs: dict[str, Spec] = {
        "name": Text(20),
        "colour": Choice(COLOURS, required=True),
        "shade": Choice(COLOURS, blank=True),
        "count": Integer(null=True),
        "flag": Boolean(default=False),
        "size": Choice(COLOURS, default="red"),
        "tags": ChoiceList(COLOURS),
        "when": Date(required=True),
    }

    cleaned, errors = clean_record(specs, {"when": None, "count": "3", "unknown": 1})

    assert errors == {
        "colour": ["This field is required."],
        "count": ["A valid integer is required."],
        "when": ["This field may not be null."],
    }
    assert cleaned == {
        "name": "",
        "shade": "",
        "flag": False,
        "size": "red",
        "tags": [],
    }


def test_clean_record_returns_every_field_canonical() -> None:
    specs: dict[str, Spec] = {"on": Date(), "cost": Decimal(15, 2), "ref": UUIDRef(null=True)}

    cleaned, errors = clean_record(specs, {"on": "2026-01-02", "cost": 5})

    assert errors == {}
    assert cleaned == {"on": "2026-01-02", "cost": "5.00", "ref": None}


def test_optional_non_nullable_spec_without_empty_value_is_required() -> None:
    assert clean_record({"n": Integer()}, {})[1] == {"n": ["This field is required."]}
    assert Integer().empty() is MISSING


def test_instance_round_trip_through_model_values() -> None:
    specs: dict[str, Spec] = {
        "on": Date(null=True),
        "cost": Decimal(15, 2, null=True),
        "lat": Coordinate(null=True),
        "ref": UUIDRef(null=True),
        "tags": ChoiceList(COLOURS),
    }
    attnames = {"on": "on", "cost": "cost", "lat": "lat", "ref": "ref_id", "tags": "tags"}
    instance = SimpleNamespace(on=None, cost=None, lat=None, ref_id=None, tags=[])
    wire: dict[str, Any] = {
        "on": "2026-01-02",
        "cost": "10.50",
        "lat": 19.45,
        "ref": "8a6c2f1e-0000-4000-8000-00000000abcd",
        "tags": ["red", "blue"],
    }

    changed = assign_to_instance(specs, attnames, instance, wire)

    assert changed == ["on", "cost", "lat", "ref", "tags"]
    assert instance.on == datetime.date(2026, 1, 2)
    assert instance.cost == D("10.50")
    assert instance.lat == D("19.450000")
    assert instance.ref_id == uuid.UUID(wire["ref"])
    assert instance_to_wire(specs, attnames, instance) == wire
    assert assign_to_instance(specs, attnames, instance, wire) == []


# -- idempotence: cleaning a canonical value gives it back -------------------------------------
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=80)
)
SPECS: list[Spec] = [
    Text(50),
    Code(),
    Choice(COLOURS),
    Choice(COLOURS, blank=True),
    Date(null=True),
    Integer(min_value=0, max_value=110, null=True),
    Boolean(),
    Decimal(15, 2, min_value=0, null=True),
    Decimal(10, 2, min_value=0, as_float=True, round_places=True, null=True),
    Coordinate(null=True),
    UUIDRef(null=True),
    ChoiceList(COLOURS),
]
SPEC_INPUTS = {
    "Date": st.dates().map(datetime.date.isoformat) | st.dates() | json_scalars,
    "Decimal": st.decimals(allow_nan=False, places=4, max_value=10**14).map(str) | json_scalars,
    "Coordinate": st.floats(min_value=-180, max_value=180) | json_scalars,
    "UUIDRef": st.uuids().map(lambda u: str(u).upper()) | st.uuids() | json_scalars,
    "ChoiceList": st.lists(st.sampled_from([*COLOURS, "pink"]), max_size=5) | json_scalars,
    "Choice": st.sampled_from([*COLOURS, "", "pink"]) | json_scalars,
}


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: type(spec).__name__)
@given(data=st.data())
def test_cleaning_is_idempotent_and_survives_json(spec: Spec, data: st.DataObject) -> None:
    value = data.draw(SPEC_INPUTS.get(type(spec).__name__, json_scalars))
    try:
        canonical = spec.clean(value)
    except FieldError as error:
        assert error.messages and all(isinstance(m, str) for m in error.messages)
        return

    assert spec.clean(canonical) == canonical
    assert spec.clean(json.loads(json.dumps(canonical))) == canonical
    assert spec.to_wire(spec.to_model(canonical)) == canonical


# -- attachment references -------------------------------------------------------------------
def _ref(number: int, **changes: object) -> dict[str, object]:
    return {"sha256": f"{number:064x}", "name": f"{number}.jpg", "content_type": "image/jpeg"} | (
        changes
    )


def test_attachment_references_are_canonical_and_bounded() -> None:
    from fieldsync.fields import AttachmentList, FieldError

    spec = AttachmentList()

    assert spec.missing() == []
    assert spec.clean([_ref(10, sha256="A" * 64, extra="kept on the device")]) == [
        {"sha256": "a" * 64, "name": "10.jpg", "content_type": "image/jpeg"}
    ]
    with pytest.raises(FieldError) as too_many:
        spec.clean([_ref(n) for n in range(21)])
    assert too_many.value.messages == ["Ensure this field has no more than 20 elements."]
    with pytest.raises(FieldError) as wrong:
        spec.clean(
            [
                {"name": "x.jpg"},
                _ref(2, content_type="image/gif"),
                _ref(3, name=""),
                "photo.jpg",
            ]
        )
    assert wrong.value.messages == [
        'Item 1: "sha256" is required.',
        'Item 1: "content_type" is required.',
        'Item 2: "content_type" must be one of image/jpeg, image/png, image/webp, '
        'application/pdf; got "image/gif".',
        'Item 3: "name" must have 1 to 255 characters.',
        'Item 4: Expected an object with "sha256", "name" and "content_type".',
    ]
    with pytest.raises(FieldError):
        spec.clean({"sha256": "a" * 64})
