"""Payroute provider simulator: real provider wire formats plus a ledger of money moved."""
