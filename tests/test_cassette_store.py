"""The cassette writer: whole files only, deterministic order, volatile diagnostics constant."""

from __future__ import annotations

import json
import os

import pytest
from vcr.request import Request
from vcr.serializers import yamlserializer

from etd_readiness.cassette_store import AtomicPersister, steady


def _dict(*requests: Request) -> dict:
    responses = [{"status": {"code": 200 + i, "message": "OK"}, "headers": {}, "body": {"string": ""}} for i in
                 range(len(requests))]  # fmt: skip
    return {"requests": list(requests), "responses": responses, "metadata": {"etd_readiness": {"tenant": "t"}}}


def test_sorted_by_method_url_body_and_repeats_keep_their_order(tmp_path):
    path = tmp_path / "t.yaml"
    b = Request("GET", "https://graph.microsoft.com/v1.0/users", b"", {})
    a = Request("GET", "https://graph.microsoft.com/v1.0/organization", b"", {})
    again = Request("GET", "https://graph.microsoft.com/v1.0/users", b"", {})
    AtomicPersister().save_cassette(str(path), _dict(b, a, again), yamlserializer)
    requests, responses, meta = AtomicPersister().load_cassette(str(path), yamlserializer)
    assert [r.uri.rsplit("/", 1)[1] for r in requests] == ["organization", "users", "users"]
    assert [r["status"]["code"] for r in responses] == [201, 200, 202], "the first users answer stays first"
    assert meta == {"etd_readiness": {"tenant": "t"}}


def test_a_failed_write_leaves_the_old_cassette_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "t.yaml"
    path.write_text("the previous recording", encoding="utf-8")

    def broken(*_):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(KeyboardInterrupt):
        AtomicPersister().save_cassette(str(path), _dict(Request("GET", "https://x/y", b"", {})), yamlserializer)
    assert path.read_text(encoding="utf-8") == "the previous recording"
    assert [p.name for p in tmp_path.iterdir()] == ["t.yaml"]


def test_fresh_ignores_what_is_on_disk(tmp_path):
    from vcr.persisters.filesystem import CassetteNotFoundError

    path = tmp_path / "t.yaml"
    AtomicPersister().save_cassette(str(path), _dict(Request("GET", "https://x/y", b"", {})), yamlserializer)
    with pytest.raises(CassetteNotFoundError):
        AtomicPersister(fresh=True).load_cassette(str(path), yamlserializer)


def test_steady_batch_order_and_inner_error_ids():
    body = json.dumps(
        {
            "responses": [
                {"id": "b", "status": 404, "body": {"error": {"code": "X", "innerError": {
                    "date": "2026-12-04T02:20:52", "request-id": "77ecf1cc-c02f-4816-b222-79b2fe452733",
                    "client-request-id": "77ecf1cc-c02f-4816-b222-79b2fe452733"}}}},
                {"id": "a", "status": 200, "body": {"id": "inbox"}},
            ]
        },
        separators=(",", ":"),
    ).encode()  # fmt: skip
    doc = json.loads(steady(body))
    assert [item["id"] for item in doc["responses"]] == ["a", "b"]
    inner = doc["responses"][1]["body"]["error"]["innerError"]
    assert inner == {
        "date": "2000-01-01T00:00:00",
        "request-id": "00000000-0000-0000-0000-000000000000",
        "client-request-id": "00000000-0000-0000-0000-000000000000",
    }
    assert steady(b'{"value":[{"id":"x"}]}') == b'{"value":[{"id":"x"}]}', "other bodies untouched"
