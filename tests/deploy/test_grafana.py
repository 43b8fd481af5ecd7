"""deploy/grafana: the five dashboards, provisioned JSON whose every query reads only
metrics the services export (or the rules record) and parses as PromQL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from .exported_metrics import EXPORTED
from .observability import dashboards, recorded_names
from .promql import metric_names
from .tools import run

REQUIRED = {
    "overview.json",
    "providers.json",
    "verification.json",
    "reconciliation.json",
    "revenue.json",
}
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
# Grafana's own variables, replaced by something PromQL accepts to parse the query.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


def panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for panel in board["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))  # panels inside a collapsed row
    return [p for p in found if p["type"] != "row"]


def queries(board: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, PromQL) for every panel target and every query variable."""
    found = [
        (f"{panel['title']} {target['refId']}", target["expr"])
        for panel in panels(board)
        for target in panel["targets"]
    ]
    for variable in board["templating"]["list"]:
        if variable["type"] == "query":
            query = variable["query"]
            found.append(
                (f"${variable['name']}", query["query"] if isinstance(query, dict) else query)
            )
    return found


def as_promql(expr: str, board: dict[str, Any]) -> str:
    for name, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(name, value)
    for variable in board["templating"]["list"]:
        expr = re.sub(rf"\$\{{?{variable['name']}\}}?(?!\w)", ".*", expr)
    return expr


ALL = dashboards()


def test_the_five_dashboards_are_there_with_unique_uids() -> None:
    assert set(ALL) >= REQUIRED
    uids = [board["uid"] for board in ALL.values()]
    assert len(uids) == len(set(uids))
    assert all(len(uid) <= 40 for uid in uids)


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_panel_queries_the_prometheus_datasource(name: str) -> None:
    board = ALL[name]
    variable = board["templating"]["list"][0]
    assert (variable["name"], variable["type"], variable["query"]) == (
        "datasource",
        "datasource",
        "prometheus",
    )
    ids = [panel["id"] for panel in panels(board)]
    assert len(ids) == len(set(ids))
    for panel in panels(board):
        assert panel["datasource"] == DATASOURCE, panel["title"]
        assert panel["targets"], panel["title"]
        assert panel.get("description"), panel["title"]


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_query_reads_only_exported_metrics(name: str) -> None:
    allowed = EXPORTED | recorded_names()
    for where, expr in queries(ALL[name]):
        names = metric_names(expr)
        assert names, f"{where}: no metric found in {expr}"
        assert names <= allowed, f"{where}: {sorted(names - allowed)} not exported"


def test_every_exported_metric_is_on_some_dashboard() -> None:
    used = {n for board in ALL.values() for _, expr in queries(board) for n in metric_names(expr)}
    # Histograms count as used through any of their series.
    used |= {re.sub(r"_(bucket|sum|count)$", "", n) for n in used}
    unused = {
        n for n in EXPORTED if n not in used and re.sub(r"_(bucket|sum|count)$", "", n) not in used
    }
    assert not unused, sorted(unused)


def test_every_query_parses_as_promql(tmp_path: Path) -> None:
    """promtool parses each query as a recording rule's expression."""
    rules = [
        {"record": f"dashboard:query_{i}", "expr": as_promql(expr, board)}
        for board in ALL.values()
        for i, (_, expr) in enumerate(queries(board))
        if not expr.startswith("label_values(")
    ]
    path = tmp_path / "dashboard_queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    run("promtool", "check", "rules", path)


@pytest.mark.parametrize("name", sorted(ALL))
def test_panel_titles_are_unique(name: str) -> None:
    titles = [panel["title"] for panel in panels(ALL[name])]
    assert len(titles) == len(set(titles))
