"""Mail endpoints over real HTTP: each mailbox state's answer, messages, move (a recorded write)."""

from __future__ import annotations

import httpx
import pytest

from graph_emulator import Emulator

NOT_ENABLED = (
    404,
    "MailboxNotEnabledForRESTAPI",
    "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
)
NOT_FOUND = (404, "ResourceNotFound", "Resource could not be discovered.")


def _answer(resp: httpx.Response) -> tuple[int, str, str]:
    err = resp.json().get("error", {}) if resp.status_code >= 400 else {}
    return resp.status_code, err.get("code", ""), err.get("message", "")


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("ann@alpha.example", (200, "", "")),
        ("shared@alpha.example", (200, "", "")),
        ("nolicence@alpha.example", NOT_ENABLED),
        ("foundation@alpha.example", NOT_ENABLED),
        ("hybrid@alpha.example", NOT_ENABLED),
        ("suspended@alpha.example", NOT_ENABLED),
        ("fresh@alpha.example", NOT_FOUND),
        ("fenced@alpha.example", (403, "ErrorAccessDenied", "Access to OData is disabled.")),
        ("0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9", NOT_ENABLED),  # soft-deleted user's id
        ("ghost@alpha.example", (404, "ErrorInvalidUser", "The requested user 'ghost@alpha.example' is invalid.")),
    ],
)
def test_mailbox_states(alpha: httpx.Client, user: str, expected: tuple[int, str, str]) -> None:
    assert _answer(alpha.get(f"/users/{user}/mailFolders/inbox")) == expected
    assert _answer(alpha.get(f"/users/{user}/messages")) == expected


def test_flapping_mailbox_alternates(alpha: httpx.Client) -> None:
    got = [_answer(alpha.get("/users/flappy@alpha.example/mailFolders/inbox"))[1] for _ in range(4)]
    assert got == ["ResourceNotFound", "MailboxNotEnabledForRESTAPI"] * 2


def test_inbox_folder_shape(alpha: httpx.Client) -> None:
    inbox = alpha.get("/users/ann%40alpha.example/mailFolders/inbox").json()
    assert inbox["displayName"] == "Inbox" and inbox["totalItemCount"] == 2 and inbox["unreadItemCount"] == 1
    assert {"id", "parentFolderId", "childFolderCount"} <= set(inbox)
    same = alpha.get(f"/users/ann@alpha.example/mailFolders/{inbox['id']}").json()
    assert same["id"] == inbox["id"]
    junk = alpha.get("/users/ann@alpha.example/mailFolders/JunkEmail").json()
    assert junk["displayName"] == "Junk Email" and junk["totalItemCount"] == 1
    assert _answer(alpha.get("/users/ann@alpha.example/mailFolders/attic"))[1] == "ErrorItemNotFound"


def test_messages_filter_select_and_get(alpha: httpx.Client) -> None:
    resp = alpha.get(
        "/users/ann@alpha.example/messages",
        params={"$filter": "internetMessageId eq '<ann-2@alpha.example>'", "$select": "id,subject"},
    )
    assert resp.json()["value"] == [{"id": "AAMk-ann-2", "subject": "Second"}]
    all_msgs = alpha.get("/users/ann@alpha.example/messages", params={"$top": "2"}).json()
    assert len(all_msgs["value"]) == 2 and "$skip=2" in all_msgs["@odata.nextLink"]
    rest = httpx.get(all_msgs["@odata.nextLink"], headers=alpha.headers).json()
    assert [m["id"] for m in rest["value"]] == ["AAMk-ann-3"]
    msg = alpha.get("/users/ann@alpha.example/messages/AAMk-ann-1").json()
    assert msg["internetMessageId"] == "<ann-1@alpha.example>" and msg["subject"] == "First"
    missing = alpha.get("/users/ann@alpha.example/messages/AAMk-nope")
    assert _answer(missing) == (404, "ErrorItemNotFound", "The specified object was not found in the store.")


