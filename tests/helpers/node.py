"""tests/js, the Node.js clients the tests drive, with their pinned modules."""

from __future__ import annotations

import subprocess
from pathlib import Path

JS_DIR = Path(__file__).resolve().parents[1] / "js"


def npm_modules(*packages: str) -> Path:
    """tests/js, after `npm ci` from the committed lock file if one of `packages` is missing
    from its node_modules."""
    if not all((JS_DIR / "node_modules" / package).exists() for package in packages):
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=JS_DIR,
            check=True,
            capture_output=True,
            timeout=600,
        )
    return JS_DIR
