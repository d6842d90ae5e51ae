"""Naming framework versions: ``id@version`` references, and the order of versions and dates.

Below the catalogue and everything that names a version (crosswalks, the
published site), so that none of them need the catalogue to read a name.

>>> parse_ref("hmip-youth@2018"), parse_ref("hmip-youth"), parse_ref("Not a ref")
(('hmip-youth', '2018'), ('hmip-youth', None), None)
>>> sorted(["2018.10", "2018.9", "2018-draft"], key=version_key)
['2018.9', '2018.10', '2018-draft']
"""

from __future__ import annotations

import re
from typing import overload

__all__ = ["parse_ref", "date_key", "version_key"]

_REF = re.compile(r"^([a-z][a-z0-9_-]*)(?:@([^@\s/\\]+))?$")


def parse_ref(ref: str) -> tuple[str, str | None] | None:
    """``(id, version)`` of ``id@version``, ``(id, None)`` of an id alone, None of anything else."""
    m = _REF.match(ref)
    return (m.group(1), m.group(2)) if m else None


@overload
def date_key(date: str, end: bool = False) -> str: ...
@overload
def date_key(date: str | None, end: bool = False) -> str | None: ...
def date_key(date: str | None, end: bool = False) -> str | None:
    """A date as a comparable text; a month alone is its first (or, for an end, its last) day.

    >>> date_key("2018-06"), date_key("2021-06", end=True), date_key("2021-12-09")
    ('2018-06-01', '2021-06-31', '2021-12-09')
    """
    if date is None:
        return None
    return date if len(date) == 10 else date + ("-31" if end else "-01")


def version_key(version: str):
    """A version as a sort key: numeric parts by number, others by text after them."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\-_]", version)]
