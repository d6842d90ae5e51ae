"""A cache of checks already made on unchanged files, kept as plain data.

What it keeps is small and plain: that a file's exact text passed a JSON
Schema (and which of its scalars were read back as text), and a catalogue
file's identity fields. Each entry is JSON, never a pickle or anything else
that runs code when read. Nothing else is cached: the rule grammar's parse
tables ship with bandstand as Python data (``bandstand/dsl/_lalr.py``), and a
framework is built and statically checked on every load, so the uncached path
is the plain path and the cache only saves importing and running jsonschema.

Keys are a SHA-256 of everything an entry depends on: the exact text that was
parsed (read once, hashed and parsed from the same buffer), bandstand's
version, the code and data it ships, and the limits in force. A changed byte
in any of them is a different key, so an entry is never stale.

Each entry carries an HMAC-SHA256 of its name and its bytes under a random
key of this user's, kept in the folder as ``key`` (mode 0600). An entry that
is corrupted, truncated, renamed or written by anyone without the key fails
that check and is ignored, recomputed and written again: a hit gives exactly
what the plain path gives.

The folder is ``$BANDSTAND_CACHE_DIR``, else where the platform keeps a user's
caches (platformdirs: ``$XDG_CACHE_HOME/bandstand`` or ``~/.cache/bandstand`` on
Linux, ``~/Library/Caches/bandstand`` on macOS, ``%LOCALAPPDATA%\\bandstand\\Cache``
on Windows); ``bandstand cache dir`` prints it. ``BANDSTAND_NO_CACHE=1`` turns
the cache off. ``bandstand cache clear`` (:func:`clear`) removes every entry,
of this version or any other, and nothing else. A
folder that is not owned by the user, that its group or others can write, or
that is reached through a symbolic link owned by another user, is not used:
bandstand says so once and carries on without the cache. Entries are read
and written through the folder opened once (never by its path again), never
through a symbolic link, and written atomically (a new file of the user's
own, renamed into place).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from .version import __version__

_off = 0  # blocks inside off()

#: the most an entry may hold; anything larger is not an entry of ours
MAX_ENTRY_BYTES = 4 * 1024 * 1024
_KEY_NAME = "key"
_KEY_BYTES = 32
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class UnsafeFolder(Exception):
    """The cache folder is one another user could write into."""


class _Folder:
    """The cache folder, opened once: its path (for messages), a descriptor that every entry is read and written
    through, and this user's key."""

    def __init__(self, path: Path, fd: int, secret: bytes):
        self.path, self.fd, self.secret = path, fd, secret

    def __del__(self):  # pragma: no cover - the folder lives as long as the process, or one test
        with contextlib.suppress(OSError):
            os.close(self.fd)


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
    """The cache folder, or None when the cache is off, cannot be written or is not safe to use."""
    opened = None if _off else _folder()
    return opened.path if opened else None


def reread_environment() -> None:
    """Read ``BANDSTAND_CACHE_DIR`` and ``BANDSTAND_NO_CACHE`` again (they are read once per process)."""
    _folder.cache_clear()


def where() -> Path:
    """The cache folder's path: ``$BANDSTAND_CACHE_DIR``, else the platform's user cache folder (platformdirs)."""
    base = os.environ.get("BANDSTAND_CACHE_DIR")
    if base:
        return Path(base)
    import platformdirs  # only when there is no override

    return Path(platformdirs.user_cache_dir("bandstand", appauthor=False))



@functools.cache
def _folder() -> _Folder | None:
    if os.environ.get("BANDSTAND_NO_CACHE") or os.open not in os.supports_dir_fd:
        return None  # off, or a system where entries cannot be reached through the folder alone
    try:
        path = Path(os.path.abspath(where()))
    except (OSError, RuntimeError, ValueError):  # no home folder, or a path the system cannot take
        return None
    try:
        return open_folder(path)
    except UnsafeFolder as e:
        print(f"bandstand: warning: not using the cache folder {path}: {e}; carrying on without the cache "
              "(set BANDSTAND_CACHE_DIR to a folder only you can write, or BANDSTAND_NO_CACHE=1)", file=sys.stderr)
        return None
    except (OSError, ValueError):  # cannot be made or written: the cache only saves time
        return None


