"""Postgres connection strings: libpq form for asyncpg, SQLAlchemy form for services."""

from urllib.parse import SplitResult, urlsplit, urlunsplit

DEFAULT_POSTGRES_DSN = "postgresql://postgres@127.0.0.1:5432"
_SCHEMES = {"postgresql", "postgres", "postgresql+asyncpg"}


def _split(dsn: str) -> SplitResult:
    parts = urlsplit(dsn)
    if parts.scheme not in _SCHEMES or not parts.hostname:
        raise ValueError("expected a DSN like postgresql://user@host:5432, got another form")
    return parts


def with_database(dsn: str, database: str) -> str:
    """The libpq DSN (postgresql://...) of `database` on dsn's server."""
    parts = _split(dsn)
    return urlunsplit(("postgresql", parts.netloc, f"/{database}", parts.query, ""))


def libpq_url(url: str) -> str:
    """The libpq form (postgresql://...) of a DSN or SQLAlchemy URL, database kept."""
    parts = _split(url)
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))


def sqlalchemy_url(dsn: str, database: str) -> str:
    """The SQLAlchemy async URL (postgresql+asyncpg://...) of `database` on dsn's server."""
    parts = _split(dsn)
    return urlunsplit(("postgresql+asyncpg", parts.netloc, f"/{database}", parts.query, ""))


def host_port(dsn: str) -> tuple[str, int]:
    parts = _split(dsn)
    assert parts.hostname is not None
    return parts.hostname, parts.port or 5432


def user(dsn: str) -> str:
    return _split(dsn).username or "postgres"


def redacted(dsn: str) -> str:
    """The DSN without its password, for messages."""
    host, port = host_port(dsn)
    return f"postgresql://{user(dsn)}@{host}:{port}"
