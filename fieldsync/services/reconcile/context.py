"""What adapters are told about each sender, made once per transaction."""

from __future__ import annotations

import datetime
from typing import Any

from fieldsync.registry import Viewer, WriteContext
from fieldsync.services.reconcile.items import Item


class SenderContexts:
    """Each device's WriteContext and each user's Viewer; every context shares one lookups cache,
    so reference rows an adapter fetched for one sender serve all of them."""

    def __init__(self, *, today: datetime.date) -> None:
        self.today = today
        self.lookups: dict[str, Any] = {}
        self.by_device: dict[int, WriteContext] = {}
        self.viewers: dict[int, Viewer] = {}

    def context(self, item: Item) -> WriteContext:
        context = self.by_device.get(item.device.pk)
        if context is None:
            context = WriteContext(
                device=item.device, user=item.user, today=self.today, lookups=self.lookups
            )
            self.by_device[item.device.pk] = context
        return context

    def viewer(self, item: Item) -> Viewer:
        viewer = self.viewers.get(item.user.pk)
        if viewer is None:
            viewer = self.viewers[item.user.pk] = Viewer.for_user(item.user)
        return viewer

    def any_context(self) -> WriteContext:
        return next(iter(self.by_device.values()))
