"""Attachments: a 25 MB file over tus to gunicorn in 5 MB PATCHes, memory and throughput.

The server worker's peak resident memory (VmHWM) before and after the upload must grow by a
small fraction of the file (bodies are streamed to a spooled file, never read whole); the
throughput is set against a plain copy of the same bytes on the same disk, in the same run.
`make bench` runs it (row "attachments"); alone: `python -m benchmarks.bench_attachments`.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks import harness

FILE_MB = 25
PATCH_MB = 5
MB = 1024 * 1024


def _file(size: int) -> bytes:
    """A JPEG header then random bytes: the server checks the type from the first bytes."""
    return b"\xff\xd8\xff\xe0" + os.urandom(size - 4)


def _vmhwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _copy_rate(data: bytes, folder: Path) -> float:
    """Baseline: the same bytes written to a file and copied once on the same disk (MB/s)."""
    source, target = folder / "source.bin", folder / "copy.bin"
    source.write_bytes(data)
    started = time.perf_counter()
    shutil.copyfile(source, target)
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())
    return len(data) / MB / (time.perf_counter() - started)


def _upload(server: str, token: str, data: bytes, patch: int) -> float:
    """POST then PATCHes of `patch` bytes; returns MB/s over the whole upload."""
    sha = hashlib.sha256(data).hexdigest()
    meta = ",".join(
        f"{k} {base64.b64encode(v.encode()).decode()}"
        for k, v in {"sha256": sha, "filename": "bench.jpg", "filetype": "image/jpeg"}.items()
    )
    headers = {"Tus-Resumable": "1.0.0", "Authorization": f"Token {token}"}
    with httpx.Client(headers=headers, timeout=300) as client:
        started = time.perf_counter()
        created = client.post(
            f"{server}/api/v1/attachments/",
            headers={"Upload-Length": str(len(data)), "Upload-Metadata": meta},
        )
        created.raise_for_status()
        url = created.headers["Location"]
        offset = 0
        while offset < len(data):
            response = client.patch(
                url,
                content=data[offset : offset + patch],
                headers={
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/offset+octet-stream",
                },
            )
            if response.status_code != 204:
                raise RuntimeError(f"PATCH gave {response.status_code}: {response.text[:200]}")
            offset = int(response.headers["Upload-Offset"])
        return len(data) / MB / (time.perf_counter() - started)


def measure(file_mb: int = FILE_MB, patch_mb: int = PATCH_MB) -> dict[str, Any]:
    data = _file(file_mb * MB)
    with tempfile.TemporaryDirectory(prefix="bench-attachments-") as folder:
        with harness.gunicorn(workers=1, threads=1, DATA_DIR=folder) as server:
            tablet = harness.enrol(server.url, "bench-halo")
            _upload(server.url, tablet.token, _file(64 * 1024), 16 * 1024)  # warm the worker
            pid = server.worker_pids()[0]
            before = _vmhwm_mb(pid)
            rate = _upload(server.url, tablet.token, data, patch_mb * MB)
            after = _vmhwm_mb(pid)
            stored = Path(folder) / "attachments" / "files"
            sha = hashlib.sha256(data).hexdigest()
            if (stored / sha[:2] / sha).stat().st_size != len(data):
                raise RuntimeError("the stored file is not the file sent")
        baseline = _copy_rate(data, Path(folder))
    return {
        "file_mb": file_mb,
        "patch_mb": patch_mb,
        "rss_before_mb": before,
        "rss_after_mb": after,
        "growth_mb": after - before,
        "upload_mb_s": rate,
        "copy_mb_s": baseline,
    }


def row(name: str, figure: float, unit: str, target: str, met: bool, **details: Any) -> dict:
    """A row as benchmarks/__main__.py prints and saves it."""
    return {"benchmark": name, "figure": round(figure, 2), "unit": unit, "target": target,
            "met": met, **details}  # fmt: skip


def rows() -> list[dict[str, Any]]:
    result = measure()
    growth = result["growth_mb"]
    return [
        row(
            f"peak memory growth of a worker over a {FILE_MB} MB tus upload",
            growth,
            "MB",
            f"<= {0.3 * FILE_MB:g} MB",
            growth <= 0.3 * FILE_MB,  # flat: the same with 1 MB or 10 MB PATCHes
            rss_before_mb=round(result["rss_before_mb"], 1),
            rss_after_mb=round(result["rss_after_mb"], 1),
            patch_mb=PATCH_MB,
        ),
        row(
            f"tus upload throughput, {PATCH_MB} MB PATCHes, HTTP",
            result["upload_mb_s"],
            "MB/s",
            "(report)",
            True,
            copy_baseline_mb_s=round(result["copy_mb_s"], 1),
            percent_of_copy=round(100 * result["upload_mb_s"] / result["copy_mb_s"], 1),
        ),
    ]


if __name__ == "__main__":
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    os.environ["DATABASE_URL"] = harness.BENCH_DATABASE
    os.environ["CELERY_BROKER_URL"] = ""
    import django

    harness.recreate_database()
    django.setup()
    harness.ensure_accounts({"bench-halo": ("surveyor", "HALO")})
    for key, value in measure().items():
        print(f"{key:>14}: {value:.1f}" if isinstance(value, float) else f"{key:>14}: {value}")
