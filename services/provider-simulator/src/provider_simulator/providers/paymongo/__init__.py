"""PayMongo, as much of its v1 API as Payroute's adapter uses, in PayMongo's wire formats:
JSON:API bodies, HTTP Basic auth with the secret key, `Paymongo-Signature` webhooks
(https://developers.paymongo.com/reference)."""

PROVIDER = "paymongo"
