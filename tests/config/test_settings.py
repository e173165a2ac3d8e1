"""`make run`'s settings (config.settings.dev): no debug pages unless asked for, and a secret key
of the machine's own, generated once into var/ (mode 0600) when the environment has none."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import secret_key_or_generated

ROOT = Path(__file__).resolve().parents[2]
SHOW = "from django.conf import settings; print(settings.DEBUG); print(settings.SECRET_KEY)"


def _dev_settings(key_file: Path, **extra: str) -> tuple[str, str]:
    """DEBUG and SECRET_KEY as `make run` sees them (no DEBUG or SECRET_KEY in its environment)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": "sqlite:///:memory:",
        "SECRET_KEY_FILE": str(key_file),
        **extra,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", SHOW],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    debug, key = result.stdout.split()
    return debug, key


def test_make_run_settings_have_debug_off_and_a_key_generated_once(tmp_path: Path) -> None:
    # given a fresh machine: no key file, nothing in the environment
    key_file = tmp_path / "var" / "secret_key"

    # when the development settings are loaded twice (two starts of `make run`)
    first = _dev_settings(key_file)
    second = _dev_settings(key_file)

    # then debug pages are off, and the key was generated once, kept private and reused
    assert first[0] == "False"
    assert first == second
    assert len(first[1]) >= 50
    assert key_file.read_text() == f"{first[1]}\n"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert list(key_file.parent.iterdir()) == [key_file]  # no draft left behind


def test_debug_and_the_key_come_from_the_environment_when_set(tmp_path: Path) -> None:
    # given DEBUG and SECRET_KEY in the environment
    key_file = tmp_path / "secret_key"

    # when the development settings are loaded
    debug, key = _dev_settings(key_file, DEBUG="true", SECRET_KEY="from-the-environment")

    # then they are used, and no key file is written
    assert (debug, key) == ("True", "from-the-environment")
    assert not key_file.exists()


def test_a_key_written_by_another_process_first_wins(tmp_path, monkeypatch) -> None:
    # given a key file another process wrote while this one was starting
    key_file = tmp_path / "secret_key"
    key_file.write_text("the-other-process-key\n")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SECRET_KEY_FILE", str(key_file))

    # when the key is read
    key = secret_key_or_generated()

    # then it is that key, unchanged
    assert key == "the-other-process-key"
    assert key_file.read_text() == "the-other-process-key\n"


@pytest.mark.django_db
def test_the_test_settings_keep_their_own_key(settings) -> None:
    # given the test settings, whatever the environment says
    # then the key is the fixed test key and no debug page is shown
    assert (settings.SECRET_KEY, settings.DEBUG) == ("test-secret-key", False)
