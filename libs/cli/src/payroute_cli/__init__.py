"""`payroute`: the operators' command line, across the services.

`merchants` and `keys` act on gateway-api's database, `dlq` on every service's
dead-letter topics, `recon` on reconciliation's HTTP API (`payroute_cli.main`).
"""
