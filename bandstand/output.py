"""Where a command's output goes: standard output, or a file written atomically, never over an input.

Every command that writes (``evaluate``, one inspection or many, ``compare``,
``stability``, ``diff``, ``template``) writes through :class:`Output`:

* ``--output FILE`` is written to a temporary file in FILE's real folder,
  synced, then renamed over FILE, so a reader sees the old file or the new
  one, never a part. An existing FILE keeps its permission bits; a new one
  gets the mode the umask gives (as ``>`` would). A link is written
  through: the file it points to is replaced, the link kept.
* A FILE that is not a regular file (``/dev/null``, ``/dev/stdout``, a
  FIFO) is written directly, as the shell would: there is nothing to
  replace atomically, and no temporary file is made beside it.
* FILE is refused if it is, by real path or by inode, any file the command
  read: the framework and every base it extends, the evidence, the CSV
  files the evidence names, a crosswalk. The check is made when the output
  is opened and again, against every input found since, before the rename.
* Any OS refusal (no permission, a full disk, a read-only file system, a
  name too long, a link loop) is one :class:`InputError` naming the file
  and the cause; the temporary file is removed, as it is on Ctrl-C and on
  SIGTERM (see :func:`terminate_on_sigterm`).

:func:`guarded_streams` does the same for standard output and error: a
full disk behind standard output is one line and exit 2, and a closed pipe
(``bandstand ... | head -1``) is :class:`StreamClosed`, which the command
line turns into a quiet exit with status 141, as a program killed by
SIGPIPE would give.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import secrets
import signal
import stat
import sys
from pathlib import Path
from typing import Iterable, Iterator

import click

from .errors import InputError
from .files import cause, realpath, shown

OUTPUT = "input.output"


class OverInput(InputError):
    """``--output`` names a file the command reads."""


class Terminated(BaseException):
    """SIGTERM arrived: unwound like Ctrl-C, so temporary files are removed on the way out."""


class StreamClosed(Exception):
    """Standard output's reader went away (a broken pipe): stop quietly."""


class StreamFailed(Exception):
    """Standard output could not be written (a full disk, an I/O error)."""

    def __init__(self, error: OSError):
        super().__init__(cause(error))
        self.error = error


def _identity(path: str | os.PathLike) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


