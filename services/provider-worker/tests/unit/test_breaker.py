"""The circuit breaker's states, driven by a hand-moved clock (no sleeping)."""

from hypothesis import given
from hypothesis import strategies as st

from provider_worker.breaker import CircuitBreaker, Ticket, Transition

from .fakes import FakeClock


def breaker(clock: FakeClock, changes: list[Transition] | None = None) -> CircuitBreaker:
    return CircuitBreaker(
        "stripe",
        threshold=3,
        open_s=60,
        clock=clock,
        on_change=(changes if changes is not None else []).append,
    )


def fail(b: CircuitBreaker, times: int = 1) -> None:
    for _ in range(times):
        ticket = b.admit()
        assert ticket is not None
        b.failed(ticket, "api_error")


def test_consecutive_failures_open_the_circuit_at_the_threshold() -> None:
    changes: list[Transition] = []
    b = breaker(FakeClock(), changes)

    fail(b, 2)
    assert (b.state, b.consecutive_failures, changes) == ("closed", 2, [])
    fail(b)

    assert b.state == "open"
    assert changes == [Transition("stripe", "closed", "open", "api_error", 3)]


def test_an_answer_between_failures_resets_the_count() -> None:
    b = breaker(FakeClock())
    fail(b, 2)
    ticket = b.admit()
    assert ticket is not None
    b.answered(ticket)
    fail(b, 2)

    assert (b.state, b.consecutive_failures) == ("closed", 2)


def test_while_open_calls_are_refused_until_the_open_period_ends() -> None:
    clock = FakeClock()
    b = breaker(clock)
    fail(b, 3)

    clock.advance(59.9)
    assert b.admit() is None
    assert b.open_for_s() > 0
    clock.advance(0.2)

    assert b.admit() == Ticket(probe=True)
    assert b.state == "half_open"


def test_half_open_lets_one_probe_through_at_a_time() -> None:
    clock = FakeClock()
    b = breaker(clock)
    fail(b, 3)
    clock.advance(61)

    probe = b.admit()
    assert probe is not None
    assert probe.probe
    assert [b.admit(), b.admit()] == [None, None]
    b.abandoned(probe)  # a cancelled probe frees the slot
    assert b.admit() == probe


def test_a_probe_that_succeeds_closes_the_circuit() -> None:
    clock, changes = FakeClock(), []
    b = breaker(clock, changes)
    fail(b, 3)
    clock.advance(61)
    probe = b.admit()
    assert probe is not None

    b.answered(probe)

    assert (b.state, b.consecutive_failures) == ("closed", 0)
    assert [(c.previous, c.state, c.reason) for c in changes] == [
        ("closed", "open", "api_error"),
        ("open", "half_open", "open period over"),
        ("half_open", "closed", "recovered"),
    ]
    assert b.admit() == Ticket()


def test_a_probe_that_fails_reopens_the_circuit_for_another_period() -> None:
    clock = FakeClock()
    b = breaker(clock)
    fail(b, 3)
    clock.advance(61)
    probe = b.admit()
    assert probe is not None

    b.failed(probe, "timeout")

    assert (b.state, b.reason, b.consecutive_failures) == ("open", "timeout", 4)
    clock.advance(59)
    assert b.admit() is None
    clock.advance(2)
    assert b.admit() is not None


def test_bypassing_calls_go_while_open_and_do_not_close_it_early() -> None:
    clock = FakeClock()
    b = breaker(clock)
    fail(b, 3)

    ticket = b.bypass()
    b.answered(ticket)

    assert b.state == "open"
    assert b.admit() is None


Step = st.sampled_from(["call", "fail", "answer", "abandon", "wait"])


@given(st.lists(Step, max_size=60))
def test_never_more_than_one_probe_and_open_only_after_enough_failures(steps: list[str]) -> None:
    clock = FakeClock()
    b = breaker(clock)
    out: list[Ticket] = []
    failures_since_answer = 0
    for step in steps:
        if step == "call" and (ticket := b.admit()) is not None:
            out.append(ticket)
        elif step == "wait":
            clock.advance(30)
        elif out:
            ticket = out.pop(0)
            if step == "fail":
                b.failed(ticket, "api_error")
                failures_since_answer += 1
            elif step == "answer":
                b.answered(ticket)
                if b.state != "open":
                    failures_since_answer = 0
            else:
                b.abandoned(ticket)
        assert sum(t.probe for t in out) <= 1
        assert b.state == "closed" or failures_since_answer >= 1
        if b.state == "closed":
            assert b.consecutive_failures < b.threshold
