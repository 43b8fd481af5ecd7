"""Errors raised when the local stack cannot do what was asked."""


class DevstackError(RuntimeError):
    """Base error: the message says what failed and, where known, why."""


class InfraError(DevstackError):
    """The broker or Postgres could not be reached or started."""


class PortInUseError(DevstackError):
    """A port the stack wants to listen on is already taken."""


class ProcessStartError(DevstackError):
    """A managed process exited or did not become ready in time."""
