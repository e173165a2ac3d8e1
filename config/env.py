"""The one place where settings read the environment."""

import os
import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def secret_key_or_generated() -> str:
    """`SECRET_KEY` from the environment, else a key generated once into `SECRET_KEY_FILE`
    (default `var/secret_key`, mode 0600) and read from it from then on.

    So a fresh machine gets a key of its own, which stays the same across restarts (sessions and
    signed pull cursors survive them), and no key is written in the repository.
    """
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    path = Path(env.str("SECRET_KEY_FILE", default=str(BASE_DIR / "var" / "secret_key")))
    if not path.exists():
        _write_once(path, secrets.token_urlsafe(50))
    return path.read_text(encoding="ascii").strip()


def _write_once(path: Path, key: str) -> None:
    """Write `key` to `path` unless another process got there first (link: all or nothing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a draft left behind by a crash keeps its mode through open
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(f"{key}\n")
        os.link(draft, path)
    except FileExistsError:
        pass  # the other process's key wins; both read it back
    finally:
        draft.unlink(missing_ok=True)
