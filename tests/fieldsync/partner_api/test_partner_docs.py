"""docs/partners.md's curl examples, run as written against a live server.

Every ```sh block of the guide runs, in order, in one bash session (as a reader would paste
them), with `BASE` and `PASSWORD` set. `# → 201` after a call states its status; `# → 200 each`
states the status of every call of the block. The statuses curl saw must be exactly those.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers.partner_api import World
from tests.helpers.sync import PASSWORD

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "partners.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)
EXPECT = re.compile(r"#\s*→\s*(\d{3})( each)?")
# curl reports each call's status on stderr, so that $(curl ...) captures only the body
PREAMBLE = """set -euo pipefail
curl() { command curl -w '%{stderr}@@status %{http_code}\\n' "$@"; }
"""


def _blocks() -> list[str]:
    return BLOCK.findall(GUIDE.read_text())


def test_the_guide_has_examples_for_every_section() -> None:
    blocks = _blocks()

    assert len(blocks) >= 8
    assert all(EXPECT.search(block) for block in blocks)


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_the_guides_curl_examples_do_what_it_says(
    world: World, live_server: object, tmp_path: Path
) -> None:
    blocks = _blocks()
    script = PREAMBLE + "".join(
        f"echo '@@block {number}' >&2\n{block}" for number, block in enumerate(blocks)
    )

    run = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "BASE": str(live_server), "PASSWORD": PASSWORD},
        timeout=120,
        check=False,
    )

    assert run.returncode == 0, run.stderr
    seen: dict[int, list[int]] = {}
    for line in run.stderr.splitlines():
        if line.startswith("@@block "):
            seen[int(line.split()[1])] = []
        elif line.startswith("@@status "):
            seen[max(seen)].append(int(line.split()[1]))
    assert sorted(seen) == list(range(len(blocks)))
    for number, block in enumerate(blocks):
        expected = EXPECT.findall(block)
        if any(each for _, each in expected):
            ((status, _),) = expected
            assert seen[number] and set(seen[number]) == {int(status)}, block
        else:
            assert seen[number] == [int(status) for status, _ in expected], block
