"""The names met so far in a stream, remembered exactly in memory that does not grow with their number.

A CSV of inspections must hold each inspection's rows together: an
inspection whose rows appear again after another's would otherwise be
rated twice, from halves (a silent wrong result). So the reader asks of
every inspection name whether it was met before (:meth:`Seen.add`), over
a stream of perhaps millions of names, and the answer must be exact.

- A Bloom filter of fixed size (:data:`BLOOM_BITS`) answers "never met"
  for nearly every new name, in memory.
- The names of the latest few thousand (:data:`BUFFER`) are held in a set.
- Older names are spilled to temporary files, in runs sorted by hash, each
  with a sparse index of at most :data:`FENCES` entries; every
  :data:`MERGE` runs of one size are merged into one, so there are at
  most 7 runs of each size, and about log8(count / BUFFER) sizes.

A "maybe" from the filter is settled by the set, then by reading the runs
where that hash would be and comparing the names themselves: no answer
rests on a hash alone. The files are made by :func:`tempfile.TemporaryFile`
in the user's temporary folder (``TMPDIR``): private to the user, and
removed when closed, when the process ends, and on every error (on POSIX
they have no name from the start). Failing to make one is an
``input.temp-file`` error (:class:`InputError`), in one line.
"""

from __future__ import annotations

import heapq
import os
import struct
import tempfile
from array import array
from bisect import bisect_left
from typing import Iterator

from ..errors import InputError
from ..files import cause

#: bits of the Bloom filter (2 MiB): about 1 "maybe" in 500 new names at a million names met
BLOOM_BITS = 1 << 24
#: names held in memory before they are spilled to a run on disk
BUFFER = 8192
#: the most index entries a run keeps in memory (a larger run's entries are further apart)
FENCES = 1024
#: runs of one tier merged into one of the next: each name is rewritten about log8(count / BUFFER) times, and
#: there are at most 7 runs of each tier to look in
MERGE = 8

_HEAD = struct.Struct("<qI")  # a record: the name's hash, its length in bytes; then the name (UTF-8)
_CHUNK = 1 << 16


def _encode(name: str) -> bytes:
    return name.encode("utf-8", "surrogatepass")  # any str, even one holding a byte that was not UTF-8


class _Run:
    """Records sorted by hash in a temporary file of their own, with every ``stride``-th record's hash and
    offset in memory."""

    def __init__(self, file, count: int, hashes: array, offsets: array, size: int, tier: int):
        self.file, self.count, self.hashes, self.offsets, self.size = file, count, hashes, offsets, size
        self.tier = tier  # how many merges its records went through

    def records(self, start: int = 0) -> Iterator[tuple[int, bytes]]:
        """(hash, name) from byte ``start`` to the end, read a chunk at a time."""
        fd, size, head = self.file.fileno(), self.size, _HEAD.size
        buf, at, pos = b"", 0, start  # buf holds the file's bytes from offset pos; at: the next record in buf
        while True:
            avail = len(buf) - at
            need = head
            if avail >= head:
                h, n = _HEAD.unpack_from(buf, at)
                need += n
                if avail >= need:
                    yield h, buf[at + head:at + need]
                    at += need
                    continue
            if pos + len(buf) >= size:
                return
            buf, pos, at = buf[at:] + os.pread(fd, max(_CHUNK, need), pos + len(buf)), pos + at, 0

    def holds(self, h: int, name: bytes) -> bool:
        j = bisect_left(self.hashes, h)
        start = self.offsets[j - 1] if j > 0 else 0  # the last indexed record before any of hash h
        for rh, rname in self.records(start):
            if rh > h:
                return False
            if rh == h and rname == name:
                return True
        return False

    def close(self) -> None:
        self.file.close()


