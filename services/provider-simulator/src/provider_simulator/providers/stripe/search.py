"""`GET /v1/payment_intents/search`: the metadata subset of Stripe's search query language.

https://docs.stripe.com/search#search-query-language and
https://docs.stripe.com/api/payment_intents/search. Supported: clauses
`metadata['key']:'value'` (single or double quotes, `\\'` escapes a quote), joined all by
`AND` or all by `OR`; `limit` (1-100, default 10); `page` (the `next_page` of an earlier
answer); `expand[]=data.latest_charge`. Newest first, as Stripe lists. Unlike Stripe, a new
intent is searchable at once (Stripe documents a lag of up to a minute).
"""

import base64
import re
from dataclasses import dataclass

from provider_simulator.formdata import FormDict
from provider_simulator.outcome import Outcome
from provider_simulator.providers.stripe import params as p
from provider_simulator.providers.stripe.errors import StripeError, invalid_param
from provider_simulator.providers.stripe.model import PaymentIntent
from provider_simulator.providers.stripe.operations import Call
from provider_simulator.providers.stripe.serialize import payment_intent_json
from provider_simulator.providers.stripe.state import StripeState, metadata_tag

URL = "/v1/payment_intents/search"
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
_CLAUSE = re.compile(
    r"""metadata\[(?P<q1>['"])(?P<key>(?:\\.|(?!(?P=q1)).)+)(?P=q1)\]"""
    r"""\s*:\s*(?P<q2>['"])(?P<value>(?:\\.|(?!(?P=q2)).)*)(?P=q2)"""
)
_JOINER = re.compile(r"\s+(AND|OR)\s+")
_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True, slots=True)
class Query:
    """`metadata[key]:value` clauses an intent matches all of (`every`), or any of."""

    clauses: tuple[tuple[str, str], ...]
    every: bool

    def __call__(self, intent: PaymentIntent) -> bool:
        combine = all if self.every else any
        return combine(intent.metadata.get(k) == v for k, v in self.clauses)

    @property
    def tags(self) -> tuple[str, ...]:
        """The intents' tags (state.py) that find the candidates."""
        return tuple(metadata_tag(key, value) for key, value in self.clauses)


def search_payment_intents(state: StripeState, params: FormDict, call: Call) -> Outcome:
    p.reject_unknown(params, ("query", "limit", "page"))
    query = parse_query(p.required_str(params, "query"))
    limit = _limit(params)
    offset = _offset(p.optional_str(params, "page"))
    expand = frozenset(
        name.removeprefix("data.") for name in p.expand(params) if name.startswith("data.")
    )
    candidates = state.intents.find(query.tags, every=query.every, newest_first=True)
    found = [intent for intent in candidates if query(intent)]
    page = found[offset : offset + limit]
    more = offset + limit < len(found)
    return Outcome(
        200,
        {
            "object": "search_result",
            "data": [payment_intent_json(intent, expand) for intent in page],
            "has_more": more,
            "next_page": _page_token(offset + limit) if more else None,
            "url": URL,
        },
    )


def parse_query(query: str) -> Query:
    """The query, a predicate on intents; a query outside the subset is a Stripe 400."""
    parts = _JOINER.split(query.strip())
    clauses, joiners = parts[::2], set(parts[1::2])
    if len(joiners) > 1:
        raise _bad_query(query, "Combining AND and OR in one query is not supported.")
    wanted = []
    for clause in clauses:
        match = _CLAUSE.fullmatch(clause)
        if match is None:
            raise _bad_query(query, f"Unsupported or malformed clause: {clause!r}.")
        wanted.append((_unescape(match["key"]), _unescape(match["value"])))
    return Query(tuple(wanted), every=joiners != {"OR"})


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)


def _limit(params: FormDict) -> int:
    raw = p.optional_str(params, "limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise invalid_param(
            f"Invalid limit: must be an integer between 1 and {MAX_LIMIT}", param="limit"
        )
    return int(raw)


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(page: str | None) -> int:
    if page is None:
        return 0
    try:
        label, _, offset = base64.urlsafe_b64decode(page.encode()).decode().partition(":")
    except ValueError:
        label, offset = "", ""
    if label != "offset" or not offset.isdigit():
        raise invalid_param("Invalid page: use the next_page of an earlier answer", param="page")
    return int(offset)


def _bad_query(query: str, reason: str) -> StripeError:
    return invalid_param(
        f"Invalid search query {query!r}. {reason} The simulator supports "
        "metadata['key']:'value' clauses joined by AND or OR "
        "(https://docs.stripe.com/search#search-query-language).",
        param="query",
    )
