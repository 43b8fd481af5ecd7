"""Root conftest: real broker and Postgres fixtures for every test package."""

pytest_plugins = ["payroute_devstack.testing"]
