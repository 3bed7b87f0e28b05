"""What fisc-iac-lint keeps between runs: validated policy sets, the compiled HCL grammar, parsed inputs.

The directory is ``$FISC_IAC_LINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/fisc-iac-lint``, else
``~/.cache/fisc-iac-lint``; ``$FISC_IAC_LINT_NO_CACHE`` (any value) turns every cache off.

Parsed inputs (an HCL file's body, a CloudFormation file's loaded document) are kept in
``parsed/``, one pickle per input, named by a hash of the text and of everything that
decides what parsing it gives: the tool's version, the parser modules' source, the
python-hcl2 grammar, the Lark and PyYAML versions, the Python version. Policies are not
part of it: a parsed input does not depend on them. Entries are written to a temporary
file and renamed into place, so concurrent runs see a whole entry or none; an entry
that cannot be read is parsed again and rewritten, never an error; the least recently
used entries go when the folder grows past ``$FISC_IAC_LINT_CACHE_MB`` (default 256).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")
MISSING: Any = object()  # what Store.get returns for no (usable) entry
DEFAULT_LIMIT_MB = 256
_FORMAT = b"1"  # bump when the entry layout changes


def directory() -> Path | None:
    """The cache directory; None when caching is turned off."""
    if os.environ.get("FISC_IAC_LINT_NO_CACHE"):
        return None
    base = os.environ.get("FISC_IAC_LINT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "fisc-iac-lint"
    )
    return Path(base)


class Store:
    """Pickled values in one folder, one file per key; reads and writes never raise."""

    def __init__(self, folder: Path, limit: int = DEFAULT_LIMIT_MB * 1048576) -> None:
        self.folder = folder
        self.limit = limit
        self._written = 0  # bytes written by this process since it last pruned
        self._made = False  # the folder exists (made by this process, or found)

    def get(self, key: str) -> Any:
        path = self.folder / f"{key}.pickle"
        try:
            with open(path, "rb") as handle:
                stored_key, value = pickle.load(handle)
        except Exception:  # noqa: BLE001 - none, damaged, truncated or foreign: parsed again and rewritten
            return MISSING
        if stored_key != key:
            return MISSING
        try:
            os.utime(path)  # a use: the least recently used go first when the folder is pruned
        except OSError:
            pass
        return value

    def put(self, key: str, value: Any) -> None:
        path = self.folder / f"{key}.pickle"
        temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            data = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
            if not self._made:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._made = True
            with open(temp, "wb") as handle:
                handle.write(data)
            os.replace(temp, path)  # atomic: a concurrent run reads the old entry or the new one
        except Exception:  # noqa: BLE001 - no cache (read-only, full disk, unpicklable): still correct, slower
            self._made = False  # the folder may have gone: try to make it again next time
            try:
                temp.unlink()
            except OSError:
                pass
            return
        self._written += len(data)
        if self._written > self.limit // 16:
            self.prune()

    def prune(self) -> None:
        """Past the limit, remove the least recently used entries down to three quarters of it
        (and temporary files that a killed run left, after an hour)."""
        self._written = 0
        entries = []
        stale = time.time() - 3600
        try:
            with os.scandir(self.folder) as scan:
                for entry in scan:
                    try:
                        stat = entry.stat()
                        if entry.name.endswith(".pickle"):
                            entries.append((stat.st_mtime, stat.st_size, entry.path))
                        elif entry.name.endswith(".tmp") and stat.st_mtime < stale:
                            os.unlink(entry.path)
                    except OSError:
                        continue  # removed meanwhile by a concurrent run
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        if total <= self.limit:
            return
        for _, size, path in sorted(entries):
            if total <= self.limit * 3 // 4:
                break
            try:
                os.unlink(path)
                total -= size
            except OSError:
                pass


_store: Store | None = None


def configure(enabled: bool) -> None:
    """Turn the cache of parsed inputs on or off for this process (and the workers it forks)."""
    global _store
    folder = directory() if enabled else None
    if folder is None:
        _store = None
        return
    try:
        limit = int(float(os.environ.get("FISC_IAC_LINT_CACHE_MB", DEFAULT_LIMIT_MB)) * 1048576)
    except ValueError:
        limit = DEFAULT_LIMIT_MB * 1048576
    _store = Store(folder / "parsed", limit)


def parsed(kind: str, text: str, parse: Callable[[str], T]) -> T:
    """``parse(text)``, through the cache when it is on. ``kind`` names the parser (e.g. "hcl")."""
    store = _store
    if store is None:
        return parse(text)
    name = key(kind, text)
    value = store.get(name)
    if value is MISSING:
        value = parse(text)  # a parse error propagates and is not cached
        store.put(name, value)
    return value


def key(kind: str, text: str) -> str:
    digest = hashlib.sha256(_salt())
    digest.update(kind.encode() + b"\0")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:40]


@lru_cache(maxsize=1)
def _salt() -> bytes:
    """Everything besides the text that decides what parsing gives, read without importing the parsers' libraries."""
    from importlib.util import find_spec

    from . import __version__

    package = Path(__file__).resolve().parent
    files = [package / "model.py", *sorted((package / "parsers").glob("*.py"))]
    for name, parts in (
        ("hcl2", ("hcl2.lark", "postlexer.py")),
        ("lark", ("__init__.py",)),
        ("yaml", ("__init__.py",)),
    ):
        try:
            spec = find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin:
            files.extend(Path(spec.origin).parent / part for part in parts)
    digest = hashlib.sha256(b"\0".join([_FORMAT, __version__.encode(), sys.version.encode()]))
    for path in files:
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"missing " + str(path).encode("utf-8", "surrogateescape"))
    return digest.digest()
