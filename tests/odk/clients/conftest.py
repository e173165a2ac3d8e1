"""The real engines, ready once per session: JavaRosa's harness compiled with javac, and the
Node modules of the xforms-engine harness installed with `npm ci`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers.attachments import noisy_jpeg
from tests.helpers.node import npm_modules
from tests.odk.clients.harness import JavaRosa, WebForms, missing_java
from tests.odk.clients.practice import practice_form


@pytest.fixture(scope="session")
def javarosa(tmp_path_factory: pytest.TempPathFactory) -> JavaRosa:
    reason = missing_java()
    if reason:
        pytest.skip(reason)
    return JavaRosa.compile(tmp_path_factory.mktemp("javarosa"))


@pytest.fixture(scope="session")
def webforms() -> WebForms:
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("needs Node.js 20 and npm (CI has them)")
    js = npm_modules("@getodk/xforms-engine", "jsdom")
    return WebForms(js / "webforms.mjs")


@pytest.fixture(scope="session")
def photo() -> bytes:
    return noisy_jpeg(width=64, height=48)


@pytest.fixture
def practice(tmp_path: Path, photo: bytes) -> Path:
    """A folder with both practice forms, victims.csv and a photo taken for the accident."""
    practice_form("practice_accident", tmp_path)
    practice_form("practice_assistance", tmp_path)
    (tmp_path / "site.jpg").write_bytes(photo)
    return tmp_path
