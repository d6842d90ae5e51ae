"""Looking at and opening the files a user names, with every OS refusal turned into one clear line.

A path can be unusable before a byte is read: it holds a NUL byte, it is
longer than the system allows, it is a symbolic link loop, a folder on the
way cannot be searched, or it names a FIFO or a device (reading one would
hang, or never end). Each is an :class:`InputError` naming the path and the
cause, never an internal error, and a FIFO is refused without being opened
for a blocking read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePath

from .errors import InputError

#: how much of a very long path a message shows (the whole of it would be a screenful)
_SHOWN = 160


def shown(name: str) -> str:
    """``name`` as a message shows it: whole, or its start and end when it is very long."""
    name = str(name)
    return name if len(name) <= _SHOWN else f"{name[:80]}...{name[-60:]} ({len(name)} characters)"


_CAUSES: dict[int | None, str] = {  # keyed by OSError.errno, which may be None
    errno.ELOOP: "a symbolic link loop (too many levels of symbolic links)",
    errno.ENAMETOOLONG: "the name is longer than the system allows",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "a read-only file system",
    errno.EIO: "an input/output error",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ENOENT: "no such file or folder",
    errno.EISDIR: "it is a folder",
    errno.EFBIG: "the file is too large for the file system",
    errno.ETXTBSY: "the file is busy",
}


def cause(e: BaseException) -> str:
    """What the OS said, in words: 'permission denied', 'a symbolic link loop', ..."""
    if isinstance(e, ValueError):  # Python refuses a NUL byte before the OS sees the path
        return "the path holds a NUL byte"
    if isinstance(e, OSError):
        return _CAUSES.get(e.errno, (e.strerror or str(e)).lower() if e.errno else str(e))
    return str(e)


#: the codes an unusable path gives (besides input.missing and input.directory)
PATH, NOT_REGULAR, UNREADABLE = "input.path", "input.not-regular", "input.unreadable"


def path_error(e: BaseException, name: str, verb: str = "read") -> InputError:
    code = UNREADABLE if isinstance(e, OSError) and e.errno in (errno.EACCES, errno.EPERM, errno.EIO) else PATH
    return InputError(f"cannot {verb} {shown(name)}: {cause(e)}", shown(name), code)


def status(path: str | Path, name: str | None = None) -> os.stat_result | None:
    """The file's status (links followed), or None when there is nothing there.

    Raises :class:`InputError` for a path that cannot be looked at: a NUL
    byte, a name too long, a link loop, a folder that cannot be searched.
    """
    name = str(path) if name is None else name
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError) as e:
        raise path_error(e, name) from None


def realpath(path: str | Path) -> Path:
    """The path with every link resolved as far as it can be; never raises for a loop or a missing file."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return Path(os.path.abspath(path))  # a NUL byte: refused, with its cause, when the file is read


def inside(base: Path, relative: str) -> Path | None:
    """``base/relative`` if it stays inside ``base`` (a relative path, no ``..``, no link out); None otherwise."""
    rel = PurePath(relative)
    if rel.is_absolute() or ".." in rel.parts:
        return None
    target = realpath(base / rel)  # a loop or a NUL byte is refused when the file is read, with its cause
    try:
        target.relative_to(realpath(base))
    except ValueError:
        return None
    return target


def kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, what in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return what
    return "not a regular file"


def open_regular(path: str | Path, name: str) -> tuple[int, os.stat_result]:
    """An open file descriptor of a regular file, and its status; see :func:`read_regular`."""
    if "\0" in str(path):
        raise path_error(ValueError("embedded null byte"), name)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"no such file: {shown(name)}", shown(name), "input.missing") from None
    except IsADirectoryError:
        raise InputError(f"{shown(name)} is a directory; expected a file", shown(name), "input.directory") from None
    except OSError as e:
        raise path_error(e, name) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(f"{shown(name)} is a directory; expected a file", shown(name), "input.directory")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{shown(name)} is not a regular file but {kind(st.st_mode)}; expected a file",
                             shown(name), NOT_REGULAR)
    except OSError as e:
        os.close(fd)
        raise path_error(e, name) from None
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_regular(path: str | Path, name: str, limit: int) -> tuple[bytes, int]:
    """Up to ``limit + 1`` bytes of a regular file, and its size; nothing is read past a size over ``limit``.

    Opened without blocking (a FIFO would otherwise wait for a writer
    forever) and refused unless it is a regular file: a FIFO, a device or
    a socket is ``input.not-regular``, a folder ``input.directory``.
    """
    fd, st = open_regular(path, name)
    try:
        if st.st_size > limit:
            return b"", st.st_size
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks), st.st_size
    except OSError as e:
        raise path_error(e, name) from None
    finally:
        os.close(fd)


def unusable(path: str | Path, name: str) -> str | None:
    """None for a regular file; 'missing' when nothing is there; otherwise why it cannot be read, in words."""
    try:
        st = status(path, name)
    except InputError as e:
        return e.diagnostics[0].message
    if st is None:
        return "missing"
    if not stat.S_ISREG(st.st_mode):
        return f"{shown(name)} is not a regular file but {kind(st.st_mode)}; expected a file"
    return None


def is_regular(path: str | Path) -> bool:
    """Whether ``path`` is a regular file (links followed); False for anything the OS cannot look at."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False
