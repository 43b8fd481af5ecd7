"""HTTP Basic with the API key as user name, shared by PayMongo, Xendit and Maya."""

import base64

import pytest

from provider_simulator.basic_auth import basic_user_is

KEY = "sk_test_basic_0123"


def basic(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


@pytest.mark.parametrize("credentials", [f"{KEY}:", f"{KEY}:any-password"])
def test_the_key_as_user_name_is_accepted_whatever_the_password(credentials: str) -> None:
    assert basic_user_is(basic(credentials), KEY)


@pytest.mark.parametrize(
    "authorization",
    [None, "", f"Bearer {KEY}", basic("sk_test_other:"), basic(f":{KEY}"), "Basic not-base64!"],
)
def test_anything_else_is_refused(authorization: str | None) -> None:
    assert not basic_user_is(authorization, KEY)
