"""An OpenRosa instance, read safely: defusedxml refuses DTDs, entities and external references
(no "billion laughs", no file reads), and the caller bounds the size before parsing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeTree
from defusedxml import DefusedXmlException

from odk.models import instance_uuid

#: Far deeper than the forms' groups and repeats; `answers` recurses, so it is bounded here.
MAX_DEPTH = 32


class InstanceInvalid(ValueError):
    """Not an XForm instance the server can read; the message says why, in plain English."""


@dataclass(frozen=True)
class Instance:
    form_id: str
    version: str
    instance_id: uuid.UUID
    deprecated_id: uuid.UUID | None
    root: Element


def local_name(element: Element) -> str:
    """The tag without its namespace: JavaRosa writes xmlns declarations, other engines none."""
    return element.tag.rpartition("}")[2]


def child(element: Element, name: str) -> Element | None:
    return next((node for node in element if local_name(node) == name), None)


def instance_parse(xml: bytes) -> Instance:
    """The form, version and identity of a submitted instance (InstanceInvalid otherwise)."""
    try:
        root = SafeTree.fromstring(xml, forbid_dtd=True)
    except DefusedXmlException as error:
        raise InstanceInvalid("The instance may not hold a DTD or entities.") from error
    except SafeTree.ParseError as error:
        raise InstanceInvalid(f"The instance is not well-formed XML ({error}).") from error
    except (LookupError, ValueError) as error:  # an encoding Python lacks, or a multi-byte one
        raise InstanceInvalid("The instance's XML encoding is not supported.") from error
    if _depth(root) > MAX_DEPTH:
        raise InstanceInvalid(f"The instance nests groups deeper than {MAX_DEPTH} levels.")
    form_id = root.get("id", "")
    if not form_id:
        raise InstanceInvalid("The instance names no form (the root element's id).")
    meta = child(root, "meta")
    instance_text = _text(child(meta, "instanceID")) if meta is not None else ""
    try:
        instance_id = instance_uuid(instance_text)
    except ValueError as error:
        raise InstanceInvalid("meta/instanceID must be 'uuid:' and a UUID.") from error
    deprecated_text = _text(child(meta, "deprecatedID")) if meta is not None else ""
    try:
        deprecated_id = instance_uuid(deprecated_text) if deprecated_text else None
    except ValueError as error:
        raise InstanceInvalid("meta/deprecatedID must be 'uuid:' and a UUID.") from error
    if deprecated_id == instance_id:
        raise InstanceInvalid("meta/deprecatedID must differ from meta/instanceID.")
    return Instance(
        form_id=form_id,
        version=root.get("version", ""),
        instance_id=instance_id,
        deprecated_id=deprecated_id,
        root=root,
    )


def _depth(root: Element) -> int:
    """How deep the elements nest (iteratively: a hostile instance cannot exhaust the stack)."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, level = stack.pop()
        deepest = max(deepest, level)
        if level <= MAX_DEPTH:
            stack.extend((node, level + 1) for node in element)
    return deepest


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def answers(element: Element, repeats: frozenset[str]) -> dict[str, Any]:
    """The answers under `element` by question name: groups are looked through, each repeat
    named in `repeats` gives a list of its instances' elements, `meta` is left out."""
    found: dict[str, Any] = {}
    for node in element:
        name = local_name(node)
        if name == "meta":
            continue
        if name in repeats:
            found.setdefault(name, []).append(node)
        elif len(node):
            found.update(answers(node, repeats))  # a group: its questions keep their names
        else:
            found[name] = (node.text or "").strip()
    return found
