"""Matching a report's lines against the ledger, set-based in SQL (see classify.py)."""
