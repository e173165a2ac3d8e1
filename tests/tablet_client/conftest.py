"""The reference client against the real server in-process: Django's test client as its link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fieldsync.models import User
from tablet_client import HttpTransport, LocalStore, TabletClient, Transport
from tests.helpers.sync import PASSWORD
from tests.helpers.tablet_client import Sleeps, django_transport


@pytest.fixture
def make_client(seeded: None, make_user: Callable[..., User]) -> Callable[..., TabletClient]:
    """An enrolled tablet: `make_client("halo-1", organisation="HALO", link=..., sleep=...)`."""

    def make(
        username: str = "surveyor-halo",
        *,
        role: str = "surveyor",
        organisation: str = "HALO",
        link: Callable[[Transport], Transport] | None = None,
        sleep: Callable[[float], None] | None = None,
        **options: Any,
    ) -> TabletClient:
        if not User.objects.filter(username=username).exists():
            make_user(username, role, organisation)
        transport: Transport = HttpTransport("http://testserver", transport=django_transport())
        if link is not None:
            transport = link(transport)
        tablet = TabletClient(
            store=LocalStore(),
            transport=transport,
            sleep=Sleeps() if sleep is None else sleep,
            seed=username,
            **options,
        )
        tablet.enrol(username=username, password=PASSWORD, device_name=f"tablet of {username}")
        return tablet

    return make
