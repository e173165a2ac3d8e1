"""Reading an instance XML the way the tests compare them: element names without namespaces,
repeats as lists, generated ids set aside."""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _value(element: Element, repeats: frozenset[str]) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    data: dict[str, Any] = {}
    for child in children:
        name = _local(child.tag)
        value = _value(child, repeats)
        if name in repeats:
            data.setdefault(name, []).append(value)
        else:
            assert name not in data, f"<{name}> twice in <{_local(element.tag)}>"
            data[name] = value
    return data


def read_instance(xml: str | bytes, *repeats: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    """(root name, root attributes, values): each element's text, or a dict of its children;
    the elements named in `repeats` as lists."""
    body = xml.encode() if isinstance(xml, str) else xml
    root = ElementTree.fromstring(body)
    return _local(root.tag), dict(root.attrib), _value(root, frozenset(repeats))


def instance_uuid(instance_id: str) -> str:
    """The U of `uuid:U`, checked to be a random UUID as Collect makes them."""
    assert instance_id.startswith("uuid:"), instance_id
    assert UUID.match(instance_id[5:]), instance_id
    return instance_id[5:]


def without_ids(values: dict[str, Any], *names: str) -> dict[str, Any]:
    """`values` with the generated ids (`names`, at any depth, and meta/instanceID) checked to be
    UUIDs and removed, so two engines' instances of the same answers compare equal."""

    def strip(value: Any) -> Any:
        if isinstance(value, list):
            return [strip(item) for item in value]
        if not isinstance(value, dict):
            return value
        kept = {}
        for key, item in value.items():
            if key in names:
                assert UUID.match(item), (key, item)
            elif key == "instanceID":
                instance_uuid(item)
            else:
                kept[key] = strip(item)
        return kept

    return dict(strip(values))