def test_move_is_a_recorded_write(emu: Emulator, alpha: httpx.Client) -> None:
    emu.stats.reset()
    alpha.get("/users/ann@alpha.example/messages")
    assert emu.stats.writes == []
    resp = alpha.post("/users/ann@alpha.example/messages/AAMk-ann-1/move", json={"destinationId": "deleteditems"})
    assert resp.status_code == 201, resp.text
    moved = resp.json()
    assert moved["id"] != "AAMk-ann-1" and moved["internetMessageId"] == "<ann-1@alpha.example>"
    deleted = alpha.get("/users/ann@alpha.example/mailFolders/deleteditems").json()
    assert moved["parentFolderId"] == deleted["id"] and deleted["totalItemCount"] == 1
    assert _answer(alpha.get("/users/ann@alpha.example/messages/AAMk-ann-1"))[1] == "ErrorItemNotFound"
    assert emu.stats.writes == [("POST", "/users/ann@alpha.example/messages/AAMk-ann-1/move")]
    assert emu.stats.requests[("POST", "move")] == 1


def test_move_needs_mail_readwrite(beta: httpx.Client, emu: Emulator) -> None:
    resp = beta.post("/users/bert@betatest.onmicrosoft.com/messages/AAMk-bert-1/move", json={"destinationId": "inbox"})
    assert _answer(resp)[:2] == (403, "ErrorAccessDenied")
    assert emu.stats.writes == [("POST", "/users/bert@betatest.onmicrosoft.com/messages/AAMk-bert-1/move")]


def test_move_validates_its_body(alpha: httpx.Client) -> None:
    url = "/users/ann@alpha.example/messages/AAMk-ann-1/move"
    assert _answer(alpha.post(url, json={}))[:2] == (400, "ErrorInvalidParameter")
    assert _answer(alpha.post(url, json={"destinationId": "attic"}))[1] == "ErrorItemNotFound"


@pytest.mark.parametrize(
    ("user", "purpose"),
    [("ann@alpha.example", "user"), ("shared@alpha.example", "shared")],
)
def test_mailbox_settings_say_what_exchange_thinks_the_recipient_is(alpha: httpx.Client, user, purpose) -> None:
    resp = alpha.get(f"/users/{user}/mailboxSettings", params={"$select": "userPurpose"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["userPurpose"] == purpose
    assert set(body) == {"@odata.context", "userPurpose"}, "only what $select asked for"
    assert "timeZone" in alpha.get(f"/users/{user}/mailboxSettings").json()


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("nolicence@alpha.example", NOT_ENABLED),
        ("hybrid@alpha.example", NOT_ENABLED),
        ("fresh@alpha.example", NOT_FOUND),
        ("fenced@alpha.example", (403, "ErrorAccessDenied", "Access to OData is disabled.")),
        ("ghost@alpha.example", (404, "ErrorInvalidUser", "The requested user 'ghost@alpha.example' is invalid.")),
    ],
)
def test_mailbox_settings_answer_the_mail_endpoints_errors(alpha: httpx.Client, user, expected) -> None:
    assert _answer(alpha.get(f"/users/{user}/mailboxSettings")) == expected


def test_mailbox_settings_need_mailbox_settings_read(beta: httpx.Client) -> None:
    user = "bert@betatest.onmicrosoft.com"
    got = _answer(beta.get(f"/users/{user}/mailboxSettings"))
    assert got == (403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")


def test_custom_folders_are_listed_and_found_by_id(tmp_path) -> None:
    from graph_emulator.tenant import load_tenant

    path = tmp_path / "t.yaml"
    path.write_text(
        "tenant: {name: t, id: 33333333-3333-4333-8333-333333333333, domains: [{name: t.example}]}\n"
        "auditor: {appId: 44444444-4444-4444-8444-444444444444, secret: s, roles: [Mail.ReadBasic.All]}\n"
        "skus: [{partNumber: ENTERPRISEPACK, prepaid: 1}]\n"
        "users:\n  - upn: a@t.example\n    licenses: [ENTERPRISEPACK]\n    messages:\n"
        "      - {id: m1, internetMessageId: '<m1@x>', folder: 'custom:Projects'}\n",
        encoding="utf-8",
    )
    assert load_tenant(path).messages  # custom:<name> is a valid folder
    from graph_emulator import Emulator

    from .conftest import graph_client

    with Emulator([path], seed=0) as emu, graph_client(emu, "t") as client:
        message = client.get("/users/a@t.example/messages", params={"$filter": "internetMessageId eq '<m1@x>'"})
        fid = message.json()["value"][0]["parentFolderId"]
        assert client.get(f"/users/a@t.example/mailFolders/{fid}").json()["displayName"] == "Projects"
        names = [f["displayName"] for f in client.get("/users/a@t.example/mailFolders").json()["value"]]
        assert "Projects" in names and "Inbox" in names