class _Writer:
    """Writes one run's records in order, to a new temporary file."""

    def __init__(self, count: int):
        self.file = _temporary()
        self.stride = max(1, -(-count // FENCES))
        self.hashes, self.offsets = array("q"), array("q")
        self.parts: list[bytes] = []
        self.pending = self.size = self.count = 0

    def add(self, h: int, name: bytes) -> None:
        if self.count % self.stride == 0:
            self.hashes.append(h)
            self.offsets.append(self.size + self.pending)
        record = _HEAD.pack(h, len(name)) + name
        self.parts.append(record)
        self.pending += len(record)
        self.count += 1
        if self.pending >= _CHUNK:
            self._flush()

    def _flush(self) -> None:
        data = b"".join(self.parts)
        os.pwrite(self.file.fileno(), data, self.size)
        self.size += len(data)
        self.parts, self.pending = [], 0

    def done(self, tier: int = 0) -> _Run:
        self._flush()
        return _Run(self.file, self.count, self.hashes, self.offsets, self.size, tier)


def _temporary():
    try:
        return tempfile.TemporaryFile(prefix="bandstand-seen-")
    except OSError as e:
        raise InputError(f"cannot make a temporary file in {tempfile.gettempdir()} to remember the inspections "
                         f"read so far: {cause(e)}; set TMPDIR to a folder where files can be made",
                         None, "input.temp-file") from None


class Seen:
    """The names met so far: :meth:`add` says whether a name is new, exactly, in memory that stays the same
    however many names are met. Close it (or use it in a ``with`` block) to remove its temporary files."""

    def __init__(self, bloom_bits: int | None = None, buffer: int | None = None):
        bloom_bits = BLOOM_BITS if bloom_bits is None else bloom_bits
        if bloom_bits & (bloom_bits - 1):
            raise ValueError("bloom_bits must be a power of two")
        self.bloom, self.mask = bytearray(bloom_bits // 8), bloom_bits - 1
        self.buffer_size = BUFFER if buffer is None else buffer
        self.recent: set[str] = set()
        self.runs: list[_Run] = []
        self.count = 0

    def add(self, name: str) -> bool:
        """Remember ``name``; True when it was not met before, False when it was."""
        h = hash(name)
        bloom, mask = self.bloom, self.mask
        a, b = h & 0xFFFFFFFF, (h >> 32) | 1
        maybe = True
        for i in range(4):
            p = (a + i * b) & mask
            bit = 1 << (p & 7)
            if not bloom[p >> 3] & bit:
                bloom[p >> 3] |= bit
                maybe = False
        if maybe and self._met(name, h):
            return False
        self.recent.add(name)
        self.count += 1
        if len(self.recent) >= self.buffer_size:
            self._spill()
        return True

    def __contains__(self, name: str) -> bool:
        return self._met(name, hash(name))

    def __len__(self) -> int:
        return self.count

    def _met(self, name: str, h: int) -> bool:
        if name in self.recent:
            return True
        encoded = _encode(name)
        return any(run.holds(h, encoded) for run in self.runs)

    def _spill(self) -> None:
        """The names in memory written as a run; then every MERGE runs of one tier merged into one."""
        writer = _Writer(len(self.recent))
        for name in sorted(self.recent, key=hash):
            writer.add(hash(name), _encode(name))
        self.runs.append(writer.done())
        self.recent = set()
        runs = self.runs
        while len(runs) >= MERGE and all(run.tier == runs[-1].tier for run in runs[-MERGE:]):
            group = runs[-MERGE:]
            del runs[-MERGE:]
            merged = _Writer(sum(run.count for run in group))
            for h, encoded in heapq.merge(*(run.records() for run in group), key=lambda r: r[0]):
                merged.add(h, encoded)
            runs.append(merged.done(group[0].tier + 1))
            for run in group:
                run.close()

    def close(self) -> None:
        """Remove the temporary files (they are removed when the process ends in any case)."""
        for run in self.runs:
            run.close()
        self.runs = []

    def __enter__(self) -> "Seen":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
