#!/usr/bin/env python3
"""In-process HCL parse times over the generated Terraform corpus (bench/gen_terraform.py).

Default: in the project's environment, A/B runs interleaved round by round (so that
load from other processes hits every variant alike), medians, min and max:

  python-hcl2   hcl2.api.parses_to_tree (python-hcl2's parser, with position propagation)
  ours (tree)   the parser fisc_iac_lint.parsers.hcl builds from the same grammar
  ours (AST)    fisc_iac_lint.parsers.hcl.parse: the tree and the reader into our AST

--grammar-only: only the installed python-hcl2's own grammar, as that release builds its
parser (LALR, position propagation, its post-lexer if it has one), without importing
fisc_iac_lint. Run it in throwaway environments to compare releases:

    python -m venv /tmp/v8 && /tmp/v8/bin/pip install python-hcl2==8.1.4
    /tmp/v8/bin/python bench/hcl_parse.py --grammar-only

--only NAME runs one variant once over the corpus, nothing else: for
`valgrind --tool=callgrind`, which counts instructions repeatably on a busy machine.
The difference between two module counts takes start-up out:

    valgrind --tool=callgrind --callgrind-out-file=/dev/null python bench/hcl_parse.py --only "ours (AST)" --modules 48
    (the same with --modules 8; read the "Collected" total of each)

    python bench/hcl_parse.py [--rounds 5] [--modules 400] [--grammar-only] [--only NAME]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_terraform import generate  # noqa: E402


def release_parser() -> Callable[[str], object]:
    """The installed python-hcl2's grammar with the options its releases use."""
    import hcl2
    from lark import Lark

    options: dict = {"parser": "lalr", "propagate_positions": True, "cache": True}  # Lark's temp-dir cache
    try:
        from hcl2.postlexer import PostLexer  # 8.x

        options["postlex"] = PostLexer()
    except ImportError:
        pass
    parser = Lark((Path(hcl2.__file__).parent / "hcl2.lark").read_text(encoding="utf-8"), **options)
    return lambda text: parser.parse(text + "\n")


def variants(grammar_only: bool) -> dict[str, Callable[[str], object]]:
    if grammar_only:
        return {"release grammar": release_parser()}
    from hcl2.api import parses_to_tree

    from fisc_iac_lint.parsers import hcl

    ours = hcl._parser()
    return {
        "python-hcl2": parses_to_tree,
        "ours (tree)": lambda text: ours.parse(text + "\n"),
        "ours (AST)": hcl.parse,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--modules", type=int, default=400)
    parser.add_argument("--grammar-only", action="store_true")
    parser.add_argument("--only", help="run this variant once, nothing else")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        size = generate(Path(temp), args.modules)
        texts = [p.read_text(encoding="utf-8") for p in sorted(Path(temp).rglob("*.tf"))]
    todo = variants(args.grammar_only)
    if args.only:
        for text in texts:
            todo[args.only](text)
        return
    for parse in todo.values():  # warm-up: imports, grammar load, first-call costs
        parse(texts[0])
    times: dict[str, list[float]] = {name: [] for name in todo}
    for _ in range(args.rounds):
        for name, parse in todo.items():
            start = time.perf_counter()
            for text in texts:
                parse(text)
            times[name].append(time.perf_counter() - start)
    import hcl2
    import lark

    version = getattr(sys.modules.get("hcl2.version"), "version", None) or getattr(hcl2, "__version__", "?")
    print(
        f"{len(texts)} files, {size / 1048576:.2f} MB; python-hcl2 {version}, lark {lark.__version__}, "
        f"Python {sys.version.split()[0]}; {args.rounds} interleaved rounds"
    )
    for name, values in times.items():
        print(
            f"{name:<16} median {statistics.median(values):7.3f} s   "
            f"min {min(values):7.3f} s   max {max(values):7.3f} s"
        )


if __name__ == "__main__":
    main()
