"""Xendit, as much of its Payment Requests and Refunds APIs as Payroute's adapter uses,
in Xendit's JSON formats, with callbacks authenticated by `x-callback-token`
(https://developers.xendit.co/api-reference/)."""

PROVIDER = "xendit"
