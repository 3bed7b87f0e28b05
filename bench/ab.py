#!/usr/bin/env python3
"""Two source trees of the tool, run alternately on the same inputs: wall time and peak memory,
medians over pairs. On a shared machine, load from elsewhere hits both sides alike.

    git archive REV | (mkdir -p /tmp/old && tar -x -C /tmp/old)
    python bench/ab.py /tmp/old TARGET [TARGET ...] [--runs 5] [-- EXTRA TOOL ARGS]

The new side is this checkout. Both run with this interpreter, from a neutral working
directory, with PYTHONPATH set to their tree; the report goes to a temporary file.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import timed  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", type=Path, help="the other source tree (its fisc_iac_lint package is imported)")
    parser.add_argument("targets", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=5, help="pairs per target")
    args, extra = parser.parse_known_args()
    extra = [a for a in extra if a != "--"]
    sides = {"old": args.old.resolve(), "new": ROOT}
    with tempfile.TemporaryDirectory() as temp:
        out = str(Path(temp) / "report")
        for target in args.targets:
            results: dict[str, list[tuple[float, int, int]]] = {name: [] for name in sides}
            for _ in range(args.runs):
                for name, tree in sides.items():
                    os.environ["PYTHONPATH"] = str(tree)
                    cmd = [sys.executable, "-m", "fisc_iac_lint", str(target.resolve()), *extra, "--output", out]
                    results[name].append(timed(cmd, cwd=temp))
            for name, runs in results.items():
                times = [r[0] for r in runs]
                peak = statistics.median(r[1] for r in runs) / 1024
                print(
                    f"{target.name} {' '.join(extra)} {name}: median {statistics.median(times):.3f} s "
                    f"(min {min(times):.3f}, max {max(times):.3f})   peak {peak:.1f} MB"
                )
            pairs = sorted(new[0] / old[0] for old, new in zip(results["old"], results["new"]))
            print(f"{'':<4}new / old per pair: median {statistics.median(pairs):.2f}x ({pairs[0]:.2f}-{pairs[-1]:.2f})")


if __name__ == "__main__":
    main()
