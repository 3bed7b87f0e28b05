"""Timing helpers shared by the benchmark scripts: whole processes, wall time and peak memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from typing import Callable


def timed(cmd: list[str], cwd: str | None = None) -> tuple[float, int, int]:
    """(seconds, peak RSS in KiB, exit code) of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def series(
    cmd: list[str], runs: int, cwd: str | None = None, before: Callable[[], object] | None = None
) -> tuple[list[float], list[int]]:
    """``runs`` whole processes; ``before`` runs ahead of each (e.g. to empty a cache)."""
    times, peaks = [], []
    for _ in range(runs):
        if before is not None:
            before()
        elapsed, peak, code = timed(cmd, cwd)
        if code not in (0, 1, 2):
            sys.exit(f"{' '.join(cmd)} exited {code}")
        times.append(elapsed)
        peaks.append(peak)
    return times, peaks


def describe(name: str, times: list[float], peaks: list[int] | None = None) -> str:
    text = f"{name:<34} median {statistics.median(times):8.3f} s   min {min(times):8.3f} s   max {max(times):8.3f} s"
    if peaks:
        text += f"   peak {statistics.median(peaks) / 1024:6.1f} MB"
    return text


def tool(*args: str) -> list[str]:
    return [sys.executable, "-m", "fisc_iac_lint", *args]
