"""Why a webhook request is refused; raised by every provider's scheme."""


class InvalidSignatureError(ValueError):
    """The request is not proven to come from the provider (bad, stale or missing signature)."""


class InvalidPayloadError(ValueError):
    """The body is signed but is not an event Payroute can read."""
