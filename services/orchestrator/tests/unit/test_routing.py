from collections import Counter
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from orchestrator.routing import (
    EXPLORATION,
    Conditions,
    Health,
    RouteRequest,
    SuccessWindow,
    draws,
    route_payment,
)
from payroute_common.fees import FeeRule
from payroute_common.messages.values import (
    PaymentMethodType,
    ProviderPriority,
    RoutingPreferences,
    RoutingStrategy,
)

TODAY = Conditions(today=date(2026, 11, 28))
UNLIMITED = RoutingPreferences(max_attempts=5)


def request(
    method: PaymentMethodType = "card",
    currency: str = "PHP",
    *,
    payment_id: str = "pay_1",
    amount: int = 10_000,
    preference: str | None = None,
    routing: RoutingPreferences = UNLIMITED,
    manual: bool = False,
) -> RouteRequest:
    return RouteRequest(
        payment_id=payment_id,
        method=method,
        currency=currency,
        amount=amount,
        capture_method="manual" if manual else "automatic",
        preference=preference,
        routing=routing,
    )


def providers(req: RouteRequest, conditions: Conditions = TODAY) -> list[str]:
    return route_payment(req, conditions).providers


def test_only_providers_able_to_take_the_method_in_the_currency_qualify() -> None:
    assert providers(request()) == ["stripe", "paymongo", "xendit", "maya"]
    assert providers(request(currency="USD")) == ["stripe"]
    assert providers(request("gcash")) == ["paymongo", "xendit"]
    assert providers(request("cash")) == ["manual"]


def test_manual_capture_goes_only_where_an_authorization_can_be_held() -> None:
    assert providers(request(manual=True)) == ["stripe", "paymongo"]
    refused = route_payment(request("gcash", "IDR", manual=True), TODAY)
    assert refused.first is None
    assert refused.reason == "no provider can authorize gcash in IDR for later capture"


def test_a_method_nobody_takes_has_no_route_and_says_why() -> None:
    refused = route_payment(request("gcash", "USD"), TODAY)
    assert refused.first is None
    assert refused.reason == "no provider supports gcash in USD"


def test_the_explicit_preference_comes_first_when_able() -> None:
    assert route_payment(request(preference="stripe"), TODAY).reason == "merchant preference"
    assert providers(request(preference="maya"))[0] == "maya"
    assert providers(request(preference="manual"))[0] == "stripe"


def test_the_first_matching_priority_list_orders_the_able_providers() -> None:
    routing = RoutingPreferences(
        max_attempts=5,
        priorities=[
            ProviderPriority(payment_method="card", currency="USD", providers=["paymongo"]),
            ProviderPriority(payment_method="card", providers=["paymongo", "stripe"]),
        ],
    )
    found = route_payment(request(routing=routing), TODAY)
    assert found.providers[:2] == ["paymongo", "stripe"]
    assert found.reason == "merchant priority for card"


def test_cost_puts_the_cheapest_fee_first() -> None:
    # Wallet fees in PHP: paymongo GCash 2.5 %, xendit GCash 2.3 %.
    cheap = RoutingPreferences(strategy="cost")
    found = route_payment(request("gcash", routing=cheap), TODAY)
    assert found.providers == ["xendit", "paymongo"]
    assert found.reason == "cheapest first: fee 230 PHP minor units"


def test_fee_schedules_are_read_for_the_day_of_routing() -> None:
    rules = (
        FeeRule("paymongo", rate_ppm=10_000, effective_to=date(2026, 12, 1)),
        FeeRule("paymongo", rate_ppm=90_000, effective_from=date(2026, 12, 1)),
        FeeRule("xendit", rate_ppm=50_000),
    )
    cheap = request("gcash", routing=RoutingPreferences(strategy="cost"))
    before = Conditions(today=date(2026, 11, 30), fee_rules=rules)
    after = Conditions(today=date(2026, 12, 1), fee_rules=rules)
    assert providers(cheap, before) == ["paymongo", "xendit"]
    assert providers(cheap, after) == ["xendit", "paymongo"]


def test_success_rate_puts_the_provider_that_succeeds_most_first() -> None:
    ranked = RoutingPreferences(strategy="success_rate")
    conditions = Conditions(
        today=TODAY.today,
        success={"paymongo": SuccessWindow(100, 60), "xendit": SuccessWindow(100, 95)},
    )
    not_exploring = next(f"pay_{i}" for i in range(100) if draws(f"pay_{i}")[1] >= EXPLORATION)
    found = route_payment(request("gcash", routing=ranked, payment_id=not_exploring), conditions)
    assert found.providers == ["xendit", "paymongo"]
    assert found.reason.startswith("success rate 94%")


