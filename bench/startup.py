#!/usr/bin/env python3
"""Start-up benchmark: whole-process time of fisc-iac-lint on one small template.

Prints the median, min and max wall time over N runs of

    python -m fisc_iac_lint <template>          (the tool)
    python -c pass                              (the interpreter alone)

plus peak memory (max RSS) of the tool, and which heavy modules it imported.
A warm-up run fills the policy cache first, as on every run after the first.

    python bench/startup.py [--runs 15] [TEMPLATE]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import series, timed  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "fixtures" / "policies" / "s3-bucket-versioning-disabled" / "cfn" / "pass.yaml"
HEAVY = ("cfnlint", "jsonschema", "hcl2", "lark", "pydantic", "samtranslator", "rich")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("template", nargs="?", default=str(DEFAULT))
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    tool = [sys.executable, "-m", "fisc_iac_lint", args.template]
    timed(tool)  # warm-up: fills the policy cache and the OS file cache
    tool_times, tool_peaks = series(tool, args.runs)
    base_times, _ = series([sys.executable, "-c", "pass"], args.runs)

    probe = (
        "import sys, runpy; sys.argv = ['fisc-iac-lint', %r]\n"
        "try:\n    runpy.run_module('fisc_iac_lint', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(','.join(m for m in %r if m in sys.modules), file=sys.stderr)" % (args.template, HEAVY)
    )
    heavy = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stderr.strip().splitlines()

    def line(name: str, times: list[float]) -> str:
        return (
            f"{name:<28} median {statistics.median(times) * 1000:7.1f} ms   "
            f"min {min(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms"
        )

    print(f"one small template, {args.runs} runs each, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(line("fisc-iac-lint (whole process)", tool_times))
    print(line("python -c pass", base_times))
    print(
        f"{'difference of medians':<28} {(statistics.median(tool_times) - statistics.median(base_times)) * 1000:7.1f} ms"
    )
    print(f"{'peak memory (max RSS)':<28} median {statistics.median(tool_peaks) / 1024:7.1f} MB")
    print(f"{'heavy modules imported':<28} {heavy[-1] if heavy and heavy[-1] else 'none'}")


if __name__ == "__main__":
    main()
