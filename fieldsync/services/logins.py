"""Password guessing slowed down without one address locking out the others.

How and why: docs/operations.md, "Logins".

Three counts over the last `LOGIN_FAILURE_WINDOW` of failed logins (device enrolment and admin):
- one username from one address: after `LOGIN_FAILURE_LIMIT` failures that pair waits until the
  oldest of them leaves the window. Nobody else is affected.
- one username from anywhere: after `LOGIN_USERNAME_FREE_FAILURES` failures, each further attempt
  waits 1, 2, 4, ... seconds (at most the window) after the latest failure, which stops guessing
  spread over many addresses;
- one address for any username: after `LOGIN_ADDRESS_FAILURE_LIMIT` failures (set well above
  what one office mistypes) the address waits, which stops one password tried on every username.
The last two do not apply to an attempt from a known device (OWASP's "device cookie"): a tablet
enrolling again with its device id, or a browser holding the signed cookie its last successful
admin login left. So an attacker can slow down only the devices it guesses from, and the people
behind a shared address (an office NAT, a carrier NAT, the TLS proxy) keep logging in.

The address is the client's as the trusted proxies (`TRUSTED_PROXIES`) report it, never an
`X-Forwarded-For` a client wrote itself.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from fieldsync.models import LoginFailure

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class LoginThrottled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class LoginAttempt:
    username: str
    address: str
    #: a device that logged in as this user before: a tablet's enrolled, unrevoked device id
    #: or the admin's signed known-login cookie.
    known_device: bool = False

    @property
    def username_key(self) -> str:
        return self.username[: LoginFailure._meta.get_field("username").max_length or 150]

    @property
    def address_key(self) -> str:
        return self.address[: LoginFailure._meta.get_field("address").max_length or 64]


def login_failure_record(*, attempt: LoginAttempt) -> None:
    """A failed login (device enrolment or admin), counted by `login_throttle_check`."""
    LoginFailure.objects.create(username=attempt.username_key, address=attempt.address_key)


def login_throttle_check(*, attempt: LoginAttempt) -> None:
    """Raise LoginThrottled when this attempt must wait (the module's docstring says when)."""
    config = settings.FIELDSYNC
    window: timedelta = config["LOGIN_FAILURE_WINDOW"]
    now = timezone.now()
    recent = LoginFailure.objects.filter(failed_at__gte=now - window)
    waits = [
        _until_below(
            recent.filter(username=attempt.username_key, address=attempt.address_key),
            limit=config["LOGIN_FAILURE_LIMIT"],
            window=window,
            now=now,
        )
    ]
    if not attempt.known_device:
        waits.append(
            _username_backoff(
                recent.filter(username=attempt.username_key),
                free=config["LOGIN_USERNAME_FREE_FAILURES"],
                window=window,
                now=now,
            )
        )
        waits.append(
            _until_below(
                recent.filter(address=attempt.address_key),
                limit=config["LOGIN_ADDRESS_FAILURE_LIMIT"],
                window=window,
                now=now,
            )
        )
    wait = max(waits)
    if wait > 0:
        raise LoginThrottled(wait)


def _seconds(until: datetime, now: datetime) -> int:
    return max(int((until - now).total_seconds()) + 1, 1) if until > now else 0


def _until_below(failures: Any, *, limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than `limit` of these failures are inside the window (0: already)."""
    times = list(failures.order_by("-failed_at").values_list("failed_at", flat=True)[:limit])
    if len(times) < limit:
        return 0
    return _seconds(times[limit - 1] + window, now)


def _username_backoff(failures: Any, *, free: int, window: timedelta, now: datetime) -> int:
    """Seconds this username still waits: 2**(n - free) after its latest failure, at most the
    window, once it has n >= free failures in the window."""
    found = failures.aggregate(latest=Max("failed_at"))
    if found["latest"] is None:
        return 0
    count = failures.count()
    if count < free:
        return 0
    delay = min(2 ** min(count - free, 30), int(window.total_seconds()))
    return _seconds(found["latest"] + timedelta(seconds=delay), now)


# -- the client's address -------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in configured)


def trusted_proxy_networks() -> tuple[_Network, ...]:
    """`TRUSTED_PROXIES` parsed (addresses or CIDR ranges); a wrong entry fails at start-up."""
    return _networks(tuple(settings.FIELDSYNC["TRUSTED_PROXIES"]))


def _is_trusted(address: str, networks: tuple[_Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(meta: Mapping[str, Any]) -> str:
    """The client's address: `REMOTE_ADDR`, or, when that is a trusted proxy, the nearest address
    in `X-Forwarded-For` that is not one (entries further left were written by the client)."""
    remote = str(meta.get("REMOTE_ADDR", ""))
    networks = trusted_proxy_networks()
    if not networks or not _is_trusted(remote, networks):
        return remote
    hops = [hop.strip() for hop in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    hops = [hop for hop in hops if hop]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop
    return hops[0] if hops else remote
