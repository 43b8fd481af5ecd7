"""`GET /v1/payment_intents/search` by metadata, in Stripe's search_result shape."""

import pytest

from provider_simulator.providers.stripe.search import parse_query


async def search(sim, query, **params):
    return await sim.client.get("/v1/payment_intents/search", params={"query": query, **params})


async def test_finds_intents_by_metadata_newest_first(sim):
    first = (await sim.create_intent(**{"metadata[attempt_id]": "att_1"})).json()
    await sim.create_intent(**{"metadata[attempt_id]": "att_2"})
    second = (await sim.create_intent(**{"metadata[attempt_id]": "att_1"})).json()

    response = await search(sim, "metadata['attempt_id']:'att_1'")

    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "search_result"
    assert body["url"] == "/v1/payment_intents/search"
    assert (body["has_more"], body["next_page"]) == (False, None)
    assert [i["id"] for i in body["data"]] == [second["id"], first["id"]]


async def test_and_of_clauses_and_expanded_latest_charge(sim):
    wanted = (
        await sim.create_intent(**{"metadata[attempt_id]": "att_1", "metadata[payment_id]": "p1"})
    ).json()
    await sim.create_intent(**{"metadata[attempt_id]": "att_1", "metadata[payment_id]": "p2"})

    response = await sim.client.get(
        "/v1/payment_intents/search",
        params={
            "query": "metadata['attempt_id']:'att_1' AND metadata[\"payment_id\"]:\"p1\"",
            "expand[]": "data.latest_charge",
        },
    )

    (found,) = response.json()["data"]
    assert found["id"] == wanted["id"]
    assert found["latest_charge"]["object"] == "charge"


async def test_pages_through_with_next_page(sim):
    for _ in range(3):
        await sim.create_intent(**{"metadata[order]": "o1"})

    first = (await search(sim, "metadata['order']:'o1'", limit="2")).json()
    rest = (await search(sim, "metadata['order']:'o1'", limit="2", page=first["next_page"])).json()

    assert (len(first["data"]), first["has_more"]) == (2, True)
    assert (len(rest["data"]), rest["has_more"], rest["next_page"]) == (1, False, None)


async def test_nothing_found_is_an_empty_result(sim):
    body = (await search(sim, "metadata['attempt_id']:'att_none'")).json()

    assert body["data"] == []


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"query": "status:'succeeded'"}, "query"),
        ({"query": "metadata['a']:'1' AND metadata['b']:'2' OR metadata['c']:'3'"}, "query"),
        ({"query": "metadata['a']:'1'", "limit": "0"}, "limit"),
        ({"query": "metadata['a']:'1'", "page": "garbage"}, "page"),
        ({}, "query"),
    ],
)
async def test_unsupported_queries_are_stripe_invalid_request_errors(sim, params, param):
    response = await sim.client.get("/v1/payment_intents/search", params=params)

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["type"], error["param"]) == ("invalid_request_error", param)


def test_or_and_escaped_quotes():
    class Intent:
        def __init__(self, **metadata: str) -> None:
            self.metadata = metadata

    either = parse_query("metadata['k']:'a' OR metadata['k']:'b'")
    quoted = parse_query(r"metadata['k']:'it\'s'")

    assert either(Intent(k="b"))
    assert not either(Intent(k="c"))
    assert quoted(Intent(k="it's"))
