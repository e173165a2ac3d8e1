"""What every step of an import shares: the ids it derives, its batch size, its progress."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

IMPORT_NAMESPACE = uuid.UUID("0b7e6f0c-52d1-4c59-8d5e-3f6a1c9b2e47")
CHUNK_RECORDS = 1000  # the sync contract's max_batch_records
DEVICE_NAME = "import"
T = TypeVar("T")
Progress = Callable[[Sequence[Any], str], Iterable[Any]]


def no_progress(items: Sequence[T], description: str) -> Iterable[T]:
    return items


@lru_cache(maxsize=1 << 18)  # a file names most ids several times (rows, parents, checks)
def record_id(model: str, legacy_id: str) -> str:
    """The record id of a legacy id: the same on every import of it."""
    return str(uuid.uuid5(IMPORT_NAMESPACE, f"{model}:{legacy_id}"))