def test_success_rate_explores_so_a_recovered_provider_gets_traffic_back() -> None:
    ranked = RoutingPreferences(strategy="success_rate")
    conditions = Conditions(
        today=TODAY.today,
        success={"paymongo": SuccessWindow(2, 0), "xendit": SuccessWindow(500, 480)},
    )
    firsts = Counter(
        route_payment(request("gcash", routing=ranked, payment_id=f"pay_{i}"), conditions).first
        for i in range(2_000)
    )
    assert 0.05 < firsts["paymongo"] / 2_000 < 0.15  # about EXPLORATION


def test_a_70_30_volume_split_holds_over_a_thousand_payments() -> None:
    split = RoutingPreferences(volume_split={"paymongo": 70, "xendit": 30})
    firsts = Counter(
        providers(request("gcash", routing=split, payment_id=f"pay_{i:06d}"))[0]
        for i in range(1_000)
    )
    assert abs(firsts["paymongo"] / 1_000 - 0.70) <= 0.05
    assert set(firsts) == {"paymongo", "xendit"}


def test_the_same_payment_always_routes_the_same_way() -> None:
    split = RoutingPreferences(volume_split={"paymongo": 50, "xendit": 50})
    assert len({tuple(providers(request("gcash", routing=split))) for _ in range(20)}) == 1


def test_open_circuits_go_last_and_degraded_after_healthy() -> None:
    health: dict[str, Health] = {"stripe": "unhealthy", "paymongo": "degraded"}
    conditions = Conditions(today=TODAY.today, health=health)
    found = route_payment(request(preference="stripe"), conditions)
    assert found.providers == ["xendit", "maya", "paymongo", "stripe"]
    assert found.candidates[-1].reasons == ("merchant preference", "circuit open: last resort")


def test_without_fallback_only_one_candidate_and_never_more_than_max_attempts() -> None:
    assert providers(request(routing=RoutingPreferences(fallback=False))) == ["stripe"]
    assert len(providers(request(routing=RoutingPreferences(max_attempts=2)))) == 2


def test_the_timeline_reads_every_candidate_and_its_reasons() -> None:
    found = route_payment(request("gcash", preference="xendit"), TODAY)
    assert found.describe() == (
        "xendit (merchant preference); fallback: paymongo (supports gcash in PHP)"
    )


methods = st.sampled_from(["card", "gcash", "maya", "cash"])
names = st.sampled_from(["stripe", "paymongo", "xendit", "maya", "manual", "other"])
healths = st.dictionaries(names, st.sampled_from(["healthy", "degraded", "unhealthy"]))
strategies: st.SearchStrategy[RoutingStrategy] = st.sampled_from(
    ["priority", "cost", "success_rate"]
)


@given(
    method=methods,
    currency=st.sampled_from(["PHP", "USD", "IDR"]),
    preference=st.none() | names,
    split=st.dictionaries(names, st.integers(0, 100)),
    strategy=strategies,
    health=healths,
    payment_id=st.text(min_size=1, max_size=20),
    amount=st.integers(1, 10**9),
    manual=st.booleans(),
)
def test_candidates_are_able_distinct_bounded_and_explained(
    method: PaymentMethodType,
    currency: str,
    preference: str | None,
    split: dict[str, int],
    strategy: RoutingStrategy,
    health: dict[str, Health],
    payment_id: str,
    amount: int,
    manual: bool,
) -> None:
    routing = RoutingPreferences(volume_split=split, strategy=strategy)
    req = request(
        method,
        currency,
        payment_id=payment_id,
        amount=amount,
        preference=preference,
        routing=routing,
        manual=manual,
    )
    found = route_payment(req, Conditions(today=TODAY.today, health=health))
    able = set(providers(request(method, currency, manual=manual)))
    assert set(found.providers) <= able
    assert len(found.providers) == len(set(found.providers)) <= routing.max_attempts
    assert all(candidate.reasons for candidate in found.candidates)
    assert bool(found.candidates) == bool(able)
    ranks = [
        {"healthy": 0, "degraded": 1, "unhealthy": 2}[health.get(p, "healthy")]
        for p in found.providers
    ]
    assert ranks == sorted(ranks)


def test_misconfigured_providers_are_left_out_even_when_preferred() -> None:
    health: dict[str, Health] = {"stripe": "misconfigured"}
    conditions = Conditions(today=TODAY.today, health=health)
    route = route_payment(request(preference="stripe"), conditions)
    assert "stripe" not in route.providers
    assert route.first == "paymongo"


def test_nothing_left_when_every_able_provider_is_misconfigured() -> None:
    health: dict[str, Health] = {"stripe": "misconfigured"}
    route = route_payment(request(currency="USD"), Conditions(today=TODAY.today, health=health))
    assert route.first is None
    assert "misconfigured" in route.reason
