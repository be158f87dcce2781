"""The Graph emulator in its own process, so its CPU work does not share the client's GIL.

Real Graph runs elsewhere; an in-process emulator would steal the interpreter lock from the code
being measured. The child (`python -m bench.emuproc`) answers JSON-line commands on stdin:
its request counters, a counter reset, new faults, stop.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def _child() -> int:
    from graph_emulator import Emulator, Faults

    spec = json.loads(sys.stdin.readline())
    emu = Emulator(tenant_files=spec["tenant_files"], faults=Faults(**spec["faults"]), seed=spec["seed"])
    emu.start()

    def say(obj: Any) -> None:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    say({"graph_url": emu.graph_url, "authority_url": emu.authority_url, "ca_path": emu.ca_path})
    try:
        for line in sys.stdin:
            cmd = json.loads(line)
            if cmd["cmd"] == "stats":
                say(
                    {
                        "requests": {f"{m} {f}": n for (m, f), n in emu.stats.requests.items()},
                        "batch_items": sum(emu.stats.batch_items.values()),
                        "writes": len(emu.stats.writes),
                    }
                )
            elif cmd["cmd"] == "reset":
                emu.stats.reset()
                say(True)
            elif cmd["cmd"] == "faults":
                emu.faults = Faults(**cmd["faults"])
                say(True)
            elif cmd["cmd"] == "stop":
                break
    finally:
        emu.stop()
    return 0


@dataclass
class EmulatorStats:
    requests: dict[str, int]
    batch_items: int
    writes: int

    @property
    def graph_requests(self) -> int:
        """Top-level Graph requests (sign-in traffic to the authority is not counted)."""
        return sum(n for key, n in self.requests.items() if key.split()[1] not in ("token", "authority"))

    def by_family(self) -> dict[str, int]:
        return dict(sorted(self.requests.items()))


class EmulatorProcess:
    """`with EmulatorProcess([tenant.json], latency_ms=50) as emu: emu.graph_url, emu.stats()`."""

    def __init__(self, tenant_files: Sequence[Path | str], seed: int = 0, **faults: Any) -> None:
        self.tenant_files = [str(p) for p in tenant_files]
        self.faults = faults
        self.seed = seed
        self._proc: subprocess.Popen | None = None
        self.graph_url = self.authority_url = self.ca_path = ""

    def start(self) -> EmulatorProcess:
        root = str(Path(__file__).resolve().parents[1])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "bench.emuproc"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=root,
        )
        info = self._ask({"tenant_files": self.tenant_files, "faults": self.faults, "seed": self.seed})
        if not isinstance(info, dict):
            raise RuntimeError("the emulator did not start")
        self.graph_url, self.authority_url, self.ca_path = info["graph_url"], info["authority_url"], info["ca_path"]
        return self

    def _ask(self, obj: Any) -> Any:
        assert self._proc is not None and self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps(obj) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the emulator process exited (code {self._proc.poll()})")
        return json.loads(line)

    def stats(self) -> EmulatorStats:
        return EmulatorStats(**self._ask({"cmd": "stats"}))

    def reset(self) -> None:
        self._ask({"cmd": "reset"})

    def set_faults(self, **faults: Any) -> None:
        self.faults = faults
        self._ask({"cmd": "faults", "faults": faults})

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            assert proc.stdin is not None
            proc.stdin.write(json.dumps({"cmd": "stop"}) + "\n")
            proc.stdin.close()
        except (OSError, ValueError):
            pass
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait(5)

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    sys.exit(_child())


def live_settings(emu: EmulatorProcess, doc: dict[str, Any], **extra: Any) -> Any:
    """Settings for a live collection of a generated tenant served by `emu` (the auditor's secret set in env)."""
    from etd_readiness.settings import Settings, TenantConfig

    os.environ["REQUESTS_CA_BUNDLE"] = emu.ca_path
    os.environ["BENCH_AUDITOR_SECRET"] = doc["auditor"]["secret"]
    tenant = TenantConfig(
        name=doc["tenant"]["name"],
        tenant_id=doc["tenant"]["id"],
        client_id=doc["auditor"]["appId"],
        credential="secret",
        secret_env="BENCH_AUDITOR_SECRET",
    )
    return Settings(tenants=(tenant,), graph_url=emu.graph_url, authority=emu.authority_url, source="bench", **extra)
