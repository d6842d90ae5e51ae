"""Shell completion of framework references and files, through click's own completion.

Set up once per shell (see README, "Shell completion")::

    eval "$(_BANDSTAND_COMPLETE=bash_source bandstand)"   # bash; zsh_source, fish_source likewise

click completes commands and options itself; the functions here complete a
FRAMEWORK argument with the catalogue's ids and ``id@version`` references
(with ``--framework-path`` given before the command, and ``BANDSTAND_PATH``),
and an evidence or file argument with the shell's file names. Completion
never fails: a catalogue that cannot be read completes files only.
"""

from __future__ import annotations

import click
from click.shell_completion import CompletionItem


def files(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The shell's file names."""
    return [CompletionItem(incomplete, type="file")]


def frameworks(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The ids and ``id@version`` references of the catalogue starting with ``incomplete``; else file names."""
    from .catalogue import Catalogue

    root = ctx.find_root()
    try:
        entries = Catalogue(list(root.params.get("paths") or ())).entries()
    except Exception:  # noqa: BLE001 - completion must never print a traceback into the shell
        entries = []
    refs: dict[str, str] = {}
    for e in entries:
        refs.setdefault(e.id, e.title)
        refs[e.ref] = e.title
    found = [CompletionItem(ref, help=title) for ref, title in refs.items() if ref.startswith(incomplete)]
    return found or files(ctx, param, incomplete)
