"""Where the simulator keeps what it remembers, so that a stack left running for hours
under load stays within a bounded amount of memory.

Everything the simulated providers remember lives in one SQLite file of the simulator's
own (`database.py`): the ledger of money moved, every provider object and the
idempotency keys. Memory holds only what is in use: the most recently used objects of
each collection (`spill_map.py`) and keys (`idempotency.py`), at most
`PROVIDER_SIMULATOR_HOT_OBJECTS` of each.
"""
