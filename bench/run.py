#!/usr/bin/env python3
"""The benchmark: whole-process times (median, min, max over --runs) and peak memory for

  1. one small template;
  2. the public corpus ../shared/corpus/cfn-real (or --corpus DIR);
  3. scaled copies of it, x4 and x16, made in a temporary directory;
  4. a generated Terraform corpus (bench/gen_terraform.py, deterministic);

and the parse floors measured in-process (PyYAML's C loader over the corpus; the HCL
parser over the Terraform corpus), then time per MB at 1x, 4x and 16x. When `checkov`
is on PATH, the same inputs go through it in the same run and the ratio is printed.

    python bench/run.py [--runs 5] [--modules 400] [--corpus DIR] [--skip-scaled]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import describe, series, tool  # noqa: E402
from gen_terraform import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "fixtures" / "policies" / "s3-bucket-versioning-disabled" / "cfn" / "pass.yaml"
CORPUS = ROOT.parent / "shared" / "corpus" / "cfn-real"


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1048576


def yaml_floor(path: Path) -> float:
    import yaml

    files = [p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".json", ".template") and p.is_file()]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    start = time.perf_counter()
    for text in texts:
        try:
            yaml.load(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            pass
    return time.perf_counter() - start


def hcl_floor(path: Path) -> float:
    from hcl2.api import parses_to_tree

    texts = [p.read_text(encoding="utf-8") for p in sorted(path.rglob("*.tf"))]
    start = time.perf_counter()
    for text in texts:
        parses_to_tree(text)
    return time.perf_counter() - start


def compare(label: str, target: Path, runs: int, checkov: str | None) -> list[float]:
    times, peaks = series(tool(str(target)), runs)
    print(describe(f"{label}: fisc-iac-lint", times, peaks))
    if checkov:
        from side_by_side import checkov_command, ratios

        other, other_peaks = series(checkov_command(checkov, target), max(1, runs // 2))
        print(describe(f"{label}: checkov", other, other_peaks))
        print(ratios(times, peaks, other, other_peaks))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--modules", type=int, default=400, help="root modules in the generated Terraform corpus")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--skip-scaled", action="store_true", help="skip the x4 and x16 copies")
    args = parser.parse_args()
    checkov = shutil.which("checkov")
    print(f"Python {sys.version.split()[0]}; checkov: {checkov or 'not installed (comparison skipped)'}")

    compare("one small template", SMALL, max(args.runs, 10), checkov)
    per_mb: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as temp:
        temp_dir = Path(temp)
        if args.corpus.is_dir():
            tool_times = compare("cfn-real", args.corpus, args.runs, checkov)
            mb = size_mb(args.corpus)
            per_mb.append(("1x", statistics.median(tool_times) / mb))
            print(f"{'cfn-real parse floor (C loader)':<34} {yaml_floor(args.corpus):8.3f} s in-process ({mb:.2f} MB)")
            if not args.skip_scaled:
                for factor in (4, 16):
                    scaled = temp_dir / f"x{factor}"
                    for copy in range(factor):
                        shutil.copytree(args.corpus, scaled / f"copy{copy}", symlinks=True)
                    times = compare(f"cfn-real x{factor}", scaled, max(1, args.runs // 2), checkov)
                    per_mb.append((f"{factor}x", statistics.median(times) / (mb * factor)))
        else:
            print(f"corpus {args.corpus} not found: corpus runs skipped")
        terraform = temp_dir / "terraform"
        tf_size = generate(terraform, args.modules) / 1048576
        print(f"generated Terraform corpus: {args.modules} root modules, {tf_size:.2f} MB")
        tf_times = compare("terraform (cold)", terraform, max(1, args.runs // 2), checkov)
        floor = hcl_floor(terraform)
        print(f"{'terraform parse floor (python-hcl2)':<34} {floor:8.3f} s in-process")
        print(f"{'':<34} fisc-iac-lint / floor = {statistics.median(tf_times) / floor:.2f}x")
    if per_mb:
        print("time per MB (cfn-real): " + ", ".join(f"{label} {value:.3f} s/MB" for label, value in per_mb))


if __name__ == "__main__":
    main()
