"""Payment analytics: figures kept by the payment events, answered per merchant or platform.

- `facts`: what one payment adds to the figures (pure);
- `projection`: payment events → facts and bucket changes, in the consumer's transaction;
- `params`, `report`: request parameters and the answer's rows (pure);
- `tables`, `store`: the buckets in Postgres; `api`, `schemas`, `csv_writer`: the edge.
"""
