"""Which bandstand file a YAML or JSON document is, and the files a folder holds.

``bandstand validate`` and ``bandstand test`` take folders; inside one, each
``.yaml``, ``.yml`` and ``.json`` file is read and its kind told from the
keys at the top of it (the same rule, documented in docs/guides/ci.md):

* a **framework** declares ``bandstand:`` (the format version every
  framework starts with), or has ``nodes``, ``tiers``, ``scales`` or ``extends``;
* a **crosswalk** has both ``from`` and ``to``;
* **evidence** has any of ``framework``, ``judgements``, ``key_questions``,
  ``figures``, ``cases`` or ``published``;
* anything else (a list, a scalar, a mapping with none of those keys: a CI
  workflow, a ``.pre-commit-config.yaml``, mkdocs.yml) is not bandstand's,
  and is skipped, listed once.

>>> kind({"bandstand": 1, "id": "x"}), kind({"from": "a", "to": "b"}), kind({"framework": "x", "cases": []})
('framework', 'crosswalk', 'evidence')
>>> kind({"site_name": "docs"}) is None, kind(["a", "list"]) is None
(True, True)

Folders are walked recursively, folder by folder in name order, leaving out
hidden files and folders (``.git``, ``.venv``, ``.pre-commit-config.yaml``)
and not following links to folders. CSV and TSV
files are not picked from folders: a case file is checked through the
evidence that reads it (``cases: cases.csv``); name a CSV to check it alone.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

#: the extensions read from a folder
EXTENSIONS = (".yaml", ".yml", ".json")

FRAMEWORK_KEYS = ("bandstand", "nodes", "tiers", "scales", "extends")
CROSSWALK_KEYS = ("from", "to")
EVIDENCE_KEYS = ("framework", "judgements", "key_questions", "figures", "cases", "published")

#: the rule, in one sentence, for messages
RULE = ("a framework has 'bandstand:' (or nodes, tiers, scales, extends) at its top, a crosswalk 'from:' and 'to:', "
        "evidence one of " + ", ".join(EVIDENCE_KEYS))


def kind(data: Any) -> str | None:
    """``"framework"``, ``"crosswalk"``, ``"evidence"``, or None for a document that is none of them."""
    if not isinstance(data, dict):
        return None
    if any(k in data for k in FRAMEWORK_KEYS):
        return "framework"
    if all(k in data for k in CROSSWALK_KEYS):
        return "crosswalk"
    if any(k in data for k in EVIDENCE_KEYS):
        return "evidence"
    return None


def walk(folder: str | Path) -> list[str]:
    """The ``.yaml``, ``.yml`` and ``.json`` files under ``folder``, as paths joined to it (``./`` left off).

    Hidden files and folders are left out, and links to folders not followed (no loops).
    """
    found: list[str] = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(os.path.normpath(os.path.join(top, f)) for f in sorted(files)
                     if f.lower().endswith(EXTENSIONS) and not f.startswith(".") and os.path.isfile(os.path.join(top, f)))
    return found
