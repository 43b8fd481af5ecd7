import time

import pytest

from webhook_ingest.errors import InvalidSignatureError, StaleSignatureError
from webhook_ingest.providers.stripe import StripeProvider

from .stripe_fixtures import SECRET, encode, payment_intent_event, signature_header

BODY = encode(payment_intent_event())


def verify(body: bytes, header: str | None) -> None:
    headers = {"stripe-signature": header} if header is not None else {}
    StripeProvider(SECRET).verify(body, headers)


def test_valid_signature_is_accepted() -> None:
    verify(BODY, signature_header(BODY))


def test_one_valid_among_several_signatures_is_enough() -> None:
    header = signature_header(BODY)
    verify(BODY, header + ",v1=" + "0" * 64)


def test_signature_within_tolerance_is_accepted() -> None:
    verify(BODY, signature_header(BODY, timestamp=int(time.time()) - 240))


def test_ten_minute_old_signature_is_rejected_as_stale() -> None:
    with pytest.raises(StaleSignatureError, match="tolerance"):
        verify(BODY, signature_header(BODY, timestamp=int(time.time()) - 600))


def test_wrong_secret_is_rejected_and_not_as_stale() -> None:
    with pytest.raises(InvalidSignatureError) as refused:
        verify(BODY, signature_header(BODY, secret="whsec_other"))
    assert not isinstance(refused.value, StaleSignatureError)


def test_old_signature_with_the_wrong_secret_is_not_stale_but_bad() -> None:
    old = int(time.time()) - 600
    with pytest.raises(InvalidSignatureError) as refused:
        verify(BODY, signature_header(BODY, secret="whsec_other", timestamp=old))
    assert not isinstance(refused.value, StaleSignatureError)


def test_tampered_body_is_rejected() -> None:
    header = signature_header(BODY)
    with pytest.raises(InvalidSignatureError):
        verify(BODY.replace(b"2500", b"9999"), header)


@pytest.mark.parametrize("header", [None, "", "garbage", "t=abc,v1=00", "t=1700000000"])
def test_missing_or_malformed_header_is_rejected(header: str | None) -> None:
    with pytest.raises(InvalidSignatureError):
        verify(BODY, header)


def test_body_that_is_not_utf8_is_rejected() -> None:
    body = b"\xff\xfe" + BODY
    with pytest.raises(InvalidSignatureError):
        verify(body, signature_header(body))


def test_signature_dated_within_tolerance_in_the_future_is_accepted() -> None:
    verify(BODY, signature_header(BODY, timestamp=int(time.time()) + 240))


@pytest.mark.parametrize("ahead_s", [301, 600, 86_400])
def test_signature_dated_beyond_tolerance_in_the_future_is_rejected(ahead_s: int) -> None:
    now = 1_800_000_000
    provider = StripeProvider(SECRET, clock=lambda: now)
    header = signature_header(BODY, timestamp=now + ahead_s)
    # The SDK's own check (past only) passes: the SDK reads the real clock, which is
    # behind `now`; the refusal is the future-dated check's.
    with pytest.raises(InvalidSignatureError, match="future"):
        provider.verify(BODY, {"stripe-signature": header})


def test_signature_exactly_at_the_tolerance_in_the_future_is_accepted() -> None:
    now = time.time()
    provider = StripeProvider(SECRET, clock=lambda: now)
    header = signature_header(BODY, timestamp=int(now) + 300)
    provider.verify(BODY, {"stripe-signature": header})
