from orchestrator.routing import candidates
from payroute_common.messages.values import ProviderPriority, RoutingPreferences


def test_cards_go_to_stripe_and_cash_to_an_operator() -> None:
    assert candidates("card", "PHP").providers == ["stripe", "paymongo", "xendit", "maya"]
    assert candidates("card", "USD").providers == ["stripe"]
    assert candidates("gcash", "PHP").providers == ["paymongo", "xendit"]
    assert candidates("cash", "PHP").providers == ["manual"]


def test_a_method_nobody_takes_has_no_route_and_says_why() -> None:
    route = candidates("gcash", "USD")
    assert route.first is None
    assert route.reason == "no provider supports gcash in USD"


def test_the_explicit_preference_comes_first_when_able() -> None:
    assert candidates("card", "PHP", "stripe").reason == "merchant preference"
    assert candidates("card", "PHP", "maya").providers[0] == "maya"
    assert candidates("card", "PHP", "manual").providers[0] == "stripe"


def test_the_first_matching_priority_list_orders_the_able_providers() -> None:
    routing = RoutingPreferences(
        priorities=[
            ProviderPriority(payment_method="card", currency="USD", providers=["paymongo"]),
            ProviderPriority(payment_method="card", providers=["paymongo", "stripe"]),
        ]
    )
    route = candidates("card", "PHP", None, routing)
    assert route.providers[:2] == ["paymongo", "stripe"]
    assert route.reason == "merchant priority for card"
