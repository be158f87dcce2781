"""A throw-away project checkout to run `pytest tenant_checks` in, and timed pytest subprocesses.

Each pytest run is a fresh subprocess (what a CI job does), timed from launch to exit, with the
peak resident memory of its whole process tree (xdist workers included) sampled with psutil and
the moment the first test result appears on its stdout.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
AUDITOR_APP_ID = "2b998cf7-3ffa-4e58-9dd3-b3d23f2e584b"
AUDITOR_SECRET = "demo-auditor-secret"  # the generated tenants' synthetic auditor secret
SECRET_ENV = "BENCH_AUDITOR_SECRET"
_SUMMARY = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed|warnings?)")
# first progress character after a test file's path: ". F E s x X" (default, non-verbose output)
_FIRST_RESULT = re.compile(rb"^\S+\.py [.FEsxX]", re.M)
_ENV_DROP = (
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "ETD_CONFIG",
    "AZURE_AUTHORITY_HOST",
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
)


def make_project(path: Path, tenants: list[tuple[str, str]]) -> Path:
    """tenant_checks/, the one-line conftest, cassettes/ and an etd.toml naming `tenants` (name, id)."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    shutil.copytree(ROOT / "tenant_checks", path / "tenant_checks", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "conftest.py", path / "conftest.py")
    (path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (path / "cassettes").mkdir()
    (path / "reports").mkdir()
    lines = []
    for name, tenant_id in tenants:
        lines += [
            "[[tenants]]",
            f'name = "{name}"',
            f'tenant_id = "{tenant_id}"',
            f'client_id = "{AUDITOR_APP_ID}"',
            'credential = "secret"',
            f'secret_env = "{SECRET_ENV}"',
        ]
    (path / "etd.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_bare_project(path: Path, items: int) -> Path:
    """A project with one test function parametrized over `items` trivial cases."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    (path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (path / "test_bare.py").write_text(
        f"import pytest\n\n\n@pytest.mark.parametrize('i', range({items}))\ndef test_trivial(i):\n    assert i >= 0\n",
        encoding="utf-8",
    )
    return path


def base_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP}
    env[SECRET_ENV] = AUDITOR_SECRET
    env.update(extra or {})
    return env


@dataclass
class PytestRun:
    args: list[str]
    code: int
    wall_s: float
    first_result_s: float | None
    peak_rss_mb: float
    counts: dict[str, int] = field(default_factory=dict)
    tail: str = ""
    cpu_s: float = 0.0
    timed_out: bool = False
    timeline: dict[str, float] = field(default_factory=dict)
    rss_trace: list[tuple[float, float]] = field(default_factory=list)  # (s since launch, MB), 1 per second
    progress: list[str] = field(default_factory=list)  # the suite's progress lines (stderr, off a terminal)

    def phases(self) -> dict[str, float]:
        """Seconds spent in each phase, from bench.timeline's marks (empty without them)."""
        t = self.timeline
        keys = ("configure", "sessionstart_end", "collection_end", "testloop_end", "unconfigure")
        if not all(k in t for k in keys):
            return {}
        return {
            "start-up": t["configure"],
            "session start": t["sessionstart_end"] - t["configure"],
            "collection": t["collection_end"] - t["sessionstart_end"],
            "test loop": t["testloop_end"] - t["collection_end"],
            "finish": t["unconfigure"] - t["testloop_end"],
            "exit": max(0.0, self.wall_s - t["unconfigure"]),
        }

    def peak_rss_by_phase(self) -> dict[str, float]:
        """Highest sampled RSS (MB) within each phase."""
        bounds, start, out = self.phases(), 0.0, {}
        for name, length in bounds.items():
            inside = [mb for t, mb in self.rss_trace if start <= t < start + length + 1]
            if inside:
                out[name] = max(inside)
            start += length
        return out

    @property
    def items(self) -> int:
        return sum(n for k, n in self.counts.items() if not k.startswith("warning"))


class TreeSampler:
    """Peak summed RSS of a process and all its descendants, sampled every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.trace: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        start = time.perf_counter()
        second = -1.0
        while not self._stop.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for proc in procs:
                with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            now = time.perf_counter() - start
            if now - second >= 1.0:
                second = now
                self.trace.append((round(now, 1), round(total / 2**20, 1)))
            elif self.trace and total / 2**20 > self.trace[-1][1]:
                self.trace[-1] = (self.trace[-1][0], round(total / 2**20, 1))  # keep each second's peak
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def run_pytest(
    cwd: Path,
    args: list[str],
    env: dict[str, str] | None = None,
    timeout: float = 3600,
    unbuffered: bool = False,
    timeline: bool = False,
) -> PytestRun:
    """`python -m pytest ARGS` in `cwd`: wall time, time to first result, peak tree RSS, outcome counts.

    `timeline`: load bench.timeline (which must be importable) to note when each phase ended.
    """
    env = dict(env or base_env())
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    marks = None
    if timeline:
        fd, marks = tempfile.mkstemp(prefix="timeline-", suffix=".json")
        os.close(fd)
        env["BENCH_TIMELINE"] = marks
        args = ["-p", "bench.timeline", *args]
    cmd = [sys.executable, "-m", "pytest", *args]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = bytearray()
    first: float | None = None
    timed_out = False
    killer = threading.Timer(timeout, _kill_tree, args=(proc.pid,))
    killer.daemon = True
    killer.start()
    with TreeSampler(proc.pid) as sampler:
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            out += chunk
            if first is None and _FIRST_RESULT.search(out):
                first = time.perf_counter() - start
        # wait4: the exit status and the CPU time of the child and every descendant it reaped
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = code = os.waitstatus_to_exitcode(status)
    killer.cancel()
    timed_out = time.perf_counter() - start >= timeout
    wall = time.perf_counter() - start
    text = out.decode("utf-8", "replace")
    last = [line for line in text.splitlines() if line.startswith("=") and " in " in line]
    counts: dict[str, int] = {}
    if last:
        for n, kind in _SUMMARY.findall(last[-1]):
            counts[kind.rstrip("s") if kind.startswith("error") else kind] = int(n)
    cpu = usage.ru_utime + usage.ru_stime
    marks_read: dict[str, float] = {}
    if marks:
        with contextlib.suppress(ValueError):
            marks_read = json.loads(Path(marks).read_text(encoding="utf-8") or "{}")
        Path(marks).unlink(missing_ok=True)
    progress = [line for line in text.splitlines() if line.startswith("etd-readiness: ")]
    return PytestRun(
        args,
        code,
        wall,
        first,
        sampler.peak / 2**20,
        counts,
        text[-3000:],
        cpu,
        timed_out,
        marks_read,
        sampler.trace,
        progress,
    )


def _kill_tree(pid: int) -> None:
    """Stop a run that exceeded its time: the pytest process and its xdist workers."""
    try:
        root = psutil.Process(pid)
        procs = [*root.children(recursive=True), root]
    except psutil.NoSuchProcess:
        return
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()


def chromium_opens(html: Path, timeout: float = 180) -> tuple[bool, str, float]:
    """Headless Chromium loads the report and its DOM holds the results table with rows; and the seconds."""
    exe = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(exe).exists():
        return False, "chromium not installed", 0.0
    cmd = [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--virtual-time-budget=20000",
        "--dump-dom",
        html.resolve().as_uri(),
    ]
    start = time.perf_counter()
    try:
        res = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, f"timed out after {timeout:.0f} s", float(timeout)
    took = time.perf_counter() - start
    dom = res.stdout.decode("utf-8", "replace")
    rows = dom.count('class="collapsible"') or dom.count("results-table-row")
    ok = res.returncode == 0 and 'id="results-table"' in dom and rows > 0
    return ok, f"exit {res.returncode}, {took:.1f} s, DOM {len(dom) / 2**20:.1f} MB, {rows} result rows rendered", took


def dump(obj: object) -> str:
    return json.dumps(obj, default=lambda o: o.__dict__, indent=1)
