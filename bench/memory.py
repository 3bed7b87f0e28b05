#!/usr/bin/env python3
"""Peak memory against the size of the input: does it grow with the corpus, and by how much
per finding kept?

Whole processes (peak RSS of the largest process: the parent or a worker), over copies of
the corpus made in a temporary directory (1x, 4x, 16x by default), with one and two
workers and the chosen output format written to a file. Prints the peak at each size,
the findings, and the slope between the smallest and the largest size in bytes per
finding: what the kept findings cost, the part of the peak that must grow.

    python bench/memory.py [--factors 1,4,16] [--jobs 1,2] [--format text] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import timed, tool  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "cfn-real"


def findings_in(text_report: Path) -> int:
    """The findings counted in a text report's summary line, its last line.

    Only the end of the file is read: the peak RSS of a child process includes the parent's
    at the time of the fork (a high-water mark that survives exec), so this process stays small.
    """
    with text_report.open("rb") as handle:
        handle.seek(max(0, text_report.stat().st_size - 4096))
        last = handle.read().decode("utf-8", errors="replace").rstrip().rsplit("\n", 1)[-1]
    match = re.search(r"^(\d+) findings?\b", last)
    return int(match.group(1)) if match else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factors", default="1,4,16", help="copies of the corpus, comma-separated")
    parser.add_argument("--jobs", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--format", default="text", help="the output format written (to a file)")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    factors = [int(f) for f in args.factors.split(",")]
    jobs = [int(j) for j in args.jobs.split(",")]
    print(f"Python {sys.version.split()[0]}; corpus {args.corpus}; format {args.format}")
    rows: dict[int, list[tuple[int, float]]] = {j: [] for j in jobs}
    with tempfile.TemporaryDirectory() as temp:
        temp_dir = Path(temp)
        for factor in factors:
            scaled = temp_dir / f"x{factor}"
            for copy in range(factor):
                shutil.copytree(args.corpus, scaled / f"copy{copy}", symlinks=True)
            count = 0
            for j in jobs:
                out = temp_dir / "report.txt"
                seconds, peak, _ = timed(tool(str(scaled), "--jobs", str(j), "--format", "text", "--output", str(out)))
                count = findings_in(out)
                if args.format != "text":
                    seconds, peak, _ = timed(
                        tool(str(scaled), "--jobs", str(j), "--format", args.format, "--output", str(out))
                    )
                rows[j].append((count, peak / 1024))
                print(f"x{factor:<3} --jobs {j}  {count:6d} findings   peak {peak / 1024:6.1f} MB   {seconds:7.2f} s")
            shutil.rmtree(scaled)
    for j, points in rows.items():
        (low_count, low_peak), (high_count, high_peak) = points[0], points[-1]
        if high_count > low_count:
            per = (high_peak - low_peak) * 1048576 / (high_count - low_count)
            print(
                f"--jobs {j}: {low_peak:.1f} MB at x{factors[0]} -> {high_peak:.1f} MB at x{factors[-1]}; "
                f"{per:.0f} bytes per finding over the {high_count - low_count} findings added"
            )


if __name__ == "__main__":
    main()
