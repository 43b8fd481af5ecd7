"""Which traces are recorded when spans are exported: those a request or a message started.

A client span with no parent (a database statement or HTTP call made by a poller,
the outbox relay's own queries, a scheduled health check) is work no request or
message asked for: recorded, each would be a trace of one span, several a second
per service. Every other root (a request served, a message consumed or published)
is recorded, and every child follows its parent's decision.
"""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry.context import Context
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
)
from opentelemetry.trace import Link, SpanKind, TraceState
from opentelemetry.util.types import Attributes


class _NoUnrequestedClientRoots(Sampler):
    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        if kind == SpanKind.CLIENT:
            return SamplingResult(Decision.DROP, None, trace_state)
        return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes, trace_state)

    def get_description(self) -> str:
        return "NoUnrequestedClientRoots"


def requested_work_sampler() -> Sampler:
    return ParentBased(root=_NoUnrequestedClientRoots())
