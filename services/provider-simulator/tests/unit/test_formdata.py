"""Decoding Stripe-style bracketed form keys."""

import pytest

from provider_simulator.formdata import FormDecodeError, decode_form, parse_pairs


def test_nested_keys_and_arrays():
    raw = (
        "amount=100&metadata[payment_id]=pay_1&metadata[note]=a%20b"
        "&expand[0]=latest_charge&expand[1]=payment_method"
        "&payment_method_options[card][request_three_d_secure]=any&tags[]=x&tags[]=y"
    )

    assert decode_form(parse_pairs(raw)) == {
        "amount": "100",
        "metadata": {"payment_id": "pay_1", "note": "a b"},
        "expand": ["latest_charge", "payment_method"],
        "payment_method_options": {"card": {"request_three_d_secure": "any"}},
        "tags": ["x", "y"],
    }


def test_percent_encoded_brackets_as_httpx_sends_them():
    assert decode_form(parse_pairs("metadata%5Bpayment_id%5D=pay_2")) == {
        "metadata": {"payment_id": "pay_2"}
    }


@pytest.mark.parametrize("raw", ["a=1&a[b]=2", "a[b]=1&a=2", "a=1&a=2", "a[b=1"])
def test_conflicting_or_malformed_keys_are_rejected(raw):
    with pytest.raises(FormDecodeError):
        decode_form(parse_pairs(raw))
