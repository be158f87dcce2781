"""One live fetch in a fresh interpreter, timed from inside; prints one JSON line.

    python -m bench.live suite --graph URL --authority URL --tenant-id ID [--profile out.html]
                               [--concurrency N [--fixed]]
    python -m bench.live sdk   --graph URL --authority URL --tenant-id ID --sample 300

`suite`: the suite's own collection (`etd_readiness.session.collect_live`), as `pytest tenant_checks`
runs it. `sdk`: what an admin would write instead -- msgraph-sdk's GraphServiceClient, typed models,
users listed with PageIterator, then one `GET /users/{id}/mailFolders/inbox` per user, sequentially,
for the first `--sample` users (the bench extrapolates linearly). REQUESTS_CA_BUNDLE must name the
emulator's CA; the auditor's secret comes from $BENCH_AUDITOR_SECRET.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time

AUDITOR_APP_ID = "2b998cf7-3ffa-4e58-9dd3-b3d23f2e584b"
SECRET_ENV = "BENCH_AUDITOR_SECRET"


def run_suite(args: argparse.Namespace) -> dict:
    from etd_readiness.session import collect_live
    from etd_readiness.settings import Settings, TenantConfig

    settings = Settings(
        tenants=(
            TenantConfig(
                name=args.name,
                tenant_id=args.tenant_id,
                client_id=AUDITOR_APP_ID,
                credential="secret",
                secret_env=SECRET_ENV,
            ),
        ),
        graph_url=args.graph,
        authority=args.authority,
        source="bench",
        max_concurrency=args.concurrency,
    )
    if args.fixed:  # the comparison: a fixed number in flight, as the reader held before it adapted
        import functools

        from etd_readiness.collect import run

        run.GraphReader = functools.partial(run.GraphReader, adaptive=False, start_concurrency=args.concurrency)
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="disabled")
        profiler.start()
    start = time.perf_counter()
    snapshot = collect_live(settings)
    wall = time.perf_counter() - start
    if profiler is not None:
        profiler.stop()
        with open(args.profile, "w", encoding="utf-8") as fh:
            fh.write(profiler.output_html())
        with open(args.profile.rsplit(".", 1)[0] + ".txt", "w", encoding="utf-8") as fh:
            fh.write(profiler.output_text(unicode=False, color=False, show_all=False))
    tenant = snapshot.tenants[0]
    failed = {k: s.error for k, s in tenant.sections.items() if not s.ok}
    users = tenant.sections["users"].data or []
    probes = tenant.sections["mailboxes"].data or {}
    deleted = tenant.sections["deletedUsers"].data or []
    return {
        "wall_s": wall,
        "users": len(users),
        "probed": len(probes),
        "deleted": len(deleted),
        "suite_requests": snapshot.context.get("requests"),
        "retries": snapshot.context.get("retries"),
        "failed_sections": failed,
        "not_answered": sum(1 for p in probes.values() if "error" in p),
    }


async def _sdk(args: argparse.Namespace) -> dict:
    from azure.identity.aio import ClientSecretCredential
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from msgraph import GraphServiceClient
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError
    from msgraph.generated.users.users_request_builder import UsersRequestBuilder
    from msgraph_core.tasks.page_iterator import PageIterator

    start = time.perf_counter()
    credential = ClientSecretCredential(
        args.tenant_id,
        AUDITOR_APP_ID,
        os.environ[SECRET_ENV],
        authority=args.authority,
        disable_instance_discovery=True,
        connection_verify=os.environ.get("REQUESTS_CA_BUNDLE"),
    )
    client = GraphServiceClient(credentials=credential, scopes=["https://graph.microsoft.com/.default"])
    client.request_adapter.base_url = args.graph.rstrip("/")
    query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(select=["id", "userPrincipalName"], top=999)
    first = await client.users.get(request_configuration=RequestConfiguration(query_parameters=query))
    users: list = []

    limit = args.pages * 999 if args.pages else None

    def keep(user) -> bool:
        users.append(user)
        return limit is None or len(users) < limit  # PageIterator stops on a falsy return (GRAPH_FACTS §7)

    iterator = PageIterator(first, client.request_adapter, error_mapping={"XXX": ODataError})
    await iterator.iterate(keep)
    listed = time.perf_counter()
    statuses: dict[str, int] = {}
    sample = users[: args.sample]
    for user in sample:
        try:
            await client.users.by_user_id(user.id).mail_folders.by_mail_folder_id("inbox").get()
            key = "200"
        except ODataError as err:
            key = str(err.response_status_code)
        statuses[key] = statuses.get(key, 0) + 1
    probed = time.perf_counter()
    await credential.close()
    return {
        "list_s": listed - start,
        "users": len(users),
        "pages": max(1, -(-len(users) // 999)),
        "sample": len(sample),
        "probe_s": probed - listed,
        "per_probe_s": (probed - listed) / max(1, len(sample)),
        "statuses": statuses,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.live")
    p.add_argument("mode", choices=("suite", "sdk"))
    p.add_argument("--graph", required=True)
    p.add_argument("--authority", required=True)
    p.add_argument("--tenant-id", required=True)
    p.add_argument("--name", default="bench")
    p.add_argument("--sample", type=int, default=300)
    p.add_argument("--pages", type=int, default=0, help="sdk: list at most this many pages of 999 (0: all)")
    p.add_argument("--profile", help="pyinstrument HTML output (suite mode)")
    p.add_argument("--concurrency", type=int, default=32, help="suite: graph.max_concurrency (default 32)")
    p.add_argument("--fixed", action="store_true", help="suite: hold --concurrency in flight, never adapt")
    args = p.parse_args(argv)
    out = run_suite(args) if args.mode == "suite" else asyncio.run(_sdk(args))
    print("BENCH-JSON " + json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
