"""A stand-in service package with one Alembic migration (for `migrate` tests)."""
