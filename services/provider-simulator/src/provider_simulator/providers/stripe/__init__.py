"""Stripe, as much of its v1 API as Payroute's adapter uses, in Stripe's wire formats."""

PROVIDER = "stripe"
API_VERSION = "2026-10-28.endive"
