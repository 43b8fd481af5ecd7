"""The one failure a command reports: its message is the operator's one line."""


class CommandError(Exception):
    """A command failed for a reason the operator can act on."""
