"""A 200 `$batch` answer read strictly: shapes the emulator does not send (items not objects, statuses
not numbers) and the ones it does, item by item."""

from __future__ import annotations

from etd_readiness.collect.batching import read_batch_answer

OK = {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"id": "inbox"}}


def test_every_asked_item_answered_once() -> None:
    got = read_batch_answer(["a", "b"], {"responses": [{"id": "b", **OK}, {"id": "a", **OK, "status": 404}]})
    assert got.failed == {} and got.notes == []
    assert got.items["a"]["status"] == 404 and got.items["b"]["headers"] == {"content-type": "application/json"}


def test_missing_items_are_failures_not_absence() -> None:
    got = read_batch_answer(["a", "b"], {"responses": [{"id": "a", **OK}]})
    assert set(got.items) == {"a"} and got.failed == {"b": "item b is missing from the $batch answer"}


def test_duplicates_count_only_when_identical() -> None:
    same = read_batch_answer(["a"], {"responses": [{"id": "a", **OK}, {"id": "a", **OK}]})
    assert same.items["a"]["status"] == 200 and "2 times, identically" in same.notes[0]
    differ = read_batch_answer(["a"], {"responses": [{"id": "a", **OK}, {"id": "a", **OK, "status": 404}]})
    assert differ.items == {} and differ.failed == {"a": "item a came back 2 times with different answers"}


def test_foreign_ids_and_non_objects_are_ignored_with_a_note() -> None:
    got = read_batch_answer(["a"], {"responses": ["junk", {"id": "zz", **OK}, {"id": "a", **OK}, None]})
    assert set(got.items) == {"a"} and got.failed == {}
    assert any("2 item(s) that are not objects" in n for n in got.notes)
    assert any("ids not asked (zz)" in n for n in got.notes)


def test_a_status_that_is_not_a_number_fails_that_item() -> None:
    got = read_batch_answer(
        ["a", "b", "c"],
        {"responses": [{"id": "a", "status": "oops"}, {"id": "b", "status": "200", "body": {}}, {"id": "c"}]},
    )
    assert got.failed["a"] == 'item a of the $batch answer is malformed: its status is "oops", not a number'
    assert got.items["b"]["status"] == 200
    assert "its status is null" in got.failed["c"]
