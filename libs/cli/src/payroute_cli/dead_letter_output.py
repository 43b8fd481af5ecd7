"""What `payroute dlq` prints: JSON-ready results, and their rendering as text tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from payroute_common.dead_letter_records import Letter
from payroute_common.dead_letter_replay import DeadLetterQueue, replay_group

ERROR_CHARS = 80


def queue_summary(queue: DeadLetterQueue) -> dict[str, Any]:
    return {
        "group": queue.group,
        "topic": queue.topic,
        "count": len(queue.letters),
        "pending": len(queue.pending()),
    }


def queue_letters(queue: DeadLetterQueue, *, limit: int) -> dict[str, Any]:
    """The queue's summary and its newest `limit` letters, oldest first."""
    shown = queue.letters[-limit:]
    return {
        **queue_summary(queue),
        "replay_group": replay_group(queue.group),
        "marks": _marks(queue.marks),
        "letters": [letter_json(letter, replayed=queue.is_replayed(letter)) for letter in shown],
    }


def letter_json(letter: Letter, *, replayed: bool) -> dict[str, Any]:
    return {
        "partition": letter.partition,
        "offset": letter.offset,
        "dead_lettered_at": letter.dead_lettered_at.isoformat(),
        "original_topic": letter.original_topic,
        "original_partition": letter.original_partition,
        "original_offset": letter.original_offset,
        "key": letter.key,
        "event_id": letter.event_id,
        "event_type": letter.event_type,
        "error": letter.error,
        "replayed": replayed,
    }


def replay_report(
    queue: DeadLetterQueue, chosen: Sequence[Letter], marks: Mapping[int, int], *, dry_run: bool
) -> dict[str, Any]:
    return {
        "group": queue.group,
        "topic": queue.topic,
        "dry_run": dry_run,
        "replayed": [
            {
                "partition": letter.partition,
                "offset": letter.offset,
                "to_topic": letter.original_topic,
                "key": letter.key,
                "event_id": letter.event_id,
                "event_type": letter.event_type,
                "again": queue.is_replayed(letter),
            }
            for letter in chosen
        ],
        "replay_group": replay_group(queue.group),
        "marks": _marks(marks),
    }


def render_list(result: Mapping[str, Any]) -> str:
    if "topics" in result:
        return _render_topics(result["topics"])
    return _render_letters(result)


def _render_topics(topics: Sequence[Mapping[str, Any]]) -> str:
    if not topics:
        return "no dead-letter topics"
    rows = [[t["group"], t["topic"], str(t["count"]), str(t["pending"])] for t in topics]
    return _table(["GROUP", "TOPIC", "LETTERS", "PENDING"], rows)


def _render_letters(result: Mapping[str, Any]) -> str:
    letters = result["letters"]
    head = f"{result['topic']}: {_letters(result['count'])}, {result['pending']} not replayed"
    if len(letters) < result["count"]:
        head += f" (the newest {len(letters)} shown)"
    if not letters:
        return head
    rows = [
        [
            f"{item['partition']}:{item['offset']}",
            item["dead_lettered_at"][:19].replace("T", " "),
            _origin(item),
            " ".join(filter(None, [item["event_type"], item["event_id"]])) or "-",
            "replayed" if item["replayed"] else "pending",
            _one_line(item["error"]),
        ]
        for item in letters
    ]
    columns = ["AT", "DEAD-LETTERED (UTC)", "FROM", "EVENT", "STATE", "ERROR"]
    return f"{head}\n{_table(columns, rows)}"


def render_replay(result: Mapping[str, Any]) -> str:
    replayed = result["replayed"]
    if not replayed:
        return f"nothing to replay in {result['topic']}"
    verb = "would replay" if result["dry_run"] else "replayed"
    lines = [f"{verb} {_letters(len(replayed))} from {result['topic']}:"]
    for item in replayed:
        event = " ".join(filter(None, [item["event_type"], item["event_id"]]))
        again = " (again)" if item["again"] else ""
        key = f" key={item['key']}" if item["key"] is not None else ""
        line = f"  {item['partition']}:{item['offset']} -> {item['to_topic']}{key} {event}"
        lines.append(line.rstrip() + again)
    marks = ", ".join(f"{p}:{o}" for p, o in result["marks"].items())
    if not marks:
        lines.append(f"replay mark ({result['replay_group']}) unchanged")
    elif result["dry_run"]:
        lines.append(f"would mark replayed up to {marks} ({result['replay_group']})")
    else:
        lines.append(f"marked replayed up to {marks} ({result['replay_group']})")
    if result["dry_run"]:
        lines.append("dry run: nothing sent")
    return "\n".join(lines)


def _letters(count: int) -> str:
    return f"{count} letter" if count == 1 else f"{count} letters"


def _origin(item: Mapping[str, Any]) -> str:
    if item["original_topic"] is None:
        return "-"
    return f"{item['original_topic']}/{item['original_partition']}@{item['original_offset']}"


def _one_line(text: str) -> str:
    line = text.splitlines()[0] if text else "-"
    return line if len(line) <= ERROR_CHARS else line[: ERROR_CHARS - 1] + "…"


def _marks(marks: Mapping[int, int]) -> dict[str, int]:
    return {str(partition): offset for partition, offset in sorted(marks.items())}


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(columns, *rows, strict=True)]
    lines = [columns, *rows]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )
