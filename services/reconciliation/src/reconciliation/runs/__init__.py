"""Runs: one matching of a provider's report for a period, on request or on schedule."""
