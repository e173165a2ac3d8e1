"""The sync contract v1 as the client reads it: the endpoints, the errors that stop a sync, and
how a reply's code and detail are read."""

from __future__ import annotations

import json
from typing import Any

from tablet_client.transport import Reply

ENROL = "/api/v1/auth/device/"
INFO = "/api/v1/sync/info/"
PUSH = "/api/v1/sync/push/"
PULL = "/api/v1/sync/pull/"
SCHEMA_VERSION = 1
ENVELOPE_BYTES = 512  # batch_id, device_id, schema_version and brackets, generously
TRANSIENT = frozenset({429, 500, 502, 503, 504})


class SyncInterrupted(Exception):
    """The link failed too often: this sync session stops; the outbox and cursor are kept."""


class ClientBug(Exception):
    """The server refused what a correct client never sends (e.g. `409 batch_id_reused`)."""


class AuthRefused(Exception):
    """The token or credentials were refused (`401`); the code says why (`device_revoked`...)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def reply_code(reply: Reply) -> str:
    return str(reply.body.get("code", "")) if isinstance(reply.body, dict) else ""


def reply_detail(reply: Reply) -> str:
    return str(reply.body.get("detail", "")) if isinstance(reply.body, dict) else ""


def refuse_unexpected(reply: Reply, what: str) -> None:
    if reply.status == 401:
        raise AuthRefused(reply_code(reply), reply_detail(reply))
    if reply.status != 200 or not isinstance(reply.body, dict):
        raise ClientBug(f"{what} answered {reply.status}: {reply.body}")
