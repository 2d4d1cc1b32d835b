"""Errors every layer may raise for the CLI to show: a leaf module, so that commands, the
core and the CLI share them without importing each other."""


class UserError(Exception):
    """A problem the user can fix; printed as one line on stderr, exit code 1."""
