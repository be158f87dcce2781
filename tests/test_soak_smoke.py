"""The soak harness on a small tenant: its exit code is the properties it checks (bench/soak.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_soak_keeps_the_clean_verdicts_under_faults(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "bench.soak", "--users", "300", "--levels", "0.3,0.8:users+organization"]
    res = subprocess.run([*cmd, "--workdir", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    out = res.stdout + res.stderr
    assert res.returncode == 0 and "properties hold" in out, out[-3000:]
    rows = {m[0]: m[1:] for m in re.findall(r"^(\S+)\s+[\d.]+s\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)", out, re.M)}
    clean, faulted, heavy = rows["clean"], rows["faults30"], rows["faults80-users+organization-spared"]
    assert faulted[1:] == clean[1:] and faulted[3] == "0", "30 %: the clean verdicts, 0 NOT EVALUATED"
    assert int(faulted[0].replace(",", "")) > int(clean[0].replace(",", "")), "the faults were met and retried"
    assert int(heavy[3].replace(",", "")) > 0, "80 %: some data was lost, and those subjects are NOT EVALUATED"
