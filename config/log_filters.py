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
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(
                _TOKEN_IN_PATH.sub("/key/***/", arg) if isinstance(arg, str) else arg
                for arg in args
            )
        return True