def open_folder(path: Path) -> _Folder:
    """Make (mode 0700) and open the cache folder at the absolute ``path``, once it is shown to be the user's own.

    Raises :class:`UnsafeFolder` saying why when another user could write
    into it, and ``OSError`` when it cannot be made or opened.
    """
    uid = os.getuid() if hasattr(os, "getuid") else None
    _check_links(path, uid)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _check_links(path, uid)  # a link planted while the folders were made
    fd = os.open(path, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISDIR(st.st_mode):
            raise OSError(f"{path} is not a folder")
        if uid is not None and st.st_uid != uid:
            raise UnsafeFolder(f"it belongs to another user (uid {st.st_uid})")
        if st.st_mode & 0o022:
            raise UnsafeFolder(f"its group or other users can write to it (mode {stat.S_IMODE(st.st_mode):04o})")
        if not os.access(path, os.W_OK):
            raise OSError(f"{path} cannot be written")
        return _Folder(path, fd, _secret(fd))
    except BaseException:
        os.close(fd)
        raise


def _check_links(path: Path, uid: int | None) -> None:
    """Each symbolic link on the way to ``path`` must be the user's own, or the system's (root's)."""
    if uid is None:
        return
    parts, here, seen = list(path.parts[1:]), Path(path.anchor), 0
    while parts:
        part = parts.pop(0)
        if part in (".", ".."):
            here = here.parent if part == ".." else here  # `here` has no links left in it
            continue
        here = here / part
        try:
            st = os.lstat(here)
        except FileNotFoundError:
            return  # made next, by us
        if not stat.S_ISLNK(st.st_mode):
            continue
        if st.st_uid not in (uid, 0):
            raise UnsafeFolder(f"it is reached through {here}, a symbolic link of another user (uid {st.st_uid})")
        seen += 1
        if seen > 40:
            raise OSError(f"too many symbolic links on the way to {path}")
        target = Path(os.readlink(here))
        whole = target if target.is_absolute() else here.parent / target
        # walk the link's target from the top: links met there are checked the same way
        parts, here = list(whole.parts[1:]) + parts, Path(whole.anchor)


def _secret(fd: int) -> bytes:
    """This user's key in the folder: read when it is theirs alone, else made anew (old entries then just miss)."""
    try:
        kfd = os.open(_KEY_NAME, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC, dir_fd=fd)
    except OSError:
        kfd = None
    if kfd is not None:
        try:
            st = os.fstat(kfd)
            ours = not hasattr(os, "getuid") or st.st_uid == os.getuid()
            if stat.S_ISREG(st.st_mode) and ours and not st.st_mode & 0o077 and st.st_size == _KEY_BYTES:
                data = os.read(kfd, _KEY_BYTES + 1)
                if len(data) == _KEY_BYTES:
                    return data
        finally:
            os.close(kfd)
    secret = secrets.token_bytes(_KEY_BYTES)
    _write(fd, _KEY_NAME, secret)
    return secret


def _write(fd: int, name: str, data: bytes) -> None:
    """Write ``data`` as ``name`` in the folder: a new file (never through a link), renamed into place."""
    tmp = f".{name}.{os.getpid()}.{secrets.token_hex(8)}.tmp"
    out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600, dir_fd=fd)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(out, view):]
        finally:
            os.close(out)
        os.replace(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=fd)
        raise


@functools.cache
def _salt() -> bytes:
    """What every cached result depends on besides its inputs: bandstand and what it ships.

    The version, and the bytes of the code and data that build a framework
    (the whole of ``bandstand/dsl``: grammar, schemas, model, checks), so a
    changed checkout never reads a result an older one wrote.
    """
    h = hashlib.sha256(__version__.encode())
    here = Path(__file__).resolve().parent
    files = [here / "cache.py", here / "catalogue.py", here / "errors.py", here / "limits.py"]
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


def _name(kind: str, k: str) -> str:
    if not (kind.isascii() and kind.replace("-", "").isalnum() and len(k) == 64 and all(c in "0123456789abcdef" for c in k)):
        raise ValueError(f"not a cache entry: {kind!r}, {k!r}")
    return f"{kind}-{k}.json"


def _seal(secret: bytes, name: str, payload: bytes) -> bytes:
    return hmac.new(secret, name.encode() + b"\0" + payload, hashlib.sha256).hexdigest().encode()


