"""Opaque pull cursors: signed, and carrying what is needed to tell a cursor the server cannot
honour (another server, or a database restored from an older backup) from a forged one."""

from __future__ import annotations

import binascii
import json
from dataclasses import asdict, dataclass

from django.core import signing

SALT = "fieldsync.pull-cursor"


class InvalidCursor(Exception):
    """Malformed or forged: 400 invalid_cursor."""


class ResyncRequired(Exception):
    """Well-formed but not honourable here: 409 resync_required."""


@dataclass(frozen=True)
class Cursor:
    epoch: str  # the server's identity
    seq: int  # the last change sequence number delivered
    nonce: str  # the nonce of the commit that handed out `seq`
    phase: str = "main"  # "ref": a first sync still sending reference data
    ref_high: int = 0  # a first sync: reference changes up to here were sent in phase "ref"
    horizon: int = 0  # a first sync: changes up to here that are tombstones need not be sent

    def encode(self) -> str:
        return signing.dumps(asdict(self), salt=SALT, compress=False)


def decode(token: str, *, epoch: str) -> Cursor:
    if not isinstance(token, str) or not token or len(token) > 1024:
        raise InvalidCursor
    payload_part = token.split(":", 1)[0]
    try:
        unsigned = json.loads(signing.b64_decode(payload_part.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidCursor from error
    if not isinstance(unsigned, dict):
        raise InvalidCursor
    if isinstance(unsigned.get("epoch"), str) and unsigned["epoch"] != epoch:
        raise ResyncRequired
    try:
        data = signing.loads(token, salt=SALT)
        cursor = Cursor(**data)
    except (signing.BadSignature, TypeError, ValueError) as error:
        raise InvalidCursor from error
    if (
        not isinstance(cursor.seq, int)
        or cursor.seq < 0
        or cursor.phase not in ("ref", "main")
        or not isinstance(cursor.nonce, str)
    ):
        raise InvalidCursor
    return cursor
