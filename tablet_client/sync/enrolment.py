"""Who the tablet is: its device id, the user it is enrolled for, and the server's capabilities."""

from __future__ import annotations

import uuid
from typing import Any

from tablet_client.store import LocalStore
from tablet_client.sync.contract import (
    ENROL,
    INFO,
    AuthRefused,
    ClientBug,
    json_bytes,
    refuse_unexpected,
    reply_code,
    reply_detail,
)
from tablet_client.sync.retry import Requester


class Enrolment:
    """The tablet's identity and login, kept in the store's settings."""

    def __init__(self, *, store: LocalStore, requester: Requester) -> None:
        self.store = store
        self.requester = requester

    @property
    def device_id(self) -> str:
        device_id = self.store.setting("device_id")
        if device_id is None:
            device_id = str(uuid.uuid4())  # generated once, kept for the tablet's life
            self.store.setting_put("device_id", device_id)
        return str(device_id)

    @property
    def user(self) -> dict[str, Any]:
        return dict(self.store.setting("user", {}))

    def enrol(self, *, username: str, password: str, device_name: str = "") -> dict[str, Any]:
        """Log the tablet in (`POST /auth/device/`); keeps the token and the user's role."""
        body = json_bytes(
            {
                "username": username,
                "password": password,
                "device_id": self.device_id,
                "device_name": device_name,
            }
        )
        reply = self.requester.call("POST", ENROL, body=body, authenticated=False)
        if reply.status == 401:
            raise AuthRefused(reply_code(reply), reply_detail(reply))
        if reply.status != 201:
            raise ClientBug(f"enrolment answered {reply.status}: {reply.body}")
        with self.store.atomic():
            self.store.setting_put("token", reply.body["token"])
            self.store.setting_put("user", reply.body["user"])
        self.info(refresh=True)
        return dict(reply.body["user"])

    def info(self, *, refresh: bool = False) -> dict[str, Any]:
        """The server's capabilities (limits, wire models in parent-first order), cached."""
        cached = self.store.setting("info")
        if cached is not None and not refresh:
            return dict(cached)
        reply = self.requester.call("GET", INFO)
        refuse_unexpected(reply, "info")
        self.store.setting_put("info", reply.body)
        return dict(reply.body)

    def model_order(self) -> list[str]:
        return [m["name"] for m in self.info().get("models", [])]
