"""A cache of work already done on unchanged files, keyed by their content.

Loading a framework (parsing, schema checks, static checks) and checking an
evidence file against the schema take far longer than evaluating. Their
results are kept under the cache folder, keyed by a SHA-256 of everything
they depend on: the bytes of every file read, bandstand's version, the
schemas and grammar it ships, and the limits in force. A changed byte in any
of them is a different key, so a cached result is never stale; a result that
cannot be read back is recomputed.

The folder is ``$BANDSTAND_CACHE_DIR``, else ``$XDG_CACHE_HOME/bandstand``,
else ``~/.cache/bandstand``. ``BANDSTAND_NO_CACHE=1`` turns the cache off.
Like Python's own ``__pycache__``, it holds pickled data: keep it where only
you can write.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, Iterator


_off = 0  # blocks inside off()


@contextlib.contextmanager
def off() -> Iterator[None]:
    """The cache turned off within a block: nothing read, nothing written (what the benchmarks time)."""
    global _off
    _off += 1
    try:
        yield
    finally:
        _off -= 1


def folder() -> Path | None:
    """The cache folder, or None when the cache is off or cannot be written."""
    return None if _off else _folder()


def reread_environment() -> None:
    """Read ``BANDSTAND_CACHE_DIR`` and ``BANDSTAND_NO_CACHE`` again (they are read once per process)."""
    _folder.cache_clear()


@functools.cache
def _folder() -> Path | None:
    if os.environ.get("BANDSTAND_NO_CACHE"):
        return None
    base = os.environ.get("BANDSTAND_CACHE_DIR")
    if base:
        path = Path(base)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        path = (Path(xdg) if xdg else Path.home() / ".cache") / "bandstand"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return path if os.access(path, os.W_OK) else None


@functools.cache
def _salt() -> bytes:
    """What every cached result depends on besides its inputs: bandstand and what it ships.

    The version, and the bytes of the code and data that build a framework
    (the whole of ``bandstand/dsl``: grammar, schemas, model, checks), so a
    changed checkout never reads a result an older one wrote.
    """
    from . import __version__

    h = hashlib.sha256(__version__.encode())
    here = Path(__file__).resolve().parent
    files = [here / "errors.py", here / "limits.py", here / "catalogue.py"]
    files += sorted(p for p in (here / "dsl").rglob("*") if p.suffix in (".py", ".lark", ".json"))
    for f in files:
        h.update(f.relative_to(here).as_posix().encode())
        h.update(f.read_bytes())
    return h.digest()


def key(*parts: Any) -> str:
    """A key for the given parts (bytes, or anything with a stable repr)."""
    h = hashlib.sha256(_salt())
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode()
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def get(kind: str, k: str) -> Any:
    """The value stored under ``kind``/``k``, or None."""
    base = folder()
    if base is None:
        return None
    try:
        with open(base / kind / k, "rb") as fh:
            return pickle.load(fh)
    except Exception:  # noqa: BLE001 - a missing, partial or unreadable entry is simply not a hit
        return None


def put(kind: str, k: str, value: Any) -> None:
    """Store ``value`` atomically (a temporary file renamed into place); failures are ignored."""
    base = folder()
    if base is None:
        return
    try:
        target = base / kind
        target.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target / k)
    except Exception:  # noqa: BLE001 - a cache that cannot be written only costs time
        try:
            os.unlink(tmp)  # type: ignore[possibly-undefined]
        except Exception:  # noqa: BLE001
            pass
