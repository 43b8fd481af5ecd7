"""Why a webhook request is refused; raised by every provider's scheme."""


class InvalidSignatureError(ValueError):
    """The request is not proven to come from the provider (bad, stale or missing signature)."""


class StaleSignatureError(InvalidSignatureError):
    """The signature is valid but was made too long ago (or too far ahead): a replay, or
    clocks apart. Answered like any invalid signature; counted apart in the metrics."""


class InvalidPayloadError(ValueError):
    """The body is signed but is not an event Payroute can read."""
