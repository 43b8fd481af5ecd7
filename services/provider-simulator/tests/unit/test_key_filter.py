"""The filter never forgets a key it was given, and turns most others away."""

from provider_simulator.storage.key_filter import KeyFilter


def test_added_keys_are_always_maybe_and_most_others_certainly_not():
    keys = KeyFilter()
    assert not keys.may_hold("pi_1")

    added = [f"pi_{n}" for n in range(10_000)]
    for key in added:
        keys.add(key)

    assert all(keys.may_hold(key) for key in added)
    strangers = sum(keys.may_hold(f"re_{n}") for n in range(10_000))
    assert strangers < 100
    keys.clear()
    assert not keys.may_hold("pi_1")
