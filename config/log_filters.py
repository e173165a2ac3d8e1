"""Logging filters: what must never reach a log line."""

from __future__ import annotations

import logging
import re

_TOKEN_IN_PATH = re.compile(r"/key/[^/\s]+/")


class RedactTokenUrls(logging.Filter):
    """A Collect device's token URL (`/openrosa/key/<token>/`) logged by Django's request logger
    for a 4xx or 5xx answer: the token is a password, written as `/key/***/`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "/key/" in record.msg:
            record.msg = _TOKEN_IN_PATH.sub("/key/***/", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):  # "%(name)s" messages keep their mapping
            record.args = {key: _redact(value) for key, value in record.args.items()}
        return True


def _redact(value: object) -> object:
    return _TOKEN_IN_PATH.sub("/key/***/", value) if isinstance(value, str) else value
