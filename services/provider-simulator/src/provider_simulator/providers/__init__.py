"""One subpackage per simulated provider; each brings its own router and state."""

KNOWN_PROVIDERS: tuple[str, ...] = ("stripe", "paymongo", "xendit", "maya")
