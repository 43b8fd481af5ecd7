"""The metric names a PromQL expression reads, without a full parser.

Enough for the expressions in deploy/: label matchers, strings, durations, grouping
label lists and function names are removed, and what is left that looks like a name
is a metric. Grafana's `$variables` and `label_values(metric, label)` are understood.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FUNCTIONS = _words(
    """
    abs absent absent_over_time avg_over_time ceil changes clamp clamp_max clamp_min
    count_over_time day_of_month day_of_week day_of_year days_in_month delta deriv exp
    floor histogram_avg histogram_count histogram_fraction histogram_quantile
    histogram_stddev histogram_stdvar histogram_sum holt_winters hour idelta increase
    irate label_join label_replace last_over_time ln log10 log2 mad_over_time
    max_over_time min_over_time minute month predict_linear present_over_time
    quantile_over_time rate resets round scalar sgn sort sort_desc stddev_over_time
    stdvar_over_time sum_over_time time timestamp vector year
    """
)
AGGREGATIONS = _words(
    """
    avg bottomk count count_values group max min quantile stddev stdvar sum topk
    """
)
KEYWORDS = _words("and bool group_left group_right ignoring offset on or unless")
GROUPING = _words("by group_left group_right ignoring on without")

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGE = re.compile(r"\[[^\[\]]*\]")
_MODIFIER = re.compile(r"\b(?:offset\s+-?(?:\d+[a-z]+)+|@\s*(?:[\d.]+|start\(\)|end\(\)))")
_VARIABLE = re.compile(r"\$\{?\w+(?::\w+)?\}?")
_GROUPING_LIST = re.compile(rf"\b(?:{'|'.join(GROUPING)})\s*\([^()]*\)")
_NUMBER = re.compile(r"(?<![\w:])(?:0x[0-9a-fA-F]+|\d+(?:\.\d*)?(?:e[+-]?\d+)?|inf|nan)\b", re.I)
_NAME = re.compile(r"[A-Za-z_:][\w:]*")
_LABEL_VALUES = re.compile(r"^\s*label_values\(\s*(?P<metric>[^,()]+?)\s*,\s*\w+\s*\)\s*$")


def metric_names(expr: str) -> set[str]:
    """Every metric name `expr` selects (a `{__name__=...}` selector is not supported)."""
    if "__name__" in expr:
        raise ValueError(f"selector by __name__ is not checked: {expr}")
    if (label_values := _LABEL_VALUES.match(expr)) is not None:
        expr = label_values["metric"]
    text = _STRING.sub(" ", expr)
    text = _MATCHERS.sub(" ", text)
    text = _RANGE.sub(" ", text)
    text = _VARIABLE.sub(" ", text)
    text = _MODIFIER.sub(" ", text)
    text = _GROUPING_LIST.sub(" ", text)
    text = _NUMBER.sub(" ", text)
    names: set[str] = set()
    for match in _NAME.finditer(text):
        name = match[0]
        if name in KEYWORDS or name in GROUPING:
            continue
        is_call = text[match.end() :].lstrip().startswith("(")
        if is_call and (name in FUNCTIONS or name in AGGREGATIONS):
            continue
        names.add(name)
    return names
