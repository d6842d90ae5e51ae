"""Usage errors in bandstand's own words, the same whichever click release is installed.

click words an unknown option and an unknown command differently from one
release to the next (8.1: ``No such option: --strict``; 8.4: ``No such option
'--strict'.``; suggestions for a mistyped command only from 8.2.1). Both are
worded here, from the data click raises with, so an error line does not change
when pip resolves another click within the declared range.
"""

from __future__ import annotations

from difflib import get_close_matches

import click


def suggestion(name: str, candidates) -> str:
    """`` Did you mean 'x'?`` for the close matches of ``name`` among ``candidates``, or ``''``."""
    close = sorted(get_close_matches(name, list(candidates or ())))
    if not close:
        return ""
    names = ", ".join(repr(c) for c in close)
    return f" Did you mean {names}?" if len(close) == 1 else f" (Did you mean one of: {names}?)"


def message(error: click.ClickException) -> str:
    """The text of a usage error, ``No such option`` worded by bandstand, others as click words them."""
    if isinstance(error, click.NoSuchOption):
        return f"No such option {error.option_name!r}." + suggestion(error.option_name, error.possibilities)
    return error.format_message()


class Group(click.Group):
    """A command group whose unknown-command error is worded by bandstand (``cls=`` of ``click.group``)."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        if (isinstance(name, str) and name[:1].isalnum() and not ctx.resilient_parsing
                and self.get_command(ctx, name) is None):
            raise click.UsageError(f"No such command {name!r}." + suggestion(name, self.list_commands(ctx)), ctx)
        return super().resolve_command(ctx, args)
