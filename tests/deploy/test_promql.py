"""The metric-name reader the rule and dashboard tests rely on."""

from __future__ import annotations

import pytest

from .promql import metric_names


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        (
            'sum by (provider, le) (rate(a_bucket{status=~"x|y",le!="1"}[5m])) * 60',
            {"a_bucket"},
        ),
        ("histogram_quantile(0.95, sum(rate(b[$__rate_interval])) by (le))", {"b"}),
        ("a / on () group_left (x) b > bool 0.1 and c offset 15m unless d @ 100", set("abcd")),
        ('label_replace(up{job="g"} == 0, "service", "$1", "job", "(.+)")', {"up"}),
        ("sum without (instance) (z) or vector(0) or scalar(w) > 1e3", {"z", "w"}),
        ("label_values(payroute_provider_up, provider)", {"payroute_provider_up"}),
        ('provider:ratio:rate10m{provider=~"$provider"} < 0.9', {"provider:ratio:rate10m"}),
        ("max(count(x)) - min_over_time(y[1h:5m])", {"x", "y"}),
        ("unknown_function(x)", {"unknown_function", "x"}),
    ],
)
def test_finds_exactly_the_metric_names(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


def test_refuses_selection_by_name() -> None:
    with pytest.raises(ValueError, match="__name__"):
        metric_names('{__name__=~"payroute_.*"}')
