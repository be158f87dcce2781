"""The real msgraph-sdk GraphServiceClient and azure-identity credentials against the emulator."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from azure.identity import ClientSecretCredential, EnvironmentCredential
from kiota_abstractions.authentication import AnonymousAuthenticationProvider
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.users.item.messages.item.move.move_post_request_body import MovePostRequestBody
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph_core import GraphClientFactory
from msgraph_core.tasks.page_iterator import PageIterator

from graph_emulator import Emulator, Faults
from graph_emulator.fixtures import emulator_env

from .conftest import ALPHA, BETA
from .test_tenant_file import big_tenant

SCOPES = ["https://graph.microsoft.com/.default"]
ERRORS = {"XXX": ODataError}


@asynccontextmanager
async def sdk(emu: Emulator, tenant: str | None) -> AsyncIterator[GraphServiceClient]:
    """A GraphServiceClient signed in as the tenant's auditor (anonymous with None); closed after."""
    if tenant is None:
        auth, cred = AnonymousAuthenticationProvider(), None
    else:
        c = emu.credentials(tenant)
        cred = ClientSecretCredential(
            c.tenant_id,
            c.app_id,
            c.secret,
            authority=emu.authority_url,
            disable_instance_discovery=True,
            connection_verify=emu.ca_path,
        )
        auth = AzureIdentityAuthenticationProvider(cred, scopes=SCOPES)
    http = GraphClientFactory.create_with_default_middleware(client=httpx.AsyncClient())
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = emu.graph_url
    try:
        yield GraphServiceClient(request_adapter=adapter)
    finally:
        await http.aclose()
        if cred is not None:
            cred.close()


def _select(*fields: str, top: int | None = None) -> RequestConfiguration:
    params = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(select=list(fields), top=top)
    return RequestConfiguration(query_parameters=params)


async def _odata_error(coro) -> ODataError:
    with pytest.raises(ODataError) as info:
        await coro
    return info.value


def test_paging_with_page_iterator_and_select(graph_emulator: Callable[..., Emulator], tmp_path: Path) -> None:
    emu = graph_emulator(big_tenant(tmp_path / "big.json", 230))

    async def run() -> list:
        async with sdk(emu, "t") as client:
            first = await client.users.get(_select("id", "userPrincipalName", "onPremisesSyncEnabled", top=100))
            assert first.odata_next_link.startswith(emu.graph_url + "/users?")
            seen = []
            iterator = PageIterator(first, client.request_adapter, error_mapping=ERRORS)
            await iterator.iterate(lambda user: seen.append(user) or True)
            return seen

    users = asyncio.run(run())
    assert len(users) == len({u.id for u in users}) == 230
    assert users[0].user_principal_name == "user000000@t.example" and users[0].display_name is None
    assert emu.stats.requests[("GET", "users")] == 3 and emu.stats.writes == []


MAIL_CASES = [
    ("nolicence@alpha.example", 404, "MailboxNotEnabledForRESTAPI"),
    ("hybrid@alpha.example", 404, "MailboxNotEnabledForRESTAPI"),
    ("fresh@alpha.example", 404, "ResourceNotFound"),
    ("ghost@alpha.example", 404, "ErrorInvalidUser"),
    ("fenced@alpha.example", 403, "ErrorAccessDenied"),
]


def test_documented_errors_surface_as_odata_errors(emu: Emulator) -> None:
    async def run() -> None:
        async with sdk(emu, "alpha") as client:
            for upn, status, code in MAIL_CASES:
                err = await _odata_error(client.users.by_user_id(upn).mail_folders.by_mail_folder_id("inbox").get())
                assert (err.response_status_code, err.error.code) == (status, code), upn
            err = await _odata_error(client.users.by_user_id("ann@alpha.example").messages.by_message_id("x").get())
            assert (err.response_status_code, err.error.code) == (404, "ErrorItemNotFound")
            err = await _odata_error(client.users.by_user_id("nobody@alpha.example").get())
            assert (err.response_status_code, err.error.code) == (404, "Request_ResourceNotFound")
            assert err.error.inner_error is not None
            err = await _odata_error(client.users.get(_select("id", top=1000)))
            assert (err.response_status_code, err.error.code) == (400, "Request_UnsupportedQuery")
            inbox = await client.users.by_user_id("ann@alpha.example").mail_folders.by_mail_folder_id("inbox").get()
            assert inbox.display_name == "Inbox" and inbox.total_item_count == 2

    asyncio.run(run())
    assert emu.stats.writes == []


