"""What `make bench` prints and keeps: result rows, progress while it runs, the table at the
end and the saved figures (benchmarks/results/)."""

from __future__ import annotations

import datetime
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
Row = dict[str, Any]


def row(name: str, figure: float, unit: str, target: str, met: bool, **details: Any) -> Row:
    return {
        "benchmark": name,
        "figure": round(figure, 2),
        "unit": unit,
        "target": target,
        "met": met,
        **details,
    }


def progress(only: list[str] | None, rows: list[Row]) -> Callable[[str], bool]:
    """Whether to run a benchmark; when it is, say so on stderr, after the rows measured since
    the last one (a full run takes the better part of an hour)."""
    started = time.perf_counter()
    shown = 0

    def selected(name: str) -> bool:
        nonlocal shown
        if only is not None and name not in only:
            return False
        for measured in rows[shown:]:
            print(
                f"    {measured['benchmark']}: {measured['figure']:,} {measured['unit']}",
                file=sys.stderr,
                flush=True,
            )
        shown = len(rows)
        minutes, seconds = divmod(int(time.perf_counter() - started), 60)
        print(f"[{minutes:02d}:{seconds:02d}] {name}…", file=sys.stderr, flush=True)
        return True

    return selected


def show(rows: list[Row]) -> None:
    print(f"\n{'benchmark':<62} {'figure':>12} {'unit':<14} {'target':<16} met  details")
    for r in rows:
        details = {
            k: v for k, v in r.items() if k not in ("benchmark", "figure", "unit", "target", "met")
        }
        print(
            f"{r['benchmark']:<62} {r['figure']:>12,} {r['unit']:<14} {r['target']:<16} "
            f"{'yes' if r['met'] else 'NO ':<4} {details if details else ''}"
        )


def save(rows: list[Row], quick: bool) -> None:
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    payload = {"when": stamp, "quick": quick, "cpu_count": os.cpu_count(), "rows": rows}
    for name in (f"bench-{stamp}.json", "latest.json"):
        (RESULTS / name).write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nsaved {RESULTS / 'latest.json'}")