class Output:
    """Text written to standard output, or to ``output`` (see the module docstring).

    Use as a context manager: the file is put in place when the block ends
    without an exception and discarded otherwise. ``inputs`` are files the
    command reads; :meth:`protect` adds more as they are found.
    """

    def __init__(self, output: str | None, inputs: Iterable = (), binary: bool = False):
        self.name = output if output is not None else "-"  # as the command line names standard output
        self.binary = binary  # bytes (an xlsx workbook), not text
        self.inputs: list = []
        self.fh = None
        self.tmp: str | None = None
        self.fd: int | None = None  # a device or FIFO written directly
        self.target: Path | None = None
        self.to_stdout = output is None or output == "-"
        if self.to_stdout:
            return
        self._open(self.name, list(inputs))

    # -- the target --------------------------------------------------------------------------------

    def _refuse(self, message: str, code: str = OUTPUT) -> InputError:
        return InputError(message, shown(self.name), code)

    def _open(self, output: str, inputs: list) -> None:
        name = shown(output)
        if "\0" in output:
            raise self._refuse(f"cannot write {name}: the path holds a NUL byte")
        try:
            st = os.stat(output)
        except (FileNotFoundError, NotADirectoryError):
            st = None
        except OSError as e:
            raise self._refuse(f"cannot write {name}: {cause(e)}") from None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise self._refuse(f"{name} is a directory; expected a file to write", "input.directory")
        self.protect(*inputs)
        if st is not None and not stat.S_ISREG(st.st_mode):  # /dev/null, /dev/stdout, a FIFO: written as it is
            if _identity(output) == _fd_identity(1):
                self.to_stdout = True
                return
            fifo = stat.S_ISFIFO(st.st_mode)  # opened without waiting: a FIFO nobody reads is refused, not waited on
            try:
                self.fd = os.open(output, os.O_WRONLY | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
                                  | (os.O_NONBLOCK if fifo else 0))
                if fifo:
                    os.set_blocking(self.fd, True)
            except OSError as e:
                why = "no process is reading the FIFO" if fifo and e.errno == errno.ENXIO else cause(e)
                raise self._refuse(f"cannot write {name}: {why}") from None
            self.fh = self._fdopen(self.fd)
            return
        if st is not None and not os.access(output, os.W_OK):  # a read-only file stays so, as with `>`
            raise self._refuse(f"cannot write {name}: permission denied")
        self.target = realpath(output)  # a link is written through; the link itself is kept
        folder = self.target.parent
        try:
            folder_st = os.stat(folder)
        except FileNotFoundError:
            raise self._refuse(f"cannot write {name}: the folder {shown(str(Path(output).parent))} does not exist") \
                from None
        except OSError as e:
            raise self._refuse(f"cannot write {name}: {cause(e)}") from None
        if not stat.S_ISDIR(folder_st.st_mode):
            raise self._refuse(f"cannot write {name}: {shown(str(Path(output).parent))} is not a folder")
        self._temporary(st)

    def _temporary(self, existing: os.stat_result | None) -> None:
        """The temporary file beside the target: mode 0666 less the umask when new, the old file's mode when not."""
        assert self.target is not None
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        base = self.target.name[:200]  # the temporary name must fit where the target's does
        for _ in range(100):
            tmp = str(self.target.parent / f".{base}.{secrets.token_hex(4)}.tmp")
            try:
                fd = os.open(tmp, flags, 0o600 if existing is not None else 0o666)
                break
            except FileExistsError:
                continue
            except OSError as e:
                raise self._refuse(f"cannot write {shown(self.name)}: {cause(e)}") from None
        else:  # pragma: no cover - a hundred random names taken
            raise self._refuse(f"cannot write {shown(self.name)}: no free temporary name in its folder")
        self.tmp = tmp
        try:
            if existing is not None:  # keep the file as it was: owner where allowed, then permission bits
                if (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
                    with contextlib.suppress(OSError):
                        os.fchown(fd, existing.st_uid, existing.st_gid)
                os.fchmod(fd, stat.S_IMODE(existing.st_mode))
            self.fh = self._fdopen(fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.close(fd)
            self.discard()
            raise

    def _fdopen(self, fd: int):
        return os.fdopen(fd, "wb") if self.binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def protect(self, *paths) -> None:
        """Refuse the target now if it is one of ``paths`` (files this command reads), and again at the end."""
        for p in paths:
            if p is None:
                continue
            self.inputs.append(p)
            if self.to_stdout:
                continue
            if self._same(p):
                self.discard()
                raise self._over_input()

    def _over_input(self) -> OverInput:
        return OverInput(f"{shown(self.name)} is an input of this command; bandstand never writes over its inputs: "
                         "choose another --output", shown(self.name), OUTPUT)

    def _same(self, p) -> bool:
        target = self.target if self.target is not None else self.name
        mine = _identity(target)
        if mine is not None and mine == _identity(p):
            return True
        return realpath(target) == realpath(p)

    # -- writing -----------------------------------------------------------------------------------

    def write(self, text: str | bytes) -> None:
        if self.to_stdout:
            click.echo(text, nl=False)
            return
        if self.fh is None:
            raise ValueError("the output was closed or discarded")
        try:
            self.fh.write(text)
        except OSError as e:
            self.discard()
            raise self._refuse(f"cannot write {shown(self.name)}: {cause(e)}") from None

    def close(self) -> None:
        """Put the file in place: flushed, synced, checked against every input, renamed over the target.

        Whatever stops it (an OS error, Ctrl-C, SIGTERM, an input found late) removes the temporary file.
        """
        if self.fh is None:
            return
        try:
            self.fh.flush()
            if self.tmp is None:  # a device or FIFO: written as it is
                self.fh.close()
                self.fh = None
                return
            os.fsync(self.fh.fileno())
            for p in self.inputs:  # inputs found since the file was opened (a CSV named inside an evidence file)
                if self._same(p):
                    raise self._over_input()
            self.fh.close()
            self.fh = None
            os.replace(self.tmp, self.target)
            self.tmp = None
        except OSError as e:
            self.discard()
            raise self._refuse(f"cannot write {shown(self.name)}: {cause(e)}") from None
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Remove the temporary file, if any (the target is untouched)."""
        fh, tmp = self.fh, self.tmp
        self.fh = self.tmp = None
        if fh is not None:
            with contextlib.suppress(Exception):
                fh.close()
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def __enter__(self) -> "Output":
        return self

    def __exit__(self, kind, value, tb) -> None:
        if kind is None:
            self.close()
        else:
            self.discard()


class Chunks:
    """Text for an :class:`Output`, written in large pieces: many results, one after another.

    Texts are written when many are waiting, or at :meth:`flush`, together: one write for many results
    instead of one for each (writing a result of a few kilobytes cost several times what making its text
    does). To standard output the texts go as bytes, each encoded as the stream encodes text (its encoding
    and its errors): the bytes that writing each text would give. Standard output on a terminal is written
    text by text, as it comes. Call :meth:`flush` before writing anything else to the output, or to
    standard error (so that the two keep their order when they go to one place).
    """

    def __init__(self, sink: Output):
        self.sink = sink
        self.pending: list = []  # texts, or their bytes
        self.size = 0
        self.most = 1 << 16  # (below the size from which memory is mapped for each piece, in C's malloc)
        self.whole = True  # each text written as it comes (a terminal)
        self.text = self.binary = None
        self.encoding, self.errors = "utf-8", "strict"
        if sink.binary:
            return
        if not sink.to_stdout:
            self.whole = False
            return
        text = sys.stdout
        try:
            if text is None or text.isatty():
                return
        except (OSError, ValueError):
            return
        self.whole = False
        binary = getattr(text, "buffer", None)
        if binary is not None and os.linesep == "\n":  # (no line ends written as something else)
            self.text, self.binary, self.most = text, binary, 1 << 18
            self.encoding, self.errors = text.encoding, text.errors or "strict"

    def write(self, text: str) -> None:
        if self.whole:
            self.sink.write(text)
            return
        if self.binary is not None:
            try:
                data = text.encode(self.encoding, self.errors)
            except UnicodeError:  # as writing it would fail: after what came before it
                self.flush()
                raise
            self.pending.append(data)
            self.size += len(data)
        else:
            self.pending.append(text)
            self.size += len(text)
        if self.size >= self.most:
            self.flush()

    def flush(self) -> None:
        """Write what is waiting."""
        if not self.pending:
            return
        pending = self.pending
        self.pending, self.size = [], 0
        if self.binary is None:
            self.sink.write("".join(pending))
            return
        assert self.text is not None  # (set with the bytes beneath it)
        self.text.flush()  # (text written to it before comes first)
        self.binary.write(b"".join(pending))
        self.binary.flush()


def write(text: str | bytes, output: str | None, inputs: Iterable = ()) -> None:
    """Write ``text`` (or bytes) to standard output or, atomically, to ``output``."""
    with Output(output, inputs, binary=isinstance(text, bytes)) as out:
        out.write(text)


def _fd_identity(fd: int) -> tuple[int, int] | None:
    try:
        st = os.fstat(fd)
    except OSError:
        return None
    return st.st_dev, st.st_ino


# -- standard output and error --------------------------------------------------------------------------

class _Guarded(io.RawIOBase):
    """A standard stream whose failures are :class:`StreamClosed` / :class:`StreamFailed`, not ``OSError``
    (which click would turn into exit 1), and after which everything is dropped (nothing left to flush at exit)."""

    def __init__(self, fd: int, quiet: bool):
        self.fd, self.quiet = fd, quiet
        self.failed: OSError | None = None

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return os.isatty(self.fd)

    def write(self, data) -> int:
        view = memoryview(data)
        if self.failed is not None:
            return len(view)
        done = 0
        while done < len(view):
            try:
                done += os.write(self.fd, view[done:])
            except OSError as e:
                self.failed = e
                if self.quiet:
                    return len(view)
                if e.errno == errno.EPIPE:
                    raise StreamClosed() from None
                raise StreamFailed(e) from None
        return done


@contextlib.contextmanager
def guarded_streams() -> Iterator[None]:
    """Standard output and error as :class:`_Guarded` streams within a block (only when they are the process's
    own: a test that captures them keeps its capture)."""
    saved = sys.stdout, sys.stderr
    swapped = []
    for attr, fd, quiet in (("stdout", 1, False), ("stderr", 2, True)):
        stream = getattr(sys, attr)
        if stream is None or stream is not getattr(sys, f"__{attr}__"):
            continue
        try:
            if stream.fileno() != fd:
                continue
            stream.flush()
        except (OSError, ValueError, AttributeError):
            continue
        wrapper = io.TextIOWrapper(io.BufferedWriter(_Guarded(fd, quiet)), encoding=stream.encoding,
                                   errors=stream.errors, line_buffering=stream.line_buffering)
        setattr(sys, attr, wrapper)
        swapped.append(wrapper)
    try:
        yield
        for wrapper in swapped:
            wrapper.flush()
    finally:
        sys.stdout, sys.stderr = saved
        for wrapper in swapped:
            with contextlib.suppress(Exception):
                wrapper.flush()


def after_broken_pipe() -> None:
    """Point standard output at /dev/null, so nothing tries to write to the closed pipe again at exit
    (what Python's documentation of SIGPIPE recommends)."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
        os.close(devnull)


@contextlib.contextmanager
def terminate_on_sigterm() -> Iterator[None]:
    """SIGTERM raises :class:`Terminated` within a block, so cleanup runs as it does for Ctrl-C."""
    def handler(signum, frame):
        raise Terminated()

    try:
        old = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def folder(path: str) -> str:
    """The folder ``path``, made (with its parents) if missing; an OS refusal is one :class:`InputError`."""
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as e:
        reason = cause(e) if isinstance(e, OSError) else str(e)
        raise InputError(f"cannot make the folder {shown(path)}: {reason}", shown(path), OUTPUT) from None
    return path
