#!/usr/bin/env python3
"""The benchmark: whole-process times (median, min, max over --runs) and peak memory for

  1. one small template;
  2. the public corpus ../shared/corpus/cfn-real (or --corpus DIR);
  3. scaled copies of it, x4 and x16, made in a temporary directory;
  4. a generated Terraform corpus (bench/gen_terraform.py, deterministic);
  5. the cache of parsed inputs on cfn-real and the Terraform corpus: a cold run (empty
     cache, which it fills) and a warm re-run with unchanged files;

and the parse floors measured in-process (PyYAML's C loader over the corpus; the HCL
parser over the Terraform corpus), then time per MB at 1x, 4x and 16x. When `checkov`
is on PATH, the same inputs go through it in the same run and the ratio is printed.

Runs 1-4 use --no-cache (the scaled copies repeat the same files, which the cache of
parsed inputs would serve after their first copy). The caches live in a temporary
directory (FISC_IAC_LINT_CACHE_DIR), filled with policies and the compiled grammar first.

    python bench/run.py [--runs 5] [--modules 400] [--corpus DIR] [--skip-scaled]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import describe, series, timed, tool  # noqa: E402
from gen_terraform import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "fixtures" / "policies" / "s3-bucket-versioning-disabled" / "cfn" / "pass.yaml"
SMALL_TF = ROOT / "fixtures" / "policies" / "s3-bucket-versioning-disabled" / "tf" / "pass"
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
    """The parser we ship (python-hcl2's grammar, built by fisc_iac_lint.parsers.hcl), to trees."""
    from fisc_iac_lint.parsers.hcl import _parser

    parser = _parser()
    texts = [p.read_text(encoding="utf-8") for p in sorted(path.rglob("*.tf"))]
    start = time.perf_counter()
    for text in texts:
        parser.parse(text + "\n")
    return time.perf_counter() - start


def compare(label: str, target: Path, runs: int, checkov: str | None) -> list[float]:
    times, peaks = series(tool(str(target), "--no-cache"), runs)
    print(describe(f"{label}: fisc-iac-lint", times, peaks))
    if checkov:
        from side_by_side import checkov_command, ratios

        other, other_peaks = series(checkov_command(checkov, target), max(1, runs // 2))
        print(describe(f"{label}: checkov", other, other_peaks))
        print(ratios(times, peaks, other, other_peaks))
    return times


def cached_runs(label: str, target: Path, runs: int, cache: Path) -> None:
    """The cache of parsed inputs, whole processes: --no-cache and cold (cache emptied first, which the run
    fills) interleaved run by run, so that load from elsewhere hits both alike; then warm re-runs."""
    clear = lambda: shutil.rmtree(cache / "parsed", True)  # noqa: E731
    none, cold, none_peaks, cold_peaks = [], [], [], []
    for _ in range(runs):
        times, peaks = series(tool(str(target), "--no-cache"), 1)
        none += times
        none_peaks += peaks
        times, peaks = series(tool(str(target)), 1, before=clear)
        cold += times
        cold_peaks += peaks
    warm, warm_peaks = series(tool(str(target)), runs)
    print(describe(f"{label}: --no-cache", none, none_peaks))
    print(describe(f"{label}: cache cold", cold, cold_peaks))
    print(describe(f"{label}: cache warm (re-run)", warm, warm_peaks))
    pairs = sorted(c / n for c, n in zip(cold, none))
    print(
        f"{'':<34} cold / --no-cache per pair: median {statistics.median(pairs):.2f}x "
        f"({pairs[0]:.2f}-{pairs[-1]:.2f}); warm / --no-cache = {statistics.median(warm) / statistics.median(none):.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--modules", type=int, default=400, help="root modules in the generated Terraform corpus")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--skip-scaled", action="store_true", help="skip the x4 and x16 copies")
    args = parser.parse_args()
    checkov = shutil.which("checkov")
    print(f"Python {sys.version.split()[0]}; checkov: {checkov or 'not installed (comparison skipped)'}")

    per_mb: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as temp:
        temp_dir = Path(temp)
        cache = temp_dir / "cache"
        os.environ["FISC_IAC_LINT_CACHE_DIR"] = str(cache)
        timed(tool(str(SMALL), str(SMALL_TF), "--no-cache"))  # fills the policy and grammar caches
        compare("one small template", SMALL, max(args.runs, 10), checkov)
        if args.corpus.is_dir():
            tool_times = compare("cfn-real", args.corpus, args.runs, checkov)
            mb = size_mb(args.corpus)
            per_mb.append(("1x", statistics.median(tool_times) / mb))
            print(f"{'cfn-real parse floor (C loader)':<34} {yaml_floor(args.corpus):8.3f} s in-process ({mb:.2f} MB)")
            cached_runs("cfn-real", args.corpus, args.runs, cache)
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
        tf_times = compare("terraform (no cache)", terraform, max(1, args.runs // 2), checkov)
        floor = hcl_floor(terraform)
        print(f"{'terraform parse floor (HCL parser)':<34} {floor:8.3f} s in-process")
        print(f"{'':<34} fisc-iac-lint / floor = {statistics.median(tf_times) / floor:.2f}x")
        cached_runs("terraform", terraform, args.runs, cache)
    if per_mb:
        print("time per MB (cfn-real): " + ", ".join(f"{label} {value:.3f} s/MB" for label, value in per_mb))


if __name__ == "__main__":
    main()
