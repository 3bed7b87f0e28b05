"""checkov beside fisc-iac-lint (bench/run.py): its command for a file or a directory, and the ratios."""

from __future__ import annotations

import statistics
from pathlib import Path


def checkov_command(checkov: str, target: Path) -> list[str]:
    # `-d` on a file scans nothing and exits 0 at once: a single template takes `-f`
    return [checkov, "-f" if target.is_file() else "-d", str(target), "--quiet", "--compact"]


def ratios(times: list[float], peaks: list[int], other: list[float], other_peaks: list[int]) -> str:
    """checkov's medians over ours: wall time, and peak RSS (the largest single process of each)."""
    time_ratio = statistics.median(other) / statistics.median(times)
    peak_ratio = statistics.median(other_peaks) / statistics.median(peaks)
    return f"{'':<34} checkov / fisc-iac-lint = {time_ratio:.1f}x time, {peak_ratio:.1f}x peak memory"