def get(kind: str, k: str) -> Any:
    """The plain data stored under ``kind``/``k``, or None (missing, unreadable, or not as this user wrote it)."""
    opened = None if _off else _folder()
    if opened is None:
        return None
    name = _name(kind, k)
    try:
        fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC, dir_fd=opened.fd)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_ENTRY_BYTES:
            return None
        chunks, size = [], 0
        while size <= MAX_ENTRY_BYTES:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    seal, sep, payload = data.partition(b"\n")
    if not sep or not hmac.compare_digest(seal, _seal(opened.secret, name, payload)):
        return None
    try:
        return json.loads(payload)
    except ValueError:  # pragma: no cover - sealed by us, so written by json.dumps
        return None


def put(kind: str, k: str, value: Any) -> None:
    """Store ``value`` (plain JSON data that reads back equal) atomically; a failure only costs time."""
    opened = None if _off else _folder()
    if opened is None:
        return
    name = _name(kind, k)
    try:
        payload = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    except (TypeError, ValueError):
        return  # not plain data: not kept
    if json.loads(payload) != value or len(payload) > MAX_ENTRY_BYTES - 100:
        return  # would not read back as given (a tuple, a non-text key): not kept
    with contextlib.suppress(OSError):
        _write(opened.fd, name, _seal(opened.secret, name, payload) + b"\n" + payload)


# -- clearing ------------------------------------------------------------------------------------------

_ENTRY = re.compile(r"[a-z0-9-]+-[0-9a-f]{64}\.json")
_TEMPORARY = re.compile(r"\.(?:[a-z0-9-]+-[0-9a-f]{64}\.json|key)\.[0-9]+\.[0-9a-f]{16}\.tmp")
#: what versions before the JSON entries wrote: a folder of pickled entries per kind, and Lark's tables
_OLD_FOLDERS = ("catalogue", "frameworks", "schema")
_OLD_ENTRY = re.compile(r"[0-9a-f]{64}|\.[A-Za-z0-9_]+\.tmp")
_OLD_FILES = ("grammar.lark.pickle",)


@dataclass
class Cleared:
    """What :func:`clear` did: the folder, how many entries it removed, and the names it left alone."""

    path: Path
    removed: int = 0
    left: list[str] = field(default_factory=list)


def clear(path: Path | None = None) -> Cleared:
    """Remove every cache entry (this version's and older versions') from the cache folder, and nothing else.

    Only regular files named as bandstand names its entries are removed,
    through the folder opened once; symbolic links are never followed (a
    link is left alone, whatever its name), and other files and folders are
    left and listed. A missing folder has nothing to clear; a folder another
    user could write into is refused (:class:`UnsafeFolder`).
    """
    path = Path(os.path.abspath(path if path is not None else where()))
    out = Cleared(path)
    if not os.path.lexists(path):
        return out
    _check_links(path, os.getuid() if hasattr(os, "getuid") else None)
    fd = os.open(path, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        st = os.fstat(fd)
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            raise UnsafeFolder(f"it belongs to another user (uid {st.st_uid})")
        with os.scandir(fd) as found:
            names = sorted((e.name, e.is_file(follow_symlinks=False), e.is_dir(follow_symlinks=False))
                           for e in found)
        for name, is_file, is_dir in names:
            if is_file and (_ENTRY.fullmatch(name) or _TEMPORARY.fullmatch(name) or name in _OLD_FILES):
                out.removed += _unlink(name, fd)
            elif is_dir and name in _OLD_FOLDERS:
                removed, left = _clear_old(name, fd)
                out.removed += removed
                out.left += [f"{name}/{x}" for x in left]
            elif name != _KEY_NAME:
                out.left.append(name)
    finally:
        os.close(fd)
    return out


def _unlink(name: str, fd: int) -> int:
    try:
        os.unlink(name, dir_fd=fd)  # a name, never followed: a link swapped in is removed, not its target
    except FileNotFoundError:  # removed meanwhile (another clear)
        return 0
    return 1


def _clear_old(name: str, fd: int) -> tuple[int, list[str]]:
    """An older version's folder of entries: its entries removed, then the folder if that emptied it."""
    try:
        sub = os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
    except OSError:  # swapped for a link, or gone: left alone
        return 0, []
    removed, left = 0, []
    try:
        with os.scandir(sub) as found:
            entries = sorted((e.name, e.is_file(follow_symlinks=False)) for e in found)
        for entry, is_file in entries:
            if is_file and _OLD_ENTRY.fullmatch(entry):
                removed += _unlink(entry, sub)
            else:
                left.append(entry)
    finally:
        os.close(sub)
    if not left:
        with contextlib.suppress(OSError):
            os.rmdir(name, dir_fd=fd)
    return removed, left