def test_401_without_a_token_and_403_without_roles(emu: Emulator) -> None:
    async def run() -> None:
        async with sdk(emu, None) as anonymous:
            err = await _odata_error(anonymous.users.get())
            assert (err.response_status_code, err.error.code) == (401, "InvalidAuthenticationToken")
        async with sdk(emu, "beta") as client:
            err = await _odata_error(client.users.get())
            assert (err.response_status_code, err.error.code) == (403, "Authorization_RequestDenied")
            err = await _odata_error(client.users.by_user_id("bert@betatest.onmicrosoft.com").mailbox_settings.get())
            assert (err.response_status_code, err.error.code) == (403, "ErrorAccessDenied")

    asyncio.run(run())


def test_batch_with_mixed_results_through_the_request_adapter(emu: Emulator) -> None:
    items = [
        {"id": str(i), "method": "GET", "url": f"/users/{upn}/mailFolders/inbox"}
        for i, upn in enumerate(["ann@alpha.example", "nolicence@alpha.example", "ghost@alpha.example"])
    ]

    async def run() -> dict:
        async with sdk(emu, "alpha") as client:
            info = RequestInformation()
            info.http_method = Method.POST
            info.url = f"{emu.graph_url}/$batch"
            info.headers.try_add("Content-Type", "application/json")
            info.content = json.dumps({"requests": items}).encode()
            raw = await client.request_adapter.send_primitive_async(info, "bytes", ERRORS)
            return json.loads(raw)

    answers = {r["id"]: (r["status"], r["body"].get("error", {}).get("code")) for r in asyncio.run(run())["responses"]}
    assert answers == {
        "0": (200, None),
        "1": (404, "MailboxNotEnabledForRESTAPI"),
        "2": (404, "ErrorInvalidUser"),
    }


def test_retry_middleware_honours_throttling(emu: Emulator) -> None:
    emu.faults = Faults(throttle={"users": 1.0}, max_faults=1, retry_after_seconds=1)

    async def once() -> int:
        async with sdk(emu, "alpha") as client:
            return len((await client.users.get(_select("id"))).value)

    assert asyncio.run(once()) == 13
    assert emu.stats.requests[("GET", "users")] == 2  # throttled, then retried after Retry-After

    emu.faults = Faults(throttle={"organization": 1.0}, retry_after_seconds=1)
    emu.stats.reset()

    async def forever() -> ODataError:
        async with sdk(emu, "alpha") as client:
            return await _odata_error(client.organization.get())

    err = asyncio.run(forever())
    assert (err.response_status_code, err.error.code) == (429, "TooManyRequests")
    assert emu.stats.requests[("GET", "organization")] == 4  # the first try and kiota's 3 retries


def test_a_move_is_a_recorded_write(emu: Emulator) -> None:
    async def run() -> str:
        async with sdk(emu, "alpha") as client:
            await client.users.by_user_id("ann@alpha.example").messages.get()
            assert emu.stats.writes == []
            body = MovePostRequestBody(destination_id="deleteditems")
            moved = (
                await client.users.by_user_id("ann@alpha.example").messages.by_message_id("AAMk-ann-2").move.post(body)
            )
            return moved.id

    new_id = asyncio.run(run())
    assert new_id and new_id != "AAMk-ann-2"
    assert emu.stats.writes == [("POST", "/users/ann@alpha.example/messages/AAMk-ann-2/move")]


def test_the_token_chooses_the_tenant(graph_emulator: Callable[..., Emulator]) -> None:
    emu = graph_emulator(ALPHA, BETA)

    async def probe(tenant: str, upn: str) -> int:
        async with sdk(emu, tenant) as client:
            try:
                await client.users.by_user_id(upn).mail_folders.by_mail_folder_id("inbox").get()
            except ODataError as err:
                return err.response_status_code
            return 200

    assert asyncio.run(probe("beta", "bert@betatest.onmicrosoft.com")) == 200
    assert asyncio.run(probe("alpha", "bert@betatest.onmicrosoft.com")) == 404  # not in alpha's directory
    assert asyncio.run(probe("beta", "ann@alpha.example")) == 404
    assert emu.stats.requests[("POST", "token")] == 3


def test_emulator_env_drives_environment_credential(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in emulator_env(emu, "alpha").items():
        monkeypatch.setenv(name, value)
    credential = EnvironmentCredential(disable_instance_discovery=True)
    token = credential.get_token(*SCOPES).token
    resp = httpx.get(f"{emu.graph_url}/organization", headers={"Authorization": f"Bearer {token}"})
    assert resp.json()["value"][0]["displayName"] == "Alpha Test"
