"""The HCL parser we build from python-hcl2's grammar: same trees, same positions, a cached grammar.

hcl.py builds its own Lark parser from python-hcl2's grammar without Lark's
position propagation (over half of the parse time) and takes each node's line
and source span from its first and last token instead. These tests hold that
to Lark's own propagation on every Terraform file of the repository and on the
awkward cases (heredocs, directives, for expressions, splats, comments, CRLF).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lark import Tree

from fisc_iac_lint.parsers import hcl

ROOT = Path(__file__).resolve().parent.parent
EDGE_CASES = {
    "heredoc": "locals {\n  a = <<EOT\nhello ${var.x}\nEOT\n  b = <<-EOT\n    indented\n    EOT\n  c = <<E\nx\nE\n}\n",
    "crlf heredoc": "locals {\r\n  a = <<EOT\r\nhello\r\nEOT\r\n  b = var.x\r\n    ? 1\r\n    : 2\r\n}\r\n",
    "directives": 'locals {\n  a = "%{ if var.x }yes%{ else }no%{ endif }"\n  b = "%{ for s in var.l }${s},%{ endfor }"\n}\n',
    "for": 'locals {\n  a = [for s in var.l : upper(s) if s != ""]\n  b = { for k, v in var.m : k => v... }\n}\n',
    "splat": "locals {\n  a = aws_instance.x[*].id\n  b = aws_instance.x.*.id\n  c = var.l[0].name\n  d = var.x.0\n}\n",
    "comments": "# c\n// d\n/* block\n comment */\nlocals {\n  a = 1 # trailing\n  b = (2 +\n 3) // e\n}\n",
    "unicode": 'locals {\n  a = "日本語 ${var.x} 한국어"\n  b = { in = "h", for = 2 }\n}\n',
    "operators": "locals {\n  a = !var.x\n  b = -1\n  c = 1 - -2 * 3 % 4 == 5 && var.y || var.z\n}\n",
    "functions": 'locals {\n  a = provider::aws::arn_parse("x")\n  b = f(var.l...)\n}\nresource "a" "b" {\n}\n',
}


def _terraform_texts() -> list[tuple[str, str]]:
    files = sorted((ROOT / "fixtures").rglob("*.tf")) + sorted((ROOT / "tests" / "inputs").rglob("*.tf"))
    texts = [(str(p.relative_to(ROOT)), p.read_bytes().decode("utf-8", "replace")) for p in files]
    return texts + sorted(EDGE_CASES.items())


def _reference_tree(text: str) -> Tree | None:
    """python-hcl2's own parse, with Lark's position propagation."""
    from hcl2.api import parses_to_tree

    try:
        return parses_to_tree(text)
    except Exception:  # noqa: BLE001 - a malformed fixture has no tree to compare
        return None


@pytest.mark.parametrize("name, text", _terraform_texts(), ids=lambda v: v if "\n" not in v else "")
def test_same_tree_and_positions_as_python_hcl2(name: str, text: str) -> None:
    reference = _reference_tree(text)
    if reference is None:
        with pytest.raises(hcl.HclError):
            hcl.parse(text)
        return
    assert hcl._parser().parse(text + "\n") == reference
    reader = hcl._Reader(text + "\n")
    checked = 0
    for node in reference.iter_subtrees():
        meta = node.meta
        if meta.empty:
            assert reader._line(node) == 0
            continue
        assert reader._line(node) == meta.line, node.data
        assert reader._end_line(node) == meta.end_line, node.data
        assert reader._src(node) == (text + "\n")[meta.start_pos : meta.end_pos], node.data
        checked += 1
    assert checked


def test_the_compiled_grammar_is_cached_and_a_damaged_copy_is_rebuilt(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FISC_IAC_LINT_CACHE_DIR", str(tmp_path))
    hcl._parser.cache_clear()
    try:
        assert hcl.parse("a = 1\n").attributes["a"].expr.value == 1
        cached = list(tmp_path.glob("hcl2-grammar-*.lark"))
        assert len(cached) == 1 and cached[0].stat().st_size > 10_000
        assert not list(tmp_path.glob("*.tmp"))
        cached[0].write_bytes(b"not a pickle\n\x00\x01")
        hcl._parser.cache_clear()
        assert hcl.parse("b = 2\n").attributes["b"].expr.value == 2
    finally:
        hcl._parser.cache_clear()


def test_a_cache_directory_that_cannot_be_made_still_parses(tmp_path, monkeypatch) -> None:
    (tmp_path / "file").write_text("in the way")
    monkeypatch.setenv("FISC_IAC_LINT_CACHE_DIR", str(tmp_path / "file" / "cache"))
    hcl._parser.cache_clear()
    try:
        assert hcl.parse("a = 1\n").attributes["a"].expr.value == 1
    finally:
        hcl._parser.cache_clear()
