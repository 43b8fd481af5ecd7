"""Secret keys: format, hashing, and that only the hash is kept."""

import hashlib
import string

from hypothesis import given
from hypothesis import strategies as st

from gateway_api.domain import hash_secret, issue_key, looks_like_secret, masked, new_secret
from payroute_common.clock import utcnow

URL_SAFE = set(string.ascii_letters + string.digits + "-_")


def test_a_secret_is_sk_and_43_url_safe_characters() -> None:
    secret = new_secret()

    assert secret.startswith("sk_")
    assert len(secret) == 46
    assert set(secret[3:]) <= URL_SAFE
    assert looks_like_secret(secret)


def test_secrets_do_not_repeat() -> None:
    assert len({new_secret() for _ in range(1000)}) == 1000


def test_the_hash_is_the_sha256_hex_of_the_secret() -> None:
    secret = new_secret()

    assert hash_secret(secret) == hashlib.sha256(secret.encode()).hexdigest()
    assert len(hash_secret(secret)) == 64


@given(st.text(min_size=1, max_size=100))
def test_hashing_is_deterministic_and_never_reveals_the_input(secret: str) -> None:
    digest = hash_secret(secret)

    assert digest == hash_secret(secret)
    assert set(digest) <= set("0123456789abcdef")
    if len(secret) > 4:
        assert secret not in digest


def test_an_issued_key_keeps_the_hash_and_last4_but_not_the_secret() -> None:
    issued = issue_key("mch_1", "operator", utcnow())

    assert issued.key.id.startswith("key_")
    assert issued.key.role == "operator"
    assert issued.key.key_hash == hash_secret(issued.secret)
    assert issued.key.last4 == issued.secret[-4:]
    assert issued.secret not in repr(issued.key)
    assert issued.key.revoked_at is None


def test_masking_shows_only_the_prefix_and_last4() -> None:
    secret = new_secret()

    assert masked(secret) == f"sk_********{secret[-4:]}"
    assert secret[3:-4] not in masked(secret)


def test_strings_of_the_wrong_shape_are_not_secrets() -> None:
    assert not looks_like_secret("sk_short")
    assert not looks_like_secret("pk_" + "a" * 43)
    assert not looks_like_secret("")
