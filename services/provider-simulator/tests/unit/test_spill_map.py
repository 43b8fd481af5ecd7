"""Provider objects beyond the live set wait in the history file and come back unchanged."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from provider_simulator.storage.database import HistoryDb
from provider_simulator.storage.spill_map import SpillMap


@dataclass
class Thing:
    id: str
    colour: str
    notes: list[str] = field(default_factory=list)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[HistoryDb]:
    history = HistoryDb(tmp_path)
    yield history
    history.close()


def things(db: HistoryDb, hot: int = 3) -> SpillMap[Thing]:
    return SpillMap[Thing](db, "things", hot=hot, tags=lambda t: (t.colour,))


def fill(objects: SpillMap[Thing], count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        objects[f"t{n}"] = Thing(f"t{n}", "red" if n % 2 else "blue")


def test_at_most_hot_objects_stay_live_and_the_rest_come_back_with_their_changes(db):
    objects = things(db)
    fill(objects, 2)
    objects["t0"].notes.append("changed while live")

    fill(objects, 48, start=2)

    assert objects.live <= 3
    assert len(objects) == 50
    assert objects["t0"].notes == ["changed while live"]
    assert objects["t49"] == Thing("t49", "red")
    assert "t7" in objects
    assert "t50" not in objects
    assert objects.get("nope") is None


def test_an_object_comes_back_once_and_stays_itself_while_live(db):
    objects = things(db)
    fill(objects, 20)

    first = objects["t1"]
    first.notes.append("seen")

    assert objects["t1"] is first
    fill(objects, 20, start=20)
    assert objects["t1"].notes == ["seen"]


def test_storing_an_object_again_replaces_it_wherever_it_was(db):
    objects = things(db)
    fill(objects, 20)

    objects["t0"] = Thing("t0", "green")
    fill(objects, 20, start=20)

    assert objects["t0"] == Thing("t0", "green")
    assert list(objects)[:2] == ["t0", "t1"]


def test_find_by_tag_sees_live_and_spilled_objects_and_tags_stored_again(db):
    objects = things(db)
    fill(objects, 10)
    objects["t9"] = Thing("t9", "green")
    objects["t0"] = Thing("t0", "green")

    blue = [t.id for t in objects.find(("blue",))]
    green = [t.id for t in objects.find(("green",), newest_first=True)]
    either = [t.id for t in objects.find(("green", "blue"), every=False)]
    fill(objects, 10, start=10)

    assert blue == ["t2", "t4", "t6", "t8"]
    assert green == ["t9", "t0"]
    assert either == ["t0", "t2", "t4", "t6", "t8", "t9"]
    assert [t.id for t in objects.find(("green",))] == ["t0", "t9"]
    assert objects.find(("red", "blue")) == []
    assert objects.find(()) == []


def test_scan_and_page_go_through_everything_in_order(db):
    objects = things(db)
    fill(objects, 12)

    newest, more = objects.page(5)
    older, rest = objects.page(5, before=newest[-1][0])
    oldest, done = objects.page(5, before=older[-1][0])

    assert [t.id for t in objects.scan()] == [f"t{n}" for n in range(12)]
    assert [t.id for t in objects.scan(newest_first=True)][:2] == ["t11", "t10"]
    assert [k for k, _ in newest + older + oldest] == [f"t{n}" for n in range(11, -1, -1)]
    assert (more, rest, done) == (True, True, False)
    assert objects.page(5, before="nope") == ([], False)


def test_peek_reads_without_making_live(db):
    objects = things(db)
    fill(objects, 10)
    live_before = {key for key in ("t7", "t8", "t9") if objects.peek(key)}

    assert objects.peek("t0") == Thing("t0", "blue")
    assert objects.peek("nope") is None
    assert live_before == {"t7", "t8", "t9"}
    assert objects.live == 3


def test_delete_and_clear(db):
    objects = things(db)
    fill(objects, 10)

    del objects["t0"]
    del objects["t9"]

    assert len(objects) == 8
    assert [t.id for t in objects.find(("blue",))] == ["t2", "t4", "t6", "t8"]
    with pytest.raises(KeyError):
        del objects["t0"]
    objects.clear()
    assert (len(objects), objects.live, objects.find(("red",))) == (0, 0, [])


def test_the_history_file_lives_in_the_data_dir_and_goes_away_on_close(tmp_path):
    history = HistoryDb(tmp_path)
    assert history.path.parent == tmp_path
    assert history.path.exists()

    history.close()

    assert list(tmp_path.iterdir()) == []
